#pragma once
// The weighted least-connection choice (overhead/weight, first minimum among
// servers not overloaded with weight > 0). wlc uses it directly; lblc and
// lblcr fall back to it.

#include "sched/dest_index.h"
#include "sched/dest_metrics.h"

namespace lvs::sched {

// conn_overhead() is a C int (it goes negative when it wraps, as in the kernel).
using LightestLoad = RatioMin<std::int32_t>;

// Leaf flag: a quiesced server whose overhead has wrapped negative.
constexpr unsigned kWrappedQuiesced = 2;

// The kernel's scan (ip_vs_wlc_schedule): the first server not overloaded
// with weight > 0, then every later one not overloaded that is strictly
// lighter by 64-bit cross-multiplication. A weight-0 server takes part in
// that second stage, and while overheads are >= 0 it can never win (its
// product is 0), which is why the index leaves it out. Once its overhead
// wraps negative (activeconns*256 + inactconns past INT_MAX: 2^23 active
// connections), `loh * 0 > doh * lw` holds, the kernel picks it, and no
// later server replaces it. The index flags such a server and the pick then
// falls back to this scan.
inline RealServer* wlc_scan(const VirtualService& svc) {
  RealServer* least = nullptr;
  std::int64_t loh = 0;
  for (RealServer* d : svc.dests) {
    if (d->overloaded()) continue;
    const std::int64_t doh = conn_overhead(*d);
    if (least == nullptr) {
      if (d->weight() > 0) least = d, loh = doh;
    } else if (loh * d->weight() > doh * least->weight()) {
      least = d, loh = doh;
    }
  }
  return least;
}

inline unsigned wlc_flags(const RealServer& d) {
  return !d.overloaded() && d.weight() == 0 && conn_overhead(d) < 0 ? kWrappedQuiesced : 0;
}

struct WlcLeaf {
  static LightestLoad::Value of(const RealServer& d, std::uint32_t slot) {
    if (!takes_new(d)) return LightestLoad::none(wlc_flags(d));
    return LightestLoad::pack(conn_overhead(d), d.weight(), slot);
  }
  // The pick, from the index's root unless a leaf asks for the kernel's scan.
  template <typename Index>
  static RealServer* pick(const Index& idx, const VirtualService& svc) {
    const LightestLoad::Value root = idx.tree().root();
    if (LightestLoad::flags(root) & kWrappedQuiesced) return wlc_scan(svc);
    const long slot = LightestLoad::slot_of(root);
    return slot >= 0 ? idx.at(slot) : nullptr;
  }
};

using WlcIndex = DestIndex<LightestLoad, WlcLeaf>;

}  // namespace lvs::sched
