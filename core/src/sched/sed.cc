// Shortest expected delay (ip_vs_sed.c): smallest (activeconns+1)/weight
// among servers not overloaded with weight > 0; first in list wins ties.
// The numerator is a C int, so it shares wlc's scan shape and its one
// exception (a quiesced server whose numerator wrapped negative).

#include "sched/best_of_scheduler.h"
#include "sched/factories.h"
#include "sched/wlc_index.h"

namespace lvs::sched {

std::unique_ptr<Scheduler> make_sed() {
  return std::make_unique<BestOfScheduler<LightestLoad, LeastLoadLeaf<expected_delay>>>("sed");
}

}  // namespace lvs::sched
