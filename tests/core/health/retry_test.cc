// Checker timing: retry counting, delay_loop cadence, connect_timeout, alpha.

#include <gtest/gtest.h>

#include <memory>

#include "health_fixture.h"

namespace lvs::test {
namespace {

const Ip4 kRs1 = *parse_ip4("10.1.0.11");

// A server goes down only after retry+1 consecutive failed probes, spaced
// delay_before_retry apart; the down event says when the first one started.
TEST(HealthRetry, DownAfterRetryPlusOneFailures) {
  struct Case {
    unsigned retry;
    double dbr;
  };
  for (const Case c : {Case{0, 1}, Case{1, 1}, Case{3, 2}}) {
    SCOPED_TRACE("retry " + std::to_string(c.retry));
    HealthDriver d(one_service({server("10.1.0.11", 1, {tcp_check(10, c.retry, c.dbr)})}),
                   outage(kRs1, secs(100), secs(1000)), Time{0}, Time{0});
    d.run_until(secs(300));
    // Probes at 1, 11, ..., 91 pass; 101 is the first failure.
    const auto down = d.events_of(HealthEvent::Kind::kServerDown);
    ASSERT_EQ(down.size(), 1u);
    EXPECT_EQ(down[0].since, secs(101));
    EXPECT_EQ(down[0].time, secs(101 + c.retry * c.dbr));
    std::vector<Time> failing;
    for (Time t : d.starts_of(0))
      if (t >= secs(101) && t <= down[0].time) failing.push_back(t);
    ASSERT_EQ(failing.size(), c.retry + 1);
    for (std::size_t i = 1; i < failing.size(); ++i)
      EXPECT_EQ(failing[i] - failing[i - 1], secs(c.dbr));
    EXPECT_FALSE(d.hc().server_alive(0, 0));
  }
}

// A passing retry resets the count: isolated failures never take a server down.
TEST(HealthRetry, SuccessResetsRetryCount) {
  auto n = std::make_shared<int>(0);
  // Every other probe fails; the retry after each failure passes.
  HealthDriver d(one_service({server("10.1.0.11", 1, {tcp_check(10, 1, 1)})}),
                 [n](const ProbeRequest&, Time) {
                   return (*n)++ % 2 == 1 ? ProbeOutcome::connect_failed() : ProbeOutcome::ok();
                 },
                 Time{0}, Time{0});
  d.run_until(secs(200));
  EXPECT_TRUE(d.events_of(HealthEvent::Kind::kServerDown).empty());
  EXPECT_TRUE(d.hc().server_alive(0, 0));
}

// delay_loop counts from the end of the previous probe, so probe latency adds up.
TEST(HealthRetry, DelayLoopCadence) {
  struct Case {
    double latency;
    std::vector<double> starts;
  };
  for (const Case& c : {Case{0, {1, 11, 21, 31}}, Case{0.5, {1, 11.5, 22, 32.5}}}) {
    HealthDriver d(one_service({server("10.1.0.11")}),
                   [](const ProbeRequest&, Time) { return ProbeOutcome::ok(); }, Time{0},
                   secs(c.latency));
    d.run_until(secs(35));
    std::vector<Time> want;
    for (double s : c.starts) want.push_back(secs(s));
    EXPECT_EQ(d.starts_of(0), want) << "latency " << c.latency;
  }
}

// A hung server costs connect_timeout per attempt: detection takes
// (retry+1) x connect_timeout + retry x delay_before_retry after the first probe.
TEST(HealthRetry, ConnectTimeoutOutcome) {
  HealthDriver d(one_service({server("10.1.0.11", 1, {tcp_check(10, 1, 1, 5)})}),
                 outage(kRs1, secs(100), secs(1000), ProbeOutcome::timeout()), Time{0}, Time{0});
  d.run_until(secs(200));
  const auto down = d.events_of(HealthEvent::Kind::kServerDown);
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].since, secs(101));
  EXPECT_EQ(down[0].time, secs(101 + 5 + 1 + 5));
  EXPECT_NE(down[0].reason.find("timeout"), std::string::npos) << down[0].reason;
}

