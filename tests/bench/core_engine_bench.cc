// Data-path throughput of the engine: established flows (one packet per call
// and batched), new connections, and the memory-latency bound they run against.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

#include <sys/mman.h>

#include "lvs/engine.h"
#include "lvs/packet.h"

namespace {

using namespace lvs;

constexpr std::size_t kPktLen = 64;  // IPv4 20 + TCP 20 + 24 bytes of payload
constexpr Ip4 kVip = 0xc000020a;     // 192.0.2.10
constexpr int kServers = 16;

Ip4 server_addr(int i) { return 0x0a010000u + 11u + static_cast<Ip4>(i); }  // 10.1.0.11+
Ip4 client_addr(std::uint32_t flow) { return 0x64400000u + (flow >> 6); }   // 100.64.0.0/10
std::uint16_t client_port(std::uint32_t flow) { return static_cast<std::uint16_t>(1024 + (flow & 63) * 997 % 64000); }

void write_segment(std::uint8_t* b, Ip4 src, std::uint16_t sport, Ip4 dst, std::uint16_t dport,
                   std::uint8_t flags) {
  std::memset(b, 0, kPktLen);
  b[0] = 0x45;
  store16(b + 2, kPktLen);
  b[8] = 64;
  b[9] = 6;
  store32(b + 12, src);
  store32(b + 16, dst);
  store16(b + 10, csum_compute(b, 20));
  store16(b + 20, sport);
  store16(b + 22, dport);
  b[32] = 0x50;
  b[33] = flags;
  const std::uint32_t pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 + 44;
  store16(b + 36, csum_compute(b + 20, 44, pseudo));
}

EngineConfig bench_config(std::size_t max_conns) {
  EngineConfig cfg;
  cfg.max_conns = max_conns;
  cfg.local_addrs = {kVip, 0xc0000201u, 0x0a0100feu};
  cfg.inside_nets = {Prefix{0x0a010000u, prefix_mask(16)}};
  return cfg;
}

void add_http_service(Engine& e, const char* sched) {
  ServiceConfig s;
  s.key.proto = Proto::kTcp;
  s.key.addr = kVip;
  s.key.port = 80;
  s.scheduler = sched;
  e.add_service(s);
  for (int i = 0; i < kServers; ++i) {
    RealServerConfig d;
    d.addr = server_addr(i);
    d.port = 8080;
    d.weight = 1 + i % 4;
    d.fwd = ForwardMethod::kMasq;
    e.add_dest(s.key, d);
  }
}

// `flows` established connections, and one 64-byte packet per flow in random
// order (half from clients, half from the servers), laid out back to back.
// With `turnovers`, the table has then seen turnovers * flows connections
// replaced at random (a client's RST, the entry's expiry, a new client's
// handshake): where entries sit is then as in a director that has run for a
// while, not as in a table just filled.
struct EstablishedWorld {
  Engine engine;
  std::vector<std::uint8_t> packets;
  std::vector<Side> sides;
  Time now{seconds(1)};

  static EngineConfig config(std::size_t flows, std::size_t turnovers) {
    EngineConfig cfg = bench_config(flows + flows / 8);
    if (turnovers != 0) {
      // Each replacement moves the clock 2 ms: CLOSE expires within it, and
      // no ESTABLISHED connection expires in the meantime.
      cfg.timeouts.tcp[static_cast<std::size_t>(TcpState::kClose)] = milliseconds(1);
      cfg.timeouts.tcp[static_cast<std::size_t>(TcpState::kEstablished)] = seconds(86400);
    }
    return cfg;
  }

