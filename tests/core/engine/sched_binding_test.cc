// Binding schedulers to services: when their timers start, and the
// last_weight the engine keeps for mh (ip_vs_bind_scheduler, __ip_vs_update_dest).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine_fixture.h"

namespace lvs::test {
namespace {

// How the lblc scheduler comes to the service, and when.
enum class Binding : std::uint8_t {
  kBeforeClock,  // ipvsadm -A before the engine has seen any time: bound when the clock starts
  kAdded,        // ipvsadm -A after the clock started: bound at the latest `now`
  kEdited,       // ipvsadm -E from rr to lblc: the new scheduler is bound then
  kReAdded,      // ipvsadm -D then -A: the old table and timer go, a new one starts
};

struct TimerCase {
  std::string label;
  Binding binding;
  double bound_at;  // seconds
  double probe_at;  // when a new connection looks up the entry made at 1000 s
  const char* expected;
};

class LblcTimerPhase : public DirectorTest, public ::testing::WithParamInterface<TimerCase> {
 protected:
  void add_lblc(const char* sched = "lblc") {
    add_service(service(sched));
    add_dest(tcp_service(), nat_dest(kRs2));
    add_dest(tcp_service(), nat_dest(kRs1));  // the list's head: wlc's pick among equals
  }
  void bind(const TimerCase& c) {
    switch (c.binding) {
      case Binding::kBeforeClock:
        add_lblc();
        engine_.advance(at(c.bound_at));
        return;
      case Binding::kAdded:
        engine_.advance(at(0));
        engine_.advance(at(c.bound_at));
        add_lblc();
        return;
      case Binding::kEdited:
        add_lblc("rr");
        engine_.advance(at(0));
        engine_.advance(at(c.bound_at));
        ASSERT_TRUE(engine_.edit_service(service("lblc")));
        return;
      case Binding::kReAdded:
        add_lblc();
        engine_.advance(at(0));
        engine_.advance(at(c.bound_at));
        ASSERT_TRUE(engine_.del_service(tcp_service()));
        add_lblc();
        return;
    }
  }
};

TEST_P(LblcTimerPhase, EntryExpiresAtAFullPassCountedFromTheBinding) {
  // ip_vs_lblc_init_svc arms the 60 s check when the scheduler is bound; every
  // 30th check drops entries idle for 24 h. The VIP's entry, made at 1000 s,
  // goes at the first such pass at or after 87400 s, and a new connection
  // then gets wlc's pick instead of the entry's server.
  const TimerCase& c = GetParam();
  bind(c);
  ASSERT_EQ(in(seg(Proto::kTcp, kClient, 40000, kVip, 80, kSyn), at(1000)).next_hop, ip(kRs1));
  // kRs2 back at the list's head: wlc's pick among idle servers from now on.
  ASSERT_TRUE(engine_.del_dest(tcp_service(), ip(kRs2), 8080));
  add_dest(tcp_service(), nat_dest(kRs2));
  const Verdict probe = in(seg(Proto::kTcp, kClient, 40001, kVip, 80, kSyn), at(c.probe_at));
  EXPECT_EQ(format_ip4(probe.next_hop), c.expected);
}

std::string timer_label(const ::testing::TestParamInfo<TimerCase>& p) { return p.param.label; }

// Each case walks a simulated day (about a second): the pass just before
// the one that drops the entry, and that pass itself for two of them.
INSTANTIATE_TEST_SUITE_P(
    Kernel, LblcTimerPhase,
    ::testing::Values(
        // The clock starts at 200 s: passes at 200 + k * 1800 s, the one dropping the entry at 88400.
        TimerCase{"BeforeClockKept", Binding::kBeforeClock, 200, 88399, kRs1},
        TimerCase{"BeforeClockDropped", Binding::kBeforeClock, 200, 88400, kRs2},
        TimerCase{"AddedKept", Binding::kAdded, 300, 88499, kRs1},
        TimerCase{"EditedKept", Binding::kEdited, 500, 88699, kRs1},
        TimerCase{"EditedDropped", Binding::kEdited, 500, 88700, kRs2},
        TimerCase{"ReAddedKept", Binding::kReAdded, 400, 88599, kRs1}),
    timer_label);

class LastWeight : public DirectorTest {};

TEST_F(LastWeight, FollowsUpdateDest) {
  // __ip_vs_update_dest: adding sets last_weight to the weight, even 0 and
  // even for a server back from the trash; editing sets it only to a non-zero weight.
  add_service(service("rr"));
  struct Step {
    const char* op;  // "add", "edit" or "del"
    int weight;
    int want_last_weight;
  };
  const std::vector<Step> steps = {{"add", 3, 3}, {"edit", 0, 3},  {"edit", 5, 5},
                                   {"edit", 0, 5}, {"del", 0, 5},  {"add", 0, 0},
                                   {"edit", 0, 0}, {"edit", 2, 2}};
  for (const Step& s : steps) {
    const std::string op = s.op;
    if (op == "del") {
      ASSERT_TRUE(engine_.del_dest(tcp_service(), ip(kRs1), 8080));
      continue;
    }
    const RealServerConfig d = nat_dest(kRs1, 8080, s.weight);
    ASSERT_TRUE(op == "add" ? engine_.add_dest(tcp_service(), d) : engine_.edit_dest(tcp_service(), d));
    EXPECT_EQ(dest(kRs1).weight(), s.weight) << op << " " << s.weight;
    EXPECT_EQ(dest(kRs1).last_weight, s.want_last_weight) << op << " " << s.weight;
  }
}

TEST_F(LastWeight, MhBoundAfterQuiescingKeepsTheServersPlaces) {
  // ipvsadm -E to mh after kRs1 was set to weight 0 builds the table from
  // last_weight (ip_vs_mh_init_svc), as if mh had been bound before: kRs1's
  // clients get no server (no mh-fallback) instead of moving to kRs2.
  add_service(service("rr"));
  add_dest(tcp_service(), nat_dest(kRs2));
  add_dest(tcp_service(), nat_dest(kRs1));
  ASSERT_TRUE(engine_.edit_dest(tcp_service(), nat_dest(kRs1, 8080, 0)));
  ASSERT_TRUE(engine_.edit_service(service("mh")));

  Engine bound_first(director_config());
  ASSERT_TRUE(bound_first.add_service(service("mh")));
  ASSERT_TRUE(bound_first.add_dest(tcp_service(), nat_dest(kRs2)));
  ASSERT_TRUE(bound_first.add_dest(tcp_service(), nat_dest(kRs1)));
  ASSERT_TRUE(bound_first.edit_dest(tcp_service(), nat_dest(kRs1, 8080, 0)));

  int unserved = 0;
  for (int i = 1; i <= 40; ++i) {
    const std::string client = "203.0.113." + std::to_string(i);
    const Verdict v = in(seg(Proto::kTcp, client, 40000, kVip, 80, kSyn), at(1));
    Bytes b = make_packet(seg(Proto::kTcp, client, 40000, kVip, 80, kSyn));
    const Verdict want = bound_first.process(b.data(), b.size(), Side::kOutside, at(1));
    EXPECT_EQ(v.action, want.action) << client;
    EXPECT_EQ(v.next_hop, want.next_hop) << client;
    if (v.action == Action::kDrop) {
      EXPECT_EQ(v.reason, DropReason::kNoDestination) << client;
      ++unserved;
    } else {
      EXPECT_EQ(v.next_hop, ip(kRs2)) << client;
    }
  }
  EXPECT_GT(unserved, 5);
  EXPECT_LT(unserved, 35);
}

}  // namespace
}  // namespace lvs::test
