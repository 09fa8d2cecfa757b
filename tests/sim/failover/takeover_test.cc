// VRRP takeover in the simulation: the backup becomes master exactly
// 3 x advert_int + skew after the last advert it heard, and from then it
// serves both floating addresses (VIP and NAT gateway IP), in both keepalived
// modes (gratuitous ARP and virtual MAC).
#include <gtest/gtest.h>

#include <cstdio>
#include <ostream>
#include <string>

#include "failover/failover_support.h"

namespace lvs::failover_test {
namespace {

struct TimingCase {
  int version;
  int advert_int_s;
  const char* mode;
};

void PrintTo(const TimingCase& c, std::ostream* os) {
  *os << "VRRPv" << c.version << " advert_int " << c.advert_int_s << "s " << c.mode;
}

class Takeover : public ::testing::TestWithParam<TimingCase> {};

// Master-down = 3 x advert_int + skew; skew v2 (256 - 100)/256 s, v3 (256 - 100) x advert_int/256.
TEST_P(Takeover, AtMasterDownIntervalAfterLastAdvertWithinOneMillisecond) {
  const TimingCase c = GetParam();
  const double skew = c.version == 2 ? 156.0 / 256.0 : 156.0 * c.advert_int_s / 256.0;
  const double expected = 3.0 * c.advert_int_s + skew;
  const nlohmann::json s = run_pair({"failover.vrrp.version=" + std::to_string(c.version),
                                     "failover.vrrp.advert_int=" + std::to_string(c.advert_int_s),
                                     std::string("failover.vrrp.mode=") + c.mode,
                                     "duration=" + std::to_string(6 + 4 * c.advert_int_s + 2)});
  ASSERT_EQ(s["failovers"].size(), 1u) << s["failovers"].dump();
  const auto& f = s["failovers"][0];
  std::printf("v%d advert_int %ds %s: detection %.6f s after the crash, %.9f s after the last advert "
              "(expected %.9f), takeover %.6f s; after takeover ok %llu failed %llu\n",
              c.version, c.advert_int_s, c.mode, f["detection_s"].get<double>(),
              f["after_last_advert_s"].get<double>(), expected, f["takeover_s"].get<double>(),
              f["requests_after_takeover"]["ok"].get<unsigned long long>(),
              f["requests_after_takeover"]["failed"].get<unsigned long long>());
  EXPECT_EQ(f["router"], "lvs1");
  EXPECT_EQ(f["new_master"], "lvs2");
  EXPECT_NEAR(f["after_last_advert_s"].get<double>(), expected, 1e-3);
  // The last advert came less than one advert_int before the crash.
  EXPECT_LE(5.0 - f["last_advert_at_s"].get<double>(), c.advert_int_s + 1e-6);
  // The new master forwards right away (the first packet waits for nothing).
  EXPECT_LT(f["takeover_s"].get<double>() - f["detection_s"].get<double>(), 0.1);
  // Both floating IPs work from the backup: every request started after the
  // takeover went in through the VIP and came back through the NAT gateway IP.
  EXPECT_GT(f["requests_after_takeover"]["ok"].get<std::uint64_t>(), 20u);
  EXPECT_EQ(f["requests_after_takeover"]["failed"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(s["vrrp"][1]["state"], "MASTER");
}

INSTANTIATE_TEST_SUITE_P(Vrrp, Takeover,
                         ::testing::Values(TimingCase{2, 1, "garp"}, TimingCase{2, 2, "garp"},
                                           TimingCase{3, 1, "garp"}, TimingCase{3, 2, "garp"},
                                           TimingCase{2, 1, "vmac"}, TimingCase{3, 2, "vmac"}),
                         [](const ::testing::TestParamInfo<TimingCase>& i) {
                           return "v" + std::to_string(i.param.version) + "_" + std::to_string(i.param.advert_int_s) +
                                  "s_" + i.param.mode;
                         });

// A clean keepalived stop sends priority 0: the backup takes over after its
// skew time alone, not the full master-down interval.
TEST(Takeover, PriorityZeroOnShutdownHandsOverAfterSkew) {
  const nlohmann::json s = run_pair({"faults.0.action=shutdown", "duration=9"});
  ASSERT_EQ(s["failovers"].size(), 1u);
  const auto& f = s["failovers"][0];
  EXPECT_EQ(f["fault"], "shutdown");
  EXPECT_NEAR(f["detection_s"].get<double>(), 156.0 / 256.0, 1e-3);
  EXPECT_EQ(f["requests_after_takeover"]["failed"].get<std::uint64_t>(), 0u);
}

}  // namespace
}  // namespace lvs::failover_test
