#pragma once
// What lblc and lblcr need from the whole list, kept up to date per server:
// the wlc fallback choice and whether some server has activeconns*2 < weight
// (the "is there a less loaded server" half of their is_overloaded()).

#include "sched/dest_index.h"
#include "sched/dest_metrics.h"

namespace lvs::sched {

// wlc's order, with each leaf's flag set when its server is below half its
// weight; the tree ORs the flags, so the root's flag says whether any is.
using LocalityMonoid = RatioMin<std::int32_t, /*kOrFlag=*/true>;

struct LocalityLeaf {
  static LocalityMonoid::Value of(const RealServer& d, std::uint32_t slot) {
    // The kernel's scan for an underloaded server skips nobody: weight 0 and
    // overloaded servers count too, though wlc would never pick them.
    const bool underloaded =
        static_cast<std::int32_t>(static_cast<std::uint32_t>(d.active_conns) * 2u) < d.weight();  // C int, wraps
    if (!takes_new(d)) return LocalityMonoid::none(underloaded);
    return LocalityMonoid::pack(conn_overhead(d), d.weight(), slot, underloaded);
  }
};

class LocalityIndex : public DestIndex<LocalityMonoid, LocalityLeaf> {
 public:
  RealServer* least_loaded() const {
    const long slot = LocalityMonoid::slot_of(tree().root());
    return slot >= 0 ? at(slot) : nullptr;
  }
  // is_overloaded(): more active connections than weight while some server
  // in the list is below half its weight.
  bool overloaded(const RealServer& d) const {
    return d.active_conns > d.weight() && LocalityMonoid::flag(tree().root());
  }
};

}  // namespace lvs::sched
