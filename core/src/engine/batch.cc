// The batch entry point: the same decisions as process(), with the connection
// index buckets of the whole batch prefetched before any packet is handled, so
// their cache misses overlap instead of queueing one after another.
#include "lvs/engine.h"

namespace lvs {

void Engine::process_batch(PacketRef* pkts, Verdict* out, std::size_t n, Time now) {
  if (now != last_advance_) advance(now);
  PacketView views[kBatch];
  ParseStatus status[kBatch];
  for (std::size_t base = 0; base < n; base += kBatch) {
    const std::size_t m = n - base < kBatch ? n - base : kBatch;
    for (std::size_t i = 0; i < m; ++i) {
      PacketRef& r = pkts[base + i];
      status[i] = parse_ipv4(r.data, r.len, views[i]);
      if (status[i] != ParseStatus::kOk) continue;
      const PacketView& p = views[i];
      // Connections are indexed by their client side.
      if (r.side == Side::kOutside) {
        table_->prefetch(p.proto, p.saddr, p.sport);
      } else {
        table_->prefetch(p.proto, p.daddr, p.dport);
      }
    }
    for (std::size_t i = 0; i < m; ++i) {
      PacketRef& r = pkts[base + i];
      if (status[i] != ParseStatus::kOk) {
        out[base + i] = drop(static_cast<DropReason>(status[i]));
      } else if (r.side == Side::kOutside) {
        out[base + i] = from_outside(views[i], now, r.fwmark);
      } else {
        out[base + i] = from_inside(views[i], now);
      }
    }
  }
}

}  // namespace lvs
