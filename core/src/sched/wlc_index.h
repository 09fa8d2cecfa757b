#pragma once
// The weighted least-load choice (load/weight, first minimum among servers
// not overloaded with weight > 0). wlc uses it with the connection overhead
// and sed with the expected delay; lblc and lblcr fall back to wlc's.

#include "sched/dest_index.h"
#include "sched/dest_metrics.h"

namespace lvs::sched {

// conn_overhead() and expected_delay() are C ints (negative once they wrap,
// as in the kernel).
using LightestLoad = RatioMin<std::int32_t>;

// Leaf flag: a quiesced server whose overhead has wrapped negative.
constexpr unsigned kWrappedQuiesced = 2;

// The kernel's two-stage scan (ip_vs_wlc_schedule, ip_vs_sed_schedule):
// the first server not overloaded with weight > 0, then every later one not
// overloaded that is strictly lighter by 64-bit cross-multiplication of the
// C int load `Load`. A weight-0 server takes part in that second stage, and
// while loads are >= 0 it can never win (its product is 0), which is why the
// index leaves it out. Once its load wraps negative (wlc: activeconns*256 +
// inactconns past INT_MAX, 2^23 active connections; sed: activeconns + 1 at
// INT_MAX), `loh * 0 > doh * lw` holds, the kernel picks it, and no later
// server replaces it. The index flags such a server and the pick then falls
// back to this scan.
template <std::int32_t (*Load)(const RealServer&)>
RealServer* least_load_scan(const VirtualService& svc) {
  RealServer* least = nullptr;
  std::int64_t loh = 0;
  for (RealServer* d : svc.dests) {
    if (d->overloaded()) continue;
    const std::int64_t doh = Load(*d);
    if (least == nullptr) {
      if (d->weight() > 0) least = d, loh = doh;
    } else if (loh * d->weight() > doh * least->weight()) {
      least = d, loh = doh;
    }
  }
  return least;
}

template <std::int32_t (*Load)(const RealServer&)>
unsigned wrapped_quiesced_flag(const RealServer& d) {
  return !d.overloaded() && d.weight() == 0 && Load(d) < 0 ? kWrappedQuiesced : 0;
}

template <std::int32_t (*Load)(const RealServer&)>
struct LeastLoadLeaf {
  static LightestLoad::Value of(const RealServer& d, std::uint32_t slot) {
    if (!takes_new(d)) return LightestLoad::none(wrapped_quiesced_flag<Load>(d));
    return LightestLoad::pack(Load(d), d.weight(), slot);
  }
  // The pick, from the index's root unless a leaf asks for the kernel's scan.
  template <typename Index>
  static RealServer* pick(const Index& idx, const VirtualService& svc) {
    const LightestLoad::Value root = idx.tree().root();
    if (LightestLoad::flags(root) & kWrappedQuiesced) return least_load_scan<Load>(svc);
    const long slot = LightestLoad::slot_of(root);
    return slot >= 0 ? idx.at(slot) : nullptr;
  }
};

using WlcLeaf = LeastLoadLeaf<conn_overhead>;
inline RealServer* wlc_scan(const VirtualService& svc) { return least_load_scan<conn_overhead>(svc); }
inline unsigned wlc_flags(const RealServer& d) { return wrapped_quiesced_flag<conn_overhead>(d); }

using WlcIndex = DestIndex<LightestLoad, WlcLeaf>;

}  // namespace lvs::sched
