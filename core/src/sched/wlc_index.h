#pragma once
// The weighted least-connection choice (overhead/weight, first minimum among
// servers not overloaded with weight > 0). wlc uses it directly; lblc and
// lblcr fall back to it.

#include "sched/dest_index.h"
#include "sched/dest_metrics.h"

namespace lvs::sched {

// conn_overhead() is a C int (it goes negative when it wraps, as in the kernel).
using LightestLoad = RatioMin<std::int32_t>;

// A weight-0 server can never replace the kernel's running minimum (its
// product is 0, overheads are >= 0), so leaving it out changes nothing.
// One case differs: once a quiesced server's overhead wraps negative
// (activeconns*256 + inactconns past INT_MAX, so 2^23 active connections),
// the kernel's `loh * 0 > doh * lw` holds and it picks that server, then
// keeps it. Here it stays out (tests/core/sched/extreme_load_test.cc).
struct WlcLeaf {
  static LightestLoad::Value of(const RealServer& d, std::uint32_t slot) {
    if (!takes_new(d)) return LightestLoad::identity();
    return LightestLoad::pack(conn_overhead(d), d.weight(), slot);
  }
};

using WlcIndex = DestIndex<LightestLoad, WlcLeaf>;

inline RealServer* wlc_pick(const WlcIndex& idx) {
  const long slot = LightestLoad::slot_of(idx.tree().root());
  return slot >= 0 ? idx.at(slot) : nullptr;
}

}  // namespace lvs::sched
