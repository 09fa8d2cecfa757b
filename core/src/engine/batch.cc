// The batch entry point: the same decisions as process(), in three passes over
// the batch so that cache misses overlap instead of queueing one after another:
// parse and prefetch every packet's index buckets, then prefetch the entries
// those buckets point at, then handle the packets.
#include "lvs/engine.h"

namespace lvs {
namespace {

// Connections are indexed by their client side.
struct ClientKey {
  Proto proto;
  Ip4 addr;
  std::uint16_t port;
};
ClientKey client_key(const PacketView& p, Side side) {
  return side == Side::kOutside ? ClientKey{p.proto, p.saddr, p.sport}
                                : ClientKey{p.proto, p.daddr, p.dport};
}

}  // namespace

void Engine::process_batch(PacketRef* pkts, Verdict* out, std::size_t n, Time now) {
  if (now != last_advance_) advance(now);
  PacketView views[kBatch];
  ParseStatus status[kBatch];
  for (std::size_t base = 0; base < n; base += kBatch) {
    const std::size_t m = n - base < kBatch ? n - base : kBatch;
    for (std::size_t i = 0; i < m; ++i) {
      status[i] = parse_ipv4(pkts[base + i].data, pkts[base + i].len, views[i]);
      if (status[i] != ParseStatus::kOk) continue;
      const ClientKey k = client_key(views[i], pkts[base + i].side);
      table_->prefetch(k.proto, k.addr, k.port);
    }
    for (std::size_t i = 0; i < m; ++i) {
      if (status[i] != ParseStatus::kOk) continue;
      const ClientKey k = client_key(views[i], pkts[base + i].side);
      table_->prefetch_entries(k.proto, k.addr, k.port);
    }
    for (std::size_t i = 0; i < m; ++i) {
      const PacketRef& r = pkts[base + i];
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
