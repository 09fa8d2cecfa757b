// Least-connection (ip_vs_lc.c): smallest activeconns*256 + inactconns,
// compared as unsigned int, among servers not overloaded with weight != 0.

#include "sched/best_of_scheduler.h"
#include "sched/dest_metrics.h"
#include "sched/factories.h"

namespace lvs::sched {
namespace {

struct LcLeaf {
  static PackedMin::Value of(const RealServer& d, std::uint32_t slot) {
    if (d.overloaded() || d.weight() == 0) return PackedMin::identity();
    return PackedMin::pack(static_cast<std::uint32_t>(conn_overhead(d)), slot);
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_lc() { return std::make_unique<BestOfScheduler<PackedMin, LcLeaf>>("lc"); }

}  // namespace lvs::sched