  explicit EstablishedWorld(std::size_t flows, std::size_t turnovers = 0)
      : engine(config(flows, turnovers)) {
    add_http_service(engine, "rr");
    std::vector<Ip4> server(flows);
    std::vector<std::uint32_t> key(flows);  // flow f's client is key[f]'s
    std::uint8_t buf[kPktLen];
    auto open = [&](std::uint32_t f) {
      write_segment(buf, client_addr(key[f]), client_port(key[f]), kVip, 80, 0x02);
      server[f] = engine.process(buf, kPktLen, Side::kOutside, now).next_hop;
      write_segment(buf, client_addr(key[f]), client_port(key[f]), kVip, 80, 0x10);
      engine.process(buf, kPktLen, Side::kOutside, now);
    };
    for (std::uint32_t f = 0; f < flows; ++f) {
      key[f] = f;
      open(f);
    }
    std::mt19937_64 churn(1);
    for (std::size_t r = 0; r < turnovers * flows; ++r) {
      const auto f = static_cast<std::uint32_t>(churn() % flows);
      write_segment(buf, client_addr(key[f]), client_port(key[f]), kVip, 80, 0x04);
      engine.process(buf, kPktLen, Side::kOutside, now);
      now += milliseconds(2);
      key[f] = static_cast<std::uint32_t>(flows + r);
      open(f);
    }
    if (engine.conns().size() != flows) std::abort();
    std::vector<std::uint32_t> order(flows);
    std::iota(order.begin(), order.end(), 0u);
    std::mt19937_64 rng(42);
    std::shuffle(order.begin(), order.end(), rng);
    packets.resize(flows * kPktLen);
    sides.resize(flows);
    for (std::size_t i = 0; i < flows; ++i) {
      const std::uint32_t f = order[i];
      std::uint8_t* p = &packets[i * kPktLen];
      if (rng() & 1) {
        write_segment(p, client_addr(key[f]), client_port(key[f]), kVip, 80, 0x10);
        sides[i] = Side::kOutside;
      } else {
        write_segment(p, server[f], 8080, client_addr(key[f]), client_port(key[f]), 0x10);
        sides[i] = Side::kInside;
      }
    }
  }
};

// Inlined into each benchmark, so that the loop is compiled as it was when it
// was BM_EstablishedFlow's own (as a shared function it ran slower).
[[gnu::always_inline]] inline void run_established_flow(benchmark::State& state,
                                                        EstablishedWorld& w, std::size_t flows) {
  alignas(64) std::uint8_t pkt[kPktLen];
  std::size_t i = 0;
  std::int64_t forwarded = 0;
  for (auto _ : state) {
    std::memcpy(pkt, &w.packets[i * kPktLen], kPktLen);  // the NIC's DMA into a buffer
    const Verdict v = w.engine.process(pkt, kPktLen, w.sides[i], w.now);
    forwarded += v.action == Action::kForward;
    w.now += Duration{100};
    if (++i == flows) i = 0;
  }
  if (forwarded != state.iterations()) state.SkipWithError("a packet was not forwarded");
  state.SetItemsProcessed(state.iterations());
}

void BM_EstablishedFlow(benchmark::State& state) {
  const auto flows = static_cast<std::size_t>(state.range(0));
  EstablishedWorld w(flows);
  run_established_flow(state, w, flows);
}
BENCHMARK(BM_EstablishedFlow)->Arg(1000000)->Unit(benchmark::kNanosecond);

// The same after the table has turned over twice (60% of entries in a
// preferred pair, near the 55% of a table that has turned over many times;
// its setup takes about a minute).
void BM_EstablishedFlowTurnedOver(benchmark::State& state) {
  const auto flows = static_cast<std::size_t>(state.range(0));
  EstablishedWorld w(flows, 2);
  run_established_flow(state, w, flows);
}
BENCHMARK(BM_EstablishedFlowTurnedOver)->Arg(1000000)->Unit(benchmark::kNanosecond);

void BM_EstablishedFlowBatch(benchmark::State& state) {
  const auto flows = static_cast<std::size_t>(state.range(0));
  EstablishedWorld w(flows);
  constexpr std::size_t kBatch = Engine::kBatch;
  alignas(64) std::uint8_t bufs[kBatch][kPktLen];
  PacketRef refs[kBatch];
  Verdict verdicts[kBatch];
  std::size_t i = 0;
  std::int64_t forwarded = 0;
  for (auto _ : state) {
    for (std::size_t k = 0; k < kBatch; ++k) {
      std::memcpy(bufs[k], &w.packets[i * kPktLen], kPktLen);
      refs[k] = PacketRef{bufs[k], kPktLen, w.sides[i], 0};
      if (++i == flows) i = 0;
    }
    w.engine.process_batch(refs, verdicts, kBatch, w.now);
    for (const Verdict& v : verdicts) forwarded += v.action == Action::kForward;
    w.now += Duration{100 * kBatch};
  }
  if (forwarded != state.iterations() * static_cast<std::int64_t>(kBatch)) state.SkipWithError("a packet was not forwarded");
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kBatch));
}
BENCHMARK(BM_EstablishedFlowBatch)->Arg(1000000)->Arg(10000)->Unit(benchmark::kNanosecond);

// Zeroed memory allocated as the connection table allocates its arrays
// (2 MiB aligned, huge-page hint), so the reference benchmarks below pay the
// same TLB costs as the table. Free with std::free.
void* table_alloc(std::size_t bytes) {
  const std::size_t alloc = (bytes + (2u << 20) - 1) & ~std::size_t{(2u << 20) - 1};
  void* p = std::aligned_alloc(2u << 20, alloc);
  madvise(p, alloc, MADV_HUGEPAGE);
  std::memset(p, 0, alloc);
  return p;
}

