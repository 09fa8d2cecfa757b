#pragma once
// A tiny discrete-event driver for HealthChecker: probes take `latency` to
// pass or fail, or their full timeout when the world says "timeout".

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <queue>
#include <string>
#include <tuple>
#include <vector>

#include "lvs/health.h"

namespace lvs::test {

inline Time secs(double s) { return Time{static_cast<std::int64_t>(s * 1e9)}; }
inline double as_secs(Time t) { return static_cast<double>(t.count()) / 1e9; }

inline ServiceKey health_service(std::uint16_t port = 80) {
  ServiceKey k;
  k.proto = Proto::kTcp;
  k.addr = *parse_ip4("192.0.2.10");
  k.port = port;
  return k;
}

inline CheckerParams tcp_check(double delay_loop = 10, unsigned retry = 1, double dbr = 1,
                               double connect_timeout = 5) {
  CheckerParams p;
  p.kind = CheckKind::kTcp;
  p.delay_loop = secs(delay_loop);
  p.retry = retry;
  p.delay_before_retry = secs(dbr);
  p.connect_timeout = secs(connect_timeout);
  return p;
}

inline RealServerHealthConfig server(const char* addr, int weight = 1,
                                     std::vector<CheckerParams> checkers = {tcp_check()}) {
  RealServerHealthConfig r;
  r.dest.addr = *parse_ip4(addr);
  r.dest.port = 8080;
  r.dest.weight = weight;
  r.dest.fwd = ForwardMethod::kMasq;
  r.checkers = std::move(checkers);
  return r;
}

inline HealthConfig one_service(std::vector<RealServerHealthConfig> servers,
                                std::uint32_t quorum = 1, std::uint32_t hysteresis = 0) {
  VirtualServiceHealthConfig vs;
  vs.keys = {health_service()};
  vs.quorum = quorum;
  vs.hysteresis = hysteresis;
  vs.real_servers = std::move(servers);
  HealthConfig cfg;
  cfg.services.push_back(std::move(vs));
  return cfg;
}

// The world: what a probe of `req` started at `t` yields.
using World = std::function<ProbeOutcome(const ProbeRequest& req, Time t)>;

class HealthDriver {
 public:
  HealthDriver(HealthConfig cfg, World world, Time start = Time{0}, Time latency = secs(0.001))
      : hc_(std::move(cfg), start), world_(std::move(world)), latency_(latency) {
    drain(start);
  }

  // Runs every probe start and result up to and including `until`.
  void run_until(Time until) {
    for (;;) {
      const Time due = hc_.next_due();
      const Time res = pending_.empty() ? Time::max() : std::get<0>(pending_.top());
      const Time t = std::min(due, res);
      if (t > until || t == Time::max()) break;
      if (res <= due) {
        auto [when, seq, id, outcome] = pending_.top();
        pending_.pop();
        (void)seq;
        hc_.on_probe_result(id, outcome, when);
        drain(when);
        continue;
      }
      for (const ProbeRequest& q : hc_.on_timer(t)) {
        const ProbeOutcome o = world_(q, t);
        starts_.push_back({q.id, t});
        const Time took = o.status == ProbeOutcome::Status::kTimeout ? q.timeout : latency_;
        pending_.push({t + took, seq_++, q.id, o});
      }
    }
  }

  HealthChecker& hc() { return hc_; }
  // Every action applied so far, with the time it was produced.
  const std::vector<std::pair<Time, HealthAction>>& actions() const { return actions_; }
  const std::vector<std::pair<CheckerId, Time>>& starts() const { return starts_; }
  std::vector<Time> starts_of(CheckerId id) const {
    std::vector<Time> out;
    for (const auto& s : starts_)
      if (s.first == id) out.push_back(s.second);
    return out;
  }
  std::vector<HealthEvent> events_of(HealthEvent::Kind k) const {
    std::vector<HealthEvent> out;
    for (const auto& e : hc_.events())
      if (e.what == k) out.push_back(e);
    return out;
  }

 private:
  void drain(Time t) {
    for (auto& a : hc_.take_actions()) actions_.push_back({t, a});
  }
  using Pending = std::tuple<Time, std::uint64_t, CheckerId, ProbeOutcome>;
  struct Later {
    bool operator()(const Pending& a, const Pending& b) const {
      return std::tie(std::get<0>(a), std::get<1>(a)) > std::tie(std::get<0>(b), std::get<1>(b));
    }
  };
  HealthChecker hc_;
  World world_;
  Time latency_;
  std::priority_queue<Pending, std::vector<Pending>, Later> pending_;
  std::uint64_t seq_ = 0;
  std::vector<std::pair<Time, HealthAction>> actions_;
  std::vector<std::pair<CheckerId, Time>> starts_;
};

// A server that answers except during [down_from, down_to).
inline World outage(Ip4 addr, Time down_from, Time down_to,
                    ProbeOutcome failure = ProbeOutcome::connect_failed()) {
  return [=](const ProbeRequest& q, Time t) {
    if (q.server_addr == addr && t >= down_from && t < down_to) return failure;
    return ProbeOutcome::ok();
  };
}

}  // namespace lvs::test