// The bound: a crash is acted on within delay_loop + (retry+1) x
// connect_timeout + retry x delay_before_retry, whenever in the cycle it happens.
TEST(HealthRetry, DetectionBoundedFromCrash) {
  for (double crash : {100.0, 100.5, 105.0, 110.9}) {
    HealthDriver d(one_service({server("10.1.0.11", 1, {tcp_check(10, 2, 1, 3)})}),
                   outage(kRs1, secs(crash), secs(1000), ProbeOutcome::timeout()), Time{0},
                   Time{0});
    d.run_until(secs(300));
    const auto down = d.events_of(HealthEvent::Kind::kServerDown);
    ASSERT_EQ(down.size(), 1u);
    EXPECT_LE(down[0].time - secs(crash), secs(10 + 3 * 3 + 2 * 1)) << crash;
  }
}

// Without alpha a server starts in the pool and one failed first probe
// removes it (retries apply only once it has been seen up); with alpha it
// starts out and joins after its first passing probe.
TEST(HealthRetry, AlphaVersusNonAlphaStart) {
  struct Case {
    bool alpha;
    bool first_probe_passes;
    bool in_pool_at_start;
    bool alive_after_first_probe;
  };
  const Case cases[] = {{false, true, true, true},
                        {false, false, true, false},
                        {true, true, false, true},
                        {true, false, false, false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.alpha ? "alpha" : "no alpha") +
                 (c.first_probe_passes ? ", passes" : ", fails"));
    auto cfg = one_service({server("10.1.0.11", 1, {tcp_check(10, 3, 1)})});
    cfg.services[0].real_servers[0].alpha = c.alpha;
    const bool passes = c.first_probe_passes;
    HealthDriver d(std::move(cfg),
                   [passes](const ProbeRequest&, Time) {
                     return passes ? ProbeOutcome::ok() : ProbeOutcome::connect_failed();
                   },
                   Time{0}, Time{0});
    const bool added_at_start =
        !d.actions().empty() && d.actions()[0].second.kind == HealthAction::Kind::kAddDest;
    EXPECT_EQ(added_at_start, c.in_pool_at_start);
    EXPECT_EQ(d.hc().server_alive(0, 0), c.in_pool_at_start);
    d.run_until(secs(1));
    EXPECT_EQ(d.hc().server_alive(0, 0), c.alive_after_first_probe);
  }
}

// Recovery needs one passing TCP probe; the up event gives the re-add time.
TEST(HealthRetry, RecoveredServerReAdded) {
  HealthDriver d(one_service({server("10.1.0.11", 4, {tcp_check(10, 1, 1)})}),
                 outage(kRs1, secs(100), secs(150)), Time{0}, Time{0});
  d.run_until(secs(300));
  const auto up = d.events_of(HealthEvent::Kind::kServerUp);
  ASSERT_EQ(up.size(), 1u);
  // Down at 102; a down checker still retries each cycle: 112,113 / 123,124 /
  // 134,135 / 145,146 fail, 156 passes.
  EXPECT_EQ(up[0].time, secs(156));
  EXPECT_EQ(up[0].since, secs(156));
  const HealthAction& last = d.actions().back().second;
  EXPECT_EQ(last.kind, HealthAction::Kind::kAddDest);
  EXPECT_EQ(last.dest.weight, 4);
}

// The warmup spreads first probes over [0, warmup] after the bootstrap delay,
// deterministically for a given seed.
TEST(HealthRetry, WarmupSpreadsFirstProbes) {
  auto p = tcp_check();
  p.warmup = secs(10);
  auto cfg = one_service({server("10.1.0.11", 1, {p}), server("10.1.0.12", 1, {p})});
  HealthChecker a(cfg, Time{0}), b(cfg, Time{0});
  EXPECT_EQ(a.next_due(), b.next_due());
  EXPECT_GE(a.next_due(), kBootstrapDelay);
  EXPECT_LE(a.next_due(), kBootstrapDelay + secs(10));
}

}  // namespace
}  // namespace lvs::test
