// Weighted failover (ip_vs_fo.c): the first server with the highest weight
// among those not overloaded with weight > 0.

#include "sched/best_of_scheduler.h"
#include "sched/dest_metrics.h"
#include "sched/factories.h"

namespace lvs::sched {
namespace {

struct FoLeaf {
  static PackedMin::Value of(const RealServer& d, std::uint32_t slot) {
    if (!takes_new(d)) return PackedMin::identity();
    return PackedMin::heaviest(d.weight(), slot);
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_fo() { return std::make_unique<BestOfScheduler<PackedMin, FoLeaf>>("fo"); }

}  // namespace lvs::sched
