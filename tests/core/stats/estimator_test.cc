// The rate estimator against the Linux 6.1 ip_vs_est.c formulas, worked by hand:
// per pass rate = delta << 9 (pps, cps) or << 4 (bps), avg += (rate - avg) >> 2,
// read-out (avg + 0x1FF) >> 10 or (avg + 0xF) >> 5.

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "lvs/stats.h"

namespace lvs {
namespace {

StatsCounters per_period(std::uint64_t conns, std::uint64_t inpkts, std::uint64_t inbytes) {
  StatsCounters c;
  c.conns = conns;
  c.inpkts = inpkts;
  c.outpkts = inpkts / 2;
  c.inbytes = inbytes;
  c.outbytes = inbytes * 3;
  return c;
}

void add(StatsCounters& total, const StatsCounters& d) {
  total.conns += d.conns;
  total.inpkts += d.inpkts;
  total.outpkts += d.outpkts;
  total.inbytes += d.inbytes;
  total.outbytes += d.outbytes;
}

// A constant 50 conn/s, 500 pkt/s, 50000 B/s load: the exact scaled averages
// and the values ipvsadm --rate would print after each of the first passes.
TEST(EstimatorTest, ConstantRateFollowsKernelEwmaSteps) {
  struct Step {
    std::uint64_t cps_scaled, cps, inpps_scaled, inpps, inbps_scaled, inbps;
  };
  // 100 conns, 1000 packets, 100000 bytes per 2 s period.
  const std::vector<Step> expected = {
      {12800, 12, 128000, 125, 400000, 12500},
      {22400, 22, 224000, 219, 700000, 21875},
      {29600, 29, 296000, 289, 925000, 28906},
      {35000, 34, 350000, 342, 1093750, 34180},
      {39050, 38, 390500, 381, 1220312, 38135},
      {42087, 41, 420875, 411, 1315234, 41101},
  };
  Estimator est;
  StatsCounters total;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i + 1);
    add(total, per_period(100, 1000, 100000));
    est.sample(total);
    EXPECT_EQ(est.scaled().cps, expected[i].cps_scaled);
    EXPECT_EQ(est.rates().cps, expected[i].cps);
    EXPECT_EQ(est.scaled().inpps, expected[i].inpps_scaled);
    EXPECT_EQ(est.rates().inpps, expected[i].inpps);
    EXPECT_EQ(est.scaled().inbps, expected[i].inbps_scaled);
    EXPECT_EQ(est.rates().inbps, expected[i].inbps);
  }
}

// After enough passes the average sits within 3 of the scaled rate and reads
// back as the true per-second value on every column.
TEST(EstimatorTest, ConstantRateConvergesToPerSecondValue) {
  Estimator est;
  StatsCounters total;
  for (int i = 0; i < 46; ++i) {
    add(total, per_period(100, 1000, 100000));
    est.sample(total);
  }
  EXPECT_EQ(est.scaled().cps, 51197u);
  EXPECT_EQ(est.scaled().inpps, 511997u);
  EXPECT_EQ(est.scaled().inbps, 1599995u);
  const Rates r = est.rates();
  EXPECT_EQ(r.cps, 50u);
  EXPECT_EQ(r.inpps, 500u);
  EXPECT_EQ(r.outpps, 250u);
  EXPECT_EQ(r.inbps, 50000u);
  EXPECT_EQ(r.outbps, 150000u);
}

// Decay uses the kernel's flooring shift: 4 -> 3 -> 2 -> 1 -> 0 (a truncating
// division would stall at 3), and 12800 loses a quarter per idle pass.
TEST(EstimatorTest, IdleDecayFloorsLikeArithmeticShift) {
  Estimator bytes;
  StatsCounters one_byte;
  one_byte.inbytes = 1;
  bytes.sample(one_byte);
  std::vector<std::uint64_t> seen = {bytes.scaled().inbps};
  for (int i = 0; i < 5; ++i) {
    bytes.sample(one_byte);
    seen.push_back(bytes.scaled().inbps);
  }
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{4, 3, 2, 1, 0, 0}));

  Estimator conns;
  StatsCounters hundred;
  hundred.conns = 100;
  conns.sample(hundred);
  std::vector<std::uint64_t> scaled = {conns.scaled().cps};
  std::vector<std::uint64_t> shown = {conns.rates().cps};
  for (int i = 0; i < 5; ++i) {
    conns.sample(hundred);
    scaled.push_back(conns.scaled().cps);
    shown.push_back(conns.rates().cps);
  }
  EXPECT_EQ(scaled, (std::vector<std::uint64_t>{12800, 9600, 7200, 5400, 4050, 3037}));
  EXPECT_EQ(shown, (std::vector<std::uint64_t>{12, 9, 7, 5, 4, 3}));
}

