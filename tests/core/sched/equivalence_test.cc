// Randomized lockstep runs: each fast scheduler must pick exactly what its
// plain O(n) kernel transliteration picks, event after event.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "sched/reference_schedulers.h"
#include "sched/sched_world.h"

namespace lvs {
namespace {

constexpr int kEvents = 100000;

struct Mix {
  std::uint32_t svc_flags;
  int max_weight;  // weights drawn from 0..max_weight
  int fresh_daddr_pct = 25;  // share of packets to a never-seen destination
  int max_step_ms = 0;       // > 0: a slow clock (lets lblc/lblcr tables pass 16384 entries)
};

class Lockstep {
 public:
  Lockstep(std::string_view name, std::uint32_t seed, const Mix& mix)
      : name_(name), mix_(mix), gen_(seed), world_(mix.svc_flags) {
    std::mt19937 draws_fast(seed ^ 0x5eedu), draws_ref(seed ^ 0x5eedu);  // same sequence for both
    fast_ = make_scheduler(name, [g = draws_fast]() mutable { return static_cast<std::uint32_t>(g()); });
    ref_ = ref::make_reference(name, [g = draws_ref]() mutable { return static_cast<std::uint32_t>(g()); });
    for (int i = 0; i < 6; ++i) add_server();
    world_.attach(fast_.get());
    world_.attach(ref_.get());
  }

  // Runs the events; returns the first event index where the picks differ, or -1.
  int run(int events) {
    for (int e = 0; e < events; ++e) {
      const int roll = pick(0, 99);
      if (roll < 3) add_server();
      else if (roll < 5) remove_server();
      else if (roll < 9) reweight();
      else if (roll < 12) toggle_overload();
      else if (roll < 45) close_connection();
      else if (!schedule_once()) return e;
    }
    return -1;
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen_); }
  RealServer* any() { return world_.dests().empty() ? nullptr : world_.dests()[pick(0, static_cast<int>(world_.dests().size()) - 1)]; }
  std::int32_t weight() { return pick(0, 3) == 0 ? 0 : pick(1, mix_.max_weight); }

  void add_server() {
    if (world_.dests().size() >= 40) return;
    // Addresses repeat so servers come back from the trash.
    const Ip4 addr = 0x0a000000u + static_cast<Ip4>(pick(1, 60));
    for (auto* d : world_.dests())
      if (d->cfg.addr == addr) return;
    world_.add(addr, 80, weight());
  }
  void remove_server() {
    if (RealServer* d = any()) world_.remove(*d);
  }
  void reweight() {
    if (RealServer* d = any()) world_.set_weight(*d, weight());
  }
  void toggle_overload() {
    if (RealServer* d = any()) world_.set_overload(*d, !d->overloaded());
  }
  void close_connection() {
    // Connections of servers in the trash end too (lblcr's sets still weigh them).
    const auto trash = world_.trash();
    RealServer* d = !trash.empty() && pick(0, 3) == 0 ? trash[pick(0, static_cast<int>(trash.size()) - 1)] : any();
    if (!d) return;
    if (d->active_conns > 0 && pick(0, 3)) world_.set_counts(*d, d->active_conns - 1, d->inactive_conns + pick(0, 1));
    else if (d->inactive_conns > 0) world_.set_counts(*d, d->active_conns, d->inactive_conns - 1);
  }
  bool schedule_once() {
    now_ += advance();
    SchedPacket p;
    p.proto = pick(0, 5) == 0 ? Proto::kIcmp : Proto::kTcp;
    p.saddr = 0xc0a80000u + static_cast<Ip4>(pick(0, 500));
    p.sport = static_cast<std::uint16_t>(pick(1024, 1100));
    // Mostly a few hot destinations, sometimes a fresh one (table growth).
    p.daddr = pick(0, 99) >= mix_.fresh_daddr_pct ? 0x0b000000u + static_cast<Ip4>(pick(0, 40))
                                                   : static_cast<Ip4>(gen_());
    const auto picks = world_.schedule_all(p, now_);
    ++schedules_;
    hits_ += picks[0] != nullptr;
    if (picks[0] != picks[1]) {
      ADD_FAILURE() << name_ << ": fast picked " << describe(picks[0]) << ", reference " << describe(picks[1]);
      return false;
    }
    if (RealServer* d = picks[0]) {
      if (pick(0, 4)) world_.set_counts(*d, d->active_conns + 1, d->inactive_conns);
      else world_.set_counts(*d, d->active_conns, d->inactive_conns + 1);
    }
    return true;
  }
  Duration advance() {
    if (mix_.max_step_ms > 0) return std::chrono::milliseconds(pick(0, mix_.max_step_ms));
    const int r = pick(0, 999);
    if (r < 900) return std::chrono::milliseconds(pick(0, 2000));
    if (r < 995) return std::chrono::seconds(pick(60, 900));
    return std::chrono::hours(pick(1, 30));  // long idle: full expiry, set shrinking
  }
  static std::string describe(const RealServer* d) {
    return d ? format_ip4(d->cfg.addr) + " w=" + std::to_string(d->weight()) : std::string("none");
  }


 public:
  int schedules_ = 0, hits_ = 0;

 private:
  std::string_view name_;
  Mix mix_;
  std::mt19937 gen_;
  test::SchedWorld world_;
  std::unique_ptr<Scheduler> fast_, ref_;
  Time now_{0};
};

struct Case {
  std::string_view name;
  Mix mix;
};

class EquivalenceTest : public ::testing::TestWithParam<Case> {};

TEST_P(EquivalenceTest, FastMatchesReferenceForEveryPick) {
  // The fast scheduler must pick the same server as the O(n) reference for 100k random events.
  const Case& c = GetParam();
  Lockstep run(c.name, 20240601u + static_cast<std::uint32_t>(c.name.size()), c.mix);
  EXPECT_EQ(run.run(kEvents), -1);
  // The run must mostly produce real picks, or it proves little.
  EXPECT_GT(run.hits_, run.schedules_ / 3) << run.schedules_ << " schedules";
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return std::string(info.param.name) + "_flags" + std::to_string(info.param.mix.svc_flags) + "_w" +
         std::to_string(info.param.mix.max_weight) + "_fresh" + std::to_string(info.param.mix.fresh_daddr_pct) +
         "_step" + std::to_string(info.param.mix.max_step_ms);
}

INSTANTIATE_TEST_SUITE_P(
    AllSchedulers, EquivalenceTest,
    ::testing::Values(Case{"rr", {0, 5}}, Case{"wrr", {0, 6}}, Case{"wrr", {0, 100}}, Case{"lc", {0, 5}},
                      Case{"wlc", {0, 5}}, Case{"sed", {0, 5}}, Case{"nq", {0, 5}}, Case{"lblc", {0, 8}},
                      Case{"lblcr", {0, 8}},
                      Case{"lblc", {0, 8, 95}}, Case{"lblcr", {0, 8, 95}}, Case{"lblc", {0, 8, 95, 20}},
                      Case{"lblcr", {0, 8, 95, 20}}, Case{"dh", {0, 5}}, Case{"sh", {0, 5}},
                      Case{"sh", {kSvcSched1 | kSvcSched2, 5}}, Case{"mh", {0, 5}},
                      Case{"mh", {kSvcSched1 | kSvcSched2, 100}}, Case{"fo", {0, 5}}, Case{"ovf", {0, 20}},
                      Case{"twos", {0, 5}}),
    case_name);

}  // namespace
}  // namespace lvs
