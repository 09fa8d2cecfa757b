// Gratuitous ARP on becoming MASTER, as keepalived schedules it:
// garp_master_repeat rounds over every VIP at once, the same again
// garp_master_delay later, a refresh every garp_master_refresh (checked when
// an advert goes out), and garp_interval spacing between any two GARPs.

#include <gtest/gtest.h>

#include <optional>
#include <utility>
#include <vector>

#include "vrrp_test_util.h"

namespace lvs {
namespace {

using namespace vrrp_test;
using Kind = VrrpAction::Kind;

// (time, ip) of every GARP the agent sends while its timers run up to `until`.
std::vector<std::pair<Time, Ip4>> garps_until(VrrpAgent& agent, Time until) {
  std::vector<std::pair<Time, Ip4>> out;
  for (auto t = agent.next_timer(); t && *t <= until; t = agent.next_timer()) {
    for (const VrrpAction& a : of_kind(agent.on_timer(*t), Kind::kGratuitousArp)) out.emplace_back(*t, a.ip);
  }
  return out;
}

VrrpConfig owner_with_two_vips() {
  VrrpConfig cfg = make_config(255, kRouterA);
  cfg.vips = {kVip, kNatGw};
  return cfg;
}

// Defaults (repeat 5, delay 5 s): 10 GARPs at takeover and 10 more 5 s later, then none.
TEST(VrrpGarpTest, DefaultScheduleTwoBursts) {
  VrrpAgent agent(owner_with_two_vips());
  agent.start(Time{0});
  const auto garps = garps_until(agent, seconds(60));
  ASSERT_EQ(garps.size(), 20u);
  const Time up = microseconds(1);
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(garps[i].first, up);
    EXPECT_EQ(garps[i + 10].first, up + seconds(5));
    EXPECT_EQ(garps[i].second, i % 2 == 0 ? kVip : kNatGw);  // round by round over the VIPs
  }
  EXPECT_EQ(agent.counters().garps, 20u);
}

// Counts and times for other settings.
TEST(VrrpGarpTest, ScheduleTable) {
  struct Case {
    const char* name;
    unsigned repeat;
    Duration delay;
    Duration refresh;
    unsigned refresh_repeat;
    std::vector<Duration> expected;  // GARP times after takeover, one entry per GARP (2 VIPs)
  };
  const Case cases[] = {
      {"repeat1_delay2", 1, seconds(2), Duration{0}, 1, {Duration{0}, Duration{0}, seconds(2), seconds(2)}},
      {"no_delay", 2, Duration{0}, Duration{0}, 1, {Duration{0}, Duration{0}, Duration{0}, Duration{0}}},
      {"refresh_10s",
       1,
       Duration{0},
       seconds(10),
       1,
       {Duration{0}, Duration{0}, seconds(10), seconds(10), seconds(20), seconds(20)}},
      {"refresh_repeat2",
       0,
       Duration{0},
       seconds(15),
       2,
       {seconds(15), seconds(15), seconds(15), seconds(15)}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    VrrpConfig cfg = owner_with_two_vips();
    cfg.garp_master_repeat = c.repeat;
    cfg.garp_master_delay = c.delay;
    cfg.garp_master_refresh = c.refresh;
    cfg.garp_master_refresh_repeat = c.refresh_repeat;
    VrrpAgent agent(cfg);
    agent.start(Time{0});
    const Time up = microseconds(1);
    std::vector<Duration> got;
    for (const auto& g : garps_until(agent, up + seconds(25))) got.push_back(g.first - up);
    EXPECT_EQ(got, c.expected);
  }
}

// garp_interval spaces every GARP, including across the two bursts.
TEST(VrrpGarpTest, IntervalSpacesGarps) {
  VrrpConfig cfg = owner_with_two_vips();
  cfg.garp_master_repeat = 2;
  cfg.garp_master_delay = milliseconds(100);
  cfg.garp_interval = milliseconds(40);
  VrrpAgent agent(cfg);
  agent.start(Time{0});
  const Time up = microseconds(1);
  std::vector<Duration> got;
  for (const auto& g : garps_until(agent, seconds(5))) got.push_back(g.first - up);
  // First burst at 0, 40, 80, 120 ms; the second is asked for at 100 ms but
  // must wait for 160 ms, then 200, 240, 280 ms.
  const std::vector<Duration> want = {Duration{0},       milliseconds(40),  milliseconds(80),
                                      milliseconds(120), milliseconds(160), milliseconds(200),
                                      milliseconds(240), milliseconds(280)};
  EXPECT_EQ(got, want);
}

// Losing MASTER cancels the pending second burst.
TEST(VrrpGarpTest, LeavingMasterCancelsDelayedBurst) {
  VrrpConfig cfg = owner_with_two_vips();
  cfg.priority = 200;
  VrrpAgent agent(cfg);
  agent.start(Time{0});
  const Time up = agent.master_down_interval();
  ASSERT_EQ(garps_until(agent, up).size(), 10u);
  agent.on_advert(advert_like(cfg, 250), kRouterB, up + seconds(1));
  ASSERT_EQ(agent.state(), VrrpState::kBackup);
  // Keep it backup; no GARP may follow.
  std::size_t late = 0;
  for (Time t = up + seconds(2); t < up + seconds(20); t += seconds(1)) {
    late += garps_until(agent, t).size();
    agent.on_advert(advert_like(cfg, 250), kRouterB, t);
  }
  EXPECT_EQ(late, 0u);
}

// use_vmac is passed to the adapter with the RFC 5798 virtual MAC.
TEST(VrrpGarpTest, VirtualMac) {
  const auto mac = vrrp_virtual_mac(51);
  const std::array<std::uint8_t, 6> want = {0x00, 0x00, 0x5e, 0x00, 0x01, 51};
  EXPECT_EQ(mac, want);
}

// A master that hears a lower-priority advert (the other side of a healed
// split brain) re-announces: garp_lower_prio_repeat rounds at once and again
// garp_lower_prio_delay later; keepalived defaults both to the master values.
TEST(VrrpGarpTest, LowerPriorityAdvertReannounces) {
  struct Case {
    const char* name;
    std::optional<unsigned> repeat;
    std::optional<Duration> delay;
    std::size_t at_once;  // GARPs (2 VIPs)
    std::size_t later;
    Duration later_at;
  };
  const Case cases[] = {
      {"defaults", std::nullopt, std::nullopt, 10, 10, seconds(5)},
      {"repeat2_delay3", 2u, seconds(3), 4, 4, seconds(3)},
      {"repeat0_off", 0u, seconds(3), 0, 0, seconds(3)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    VrrpConfig cfg = owner_with_two_vips();
    cfg.garp_lower_prio_repeat = c.repeat;
    cfg.garp_lower_prio_delay = c.delay;
    VrrpAgent agent(cfg);
    agent.start(Time{0});
    garps_until(agent, seconds(30));  // the takeover bursts are over
    const Time heard = seconds(31);
    const VrrpActions now = agent.on_advert(advert_like(cfg, 100), kRouterB, heard);
    EXPECT_EQ(count_kind(now, Kind::kSendAdvert), 1u);
    EXPECT_EQ(agent.state(), VrrpState::kMaster);
    std::size_t at_once = count_kind(now, Kind::kGratuitousArp), later = 0;
    for (const auto& [t, ip] : garps_until(agent, heard + seconds(10))) {
      (void)ip;
      if (t == heard) ++at_once;
      if (t == heard + c.later_at) ++later;
    }
    EXPECT_EQ(at_once, c.at_once);
    EXPECT_EQ(later, c.later);
  }
}

}  // namespace
}  // namespace lvs
