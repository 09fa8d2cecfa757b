#pragma once
// What lblc and lblcr need from the whole list, kept up to date per server:
// the wlc fallback choice and whether some server has activeconns*2 < weight
// (the "is there a less loaded server" half of their is_overloaded()).

#include "sched/dest_index.h"
#include "sched/dest_metrics.h"
#include "sched/wlc_index.h"

namespace lvs::sched {

// wlc's order and its kWrappedQuiesced flag, plus a flag for a server below
// half its weight; the tree ORs the flags, so the root says whether any is.
using LocalityMonoid = LightestLoad;
constexpr unsigned kUnderloaded = 1;

struct LocalityLeaf {
  static LocalityMonoid::Value of(const RealServer& d, std::uint32_t slot) {
    // The kernel's scan for an underloaded server skips nobody: weight 0 and
    // overloaded servers count too, though wlc would never pick them.
    const auto twice = static_cast<std::int32_t>(static_cast<std::uint32_t>(d.active_conns) * 2u);
    const unsigned under = twice < d.weight() ? kUnderloaded : 0;  // twice: a C int, wraps
    if (!takes_new(d)) return LocalityMonoid::none(under | wlc_flags(d));
    return LocalityMonoid::pack(conn_overhead(d), d.weight(), slot, under);
  }
};

class LocalityIndex : public DestIndex<LocalityMonoid, LocalityLeaf> {
 public:
  // The wlc fallback (its pick reads only the root's flags and slot).
  RealServer* least_loaded(const VirtualService& svc) const { return WlcLeaf::pick(*this, svc); }
  // is_overloaded(): more active connections than weight while some server
  // in the list is below half its weight.
  bool overloaded(const RealServer& d) const {
    return d.active_conns > d.weight() &&
           (LocalityMonoid::flags(tree().root()) & kUnderloaded) != 0;
  }
};

}  // namespace lvs::sched
