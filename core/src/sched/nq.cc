// Never queue (ip_vs_nq.c): the first idle server (activeconns == 0) if any,
// else sed's choice. Servers overloaded or with weight 0 are skipped (one
// scan, so unlike sed a quiesced server never takes part).

#include "sched/best_of_scheduler.h"
#include "sched/factories.h"
#include "sched/wlc_index.h"

namespace lvs::sched {
namespace {

// An idle server gets the lowest key of all: it beats every busy one, even
// one whose int numerator wrapped to INT_MIN, and ties with other idle ones,
// so the first idle wins.
struct NqLeaf {
  static LightestLoad::Value of(const RealServer& d, std::uint32_t slot) {
    if (d.overloaded() || d.weight() == 0) return LightestLoad::identity();
    if (d.active_conns == 0) return LightestLoad::lowest(slot);
    return LightestLoad::pack(expected_delay(d), d.weight(), slot);
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_nq() {
  return std::make_unique<BestOfScheduler<LightestLoad, NqLeaf>>("nq");
}

}  // namespace lvs::sched
