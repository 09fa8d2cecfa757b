// The batch entry point: the same decisions as process(), software-pipelined
// so that cache misses overlap instead of queueing one after another. Packets
// go through three stages in groups: parse and prefetch the index buckets;
// prefetch the entries those buckets point at; handle the packets. While one
// group is handled, the next group's entries and the one after's buckets are
// on their way, which keeps the number of lines in flight near what the core
// can track.
#include "lvs/engine.h"

namespace lvs {
namespace {

constexpr std::size_t kGroup = 8;

}  // namespace

void Engine::process_batch(PacketRef* pkts, Verdict* out, std::size_t n, Time now) {
  if (now != last_advance_) advance(now);
  PacketView views[kBatch];
  ParseStatus status[kBatch];
  ConnTable::Probe probes[kBatch];
  for (std::size_t base = 0; base < n; base += kBatch) {
    const std::size_t m = n - base < kBatch ? n - base : kBatch;
    PacketRef* batch = pkts + base;
    auto fetch_buckets = [&](std::size_t i) {
      status[i] = parse_ipv4(batch[i].data, batch[i].len, views[i]);
      if (status[i] != ParseStatus::kOk) return;
      const PacketView& p = views[i];
      // Connections are indexed by their client side.
      probes[i] = batch[i].side == Side::kOutside ? table_->probe(p.proto, p.saddr, p.sport)
                                                  : table_->probe(p.proto, p.daddr, p.dport);
      table_->prefetch(probes[i]);
    };
    auto fetch_entries = [&](std::size_t i) {
      if (status[i] == ParseStatus::kOk) table_->prefetch_entries(probes[i]);
    };
    auto handle = [&](std::size_t i) {
      if (status[i] != ParseStatus::kOk) {
        out[base + i] = drop(static_cast<DropReason>(status[i]));
      } else if (batch[i].side == Side::kOutside) {
        out[base + i] = from_outside(views[i], now, batch[i].fwmark, &probes[i]);
      } else {
        out[base + i] = from_inside(views[i], now, &probes[i]);
      }
    };
    const std::size_t groups = (m + kGroup - 1) / kGroup;
    for (std::size_t step = 0; step < groups + 2; ++step) {
      for (std::size_t i = step * kGroup; i < (step + 1) * kGroup && i < m; ++i) fetch_buckets(i);
      if (step >= 1)
        for (std::size_t i = (step - 1) * kGroup; i < step * kGroup && i < m; ++i) fetch_entries(i);
      if (step >= 2)
        for (std::size_t i = (step - 2) * kGroup; i < (step - 1) * kGroup && i < m; ++i) handle(i);
    }
  }
}

}  // namespace lvs
