#pragma once
// What lblc and lblcr need from the whole list, kept up to date per server:
// the wlc fallback choice and how many servers have activeconns*2 < weight
// (the "is there a less loaded server" half of their is_overloaded()).

#include "sched/dest_index.h"
#include "sched/wlc_index.h"

namespace lvs::sched {

// wlc's choice packed to 12 bytes, so that with the count a node is 16.
using PackedLightestLoad = RatioMinOf<std::int32_t, 4>;

struct LocalityMonoid {
  struct alignas(16) Value {
    PackedLightestLoad::Value best;
    std::int32_t underloaded = 0;
  };
  static Value identity() { return Value{}; }
  static Value combine(const Value& l, const Value& r) {
    return {PackedLightestLoad::combine(l.best, r.best), l.underloaded + r.underloaded};
  }
  static Value combine_with_sibling(const Value& cur, const Value& sib, bool cur_is_right) {
    return {PackedLightestLoad::combine_with_sibling(cur.best, sib.best, cur_is_right),
            cur.underloaded + sib.underloaded};
  }
  static bool same(const Value& a, const Value& b) {
    return a.underloaded == b.underloaded && PackedLightestLoad::same(a.best, b.best);
  }
};

struct LocalityLeaf {
  static LocalityMonoid::Value of(const RealServer& d, std::uint32_t slot) {
    const LightestLoad::Value best = WlcLeaf::of(d, slot);
    return {{best.h, best.w, best.slot}, d.active_conns * 2 < d.weight() ? 1 : 0};
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
