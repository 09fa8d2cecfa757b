#pragma once
// Builds wire-format IPv4 test packets with checksums computed from scratch,
// and verifies checksums with its own full recomputation, independent of the
// engine's incremental updates.

#include <cstdint>
#include <string>
#include <vector>

#include "lvs/types.h"

namespace lvs::test {

using Bytes = std::vector<std::uint8_t>;

struct PacketSpec {
  Proto proto = Proto::kTcp;
  std::string src = "0.0.0.0";
  std::string dst = "0.0.0.0";
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  std::uint8_t tcp_flags = 0x02;  // SYN
  std::size_t payload = 0;        // bytes of a deterministic pattern
  std::uint8_t ttl = 64;
  std::uint16_t ip_id = 0x1234;
  std::uint16_t frag = 0;         // flags+offset field (0x4000 = DF)
  bool udp_zero_checksum = false;
  std::uint8_t icmp_type = 8;     // with Proto::kIcmp
  std::uint8_t icmp_code = 0;
  std::uint16_t icmp_id = 0x4242;
};

// A TCP/UDP segment's spec: src:sport -> dst:dport (flags 0x02 = SYN).
inline PacketSpec seg(Proto proto, const std::string& src, std::uint16_t sport,
                      const std::string& dst, std::uint16_t dport, std::uint8_t flags = 0x02,
                      std::size_t payload = 0) {
  PacketSpec s;
  s.proto = proto;
  s.src = src;
  s.dst = dst;
  s.sport = sport;
  s.dport = dport;
  s.tcp_flags = flags;
  s.payload = payload;
  return s;
}

Ip4 ip(const std::string& dotted);
Bytes make_packet(const PacketSpec& s);
// An ICMP error from `src` to `dst` quoting the first `quote_len` bytes of `offending`
// (0 = IP header + 8 bytes, as routers send).
Bytes make_icmp_error(const std::string& src, const std::string& dst, std::uint8_t type,
                      std::uint8_t code, const Bytes& offending, std::size_t quote_len = 0);

// Every checksum in the packet verifies: IPv4 header, TCP/UDP (pseudo header
// included; UDP 0 = none), ICMP, and inside an ICMP error the quoted IPv4
// header. `why` says which one failed.
bool checksums_valid(const Bytes& pkt, std::string* why = nullptr);

// Human-readable diff helper for test failures.
std::string hex(const Bytes& b);

}  // namespace lvs::test
