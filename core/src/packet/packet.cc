#include "lvs/packet.h"

#include <cstring>

namespace lvs {
namespace {

constexpr std::size_t kIpMinHeader = 20;
constexpr std::size_t kIpCsumOff = 10;
constexpr std::size_t kTcpMinHeader = 20;
constexpr std::size_t kTcpCsumOff = 16;
constexpr std::size_t kUdpHeader = 8;
constexpr std::size_t kUdpCsumOff = 6;
constexpr std::size_t kIcmpHeader = 8;
constexpr std::size_t kIcmpCsumOff = 2;

bool is_echo(std::uint8_t type) { return type == kIcmpEchoRequest || type == kIcmpEchoReply; }

// Offset of the L4 checksum field, or 0 when the protocol has none we maintain.
std::size_t l4_csum_off(Proto proto) {
  switch (proto) {
    case Proto::kTcp: return kTcpCsumOff;
    case Proto::kUdp: return kUdpCsumOff;
    default: return 0;
  }
}

// Patches an L4 checksum at `at` for a 32-bit pseudo-header change and a port change.
void patch_l4(std::uint8_t* at, Proto proto, std::uint32_t old_addr, std::uint32_t new_addr,
              std::uint16_t old_port, std::uint16_t new_port) {
  std::uint16_t check = load16(at);
  if (proto == Proto::kUdp && check == 0) return;  // sender used no checksum
  check = csum_apply(check, csum_delta32(old_addr, new_addr) + csum_delta16(old_port, new_port));
  if (proto == Proto::kUdp && check == 0) check = 0xffff;
  store16(at, check);
}

void patch_ip_addr(std::uint8_t* ip, std::size_t addr_off, Ip4 addr) {
  const Ip4 old = load32(ip + addr_off);
  store32(ip + addr_off, addr);
  store16(ip + kIpCsumOff, csum_apply(load16(ip + kIpCsumOff), csum_delta32(old, addr)));
}

void recompute_icmp_csum(PacketView& p) {
  std::uint8_t* icmp = p.data + p.l4_off;
  store16(icmp + kIcmpCsumOff, 0);
  store16(icmp + kIcmpCsumOff, csum_compute(icmp, p.len - p.l4_off));
}

}  // namespace

bool is_icmp_error(std::uint8_t type) {
  // The errors IPVS relates to a connection (ip_vs_in_icmp, ip_vs_out_icmp);
  // parameter problem and redirect are left to the stack.
  return type == kIcmpDestUnreach || type == 4 /* source quench */ || type == 11 /* time exceeded */;
}

std::uint16_t csum_compute(const std::uint8_t* data, std::size_t len, std::uint32_t seed) {
  std::uint64_t sum = seed;
  std::size_t i = 0;
  for (; i + 1 < len; i += 2) sum += load16(data + i);
  if (i < len) sum += std::uint32_t{data[i]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

ParseStatus parse_ipv4(std::uint8_t* data, std::size_t buf_len, PacketView& out) {
  if (buf_len < kIpMinHeader) return ParseStatus::kTruncated;
  if ((data[0] >> 4) != 4) return ParseStatus::kBadVersion;
  const std::size_t ihl = std::size_t{data[0] & 0x0fu} * 4;
  if (ihl < kIpMinHeader) return ParseStatus::kBadIhl;
  if (ihl > buf_len) return ParseStatus::kTruncated;
  const std::size_t total = load16(data + 2);
  if (total < ihl || total > buf_len) return ParseStatus::kBadLength;
  if ((load16(data + 6) & 0x3fff) != 0) return ParseStatus::kFragment;

  out.data = data;
  out.len = total;
  out.l4_off = static_cast<std::uint16_t>(ihl);
  out.proto = static_cast<Proto>(data[9]);
  out.saddr = load32(data + 12);
  out.daddr = load32(data + 16);
  out.sport = out.dport = 0;
  out.tcp_flags = out.icmp_type = out.icmp_code = 0;

  const std::uint8_t* l4 = data + ihl;
  const std::size_t l4_len = total - ihl;
  switch (out.proto) {
    case Proto::kTcp: {
      if (l4_len < kTcpMinHeader) return ParseStatus::kBadL4Header;
      const std::size_t doff = static_cast<std::size_t>(l4[12] >> 4) * 4;
      if (doff < kTcpMinHeader || doff > l4_len) return ParseStatus::kBadL4Header;
      out.sport = load16(l4);
      out.dport = load16(l4 + 2);
      out.tcp_flags = l4[13];
      break;
    }
    case Proto::kUdp:
      if (l4_len < kUdpHeader) return ParseStatus::kBadL4Header;
      out.sport = load16(l4);
      out.dport = load16(l4 + 2);
      break;
    case Proto::kIcmp:
      if (l4_len < kIcmpHeader) return ParseStatus::kBadL4Header;
      out.icmp_type = l4[0];
      out.icmp_code = l4[1];
      if (is_echo(out.icmp_type)) out.sport = out.dport = load16(l4 + 4);
      break;
    default:
      break;
  }
  return ParseStatus::kOk;
}

ParseStatus parse_icmp_quote(const PacketView& outer, QuotedView& out) {
  const std::size_t ip_off = std::size_t{outer.l4_off} + kIcmpHeader;
  if (ip_off + kIpMinHeader > outer.len) return ParseStatus::kTruncated;
  const std::uint8_t* ip = outer.data + ip_off;
  if ((ip[0] >> 4) != 4) return ParseStatus::kBadVersion;
  const std::size_t ihl = std::size_t{ip[0] & 0x0fu} * 4;
  if (ihl < kIpMinHeader) return ParseStatus::kBadIhl;
  const std::size_t l4_off = ip_off + ihl;
  if (l4_off + 8 > outer.len) return ParseStatus::kTruncated;
  out.ip_off = static_cast<std::uint16_t>(ip_off);
  out.l4_off = static_cast<std::uint16_t>(l4_off);
  out.l4_len = static_cast<std::uint16_t>(outer.len - l4_off);
  out.proto = static_cast<Proto>(ip[9]);
  out.saddr = load32(ip + 12);
  out.daddr = load32(ip + 16);
  out.sport = load16(outer.data + l4_off);
  out.dport = load16(outer.data + l4_off + 2);
  return ParseStatus::kOk;
}

void rewrite_daddr_dport(PacketView& p, Ip4 addr, std::uint16_t port) {
  const std::size_t csum_off = l4_csum_off(p.proto);
  std::uint8_t* l4 = p.data + p.l4_off;
  if (csum_off != 0) {
    patch_l4(l4 + csum_off, p.proto, p.daddr, addr, p.dport, port);
    store16(l4 + 2, port);
    p.dport = port;
  }
  patch_ip_addr(p.data, 16, addr);
  p.daddr = addr;
}

void rewrite_saddr_sport(PacketView& p, Ip4 addr, std::uint16_t port) {
  const std::size_t csum_off = l4_csum_off(p.proto);
  std::uint8_t* l4 = p.data + p.l4_off;
  if (csum_off != 0) {
    patch_l4(l4 + csum_off, p.proto, p.saddr, addr, p.sport, port);
    store16(l4, port);
    p.sport = port;
  }
  patch_ip_addr(p.data, 12, addr);
  p.saddr = addr;
}

namespace {

// Rewrites one end (source when `src`, else destination) of the quoted datagram.
void patch_quote(PacketView& p, const QuotedView& q, bool src, Ip4 addr, std::uint16_t port) {
  std::uint8_t* qip = p.data + q.ip_off;
  std::uint8_t* ql4 = p.data + q.l4_off;
  const std::size_t addr_off = src ? 12 : 16;
  const std::size_t port_off = src ? 0 : 2;
  const Ip4 old_addr = load32(qip + addr_off);
  const std::uint16_t old_port = load16(ql4 + port_off);
  const std::size_t csum_off = l4_csum_off(q.proto);
  // The quoted L4 checksum is only patched when the quote reaches it.
  if (csum_off != 0 && csum_off + 2 <= q.l4_len) {
    patch_l4(ql4 + csum_off, q.proto, old_addr, addr, old_port, port);
  }
  if (csum_off != 0) store16(ql4 + port_off, port);
  patch_ip_addr(qip, addr_off, addr);
}

}  // namespace

void translate_icmp_to_inside(PacketView& p, const QuotedView& q, Ip4 real_addr,
                              std::uint16_t real_port) {
  patch_quote(p, q, /*src=*/true, real_addr, real_port);
  patch_ip_addr(p.data, 16, real_addr);
  p.daddr = real_addr;
  recompute_icmp_csum(p);
}

void translate_icmp_to_outside(PacketView& p, const QuotedView& q, Ip4 virt_addr,
                               std::uint16_t virt_port) {
  patch_quote(p, q, /*src=*/false, virt_addr, virt_port);
  patch_ip_addr(p.data, 12, virt_addr);
  p.saddr = virt_addr;
  recompute_icmp_csum(p);
}

std::size_t build_icmp_error(const PacketView& offending, Ip4 from, std::uint8_t type,
                             std::uint8_t code, std::uint8_t* out, std::size_t out_cap) {
  std::size_t quoted = std::size_t{offending.l4_off} + 8;
  if (quoted > offending.len) quoted = offending.len;
  const std::size_t total = kIpMinHeader + kIcmpHeader + quoted;
  if (out_cap < total) return 0;
  std::memset(out, 0, kIpMinHeader + kIcmpHeader);
  out[0] = 0x45;
  store16(out + 2, static_cast<std::uint16_t>(total));
  out[8] = 64;
  out[9] = static_cast<std::uint8_t>(Proto::kIcmp);
  store32(out + 12, from);
  store32(out + 16, offending.saddr);
  store16(out + kIpCsumOff, csum_compute(out, kIpMinHeader));
  std::uint8_t* icmp = out + kIpMinHeader;
  icmp[0] = type;
  icmp[1] = code;
  std::memcpy(icmp + kIcmpHeader, offending.data, quoted);
  store16(icmp + kIcmpCsumOff, csum_compute(icmp, kIcmpHeader + quoted));
  return total;
}

}  // namespace lvs
