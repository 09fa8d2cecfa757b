// Overflow (ip_vs_ovf.c): the first highest-weight server whose active
// connections do not exceed its weight; not overloaded, weight != 0.

#include "sched/best_of_scheduler.h"
#include "sched/factories.h"

namespace lvs::sched {
namespace {

using Heaviest = ArgBest<std::int32_t, GreaterI32>;

struct OvfLeaf {
  static Heaviest::Value of(const RealServer& d, std::uint32_t slot) {
    const std::int32_t w = d.weight();
    if (d.overloaded() || d.active_conns > w || w == 0) return Heaviest::identity();
    return {w, static_cast<std::int32_t>(slot)};
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_ovf() { return std::make_unique<BestOfScheduler<Heaviest, OvfLeaf>>("ovf"); }

}  // namespace lvs::sched
