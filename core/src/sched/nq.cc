// Never queue (ip_vs_nq.c): the first idle server (activeconns == 0) if any,
// else sed's choice. Servers overloaded or with weight 0 are skipped.

#include "sched/best_of_scheduler.h"
#include "sched/dest_metrics.h"
#include "sched/factories.h"

namespace lvs::sched {
namespace {

// An idle server gets load 0/1: it beats every busy one (whose numerator
// is at least 2) and ties with other idle ones, so the first idle wins.
struct NqLeaf {
  static DelayMin::Value of(const RealServer& d, std::uint32_t slot) {
    if (d.overloaded() || d.weight() == 0) return DelayMin::identity();
    if (d.active_conns == 0) return DelayMin::pack(0, 1, slot);
    return DelayMin::pack(expected_delay(d), d.weight(), slot);
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_nq() {
  return std::make_unique<BestOfScheduler<DelayMin, NqLeaf>>("nq");
}

}  // namespace lvs::sched
