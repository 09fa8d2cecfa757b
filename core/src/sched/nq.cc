// Never queue (ip_vs_nq.c): the first idle server (activeconns == 0) if any,
// else sed's choice. Servers overloaded or with weight 0 are skipped.

#include "sched/best_of_scheduler.h"
#include "sched/dest_metrics.h"
#include "sched/factories.h"

namespace lvs::sched {
namespace {

// Any idle server beats any busy one; idle ones tie (so the first wins);
// busy ones compare by expected delay.
struct NqKey {
  bool idle = false;
  Load delay;
};
struct NqBetter {
  bool operator()(const NqKey& a, const NqKey& b) const {
    if (a.idle != b.idle) return a.idle;
    return !a.idle && LighterLoad{}(a.delay, b.delay);
  }
};
using NeverQueue = ArgBest<NqKey, NqBetter>;

struct NqLeaf {
  static NeverQueue::Value of(const RealServer& d, std::uint32_t slot) {
    if (d.overloaded() || d.weight() == 0) return NeverQueue::identity();
    return {{d.active_conns == 0, {expected_delay(d), d.weight()}}, static_cast<std::int32_t>(slot)};
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_nq() {
  return std::make_unique<BestOfScheduler<NeverQueue, NqLeaf>>("nq");
}

}  // namespace lvs::sched
