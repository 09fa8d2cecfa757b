// BM_SchedulerPick/<name>/<servers>: one new connection per iteration on a
// service with N real servers (weights 1..100, 10% quiesced, random counts).
// After each pick the chosen server gains an active connection and a random
// server loses one, each followed by counts_changed(), as the engine does.

#include <benchmark/benchmark.h>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lvs/scheduler.h"

namespace {

struct XorShift {
  std::uint64_t s = 0x9e3779b97f4a7c15ULL;
  std::uint32_t operator()() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return static_cast<std::uint32_t>(s >> 16);
  }
};

struct Bench {
  lvs::VirtualService svc;
  std::deque<lvs::RealServer> servers;
  XorShift rng;
  lvs::Time now{0};
};

// The kernel's mh refuses to rebuild past 4093 servers, so grow the list the
// way a real service would: create it with the oldest ones, add the rest.
std::unique_ptr<Bench> make_bench(std::string_view name, std::size_t n) {
  auto b = std::make_unique<Bench>();
  XorShift draws;
  b->svc.sched = lvs::make_scheduler(name, [draws]() mutable { return draws(); });
  for (std::size_t i = 0; i < n; ++i) {
    lvs::RealServer& d = b->servers.emplace_back();
    d.cfg.addr = 0x0a000000u + static_cast<lvs::Ip4>(i + 1);
    d.cfg.port = 80;
    d.cfg.weight = b->rng() % 10 == 0 ? 0 : static_cast<std::int32_t>(1 + b->rng() % 100);
    d.last_weight = d.cfg.weight;  // as the engine sets it on add
    d.active_conns = static_cast<std::int32_t>(b->rng() % 64);
    d.inactive_conns = static_cast<std::int32_t>(b->rng() % 256);
    d.flags = lvs::kDestAvailable;
    d.svc = &b->svc;
  }
  const std::size_t first = std::min<std::size_t>(n, 4093);
  for (std::size_t i = first; i-- > 0;) b->svc.dests.push_back(&b->servers[i]);
  b->svc.sched->init_service(b->svc);
  for (std::size_t i = first; i < n; ++i) {
    b->svc.dests.insert(b->svc.dests.begin(), &b->servers[i]);
    b->svc.sched->add_dest(b->svc, b->servers[i]);
  }
  return b;
}

void BM_SchedulerPick(benchmark::State& state, std::string name) {
  static std::map<std::string, std::unique_ptr<Bench>> cache;  // setup is not timed, and done once
  const auto n = static_cast<std::size_t>(state.range(0));
  auto& slot = cache[name + "/" + std::to_string(n)];
  if (!slot) slot = make_bench(name, n);
  Bench& b = *slot;
  lvs::Scheduler& sched = *b.svc.sched;
  lvs::SchedPacket pkt;
  std::int64_t misses = 0;
  for (auto _ : state) {
    pkt.saddr = 0xc0000000u | b.rng();
    pkt.sport = static_cast<std::uint16_t>(b.rng());
    pkt.daddr = 0x0b000000u + b.rng() % 4096;
    b.now += std::chrono::microseconds(10);
    lvs::RealServer* d = sched.schedule(b.svc, pkt, b.now);
    if (d != nullptr) {
      ++d->active_conns;
      sched.counts_changed(b.svc, *d);
    } else {
      ++misses;
    }
    lvs::RealServer& c = b.servers[b.rng() % n];
    if (c.active_conns > 0) {
      --c.active_conns;
      sched.counts_changed(b.svc, c);
    } else if (c.inactive_conns > 0) {
      --c.inactive_conns;
      sched.counts_changed(b.svc, c);
    }
    benchmark::DoNotOptimize(d);
  }
  state.counters["miss_rate"] = benchmark::Counter(static_cast<double>(misses), benchmark::Counter::kAvgIterations);
}

const bool kRegistered = [] {
  for (std::string_view name : lvs::scheduler_names())
    benchmark::RegisterBenchmark(("BM_SchedulerPick/" + std::string(name)).c_str(), BM_SchedulerPick,
                                 std::string(name))
        ->Arg(10000);
  return true;
}();

}  // namespace