// ip_vs_read_estimator adds 0x1FF (0xF) before shifting: an exact half, 512
// scaled (16 for bps), still reads as 0; anything above it rounds up.
TEST(EstimatorTest, ReadOutRounding) {
  struct Case {
    std::uint64_t packets_per_2s;  // a single pass stores delta << 9 >> 2 = delta * 128
    std::uint64_t bytes_per_2s;    // a single pass stores delta << 4 >> 2 = delta * 4
    std::uint64_t cps, inbps;
  };
  // cps read-out: (128n + 511) >> 10; inbps: (4n + 15) >> 5.
  const std::vector<Case> cases = {
      {0, 0, 0, 0},   {4, 4, 0, 0},   {5, 5, 1, 1},
      {12, 12, 1, 1}, {13, 13, 2, 2}, {1000, 1000, 125, 125},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.packets_per_2s);
    Estimator est;
    StatsCounters total;
    total.conns = c.packets_per_2s;
    total.inbytes = c.bytes_per_2s;
    est.sample(total);
    EXPECT_EQ(est.scaled().cps, c.packets_per_2s * 128);
    EXPECT_EQ(est.scaled().inbps, c.bytes_per_2s * 4);
    EXPECT_EQ(est.rates().cps, c.cps);
    EXPECT_EQ(est.rates().inbps, c.inbps);
  }
}

// The timer fires 2 s after start and then on the 2 s grid; a late call either
// catches up on every missed deadline or, like a late kernel timer, fires once
// and re-arms from now.
TEST(EstimationTimerTest, DeadlinesAndLateness) {
  struct Case {
    EstimationTimer::Lateness lateness;
    std::vector<std::int64_t> calls_ms;
    std::vector<std::uint64_t> passes;
    std::int64_t final_deadline_ms;
  };
  using L = EstimationTimer::Lateness;
  const std::vector<Case> cases = {
      {L::kCatchUp, {1999, 2000, 2001, 3999}, {0, 1, 0, 0}, 4000},
      {L::kCatchUp, {9000}, {4}, 10000},
      {L::kCatchUp, {2000, 8000, 8001}, {1, 3, 0}, 10000},
      {L::kFireOnce, {9000}, {1}, 11000},
      {L::kFireOnce, {2500, 4000, 4500}, {1, 0, 1}, 6500},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    const Case& c = cases[i];
    EstimationTimer timer(Time::zero(), c.lateness);
    EXPECT_EQ(timer.next_deadline(), milliseconds(2000));
    std::vector<std::uint64_t> passes;
    for (std::int64_t ms : c.calls_ms) passes.push_back(timer.advance(milliseconds(ms)));
    EXPECT_EQ(passes, c.passes);
    EXPECT_EQ(timer.next_deadline(), milliseconds(c.final_deadline_ms));
  }
}

// Catching up after a silent gap gives the same state as a timer that fired on
// time, because nothing was counted between the missed deadlines.
TEST(EstimationTimerTest, CatchUpMatchesOnTimeSampling) {
  Stats on_time;
  Stats late;
  EstimationTimer every_2s(Time::zero());
  EstimationTimer once(Time::zero());
  const StatsCounters burst = per_period(40, 400, 40000);
  add(on_time.counters, burst);
  add(late.counters, burst);
  for (std::int64_t s = 1; s <= 11; ++s) on_time.estimate(every_2s.advance(seconds(s)));
  late.estimate(once.advance(seconds(11)));
  EXPECT_EQ(on_time.est.scaled(), late.est.scaled());
  // Passes at 2,4,6,8,10 s: 40<<9 = 20480 gives 5120, then 3840, 2880, 2160, 1620.
  EXPECT_EQ(late.est.scaled().cps, 1620u);
  EXPECT_EQ(late.rates().cps, 2u);
}

// A huge gap decays to exactly zero without running one pass per period.
TEST(EstimatorTest, LongGapSettlesAtZero) {
  Estimator est;
  StatsCounters total = per_period(1000000, 1000000, 1000000000);
  est.sample(total);
  est.sample_periods(total, std::uint64_t{1} << 62);
  EXPECT_EQ(est.scaled(), ScaledRates{});
  EXPECT_EQ(est.last().conns, 1000000u);
}

// --stats shows totals as of the last pass; -Z takes that total as the new zero
// point and clears rates, so packets counted since the pass survive the reset.
TEST(StatsTest, ShownCountersLagAndZeroing) {
  Stats s;
  add(s.counters, per_period(10, 100, 5000));
  EXPECT_EQ(s.shown().conns, 0u);  // no pass yet
  EXPECT_EQ(s.live().conns, 10u);

  s.estimate();
  EXPECT_EQ(s.shown().conns, 10u);
  EXPECT_EQ(s.shown().inbytes, 5000u);
  EXPECT_EQ(s.rates().cps, 1u);  // 10<<9>>2 = 1280 -> (1280+511)>>10

  add(s.counters, per_period(4, 40, 400));  // after the pass, before -Z
  s.zero();
  EXPECT_EQ(s.shown().conns, 0u);
  EXPECT_EQ(s.live().conns, 4u);
  EXPECT_EQ(s.rates().cps, 0u);
  EXPECT_EQ(s.est.scaled(), ScaledRates{});

  s.estimate();
  EXPECT_EQ(s.shown().conns, 4u);
  EXPECT_EQ(s.shown().inpkts, 40u);
  EXPECT_EQ(s.est.scaled().cps, 512u);  // only the 4 post-pass conns: 4<<9>>2
  EXPECT_EQ(s.est.scaled().inpps, 5120u);
}

// estimate(0) is what a not-yet-due timer returns: nothing moves.
TEST(StatsTest, ZeroPassesChangeNothing) {
  Stats s;
  add(s.counters, per_period(10, 100, 5000));
  s.estimate(0);
  EXPECT_EQ(s.shown().conns, 0u);
  EXPECT_EQ(s.est.scaled(), ScaledRates{});
}

}  // namespace
}  // namespace lvs