// The memory-latency floor: dependent random reads over as many bytes as the
// engine's connection table uses for the same number of flows.
void BM_DramRandomRead(benchmark::State& state) {
  const auto flows = static_cast<std::size_t>(state.range(0));
  std::size_t bytes = 0;
  {
    const std::size_t capacity = flows + flows / 8;
    // Same sizing as EstablishedWorld: the table's own footprint.
    bytes = capacity * 57;
  }
  const std::size_t lines = bytes / 64;
  auto* next = static_cast<std::uint32_t*>(table_alloc(lines * 64));
  std::vector<std::uint32_t> perm(lines);
  std::iota(perm.begin(), perm.end(), 0u);
  std::mt19937_64 rng(7);
  std::shuffle(perm.begin(), perm.end(), rng);
  for (std::size_t k = 0; k < lines; ++k) next[perm[k] * 16] = perm[(k + 1) % lines] * 16;
  std::uint32_t at = perm[0] * 16;
  for (auto _ : state) {
    at = next[at];
    benchmark::DoNotOptimize(at);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["working_set_MB"] = static_cast<double>(bytes) / 1e6;
  std::free(next);
}
BENCHMARK(BM_DramRandomRead)->Arg(1000000)->Unit(benchmark::kNanosecond);

// Index buckets of 8 {tag, id} pairs, 90% full at capacity (the layout of
// the connection table before session 5), and the `Entry`s they name, for
// `flows` flows visited in random order; allocated as the table allocates.
template <class Entry>
struct LookupWorld {
  struct alignas(64) Bucket {
    std::uint32_t tag[8];
    std::uint32_t id[8];
  };
  std::size_t capacity;
  std::size_t n_buckets;
  Bucket* buckets;
  Entry* entries;
  std::vector<std::uint32_t> order;

  explicit LookupWorld(std::size_t flows)
      : capacity(flows + flows / 8),
        n_buckets(capacity * 10 / 72),
        buckets(static_cast<Bucket*>(table_alloc(n_buckets * sizeof(Bucket)))),
        entries(static_cast<Entry*>(table_alloc(capacity * sizeof(Entry)))),
        order(flows) {
    for (std::uint32_t f = 0; f < flows; ++f) {
      buckets[hash(f) % n_buckets].id[f & 7] = f;
      entries[f].w[0] = f;
    }
    std::iota(order.begin(), order.end(), 0u);
    std::mt19937_64 rng(7);
    std::shuffle(order.begin(), order.end(), rng);
  }
  ~LookupWorld() {
    std::free(entries);
    std::free(buckets);
  }
  LookupWorld(const LookupWorld&) = delete;
  LookupWorld& operator=(const LookupWorld&) = delete;

  static std::uint64_t hash(std::uint32_t f) {
    return std::uint64_t{f} * 0x9e3779b97f4a7c15ull >> 32;
  }
  // The entry flow f's bucket names: two dependent reads.
  const Entry& via_bucket(std::uint32_t f) const {
    return entries[buckets[hash(f) % n_buckets].id[f & 7]];
  }
};

// The two-level read the established path did before session 5 (an index
// bucket, then the entry it names) for flows in random order, with nothing
// else per packet and no dependency from one flow to the next: how far the
// core overlaps consecutive packets' misses when the code between them is
// tiny. Same footprint and allocation as that table.
void BM_DramIndependentLookups(benchmark::State& state) {
  struct Entry {
    std::uint32_t w[12];  // 48 bytes, as a connection slot
  };
  const LookupWorld<Entry> w(static_cast<std::size_t>(state.range(0)));
  std::size_t i = 0;
  std::uint64_t sum = 0;
  for (auto _ : state) {
    sum += w.via_bucket(w.order[i]).w[0];
    if (++i == w.order.size()) i = 0;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DramIndependentLookups)->Arg(1000000)->Unit(benchmark::kNanosecond);

// Independent lookups, as BM_DramIndependentLookups, with exactly `work`
// more instructions per lookup, straight-line (no loop of their own) and
// depending on nothing: register-to-register adds in four chains, each of
// which takes a physical register as a packet's own instructions do. How
// much code between consecutive lookups the core holds while it waits for
// memory, before the next lookup's miss stops overlapping. `levels` 2 is two
// dependent reads (an index bucket, then the entry it names: the table
// before session 5); 1 is a single read of a 64-byte entry found from the
// hash alone, what the table does now when its tags are in cache. The
// benchmark's own loop adds ~8 instructions. With the engine's
// one-packet-per-call path at ~190 instructions (callgrind), this says what
// BM_EstablishedFlow can reach here.
template <int kWork>
[[gnu::always_inline]] inline void independent_adds(std::uint64_t& a, std::uint64_t& b,
                                                    std::uint64_t& c, std::uint64_t& d) {
  if constexpr (kWork >= 4) {
#if defined(__x86_64__)
    asm volatile("add $1, %0\n\tadd $1, %1\n\tadd $1, %2\n\tadd $1, %3"
                 : "+r"(a), "+r"(b), "+r"(c), "+r"(d));
#else
    ++a, ++b, ++c, ++d;
    benchmark::DoNotOptimize(a);
#endif
    independent_adds<kWork - 4>(a, b, c, d);
  }
}

struct alignas(64) WorkEntry {
  std::uint32_t w[16];
};

template <int kWork>
void lookups_with_work(benchmark::State& state, const LookupWorld<WorkEntry>& w, bool two_levels) {
  std::size_t i = 0;
  std::uint64_t sum = 0;
  for (auto _ : state) {
    const std::uint32_t f = w.order[i];
    sum += two_levels ? w.via_bucket(f).w[0] : w.entries[w.hash(f) % w.capacity].w[0];
    std::uint64_t a = f, b = f + 1, c = f + 2, d = f + 3;
    independent_adds<kWork>(a, b, c, d);
    benchmark::DoNotOptimize(a + b + c + d);
    if (++i == w.order.size()) i = 0;
  }
  benchmark::DoNotOptimize(sum);
}

void BM_DramLookupsWithWork(benchmark::State& state) {
  const LookupWorld<WorkEntry> w(static_cast<std::size_t>(state.range(0)));
  const bool two_levels = state.range(2) == 2;
  using Run = void (*)(benchmark::State&, const LookupWorld<WorkEntry>&, bool);
  constexpr std::pair<std::int64_t, Run> kRuns[] = {
      {0, lookups_with_work<0>},     {32, lookups_with_work<32>},   {64, lookups_with_work<64>},
      {80, lookups_with_work<80>},   {96, lookups_with_work<96>},   {112, lookups_with_work<112>},
      {128, lookups_with_work<128>}, {160, lookups_with_work<160>}, {192, lookups_with_work<192>},
      {256, lookups_with_work<256>}};
  const auto* run = std::find_if(std::begin(kRuns), std::end(kRuns),
                                 [&](const auto& r) { return r.first == state.range(1); });
  if (run == std::end(kRuns)) {
    state.SkipWithError("no such work count");
    return;
  }
  run->second(state, w, two_levels);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DramLookupsWithWork)
    ->ArgNames({"flows", "work", "levels"})
    ->ArgsProduct({{1000000}, {0, 32, 64, 80, 96, 112, 128, 160, 192, 256}, {2, 1}})
    ->Unit(benchmark::kNanosecond);

// SYN to the VIP: miss, schedule (wlc), insert. SYN_RECV is shortened to
// 100 ms so connections expire and their slots are reused as fast as new ones
// arrive: the steady state of a busy director. ~400k entries are live at a
// time; the world is built once and warmed up with twice that many SYNs
// before anything is timed, so that the timed loop sees that steady state
// and not the first touch of the table's memory (page faults, which on this
// project's VMs cost 15% of a cold run in clear_page_erms).
struct NewConnWorld {
  static constexpr Duration kGap{250};  // 4M SYN/s of simulated time
  Engine engine;
  alignas(64) std::uint8_t tmpl[kPktLen];
  alignas(64) std::uint8_t pkt[kPktLen];
  Time now{seconds(1)};
  std::uint32_t flow = 0;

  NewConnWorld() : engine(config()) {
    add_http_service(engine, "wlc");
    write_segment(tmpl, 0, 0, kVip, 80, 0x02);
    for (int i = 0; i < 800000; ++i) send();
  }
  static EngineConfig config() {
    EngineConfig cfg = bench_config(1u << 20);
    cfg.timeouts.tcp[static_cast<std::size_t>(TcpState::kSynRecv)] = milliseconds(100);
    return cfg;
  }
  bool send() {
    std::memcpy(pkt, tmpl, kPktLen);
    store32(pkt + 12, client_addr(flow));
    store16(pkt + 20, client_port(flow));
    ++flow;
    const bool forwarded = engine.process(pkt, kPktLen, Side::kOutside, now).action == Action::kForward;
    now += kGap;
    return forwarded;
  }
};

void BM_NewConnection(benchmark::State& state) {
  static NewConnWorld w;  // built once, untimed
  std::int64_t forwarded = 0;
  for (auto _ : state) forwarded += w.send();
  if (forwarded != state.iterations()) state.SkipWithError("a SYN was not forwarded");
  state.SetItemsProcessed(state.iterations());
  state.counters["table_size"] = static_cast<double>(w.engine.conns().size());
}
BENCHMARK(BM_NewConnection)->Unit(benchmark::kNanosecond);

}  // namespace
