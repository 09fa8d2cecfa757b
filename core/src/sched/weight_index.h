#pragma once
// rr, wrr and fo look at one number per server: its weight when it may take
// new connections, else 0. The tree keeps the first maximum.

#include "sched/dest_index.h"
#include "sched/dest_metrics.h"

namespace lvs::sched {

using MaxWeight = ArgBest<std::int32_t, GreaterI32>;

struct UsableWeight {
  static MaxWeight::Value of(const RealServer& d, std::uint32_t slot) {
    return {takes_new(d) ? d.weight() : 0, static_cast<std::int32_t>(slot)};
  }
};

using WeightIndex = DestIndex<MaxWeight, UsableWeight>;

// First slot >= from whose usable weight is at least `w`, or -1.
inline long first_with_weight(const WeightIndex& idx, long from, std::int32_t w) {
  return idx.tree().find_first(from, [w](const MaxWeight::Value& v) { return v.slot >= 0 && v.key >= w; });
}

}  // namespace lvs::sched
