// Connection table: memory per connection at 10M, and lookup cost at 1M.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdint>
#include <memory>

#include "lvs/conn_table.h"

namespace {

using lvs::Conn;
using lvs::ConnId;
using lvs::ConnTable;
using lvs::Proto;

// Heap in use, counting mmapped blocks (big arrays) as well as the arena.
std::size_t heap_in_use() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

// The i-th of n distinct client flows: 64 ports per client address, spread over
// a /8, all to one VIP, scheduled over 16 real servers.
Conn flow(std::uint64_t i) {
  Conn c;
  c.caddr = 0x0b000000u + static_cast<std::uint32_t>((i >> 6) * 2654435761u % 0x00ffffffu);
  c.cport = static_cast<std::uint16_t>(1024 + (i & 63) * 1000 + (i >> 6) % 1000);
  c.vaddr = 0xcb007105u;
  c.vport = 443;
  c.daddr = 0x0a000000u + static_cast<std::uint32_t>(i % 16);
  c.dport = 8443;
  c.state = static_cast<std::uint8_t>(lvs::TcpState::kEstablished);
  return c;
}

void fill(ConnTable& t, std::uint64_t n, benchmark::State& state) {
  for (std::uint64_t i = 0; i < n; ++i) {
    if (t.insert(flow(i), lvs::seconds(900) + lvs::milliseconds(i % 60000)) == lvs::kNoConn) {
      state.SkipWithError("insert failed before capacity");
      return;
    }
  }
}

// (heap after constructing and filling n connections - heap before) / n.
void BM_ConnTableBytesPerConn(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  double bytes_per_conn = 0;
  for (auto _ : state) {
    const std::size_t before = heap_in_use();
    auto table = std::make_unique<ConnTable>(n);
    fill(*table, n, state);
    const std::size_t after = heap_in_use();
    bytes_per_conn = static_cast<double>(after - before) / static_cast<double>(n);
    benchmark::DoNotOptimize(table->size());
  }
  state.counters["bytes_per_conn"] = bytes_per_conn;
}
BENCHMARK(BM_ConnTableBytesPerConn)->Arg(10000000)->Iterations(1)->Unit(benchmark::kMillisecond);

// Query order: a fixed odd stride modulo n visits every flow, in cache-hostile order.
constexpr std::uint64_t kStride = 0x9e3779b97f4a7c15ull;

// Random find_in over n live established flows.
void BM_ConnLookup(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  ConnTable table(n);
  fill(table, n, state);
  std::uint64_t i = 0, found = 0;
  for (auto _ : state) {
    const Conn c = flow((i++ * kStride) % n);
    found += table.find_in(Proto::kTcp, c.caddr, c.cport, c.vaddr, c.vport) != lvs::kNoConn;
  }
  if (found != static_cast<std::uint64_t>(state.iterations())) state.SkipWithError("missed a live flow");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ConnLookup)->Arg(10000)->Arg(1000000);

// The batch path: prefetch the home groups' tags a few packets ahead of the lookup.
void BM_ConnLookupPrefetched(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  constexpr std::uint64_t kAhead = 8;
  ConnTable table(n);
  fill(table, n, state);
  std::uint64_t i = 0, found = 0;
  for (auto _ : state) {
    const Conn ahead = flow(((i + kAhead) * kStride) % n);
    table.prefetch(Proto::kTcp, ahead.caddr, ahead.cport);
    const Conn c = flow((i++ * kStride) % n);
    found += table.find_in(Proto::kTcp, c.caddr, c.cport, c.vaddr, c.vport) != lvs::kNoConn;
  }
  if (found != static_cast<std::uint64_t>(state.iterations())) state.SkipWithError("missed a live flow");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ConnLookupPrefetched)->Arg(1000000);

// Two-stage batch path: tags 16 packets ahead, then entries 8 ahead.
void BM_ConnLookupPrefetched2(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  ConnTable table(n);
  fill(table, n, state);
  std::uint64_t i = 0, found = 0;
  for (auto _ : state) {
    const Conn far = flow(((i + 16) * kStride) % n);
    table.prefetch(Proto::kTcp, far.caddr, far.cport);
    const Conn near = flow(((i + 8) * kStride) % n);
    table.prefetch_entries(Proto::kTcp, near.caddr, near.cport);
    const Conn c = flow((i++ * kStride) % n);
    found += table.find_in(Proto::kTcp, c.caddr, c.cport, c.vaddr, c.vport) != lvs::kNoConn;
  }
  if (found != static_cast<std::uint64_t>(state.iterations())) state.SkipWithError("missed a live flow");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ConnLookupPrefetched2)->Arg(1000000);

}  // namespace
