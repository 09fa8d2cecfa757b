// Overflow (ip_vs_ovf.c): the first highest-weight server whose active
// connections do not exceed its weight; not overloaded, weight != 0.

#include "sched/best_of_scheduler.h"
#include "sched/factories.h"

namespace lvs::sched {
namespace {

struct OvfLeaf {
  static PackedMin::Value of(const RealServer& d, std::uint32_t slot) {
    const std::int32_t w = d.weight();
    if (d.overloaded() || d.active_conns > w || w == 0) return PackedMin::identity();
    return PackedMin::heaviest(w, slot);
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_ovf() { return std::make_unique<BestOfScheduler<PackedMin, OvfLeaf>>("ovf"); }

}  // namespace lvs::sched
