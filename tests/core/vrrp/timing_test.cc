// Master-down timing, exact to the nanosecond: a backup takes over
// down_timer_adverts × Master_Adver_Interval + skew after the last advert it
// accepted, with keepalived's skew (VRRP_TIMER_SKEW, integer microseconds):
// v2 (256 − priority)/256 s, v3 (256 − priority) × Master_Adver_Interval/256.

#include <gtest/gtest.h>

#include "vrrp_test_util.h"

namespace lvs {
namespace {

using namespace vrrp_test;

struct TimingCase {
  const char* name;
  std::uint8_t version;
  Duration advert_int;
  std::uint8_t priority;
  Duration expected_down;  // master-down interval, worked by hand
};

const TimingCase kCases[] = {
    // The acceptance cases: backup priority 100, skew 156/256 s = 0.609375 s.
    {"v2_1s_p100", 2, seconds(1), 100, seconds(3) + microseconds(609375)},
    {"v2_2s_p100", 2, seconds(2), 100, seconds(6) + microseconds(609375)},
    {"v3_1s_p100", 3, seconds(1), 100, seconds(3) + microseconds(609375)},
    // v3 skew scales with the interval: 156 × 200 cs × 625/16 µs = 1.21875 s.
    {"v3_2s_p100", 3, seconds(2), 100, seconds(6) + microseconds(1218750)},
    // 155/256 s = 605468.75 µs: keepalived truncates to whole microseconds.
    {"v2_1s_p101", 2, seconds(1), 101, seconds(3) + microseconds(605468)},
    {"v3_1s_p101", 3, seconds(1), 101, seconds(3) + microseconds(605468)},
    {"v2_1s_p254", 2, seconds(1), 254, seconds(3) + microseconds(7812)},
    {"v2_1s_p1", 2, seconds(1), 1, seconds(3) + microseconds(996093)},
    // v3 sub-second: 56 × 50 cs × 625/16 µs = 109375 µs.
    {"v3_500ms_p200", 3, milliseconds(500), 200, milliseconds(1500) + microseconds(109375)},
    {"v3_30ms_p100", 3, milliseconds(30), 100, milliseconds(90) + microseconds(18281)},
};

class MasterDownTiming : public ::testing::TestWithParam<TimingCase> {};

// Takeover happens exactly master-down after the last advert, not 1 ns earlier.
TEST_P(MasterDownTiming, TakeoverExactlyAfterLastAdvert) {
  const TimingCase& tc = GetParam();
  VrrpConfig backup = make_config(tc.priority, kRouterB, tc.version, tc.advert_int);
  VrrpAgent agent(backup);
  agent.start(Time{0});
  EXPECT_EQ(agent.master_down_interval(), tc.expected_down);

  // The master (higher priority) advertises; its last advert lands at an odd time.
  VrrpConfig master = backup;
  master.priority = 255;
  const Time last = seconds(10) + nanoseconds(123456789);
  agent.on_advert(advert_like(master, 255), kRouterA, last - tc.advert_int);
  agent.on_advert(advert_like(master, 255), kRouterA, last);
  ASSERT_EQ(agent.next_timer(), last + tc.expected_down);

  EXPECT_TRUE(agent.on_timer(last + tc.expected_down - nanoseconds(1)).empty());
  EXPECT_EQ(agent.state(), VrrpState::kBackup);
  const VrrpActions acts = agent.on_timer(last + tc.expected_down);
  EXPECT_EQ(agent.state(), VrrpState::kMaster);
  ASSERT_FALSE(acts.empty());
  EXPECT_EQ(acts.front().transition.at, last + tc.expected_down);
  EXPECT_EQ(acts.front().transition.reason, VrrpReason::kMasterNoResponse);
}

// At start, with nothing heard, a backup waits one full master-down interval.
TEST_P(MasterDownTiming, StartupWaitsOneInterval) {
  const TimingCase& tc = GetParam();
  VrrpAgent agent(make_config(tc.priority, kRouterB, tc.version, tc.advert_int));
  const Time t0 = seconds(2);
  agent.start(t0);
  EXPECT_EQ(agent.next_timer(), t0 + tc.expected_down);
}

INSTANTIATE_TEST_SUITE_P(Cases, MasterDownTiming, ::testing::ValuesIn(kCases),
                         [](const auto& p) { return std::string(p.param.name); });

// A priority 0 advert cuts the wait to the skew time alone.
TEST(MasterDownTimingTest, PriorityZeroLeavesOnlySkew) {
  struct Case {
    std::uint8_t version;
    Duration advert_int;
    Duration skew;
  };
  const Case cases[] = {
      {2, seconds(1), microseconds(609375)},
      {2, seconds(2), microseconds(609375)},
      {3, seconds(1), microseconds(609375)},
      {3, seconds(2), microseconds(1218750)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << "v" << int{c.version} << " " << c.advert_int.count());
    const VrrpConfig cfg = make_config(100, kRouterB, c.version, c.advert_int);
    VrrpAgent agent(cfg);
    agent.start(Time{0});
    agent.on_advert(advert_like(cfg, 200), kRouterA, seconds(1));
    const Time bye = seconds(1) + milliseconds(250);
    agent.on_advert(advert_like(cfg, 0), kRouterA, bye);
    ASSERT_EQ(agent.next_timer(), bye + c.skew);
    const VrrpActions acts = agent.on_timer(bye + c.skew);
    EXPECT_EQ(agent.state(), VrrpState::kMaster);
    EXPECT_EQ(acts.front().transition.reason, VrrpReason::kMasterReleased);
  }
}

// VRRPv3 backups learn the master's interval from its adverts (RFC 5798 6.4.2).
TEST(MasterDownTimingTest, V3LearnsMasterAdverInt) {
  const VrrpConfig cfg = make_config(100, kRouterB, 3, seconds(1));
  VrrpAgent agent(cfg);
  agent.start(Time{0});
  VrrpAdvert adv = advert_like(cfg, 150);
  adv.advert_int = seconds(2);
  agent.on_advert(adv, kRouterA, seconds(1));
  EXPECT_EQ(agent.master_adver_int(), seconds(2));
  EXPECT_EQ(agent.next_timer(), seconds(1) + seconds(6) + microseconds(1218750));
}

// VRRPv2 drops an advert whose interval differs from ours, so it does not reset the timer.
TEST(MasterDownTimingTest, V2IntervalMismatchIsIgnored) {
  const VrrpConfig cfg = make_config(100, kRouterB, 2, seconds(1));
  VrrpAgent agent(cfg);
  agent.start(Time{0});
  const auto before = agent.next_timer();
  VrrpAdvert adv = advert_like(cfg, 150);
  adv.advert_int = seconds(2);
  agent.on_advert(adv, kRouterA, seconds(1));
  EXPECT_EQ(agent.last_ignore(), VrrpIgnore::kIntervalMismatch);
  EXPECT_EQ(agent.next_timer(), before);
}

// A master advertises every advert_int, exactly.
TEST(MasterDownTimingTest, MasterAdvertisesEveryInterval) {
  VrrpAgent agent(make_config(255, kRouterA, 3, milliseconds(250)));
  agent.start(Time{0});
  const VrrpActions acts = run_until(agent, seconds(1) + microseconds(1));
  Time t{0};
  for (const VrrpAction& a : acts) {
    if (a.kind == VrrpAction::Kind::kTransition) t = a.transition.at;
  }
  EXPECT_EQ(t, microseconds(1));  // owner: master 1 µs after start
  EXPECT_EQ(count_kind(acts, VrrpAction::Kind::kSendAdvert), 5u);  // at 1 µs, +250, +500, +750, +1000 ms
  EXPECT_EQ(agent.next_timer(), microseconds(1) + milliseconds(1250));
}

}  // namespace
}  // namespace lvs
