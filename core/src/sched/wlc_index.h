#pragma once
// The weighted least-connection choice (overhead/weight, first minimum among
// servers not overloaded with weight > 0). wlc uses it directly; lblc and
// lblcr fall back to it.

#include "sched/dest_index.h"
#include "sched/dest_metrics.h"

namespace lvs::sched {

// conn_overhead() is a C int, so wlc's node holds h in 32 bits.
using LightestLoad = RatioMinOf<std::int32_t>;

// A weight-0 server can never replace the kernel's running minimum (its
// product is 0, overheads are >= 0), so leaving it out changes nothing.
struct WlcLeaf {
  static LightestLoad::Value of(const RealServer& d, std::uint32_t slot) {
    if (!takes_new(d)) return LightestLoad::identity();
    return {conn_overhead(d), d.weight(), static_cast<std::int32_t>(slot)};
  }
};

using WlcIndex = DestIndex<LightestLoad, WlcLeaf>;

inline RealServer* wlc_pick(const WlcIndex& idx) {
  const auto& best = idx.tree().root();
  return best.slot >= 0 ? idx.at(best.slot) : nullptr;
}

}  // namespace lvs::sched
