// tcp.segment_size end to end: every simulated TCP stack sends segments of
// that size, and a response that fits one segment costs one packet less.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

#include "run_test_support.h"

namespace lvs::run_test {
namespace {

struct Seen {
  std::uint32_t largest = 0;  // largest TCP payload the client received
  std::uint64_t fragments = 0;
};

Seen client_side(const std::string& pcap) {
  Seen s;
  for (const Ip4Packet& p : read_ipv4(pcap)) {
    if (p.fragment) ++s.fragments;
    if (p.proto == 6 && p.src == kVip) s.largest = std::max(s.largest, p.tcp_payload);
  }
  return s;
}

// 5,000-byte responses are cut into segments of the configured size: ns-3's
// 536 by default, Linux's 1448 when set; never fragmented on the 1500-byte links.
TEST(TcpSegmentSize, ResponsesAreCutIntoSegmentsOfThatSize) {
  for (const std::uint32_t size : {536u, 1448u}) {
    SCOPED_TRACE(size);
    TempDir dir("segsize");
    std::vector<std::string> set = {"workloads.0.response_size=5000", "duration=1s", "measurement.pcap=true"};
    if (size != 536) set.push_back("tcp.segment_size=" + std::to_string(size));
    const nlohmann::json s = run_summary(load_text(kClusterYaml, set), dir.path());
    EXPECT_EQ(s["requests"]["ok"].get<std::uint64_t>(), s["requests"]["total"].get<std::uint64_t>());
    const Seen seen = client_side(dir / "client.pcap");
    EXPECT_EQ(seen.largest, size);
    EXPECT_EQ(seen.fragments, 0u);
    EXPECT_EQ(s["tcp_segment_size"].get<std::uint32_t>(), size);
  }
}

// A 1,000-byte response is two segments at 536 and one at 1448: the director
// forwards exactly one packet less per request (10 -> 9), and nothing else changes.
TEST(TcpSegmentSize, OneSegmentResponseSavesOnePacketPerRequest) {
  const std::vector<std::string> base = {"workloads.0.response_size=1000", "duration=2s"};
  std::vector<std::string> linux_sized = base;
  linux_sized.push_back("tcp.segment_size=1448");
  const nlohmann::json small = run_summary(load_text(kClusterYaml, base));
  const nlohmann::json large = run_summary(load_text(kClusterYaml, linux_sized));
  const auto ok = small["requests"]["ok"].get<std::uint64_t>();
  ASSERT_GT(ok, 150u);
  EXPECT_EQ(large["requests"]["ok"].get<std::uint64_t>(), ok);
  EXPECT_EQ(small["requests"]["total"].get<std::uint64_t>(), ok);
  const auto fwd_small = small["routers"][0]["forwarded"].get<std::uint64_t>();
  const auto fwd_large = large["routers"][0]["forwarded"].get<std::uint64_t>();
  std::printf("forwarded per request: %.3f at 536, %.3f at 1448 (%llu requests)\n",
              static_cast<double>(fwd_small) / static_cast<double>(ok),
              static_cast<double>(fwd_large) / static_cast<double>(ok), static_cast<unsigned long long>(ok));
  EXPECT_EQ(fwd_small - fwd_large, ok);
  // 10 per request at 536, give or take the last connections still closing at the end.
  EXPECT_NEAR(static_cast<double>(fwd_small), 10.0 * static_cast<double>(ok), 0.01 * 10.0 * static_cast<double>(ok));
}

}  // namespace
}  // namespace lvs::run_test
