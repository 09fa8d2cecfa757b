// The estimation timer's real period on a 6.1 kernel, and what it does to the
// rates: estimation_timer re-arms with mod_timer(jiffies + 2*HZ), and the
// timer wheel (kernel/time/timer.c calc_wheel_index/calc_index) files a timer
// that far ahead in a coarser level and rounds its expiry up to strictly past
// the level's granularity. Levels start at LVL_START(n) = 63 << 3(n-1)
// jiffies ahead and have a granularity of 8^n jiffies. The callback runs with
// base->clk one past the bucket that fired, so the timer is filed 2*HZ - 1
// ahead of the wheel clock, and from the second pass on each expiry is a
// multiple of the granularity:
//   HZ=100:  199 ahead -> level 1, 8 jiffies:  200 -> (200/8 + 1) * 8 = 208 = 2.080 s
//   HZ=250:  499 ahead -> level 1, 8 jiffies:  500 -> (500/8 + 1) * 8 = 504 = 2.016 s
//   HZ=300:  599 ahead -> level 2, 64 jiffies: 600 -> (600/64 + 1) * 64 = 640 = 2.1333 s
//   HZ=1000: 1999 ahead -> level 2, 64 jiffies: 2000 -> (2000/64 + 1) * 64 = 2048 = 2.048 s
// The rates still take a pass's delta as two seconds' worth (<< 9, << 4).

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "lvs/stats.h"

namespace lvs {
namespace {

TEST(EstimationPeriodTest, TimerWheelRoundsTwoSecondsUp) {
  struct Case {
    std::uint32_t hz;
    std::int64_t period_ns;
  };
  const std::vector<Case> cases = {
      {100, 2'080'000'000},
      {250, 2'016'000'000},
      {300, 2'133'333'333},  // 640 jiffies of 1/300 s, truncated to whole ns
      {1000, 2'048'000'000},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.hz);
    EXPECT_EQ(estimator_period_for_hz(c.hz).count(), c.period_ns);
  }
}

// A timer built with that period arms its first pass one period after start
// and keeps to its grid; the default stays the nominal 2 s.
TEST(EstimationPeriodTest, TimerUsesItsPeriod) {
  EstimationTimer nominal(Time::zero());
  EXPECT_EQ(nominal.next_deadline(), milliseconds(2000));

  EstimationTimer hz1000(Time::zero(), EstimationTimer::Lateness::kCatchUp,
                         estimator_period_for_hz(1000));
  EXPECT_EQ(hz1000.next_deadline(), milliseconds(2048));
  EXPECT_EQ(hz1000.advance(milliseconds(2047)), 0u);
  EXPECT_EQ(hz1000.advance(milliseconds(2048)), 1u);
  EXPECT_EQ(hz1000.advance(milliseconds(4096 + 2048 * 2)), 3u);
  EXPECT_EQ(hz1000.next_deadline(), milliseconds(2048 * 5));

  EstimationTimer late(Time::zero(), EstimationTimer::Lateness::kFireOnce,
                       estimator_period_for_hz(250));
  EXPECT_EQ(late.advance(milliseconds(3000)), 1u);
  EXPECT_EQ(late.next_deadline(), milliseconds(3000 + 2016));
}

// A steady 500 packets/s reads high by the period's excess over 2 s: at
// HZ=1000 each pass sees 2048 ms / 2 ms = 1024 packets, 1024 << 9 = 524288
// scaled, which settles within 3 of that (the flooring EWMA stalls once
// rate - avg < 4) and reads (524285..524288 + 0x1FF) >> 10 = 512 pkt/s; at
// HZ=250, 1008 packets a pass read 504. The nominal 2 s reads 500.
TEST(EstimationPeriodTest, SteadyLoadReadsHighByThePeriodExcess) {
  struct Case {
    Duration period;
    std::uint64_t inpps;
  };
  const std::vector<Case> cases = {
      {kEstimatorPeriod, 500},
      {estimator_period_for_hz(250), 504},
      {estimator_period_for_hz(1000), 512},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.inpps);
    EstimationTimer timer(Time::zero(), EstimationTimer::Lateness::kCatchUp, c.period);
    Stats s;
    const Time end = Time::zero() + c.period * 60;
    for (Time t = milliseconds(2); t <= end; t += milliseconds(2)) {
      s.estimate(timer.advance(t));  // the pass due at `t` runs before its packet
      ++s.counters.inpkts;
    }
    EXPECT_EQ(s.rates().inpps, c.inpps);
  }
}

}  // namespace
}  // namespace lvs
