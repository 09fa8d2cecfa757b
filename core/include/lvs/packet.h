#pragma once
// Wire-format IPv4 (TCP, UDP, ICMP): bounds-checked parsing and in-place
// rewrites with incremental checksum updates (RFC 1624).

#include <cstddef>
#include <cstdint>

#include "lvs/types.h"

namespace lvs {

enum class ParseStatus : std::uint8_t {
  kOk = 0,
  kTruncated,     // shorter than the headers it announces
  kBadVersion,    // not IPv4
  kBadIhl,        // IHL < 5
  kBadLength,     // total length smaller than the header, or larger than the buffer
  kFragment,      // MF set or non-zero offset: IPVS needs reassembly, which we don't do
  kBadL4Header,   // TCP data offset < 5, or L4 header cut short
};

// Offsets into a packet that starts with its IPv4 header. Ports are the ICMP
// echo identifier (both) for echo messages, 0 for other ICMP.
struct PacketView {
  std::uint8_t* data = nullptr;
  std::size_t len = 0;         // IPv4 total length (trailing padding excluded)
  std::uint16_t l4_off = 0;    // IHL * 4
  Proto proto = Proto::kIp;
  Ip4 saddr = 0;
  Ip4 daddr = 0;
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  std::uint8_t tcp_flags = 0;
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;
};

// Parses `data[0..buf_len)`; never reads outside it.
ParseStatus parse_ipv4(std::uint8_t* data, std::size_t buf_len, PacketView& out);

// ICMP errors that quote an offending datagram (dest unreachable, source
// quench, time exceeded) and that IPVS relates to a connection.
bool is_icmp_error(std::uint8_t type);
constexpr std::uint8_t kIcmpEchoReply = 0;
constexpr std::uint8_t kIcmpDestUnreach = 3;
constexpr std::uint8_t kIcmpEchoRequest = 8;
constexpr std::uint8_t kIcmpPortUnreach = 3;  // code under kIcmpDestUnreach
constexpr std::uint8_t kIcmpFragNeeded = 4;   // code under kIcmpDestUnreach

// The datagram quoted inside an ICMP error: its IPv4 header must be complete;
// the first 8 bytes of its L4 header (ports) must be present.
struct QuotedView {
  std::uint16_t ip_off = 0;   // offset of the quoted IPv4 header in the outer packet
  std::uint16_t l4_off = 0;   // offset of its L4 header in the outer packet
  std::uint16_t l4_len = 0;   // quoted L4 bytes available
  Proto proto = Proto::kIp;
  Ip4 saddr = 0;
  Ip4 daddr = 0;
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
};
ParseStatus parse_icmp_quote(const PacketView& outer, QuotedView& out);

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Inline: they run several times per packet.
inline std::uint16_t csum_update16(std::uint16_t check, std::uint16_t from, std::uint16_t to) {
  std::uint32_t sum = std::uint32_t{static_cast<std::uint16_t>(~check)} +
                      std::uint32_t{static_cast<std::uint16_t>(~from)} + to;
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}
inline std::uint16_t csum_update32(std::uint16_t check, std::uint32_t from, std::uint32_t to) {
  check = csum_update16(check, static_cast<std::uint16_t>(from >> 16),
                        static_cast<std::uint16_t>(to >> 16));
  return csum_update16(check, static_cast<std::uint16_t>(from), static_cast<std::uint16_t>(to));
}
// The same for several fields at once: `delta` is the sum of the changed
// fields' csum_delta16/csum_delta32 terms (at most eight 16-bit pairs), and
// the result equals csum_update16 applied to each pair in turn (one's-
// complement addition is associative, and a fold is zero only for a zero sum).
inline std::uint32_t csum_delta16(std::uint16_t from, std::uint16_t to) {
  return std::uint32_t{static_cast<std::uint16_t>(~from)} + to;
}
inline std::uint32_t csum_delta32(std::uint32_t from, std::uint32_t to) {
  const auto hi = [](std::uint32_t v) { return static_cast<std::uint16_t>(v >> 16); };
  const auto lo = [](std::uint32_t v) { return static_cast<std::uint16_t>(v); };
  return csum_delta16(hi(from), hi(to)) + csum_delta16(lo(from), lo(to));
}
inline std::uint16_t csum_apply(std::uint16_t check, std::uint32_t delta) {
  std::uint32_t sum = std::uint32_t{static_cast<std::uint16_t>(~check)} + delta;
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}
// The same sums in 32-bit words (RFC 1071 2.B: any word size, folded at the
// end): one's-complement addition of two 32-bit words, the carry out wrapping
// round, and a 32-bit sum folded to 16 bits (the high half of x + rotl(x, 16)
// is hi + lo plus the carry out of lo + hi). A fold is zero only for an
// all-zero sum, as csum_apply's is, so ~csum_fold32(csum_add32(csum_add32(
// ~from, to), ~check)) is exactly csum_apply(check, csum_delta32(from, to)),
// in fewer instructions.
inline std::uint32_t csum_add32(std::uint32_t a, std::uint32_t b) {
  a += b;
  return a + (a < b);
}
inline std::uint32_t csum_fold32(std::uint32_t x) {
  return (x + ((x << 16) | (x >> 16))) >> 16;
}
// One's-complement checksum over a byte range (full computation).
std::uint16_t csum_compute(const std::uint8_t* data, std::size_t len, std::uint32_t seed = 0);

// In-place rewrites. Each keeps the IPv4 header checksum and the TCP/UDP
// checksum valid (a zero UDP checksum stays zero: "no checksum").
void rewrite_daddr_dport(PacketView& p, Ip4 addr, std::uint16_t port);
void rewrite_saddr_sport(PacketView& p, Ip4 addr, std::uint16_t port);

// ICMP error translation: rewrites the outer destination (or source) address,
// the quoted datagram's source (or destination) address and port, and fixes
// every checksum involved, including the quoted ones where present.
void translate_icmp_to_inside(PacketView& p, const QuotedView& q, Ip4 real_addr,
                              std::uint16_t real_port);
void translate_icmp_to_outside(PacketView& p, const QuotedView& q, Ip4 virt_addr,
                               std::uint16_t virt_port);

// Builds an ICMP error (type/code) about `offending` into `out`, as a router
// with address `from` would send it (IPv4 header + 8 bytes quoted, RFC 792).
// Returns the length written, 0 if `out_cap` is too small.
std::size_t build_icmp_error(const PacketView& offending, Ip4 from, std::uint8_t type,
                             std::uint8_t code, std::uint8_t* out, std::size_t out_cap);

// Big-endian loads and stores.
inline std::uint16_t load16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t load32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}
inline void store16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void store32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

}  // namespace lvs
