// The VRRP state machine, event sequence by event sequence, against
// keepalived 2.2's vrrp_state_backup / vrrp_state_master_rx / vrrp_init_state.

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "vrrp_test_util.h"

namespace lvs {
namespace {

using namespace vrrp_test;
using Kind = VrrpAction::Kind;

// Start: an owner is master 1 µs later; others (even with `state MASTER`)
// wait a full master-down interval as BACKUP.
TEST(VrrpStartTest, StartTable) {
  struct Case {
    const char* name;
    std::uint8_t priority;
    bool initial_master;
    Duration first_timer;
  };
  const Case cases[] = {
      {"owner", 255, false, microseconds(1)},
      {"owner_state_master", 255, true, microseconds(1)},
      {"backup_p100", 100, false, seconds(3) + microseconds(609375)},
      {"state_master_p100", 100, true, seconds(3) + microseconds(609375)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    VrrpConfig cfg = make_config(c.priority);
    cfg.initial_master = c.initial_master;
    VrrpAgent agent(cfg);
    const VrrpActions acts = agent.start(seconds(1));
    EXPECT_EQ(agent.state(), VrrpState::kBackup);
    ASSERT_EQ(acts.size(), 1u);
    EXPECT_EQ(acts[0].transition.from, VrrpState::kInit);
    EXPECT_EQ(acts[0].transition.to, VrrpState::kBackup);
    EXPECT_EQ(agent.next_timer(), seconds(1) + c.first_timer);
    run_until(agent, seconds(1) + c.first_timer);
    EXPECT_EQ(agent.state(), VrrpState::kMaster);
  }
}

// Becoming master: VIPs first, then GARPs, then an advert at once, in that order.
TEST(VrrpStartTest, BecomingMasterActionsInOrder) {
  VrrpConfig cfg = make_config(255, kRouterA);
  cfg.vips = {kVip, kNatGw};
  cfg.garp_master_repeat = 1;
  cfg.use_vmac = true;
  VrrpAgent agent(cfg);
  agent.start(Time{0});
  const VrrpActions acts = agent.on_timer(microseconds(1));
  ASSERT_EQ(acts.size(), 5u);
  EXPECT_EQ(acts[0].kind, Kind::kTransition);
  EXPECT_EQ(acts[0].transition.reason, VrrpReason::kOwnerStart);
  EXPECT_EQ(acts[1].kind, Kind::kBecomeMaster);
  EXPECT_EQ(acts[1].vips, cfg.vips);
  EXPECT_TRUE(acts[1].use_vmac);
  EXPECT_EQ(acts[2].kind, Kind::kGratuitousArp);
  EXPECT_EQ(acts[2].ip, kVip);
  EXPECT_EQ(acts[3].ip, kNatGw);
  EXPECT_EQ(acts[4].kind, Kind::kSendAdvert);
  EXPECT_EQ(acts[4].advert.priority, 255);
  EXPECT_EQ(acts[4].src, kRouterA);
  EXPECT_EQ(acts[4].dst, kVrrpMulticast);
  EXPECT_EQ(agent.master_addr(), kRouterA);
}

// A BACKUP hearing adverts: what resets the master-down timer and what is ignored.
TEST(VrrpBackupTest, AdvertTable) {
  struct Case {
    const char* name;
    std::uint8_t ours;
    bool nopreempt;
    std::uint8_t theirs;
    bool resets_timer;
  };
  const Case cases[] = {
      {"higher_priority", 100, false, 150, true},
      {"equal_priority_no_tiebreak_in_backup", 100, false, 100, true},
      {"lower_priority_preempt", 100, false, 50, false},
      {"lower_priority_nopreempt", 100, true, 50, true},
      {"higher_priority_nopreempt", 100, true, 150, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    VrrpConfig cfg = make_config(c.ours, kRouterB);
    cfg.nopreempt = c.nopreempt;
    VrrpAgent agent(cfg);
    agent.start(Time{0});
    const auto before = agent.next_timer();
    agent.on_advert(advert_like(cfg, c.theirs), kRouterA, seconds(2));
    if (c.resets_timer) {
      EXPECT_EQ(agent.next_timer(), seconds(2) + agent.master_down_interval());
      EXPECT_EQ(agent.master_priority(), c.theirs);
    } else {
      EXPECT_EQ(agent.next_timer(), before);
      EXPECT_EQ(agent.last_ignore(), VrrpIgnore::kLowerPriority);
    }
    EXPECT_EQ(agent.master_addr(), kRouterA);
  }
}

// Preemption: a better backup ignores a weaker master and takes over when its timer runs out.
TEST(VrrpBackupTest, PreemptsLowerPriorityMaster) {
  const VrrpConfig cfg = make_config(150, kRouterB);
  VrrpAgent agent(cfg);
  agent.start(Time{0});
  const Time down = agent.master_down_interval();
  for (Time t = seconds(1); t < down; t += seconds(1)) agent.on_advert(advert_like(cfg, 100), kRouterA, t);
  const VrrpActions acts = run_until(agent, down);
  EXPECT_EQ(agent.state(), VrrpState::kMaster);
  EXPECT_EQ(acts.front().transition.reason, VrrpReason::kPreempted);
}

// nopreempt: a weaker master keeps the role as long as it advertises.
TEST(VrrpBackupTest, NopreemptKeepsLowerPriorityMaster) {
  VrrpConfig cfg = make_config(150, kRouterB);
  cfg.nopreempt = true;
  VrrpAgent agent(cfg);
  agent.start(Time{0});
  for (Time t = seconds(1); t <= seconds(60); t += seconds(1)) {
    run_until(agent, t);
    agent.on_advert(advert_like(cfg, 100), kRouterA, t);
  }
  EXPECT_EQ(agent.state(), VrrpState::kBackup);
}

// preempt_delay: lower-priority adverts keep resetting the timer until the
// delay (counted from the first of them) has passed; then we preempt.
TEST(VrrpBackupTest, PreemptDelayHoldsOffPreemption) {
  VrrpConfig cfg = make_config(150, kRouterB);
  cfg.preempt_delay = seconds(10);
  VrrpAgent agent(cfg);
  agent.start(Time{0});
  const VrrpAdvert weak = advert_like(cfg, 100);
  Time t = seconds(1);
  for (; t < seconds(11); t += seconds(1)) {
    agent.on_advert(weak, kRouterA, t);
    EXPECT_EQ(agent.next_timer(), t + agent.master_down_interval()) << t.count();
  }
  // t == 11 s: the delay started at 1 s has expired; this advert is ignored.
  agent.on_advert(weak, kRouterA, t);
  EXPECT_EQ(agent.last_ignore(), VrrpIgnore::kLowerPriority);
  EXPECT_EQ(agent.next_timer(), seconds(10) + agent.master_down_interval());
  run_until(agent, seconds(10) + agent.master_down_interval());
  EXPECT_EQ(agent.state(), VrrpState::kMaster);
}

// preempt_delay restarts from scratch after a master at least as good as us was heard.
TEST(VrrpBackupTest, PreemptDelayResetByStrongerMaster) {
  VrrpConfig cfg = make_config(150, kRouterB);
  cfg.preempt_delay = seconds(10);
  VrrpAgent agent(cfg);
  agent.start(Time{0});
  agent.on_advert(advert_like(cfg, 100), kRouterA, seconds(1));  // delay until 11 s
  for (int t : {2, 5, 8}) agent.on_advert(advert_like(cfg, 200), kRouterA, seconds(t));  // forgets it
  agent.on_advert(advert_like(cfg, 100), kRouterA, seconds(10));  // new delay until 20 s
  agent.on_advert(advert_like(cfg, 100), kRouterA, seconds(12));  // the old one would have ended
  EXPECT_EQ(agent.last_ignore(), VrrpIgnore::kNone);
  EXPECT_EQ(agent.state(), VrrpState::kBackup);
}

struct MasterRxCase {
  const char* name;
  std::uint8_t ours;
  std::uint8_t theirs;
  Ip4 from;
  VrrpState after;
  std::vector<int> adverts_sent;
};

// A MASTER hearing adverts: higher priority, or equal priority from a higher
// address, wins; lower or equal-from-lower gets an advert back at once.
TEST(VrrpMasterTest, AdvertTable) {
  const MasterRxCase cases[] = {
      {"higher_priority", 100, 150, kRouterA, VrrpState::kBackup, {}},
      {"lower_priority", 100, 50, kRouterA, VrrpState::kMaster, {100}},
      {"equal_priority_higher_addr", 100, 100, kRouterB + 1, VrrpState::kBackup, {}},
      {"equal_priority_lower_addr", 100, 100, kRouterA, VrrpState::kMaster, {100}},
      {"equal_priority_our_addr", 100, 100, kRouterB, VrrpState::kMaster, {}},
      {"priority_zero", 100, 0, kRouterA, VrrpState::kMaster, {100}},
      {"two_owners_higher_addr", 255, 255, kRouterB + 1, VrrpState::kBackup, {}},
  };
  for (const MasterRxCase& c : cases) {
    SCOPED_TRACE(c.name);
    VrrpConfig cfg = make_config(c.ours, kRouterB);
    cfg.garp_master_delay = Duration{0};  // next_timer() is then the advert timer
    VrrpAgent agent(cfg);
    agent.start(Time{0});
    run_until(agent, agent.master_down_interval());
    ASSERT_EQ(agent.state(), VrrpState::kMaster);
    const Time t = seconds(20) + milliseconds(300);
    const VrrpActions acts = agent.on_advert(advert_like(cfg, c.theirs), c.from, t);
    EXPECT_EQ(agent.state(), c.after);
    EXPECT_EQ(sent_priorities(acts), c.adverts_sent);
    if (c.after == VrrpState::kBackup) {
      EXPECT_EQ(count_kind(acts, Kind::kLeaveMaster), 1u);
      EXPECT_EQ(agent.next_timer(), t + agent.master_down_interval());
      EXPECT_EQ(agent.master_addr(), c.from);
    } else {
      // keepalived restarts the advert timer after reading any advert for the VRID.
      EXPECT_EQ(agent.next_timer(), t + cfg.advert_int);
    }
  }
}

// Master shutdown: it sends priority 0 and the backup takes over after the skew time.
TEST(VrrpMasterTest, ShutdownHandsOverAfterSkew) {
  VrrpAgent master(make_config(200, kRouterA));
  VrrpAgent backup(make_config(100, kRouterB));
  master.start(Time{0});
  backup.start(Time{0});
  run_until(master, master.master_down_interval());
  ASSERT_EQ(master.state(), VrrpState::kMaster);
  const Time bye = seconds(30);
  const VrrpActions acts = master.shutdown(bye);
  EXPECT_EQ(master.state(), VrrpState::kInit);
  EXPECT_EQ(sent_priorities(acts), std::vector<int>{0});
  EXPECT_EQ(count_kind(acts, Kind::kLeaveMaster), 1u);
  EXPECT_FALSE(master.next_timer().has_value());
  for (const VrrpAction& a : of_kind(acts, Kind::kSendAdvert)) backup.on_advert(a.advert, a.src, bye);
  EXPECT_EQ(backup.next_timer(), bye + microseconds(609375));
  run_until(backup, bye + microseconds(609375));
  EXPECT_EQ(backup.state(), VrrpState::kMaster);
}

// Fault: a master leaves with priority 0 and drops its VIPs; when the fault
// clears it is BACKUP for a full master-down interval.
TEST(VrrpFaultTest, FaultInAndOut) {
  VrrpAgent agent(make_config(200, kRouterA));
  agent.start(Time{0});
  run_until(agent, agent.master_down_interval());
  ASSERT_EQ(agent.state(), VrrpState::kMaster);
  VrrpActions acts = agent.set_fault(true, seconds(10));
  EXPECT_EQ(agent.state(), VrrpState::kFault);
  EXPECT_EQ(sent_priorities(acts), (std::vector<int>{0, 0}));
  EXPECT_EQ(count_kind(acts, Kind::kLeaveMaster), 1u);
  EXPECT_FALSE(agent.next_timer().has_value());
  // Adverts are not read in FAULT.
  agent.on_advert(advert_like(agent.config(), 250), kRouterB, seconds(11));
  EXPECT_EQ(agent.last_ignore(), VrrpIgnore::kNotRunning);
  acts = agent.set_fault(false, seconds(20));
  EXPECT_EQ(agent.state(), VrrpState::kBackup);
  EXPECT_EQ(acts.back().transition.reason, VrrpReason::kFaultCleared);
  EXPECT_EQ(agent.next_timer(), seconds(20) + agent.master_down_interval());
}

// A backup faults quietly and a fault before start keeps the agent in FAULT.
TEST(VrrpFaultTest, BackupAndStartupFault) {
  VrrpAgent backup(make_config(100));
  backup.start(Time{0});
  const VrrpActions acts = backup.set_fault(true, seconds(1));
  EXPECT_EQ(backup.state(), VrrpState::kFault);
  EXPECT_EQ(count_kind(acts, Kind::kSendAdvert), 0u);

  VrrpAgent early(make_config(100));
  early.set_fault(true, Time{0});
  early.start(Time{0});
  EXPECT_EQ(early.state(), VrrpState::kFault);
  early.set_fault(false, seconds(5));
  EXPECT_EQ(early.state(), VrrpState::kBackup);
}

// Adverts that fail keepalived's checks leave a backup's timer alone.
TEST(VrrpBackupTest, InvalidAdvertsIgnored) {
  VrrpConfig cfg = make_config(100);
  cfg.auth_type = VrrpAuthType::kPass;
  cfg.auth_pass = {'s', 'e', 'c', 'r', 'e', 't', 0, 0};
  struct Case {
    const char* name;
    VrrpAdvert adv;
    VrrpIgnore why;
  };
  VrrpAdvert ok = advert_like(cfg, 200);
  VrrpAdvert other_vrid = ok;
  other_vrid.vrid = 52;
  VrrpAdvert v3 = ok;
  v3.version = 3;
  VrrpAdvert bad_pass = ok;
  bad_pass.auth_data[0] = 'S';
  VrrpAdvert no_auth = ok;
  no_auth.auth_type = VrrpAuthType::kNone;
  VrrpAdvert two_vips = ok;
  two_vips.vips.push_back(kNatGw);
  const Case cases[] = {
      {"other_vrid", other_vrid, VrrpIgnore::kOtherVrid},
      {"version", v3, VrrpIgnore::kVersionMismatch},
      {"password", bad_pass, VrrpIgnore::kAuthMismatch},
      {"auth_type", no_auth, VrrpIgnore::kAuthMismatch},
      {"count", two_vips, VrrpIgnore::kAddressCountMismatch},
      {"valid", ok, VrrpIgnore::kNone},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    VrrpAgent agent(cfg);
    agent.start(Time{0});
    const auto before = agent.next_timer();
    agent.on_advert(c.adv, kRouterA, seconds(1));
    EXPECT_EQ(agent.last_ignore(), c.why);
    EXPECT_EQ(agent.next_timer() == before, c.why != VrrpIgnore::kNone);
  }
}

// Unicast peers get one advert each, from unicast_src.
TEST(VrrpMasterTest, UnicastPeers) {
  VrrpConfig cfg = make_config(255, kRouterA);
  cfg.unicast_src = 0x0a020001;
  cfg.unicast_peers = {0x0a020002, 0x0a020003};
  VrrpAgent agent(cfg);
  agent.start(Time{0});
  const auto sends = of_kind(agent.on_timer(microseconds(1)), Kind::kSendAdvert);
  ASSERT_EQ(sends.size(), 2u);
  EXPECT_EQ(sends[0].dst, 0x0a020002u);
  EXPECT_EQ(sends[1].dst, 0x0a020003u);
  EXPECT_EQ(sends[0].src, 0x0a020001u);
}

// Two agents wired back to back: a backup never preempts an equal-priority
// master, so whoever is master first stays; two simultaneous masters settle
// on the higher address.
TEST(VrrpPairTest, ElectionConverges) {
  struct Case {
    const char* name;
    Time a_start, b_start;
    Ip4 winner;
  };
  const Case cases[] = {
      {"a_first", Time{0}, milliseconds(700), kRouterA},
      {"b_first", milliseconds(700), Time{0}, kRouterB},
      {"together", Time{0}, Time{0}, kRouterB},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    VrrpAgent a(make_config(100, kRouterA));
    VrrpAgent b(make_config(100, kRouterB));
    a.start(c.a_start);
    b.start(c.b_start);
    // Adverts arrive the instant they are sent; replies go back the same way.
    std::vector<std::pair<VrrpAgent*, VrrpAction>> inflight;
    auto other = [&](VrrpAgent* x) { return x == &a ? &b : &a; };
    for (Time t{0}; t < seconds(30); t += milliseconds(1)) {
      for (VrrpAgent* self : {&a, &b}) {
        for (const VrrpAction& act : of_kind(run_until(*self, t), Kind::kSendAdvert)) {
          inflight.emplace_back(other(self), act);
        }
      }
      while (!inflight.empty()) {
        auto [dst, act] = inflight.front();
        inflight.erase(inflight.begin());
        for (const VrrpAction& r : of_kind(dst->on_advert(act.advert, act.src, t), Kind::kSendAdvert)) {
          inflight.emplace_back(other(dst), r);
        }
      }
    }
    EXPECT_EQ(a.state(), c.winner == kRouterA ? VrrpState::kMaster : VrrpState::kBackup);
    EXPECT_EQ(b.state(), c.winner == kRouterB ? VrrpState::kMaster : VrrpState::kBackup);
    EXPECT_EQ(a.master_addr(), c.winner);
    EXPECT_EQ(b.master_addr(), c.winner);
  }
}

}  // namespace
}  // namespace lvs
