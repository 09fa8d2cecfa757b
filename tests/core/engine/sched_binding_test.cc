// Binding schedulers to services: when their timers start (ip_vs_bind_scheduler).

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace lvs::test
