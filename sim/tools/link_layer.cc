#include "tools/link_layer.h"

#include <pcap/dlt.h>

#include <algorithm>

#include "lvs/packet.h"

namespace lvs::tools {
namespace {

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::size_t kEtherHeader = 14;
constexpr std::size_t kSllHeader = 16;
constexpr std::size_t kSll2Header = 20;
#ifndef DLT_LINUX_SLL2
constexpr int DLT_LINUX_SLL2 = 276;
#endif
#ifndef DLT_IPV4
constexpr int DLT_IPV4 = 228;
#endif

bool is_vlan_tag(std::uint16_t ethertype) {
  return ethertype == 0x8100 || ethertype == 0x88a8 || ethertype == 0x9100;
}

FrameL3 by_ethertype(std::uint16_t ethertype, std::size_t off) {
  return {ethertype == kEtherIpv4 ? FrameKind::kIpv4 : FrameKind::kNotIpv4, off};
}

FrameL3 ethernet(const std::uint8_t* f, std::size_t caplen) {
  std::size_t type_off = 12;
  for (;;) {
    if (caplen < type_off + 2) return {FrameKind::kTruncated, 0};
    const std::uint16_t type = load16(f + type_off);
    if (!is_vlan_tag(type)) return by_ethertype(type, type_off + 2);
    type_off += 4;
  }
}

FrameL3 raw(const std::uint8_t* f, std::size_t caplen) {
  if (caplen < 1) return {FrameKind::kTruncated, 0};
  return {(f[0] >> 4) == 4 ? FrameKind::kIpv4 : FrameKind::kNotIpv4, 0};
}

}  // namespace

std::optional<LinkType> link_type_from_dlt(int dlt) {
  switch (dlt) {
    case DLT_EN10MB: return LinkType::kEthernet;
    case DLT_RAW:
    case DLT_IPV4: return LinkType::kRaw;
    case DLT_LINUX_SLL: return LinkType::kLinuxSll;
    case DLT_LINUX_SLL2: return LinkType::kLinuxSll2;
    default: return std::nullopt;
  }
}

FrameL3 locate_ipv4(LinkType link, const std::uint8_t* frame, std::size_t caplen) {
  switch (link) {
    case LinkType::kEthernet: return ethernet(frame, caplen);
    case LinkType::kRaw: return raw(frame, caplen);
    case LinkType::kLinuxSll:
      if (caplen < kSllHeader) return {FrameKind::kTruncated, 0};
      return by_ethertype(load16(frame + 14), kSllHeader);
    case LinkType::kLinuxSll2:
      if (caplen < kSll2Header) return {FrameKind::kTruncated, 0};
      return by_ethertype(load16(frame), kSll2Header);
  }
  return {FrameKind::kNotIpv4, 0};
}

void reverse_link_header(LinkType link, std::uint8_t* hdr, std::size_t ip_off) {
  if (link == LinkType::kEthernet && ip_off >= kEtherHeader) std::swap_ranges(hdr, hdr + 6, hdr + 6);
}

}  // namespace lvs::tools
