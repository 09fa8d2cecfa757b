// scenarios/bottleneck.yaml, shortened: in NAT the router is the bottleneck
// while the real servers have headroom; the same load in DR is not router-bound.
#include <gtest/gtest.h>

#include "run_test_support.h"

namespace lvs::run_test {
namespace {

const std::vector<std::string> kShort = {"duration=4"};

// Every member in DR, every server's default route the Internet-side gateway.
std::vector<std::string> dr_overrides() {
  std::vector<std::string> o = kShort;
  for (int i = 0; i < 3; ++i) {
    o.push_back("services.0.real_servers." + std::to_string(i) + ".method=dr");
    o.push_back("real_servers." + std::to_string(i) + ".gateway=10.1.0.1");
  }
  return o;
}

void print(const char* mode, const nlohmann::json& s) {
  const auto& r = s["routers"][0];
  std::printf("%s: router cpu %.4f, queue drops %llu, forwarded %llu; ok %llu;", mode,
              r["cpu_utilisation"].get<double>(), r["queue_drops"].get<unsigned long long>(),
              r["forwarded"].get<unsigned long long>(), s["requests"]["ok"].get<unsigned long long>());
  for (const auto& rs : s["real_servers"]) std::printf(" %s %.3f", rs["name"].get<std::string>().c_str(), rs["utilisation"].get<double>());
  std::printf("\n");
}

// NAT: the director's CPU is saturated (>= 0.95) and drops from its queue, every server stays below 0.7.
TEST(Bottleneck, NatRouterIsTheBottleneck) {
  const nlohmann::json s = run_summary(load_file("bottleneck.yaml", kShort));
  print("nat", s);
  const auto& router = s["routers"][0];
  EXPECT_TRUE(router["active"].get<bool>());
  EXPECT_GE(router["cpu_utilisation"].get<double>(), 0.95);
  EXPECT_GT(router["queue_drops"].get<std::uint64_t>(), 0u);
  for (const auto& rs : s["real_servers"]) {
    EXPECT_LT(rs["utilisation"].get<double>(), 0.7) << rs["name"];
    EXPECT_GT(rs["connections"].get<std::uint64_t>(), 0u) << rs["name"];
  }
  EXPECT_EQ(s["analytic_bottleneck"]["kind"].get<std::string>().rfind("router", 0), 0u)
      << s["analytic_bottleneck"]["description"];
}

// DR: the same load leaves the director well below saturation, with no queue
// drops and nothing failing (the director only carries the client -> server half).
TEST(Bottleneck, DrSameLoadNotRouterBound) {
  const nlohmann::json s = run_summary(load_file("bottleneck.yaml", dr_overrides()));
  print("dr", s);
  const auto& router = s["routers"][0];
  EXPECT_LT(router["cpu_utilisation"].get<double>(), 0.7);
  EXPECT_EQ(router["queue_drops"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(s["requests"]["timeout"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(s["requests"]["reset"].get<std::uint64_t>(), 0u);
  // ~220 requests/s offered, all served but those still in flight at the end.
  EXPECT_GT(s["requests_per_s"].get<double>(), 190.0);
  for (const auto& rs : s["real_servers"]) EXPECT_LT(rs["utilisation"].get<double>(), 0.7) << rs["name"];
}

}  // namespace
}  // namespace lvs::run_test
