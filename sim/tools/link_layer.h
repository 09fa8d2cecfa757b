#pragma once
// Where the IPv4 header sits in a captured frame, per pcap link type.
//
// Supported: DLT_EN10MB (Ethernet, 802.1Q/802.1ad VLAN tags skipped),
// DLT_RAW / LINKTYPE_IPV4 (the frame is the IP packet), DLT_LINUX_SLL and
// DLT_LINUX_SLL2 (`tcpdump -i any`).

#include <cstddef>
#include <cstdint>
#include <optional>

namespace lvs::tools {

enum class LinkType : std::uint8_t { kEthernet, kRaw, kLinuxSll, kLinuxSll2 };

// From a pcap_datalink() value; nullopt for link types replay does not read.
std::optional<LinkType> link_type_from_dlt(int dlt);

enum class FrameKind : std::uint8_t {
  kIpv4,        // ip_off is where the IPv4 header starts
  kNotIpv4,     // ARP, IPv6, LLDP, ...: another protocol
  kTruncated,   // the capture cut the link header short
};

struct FrameL3 {
  FrameKind kind = FrameKind::kNotIpv4;
  std::size_t ip_off = 0;
};

FrameL3 locate_ipv4(LinkType link, const std::uint8_t* frame, std::size_t caplen);

// The link header of a frame the director sends back to the frame's sender
// (an ICMP error): Ethernet swaps the MAC addresses, the other types keep
// their header. `hdr` is the original frame's first `ip_off` bytes, rewritten
// in place.
void reverse_link_header(LinkType link, std::uint8_t* hdr, std::size_t ip_off);

}  // namespace lvs::tools
