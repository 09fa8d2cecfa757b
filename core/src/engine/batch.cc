// The batch entry point: the same decisions as process(), in stages so that
// cache misses overlap instead of queueing one after another: parse every
// packet and prefetch its two index buckets; then look up every packet's
// first candidate entry and prefetch it; then handle the packets in order.
// Each stage runs over the whole batch, so a packet's two dependent misses
// are each hidden behind the other packets' work (pipelining in groups of 8
// left the first groups of every batch waiting on memory: 15-17 Mpps
// against 20-22 at 1M flows on 2026-12-03, tests/bench/README.md).
#include "engine/fast_path.h"
#include "lvs/engine.h"

namespace lvs {

void Engine::process_batch(PacketRef* pkts, Verdict* out, std::size_t n, Time now) {
  if (now != last_advance_) advance(now);
  const bool shortcut = fast_path_on();
  const std::uint32_t expires = established_expiry(now);
  PacketView views[kBatch];
  ParseStatus status[kBatch];
  ConnTable::Probe probes[kBatch];
  ConnId candidates[kBatch];
  for (std::size_t base = 0; base < n; base += kBatch) {
    const std::size_t m = n - base < kBatch ? n - base : kBatch;
    PacketRef* batch = pkts + base;
    auto fetch_buckets = [&](std::size_t i) {
      status[i] = parse_plain_tcp(batch[i].data, batch[i].len, views[i])
                      ? ParseStatus::kOk
                      : parse_ipv4(batch[i].data, batch[i].len, views[i]);
      if (status[i] != ParseStatus::kOk) return;
      const PacketView& p = views[i];
      // Connections are indexed by their client side (selected without a
      // branch: the sides of consecutive packets are anybody's guess).
      const bool in = batch[i].side == Side::kOutside;
      probes[i] = table_->probe(p.proto, in ? p.saddr : p.daddr, in ? p.sport : p.dport);
      table_->prefetch(probes[i]);
    };
    auto fetch_entries = [&](std::size_t i) {
      candidates[i] = status[i] == ParseStatus::kOk ? table_->first_candidate(probes[i]) : kNoConn;
      table_->prefetch_entry(candidates[i]);
    };
    auto handle = [&](std::size_t i) {
      PacketView& p = views[i];
      const bool from_client = batch[i].side == Side::kOutside;
      if (status[i] != ParseStatus::kOk) {
        out[base + i] = drop(static_cast<DropReason>(status[i]));
      } else if (shortcut && plain_ack(p) &&
                 (from_client
                      ? forward_established<true>(p, candidates[i], expires, out[base + i])
                      : forward_established<false>(p, candidates[i], expires, out[base + i]))) {
        // forwarded by the established-flow shortcut
      } else if (from_client) {
        out[base + i] = from_outside(p, now, batch[i].fwmark, &probes[i]);
      } else {
        out[base + i] = from_inside(p, now, &probes[i]);
      }
    };
    for (std::size_t i = 0; i < m; ++i) fetch_buckets(i);
    for (std::size_t i = 0; i < m; ++i) fetch_entries(i);
    for (std::size_t i = 0; i < m; ++i) handle(i);
  }
}

}  // namespace lvs
