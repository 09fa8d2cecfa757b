// Weighted least-connection (ip_vs_wlc.c), ipvsadm's default.

#include "sched/best_of_scheduler.h"
#include "sched/factories.h"
#include "sched/wlc_index.h"

namespace lvs::sched {

std::unique_ptr<Scheduler> make_wlc() {
  return std::make_unique<BestOfScheduler<LightestLoad, WlcLeaf>>("wlc");
}

}  // namespace lvs::sched
