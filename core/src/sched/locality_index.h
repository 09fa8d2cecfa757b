#pragma once
// What lblc and lblcr need from the whole list, kept up to date per server:
// the wlc fallback choice and how many servers have activeconns*2 < weight
// (the "is there a less loaded server" half of their is_overloaded()).

#include "sched/dest_index.h"
#include "sched/wlc_index.h"

namespace lvs::sched {

struct LocalityMonoid {
  struct Value {
    RatioMin::Value best;
    std::int32_t underloaded = 0;
  };
  static Value identity() { return Value{}; }
  static Value combine(const Value& l, const Value& r) {
    return {RatioMin::combine(l.best, r.best), l.underloaded + r.underloaded};
  }
  static bool same(const Value& a, const Value& b) {
    return a.underloaded == b.underloaded && RatioMin::same(a.best, b.best);
  }
};

struct LocalityLeaf {
  static LocalityMonoid::Value of(const RealServer& d, std::uint32_t slot) {
    return {WlcLeaf::of(d, slot), d.active_conns * 2 < d.weight() ? 1 : 0};
  }
};

class LocalityIndex : public DestIndex<LocalityMonoid, LocalityLeaf> {
 public:
  RealServer* least_loaded() const {
    const auto& best = tree().root().best;
    return best.slot >= 0 ? at(best.slot) : nullptr;
  }
  // is_overloaded(): more active connections than weight while some server
  // in the list is below half its weight.
  bool overloaded(const RealServer& d) const {
    return d.active_conns > d.weight() && tree().root().underloaded > 0;
  }
};

}  // namespace lvs::sched
