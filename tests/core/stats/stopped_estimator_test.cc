// A real server in the trash has no estimator running (6.1 __ip_vs_del_dest
// calls ip_vs_stop_estimator; a re-add from the trash calls
// ip_vs_start_estimator, which only relinks it): its --stats and rates stay as
// the last pass left them, and the first pass after the re-add measures from
// that pass, with nothing reset. In Stats terms: no estimate() calls while
// deleted. This pins the arithmetic the engine needs for that.

#include <gtest/gtest.h>

#include "lvs/stats.h"

namespace lvs {
namespace {

TEST(StoppedEstimatorTest, ResumesFromTheLastPassWithoutDecay) {
  Stats s;
  s.counters.conns = 100;
  s.estimate();  // 100 << 9 >> 2 = 12800 scaled, reads (12800 + 511) >> 10 = 12
  ASSERT_EQ(s.est.scaled().cps, 12800u);
  s.counters.conns += 8;  // after that pass, before the delete

  // Deleted for 10 s: five passes go by without this estimator.
  EXPECT_EQ(s.shown().conns, 100u);
  EXPECT_EQ(s.rates().cps, 12u);

  // Re-added, then the next pass: rate = 8 << 9 = 4096, and
  // 12800 + floor((4096 - 12800) / 4) = 12800 - 2176 = 10624, reading 10.
  s.estimate();
  EXPECT_EQ(s.shown().conns, 108u);
  EXPECT_EQ(s.est.scaled().cps, 10624u);
  EXPECT_EQ(s.rates().cps, 10u);
}

// A server taken from the trash into a re-created service gets
// ip_vs_zero_stats (__ip_vs_update_dest, old_svc != svc): the zero point is
// the last pass's total, so what was counted after it still shows.
TEST(StoppedEstimatorTest, RebindToANewServiceZeroesFromTheLastPass) {
  Stats s;
  s.counters.conns = 100;
  s.estimate();
  s.counters.conns += 8;
  s.zero();
  EXPECT_EQ(s.shown().conns, 0u);
  EXPECT_EQ(s.rates().cps, 0u);
  s.estimate();
  EXPECT_EQ(s.shown().conns, 8u);
  EXPECT_EQ(s.est.scaled().cps, 1024u);  // 8 << 9 >> 2
}

}  // namespace
}  // namespace lvs
