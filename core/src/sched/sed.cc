// Shortest expected delay (ip_vs_sed.c): smallest (activeconns+1)/weight
// among servers not overloaded with weight > 0; first in list wins ties.

#include "sched/best_of_scheduler.h"
#include "sched/dest_metrics.h"
#include "sched/factories.h"

namespace lvs::sched {
namespace {

struct SedLeaf {
  static DelayMin::Value of(const RealServer& d, std::uint32_t slot) {
    if (!takes_new(d)) return DelayMin::identity();
    return DelayMin::pack(expected_delay(d), d.weight(), slot);
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_sed() {
  return std::make_unique<BestOfScheduler<DelayMin, SedLeaf>>("sed");
}

}  // namespace lvs::sched
