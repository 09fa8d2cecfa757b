// Finding the IPv4 header behind each link type replay accepts.

#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include "tools/link_layer.h"

namespace lvs::tools {
namespace {

using Frame = std::vector<std::uint8_t>;

Frame with_ip(Frame hdr) {
  hdr.push_back(0x45);  // first byte of an IPv4 header
  return hdr;
}

// Link header -> where IPv4 starts, or why there is none.
TEST(LinkLayer, LocatesIpv4) {
  const Frame macs(12, 0xaa);
  auto eth = [&](std::initializer_list<std::uint8_t> rest) {
    Frame f = macs;
    f.insert(f.end(), rest);
    return f;
  };
  struct Case {
    const char* what;
    LinkType link;
    Frame frame;
    FrameKind kind;
    std::size_t off;
  } cases[] = {
      {"ethernet ipv4", LinkType::kEthernet, with_ip(eth({0x08, 0x00})), FrameKind::kIpv4, 14},
      {"802.1Q", LinkType::kEthernet, with_ip(eth({0x81, 0x00, 0, 5, 0x08, 0x00})), FrameKind::kIpv4, 18},
      {"QinQ", LinkType::kEthernet, with_ip(eth({0x88, 0xa8, 0, 5, 0x81, 0x00, 0, 6, 0x08, 0x00})),
       FrameKind::kIpv4, 22},
      {"arp", LinkType::kEthernet, eth({0x08, 0x06, 0, 1}), FrameKind::kNotIpv4, 0},
      {"cut header", LinkType::kEthernet, Frame(13, 0), FrameKind::kTruncated, 0},
      {"cut vlan", LinkType::kEthernet, eth({0x81, 0x00, 0, 5}), FrameKind::kTruncated, 0},
      {"raw v4", LinkType::kRaw, Frame{0x45, 0}, FrameKind::kIpv4, 0},
      {"raw v6", LinkType::kRaw, Frame{0x60, 0}, FrameKind::kNotIpv4, 0},
      {"raw empty", LinkType::kRaw, Frame{}, FrameKind::kTruncated, 0},
      {"sll", LinkType::kLinuxSll, with_ip(Frame{0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00}),
       FrameKind::kIpv4, 16},
      {"sll2", LinkType::kLinuxSll2, with_ip(Frame{0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0}),
       FrameKind::kIpv4, 20},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const FrameL3 l3 = locate_ipv4(c.link, c.frame.data(), c.frame.size());
    EXPECT_EQ(l3.kind, c.kind);
    if (c.kind == FrameKind::kIpv4) {
      EXPECT_EQ(l3.ip_off, c.off);
    }
  }
}

// The DLT values libpcap reports map to the link types; others are refused.
TEST(LinkLayer, FromDlt) {
  EXPECT_EQ(link_type_from_dlt(DLT_EN10MB), LinkType::kEthernet);
  EXPECT_EQ(link_type_from_dlt(DLT_RAW), LinkType::kRaw);
  EXPECT_EQ(link_type_from_dlt(228), LinkType::kRaw);  // LINKTYPE_IPV4
  EXPECT_EQ(link_type_from_dlt(DLT_LINUX_SLL), LinkType::kLinuxSll);
  EXPECT_EQ(link_type_from_dlt(276), LinkType::kLinuxSll2);
  EXPECT_FALSE(link_type_from_dlt(DLT_IEEE802_11));
}

// An answer to the sender swaps the Ethernet addresses.
TEST(LinkLayer, ReverseSwapsMacs) {
  Frame f = {1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 0x08, 0x00};
  reverse_link_header(LinkType::kEthernet, f.data(), 14);
  EXPECT_EQ(f, (Frame{2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 0x08, 0x00}));
}

}  // namespace
}  // namespace lvs::tools
