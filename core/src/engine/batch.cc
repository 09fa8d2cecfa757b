// The batch entry point: the same decisions as process(), in stages so that
// cache misses overlap instead of queueing one after another: parse every
// packet and prefetch its home groups' tags; then look up every packet's
// first candidate entry and prefetch it; then handle the packets in order.
// Each stage runs over the whole batch, so a packet's two dependent misses
// are each hidden behind the other packets' work (pipelining in groups of 8
// left the first groups of every batch waiting on memory: 15-17 Mpps
// against 20-22 at 1M flows on 2026-12-03, tests/bench/README.md).
#include <new>
#include <type_traits>

#include "lvs/engine.h"
#include "lvs/engine_fast_path.h"

namespace lvs {

void Engine::process_batch(PacketRef* pkts, Verdict* out, std::size_t n, Time now) {
  run_batch(pkts, out, n, now, nullptr);
}

void Engine::process_batch(PacketRef* pkts, Verdict* out, std::size_t n, const Time* times) {
  if (n != 0) run_batch(pkts, out, n, times[0], times);
}

// With `times`, each packet's time is handed to advance() just before the
// packet is handled, as process() does; the lookups prefetched before may
// then point at entries a timer has erased, which forward_established checks
// for, as it does for entries earlier packets of the batch erased. Timers do
// not turn the shortcut on or off (only set_sync_master does), so `shortcut`
// holds for the whole batch; `expires` follows the clock.
// (One function with a run-time test, not a template on it: GCC 12 dropped
// every prefetch from the template's instances once their stages were
// inlined, which halved the batch's speed at 1M flows.)
void Engine::run_batch(PacketRef* pkts, Verdict* out, std::size_t n, Time now, const Time* times) {
  if (now != last_advance_) advance(now);
  const bool shortcut = fast_path_on();
  std::uint32_t expires = established_expiry(now);
  // A plain TCP segment (read_plain_tcp) stays a PlainTcp, the only kind the
  // shortcut takes; anything else is parsed into a view at once.
  PlainTcp plains[kBatch];
  bool plain[kBatch];
  // Constructed only for the packets that need one (most never do): a
  // PacketView array would be zeroed whole on every call.
  union ViewSlot {
    ViewSlot() {}
    PacketView v;
  };
  static_assert(std::is_trivially_destructible_v<PacketView>);
  ViewSlot views[kBatch];
  ParseStatus status[kBatch];
  ConnTable::Probe probes[kBatch];
  ConnId candidates[kBatch];
  for (std::size_t base = 0; base < n; base += kBatch) {
    const std::size_t m = n - base < kBatch ? n - base : kBatch;
    PacketRef* batch = pkts + base;
    auto fetch_buckets = [&](std::size_t i) {
      // Connections are indexed by their client side (selected without a
      // branch: the sides of consecutive packets are anybody's guess).
      const bool in = batch[i].side == Side::kOutside;
      plain[i] = read_plain_tcp(batch[i].data, batch[i].len, plains[i]);
      if (plain[i]) {
        status[i] = ParseStatus::kOk;
        const PlainTcp& t = plains[i];
        probes[i] = table_->probe_key(in ? t.client_key<true>() : t.client_key<false>());
      } else {
        PacketView& p = *new (&views[i].v) PacketView{};
        status[i] = parse_ipv4(batch[i].data, batch[i].len, p);
        if (status[i] != ParseStatus::kOk) return;
        probes[i] = table_->probe(p.proto, in ? p.saddr : p.daddr, in ? p.sport : p.dport);
      }
      table_->prefetch(probes[i]);
    };
    auto fetch_entries = [&](std::size_t i) {
      candidates[i] = status[i] == ParseStatus::kOk ? table_->first_candidate(probes[i]) : kNoConn;
      table_->prefetch_entry(candidates[i]);
    };
    auto handle = [&](std::size_t i) {
      if (times != nullptr && times[base + i] != now) {
        now = times[base + i];
        advance(now);
        expires = established_expiry(now);
      }
      const bool from_client = batch[i].side == Side::kOutside;
      Verdict& v = out[base + i];
      if (status[i] != ParseStatus::kOk) {
        v = drop(static_cast<DropReason>(status[i]));
        return;
      }
      if (plain[i]) {
        const PlainTcp& t = plains[i];
        // Candidates were looked up before the earlier packets were
        // handled, which may have erased one.
        if (shortcut && plain_ack(t.flags) && table_->contains(candidates[i]) &&
            (from_client ? forward_established<true>(t, candidates[i], expires, v)
                         : forward_established<false>(t, candidates[i], expires, v)))
          return;
        new (&views[i].v) PacketView(plain_tcp_view(t));
      }
      v = from_client ? from_outside(views[i].v, now, batch[i].fwmark, &probes[i])
                      : from_inside(views[i].v, now, &probes[i]);
    };
    for (std::size_t i = 0; i < m; ++i) fetch_buckets(i);
    for (std::size_t i = 0; i < m; ++i) fetch_entries(i);
    for (std::size_t i = 0; i < m; ++i) handle(i);
  }
}

}  // namespace lvs
