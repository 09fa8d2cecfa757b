// Least-connection (ip_vs_lc.c): smallest activeconns*256 + inactconns,
// compared as unsigned int, among servers not overloaded with weight != 0.

#include "sched/best_of_scheduler.h"
#include "sched/dest_metrics.h"
#include "sched/factories.h"

namespace lvs::sched {
namespace {

using LeastOverhead = ArgBest<std::uint32_t, LessU32>;

struct LcLeaf {
  static LeastOverhead::Value of(const RealServer& d, std::uint32_t slot) {
    if (d.overloaded() || d.weight() == 0) return LeastOverhead::identity();
    return {static_cast<std::uint32_t>(conn_overhead(d)), static_cast<std::int32_t>(slot)};
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_lc() {
  return std::make_unique<BestOfScheduler<LeastOverhead, LcLeaf>>("lc");
}

}  // namespace lvs::sched
