// vrrp_sync_group: the public (VIP) and private (NAT gateway) instances of a
// router move together, as keepalived 2.2's vrrp_sync.c moves them.

#include <gtest/gtest.h>

#include <vector>

#include "vrrp_test_util.h"

namespace lvs {
namespace {

using namespace vrrp_test;
using Kind = VrrpAction::Kind;

constexpr Ip4 kPublicSelf = 0xc0000202;  // 192.0.2.2

// Member 0 is the public instance (VIP), member 1 the private one (NAT gateway IP).
std::vector<VrrpConfig> router_pair(std::uint8_t priority) {
  VrrpConfig pub = make_config(priority, kPublicSelf);
  pub.name = "VI_PUBLIC";
  pub.vrid = 51;
  VrrpConfig priv = make_config(priority, kRouterB);
  priv.name = "VI_PRIVATE";
  priv.vrid = 52;
  priv.vips = {kNatGw};
  return {pub, priv};
}

std::vector<VrrpState> states(const VrrpSyncGroup& g) {
  std::vector<VrrpState> out;
  for (std::size_t i = 0; i < g.size(); ++i) out.push_back(g.member(i).state());
  return out;
}

const std::vector<VrrpState> kBothBackup = {VrrpState::kBackup, VrrpState::kBackup};
const std::vector<VrrpState> kBothMaster = {VrrpState::kMaster, VrrpState::kMaster};
const std::vector<VrrpState> kBothFault = {VrrpState::kFault, VrrpState::kFault};

// The master dies: both backups time out and take both addresses at the same instant.
TEST(VrrpSyncGroupTest, TakeoverMovesBothAddresses) {
  VrrpSyncGroup g(router_pair(100));
  g.start(Time{0});
  const auto cfgs = router_pair(200);
  // The old master's last adverts on both LANs, 300 µs apart.
  const Time last = seconds(5);
  g.on_advert(0, advert_like(cfgs[0], 200), 0xc0000201, last);
  g.on_advert(1, advert_like(cfgs[1], 200), kRouterA, last + microseconds(300));
  const Duration down = g.member(0).master_down_interval();

  // The public member times out first but waits for the private one (no thrashing).
  VrrpActions acts = g.on_timer(last + down);
  EXPECT_TRUE(of_kind(acts, Kind::kBecomeMaster).empty());
  EXPECT_EQ(states(g), kBothBackup);

  acts = g.on_timer(last + microseconds(300) + down);
  EXPECT_EQ(states(g), kBothMaster);
  EXPECT_EQ(g.state(), VrrpState::kMaster);
  const auto becomes = of_kind(acts, Kind::kBecomeMaster);
  ASSERT_EQ(becomes.size(), 2u);
  EXPECT_EQ(becomes[0].member, 1u);
  EXPECT_EQ(becomes[0].vips, std::vector<Ip4>{kNatGw});
  EXPECT_EQ(becomes[1].member, 0u);
  EXPECT_EQ(becomes[1].vips, std::vector<Ip4>{kVip});
  for (const VrrpAction& a : of_kind(acts, Kind::kTransition)) {
    EXPECT_EQ(a.transition.at, last + microseconds(300) + down);
  }
}

// Members configured `state MASTER` already want MASTER, so the first expiry moves the group.
TEST(VrrpSyncGroupTest, MasterWishMovesOnFirstExpiry) {
  auto cfgs = router_pair(100);
  for (VrrpConfig& c : cfgs) c.initial_master = true;
  VrrpSyncGroup g(cfgs);
  g.start(Time{0});
  // vrrp_init_state: held back by the group, one interval plus the minimum skew (1/256 s).
  EXPECT_EQ(g.next_timer(), seconds(1) + microseconds(3906));
  g.on_timer(seconds(1) + microseconds(3906));
  EXPECT_EQ(states(g), kBothMaster);
}

// Address owners in a group start MASTER together 1 µs after start.
TEST(VrrpSyncGroupTest, OwnersStartMaster) {
  VrrpSyncGroup g(router_pair(255));
  g.start(Time{0});
  EXPECT_EQ(g.state(), VrrpState::kMaster);
  g.on_timer(microseconds(1));
  EXPECT_EQ(states(g), kBothMaster);
}

// One member hears a better master: the whole group goes back to BACKUP.
TEST(VrrpSyncGroupTest, OneStepsDownAllStepDown) {
  VrrpSyncGroup g(router_pair(255));
  g.start(Time{0});
  g.on_timer(microseconds(1));
  ASSERT_EQ(states(g), kBothMaster);
  auto better = router_pair(255)[1];
  // Two owners on the private LAN: the higher address wins.
  const VrrpActions acts = g.on_advert(1, advert_like(better, 255), kRouterB + 1, seconds(3));
  EXPECT_EQ(states(g), kBothBackup);
  EXPECT_EQ(count_kind(acts, Kind::kLeaveMaster), 2u);
  const auto leaves = of_kind(acts, Kind::kTransition);
  ASSERT_EQ(leaves.size(), 2u);
  EXPECT_EQ(leaves[0].transition.reason, VrrpReason::kHigherPriority);
  EXPECT_EQ(leaves[1].transition.reason, VrrpReason::kSyncGroup);
}

// One member faults: all go to FAULT (the master says priority 0 on both
// LANs); the group comes back only when every member is up.
TEST(VrrpSyncGroupTest, OneFaultsAllFault) {
  VrrpSyncGroup g(router_pair(255));
  g.start(Time{0});
  g.on_timer(microseconds(1));
  ASSERT_EQ(states(g), kBothMaster);

  VrrpActions acts = g.set_fault(1, true, seconds(2));
  EXPECT_EQ(states(g), kBothFault);
  EXPECT_EQ(g.state(), VrrpState::kFault);
  EXPECT_EQ(count_kind(acts, Kind::kLeaveMaster), 2u);
  std::vector<std::size_t> zero_from;
  for (const VrrpAction& a : of_kind(acts, Kind::kSendAdvert)) {
    EXPECT_EQ(a.advert.priority, 0);
    zero_from.push_back(a.member);
  }
  EXPECT_EQ(zero_from, (std::vector<std::size_t>{1, 1, 0, 0}));
  EXPECT_FALSE(g.next_timer().has_value());

  // Member 0 faults too, then 1 recovers: still FAULT while 0 is down.
  g.set_fault(0, true, seconds(3));
  acts = g.set_fault(1, false, seconds(4));
  EXPECT_TRUE(acts.empty());
  EXPECT_EQ(states(g), kBothFault);

  acts = g.set_fault(0, false, seconds(5));
  EXPECT_EQ(states(g), kBothBackup);
  EXPECT_EQ(g.next_timer(), seconds(5) + g.member(0).master_down_interval());
  // Nobody else is there: both take over together.
  run_until(g, seconds(5) + g.member(0).master_down_interval());
  EXPECT_EQ(states(g), kBothMaster);
}

// A backup member faulting takes the group to FAULT without any advert.
TEST(VrrpSyncGroupTest, BackupFaultIsQuiet) {
  VrrpSyncGroup g(router_pair(100));
  g.start(Time{0});
  const VrrpActions acts = g.set_fault(0, true, seconds(1));
  EXPECT_EQ(states(g), kBothFault);
  EXPECT_EQ(count_kind(acts, Kind::kSendAdvert), 0u);
  EXPECT_EQ(count_kind(acts, Kind::kTransition), 2u);
}

// Shutdown: every master member says priority 0 and releases its addresses.
TEST(VrrpSyncGroupTest, Shutdown) {
  VrrpSyncGroup g(router_pair(255));
  g.start(Time{0});
  g.on_timer(microseconds(1));
  const VrrpActions acts = g.shutdown(seconds(9));
  EXPECT_EQ(sent_priorities(acts), (std::vector<int>{0, 0}));
  EXPECT_EQ(count_kind(acts, Kind::kLeaveMaster), 2u);
  EXPECT_EQ(g.member(0).state(), VrrpState::kInit);
}

}  // namespace
}  // namespace lvs
