// HTTP_GET status matching and re-add; MISC_CHECK scripted outcomes and
// misc_dynamic weights; checker configs built from keepalived.conf.

#include <gtest/gtest.h>

#include "health_fixture.h"
#include "lvs/config/keepalived.h"

namespace lvs::test {
namespace {

using EK = HealthEvent::Kind;

// keepalived accepts 200-299 unless status_code lists others.
TEST(HealthHttp, StatusCodeMatching) {
  struct Case {
    std::vector<HttpStatusRange> codes;
    int status;
    bool passes;
  };
  const std::vector<Case> cases = {
      {{}, 200, true},          {{}, 204, true},          {{}, 299, true},
      {{}, 301, false},         {{}, 503, false},         {{{200, 200}, {301, 302}}, 302, true},
      {{{200, 200}}, 204, false}, {{{500, 599}}, 503, true},
  };
  for (const Case& c : cases) {
    HttpUrl u;
    u.status_codes = c.codes;
    EXPECT_EQ(u.matches(c.status), c.passes) << c.status;
  }
}

CheckerParams http_check(double delay_loop = 10) {
  CheckerParams p;
  p.kind = CheckKind::kHttpGet;
  p.delay_loop = secs(delay_loop);
  p.urls = {HttpUrl{"/health", {}}};
  return p;  // retry and delay_before_retry: keepalived's HTTP_GET defaults (1, 3 s)
}

// A bad status fails like a refused connection, retried after HTTP_GET's 3 s
// delay_before_retry; a down HTTP checker re-probes the failed URL every
// delay_loop and needs it to pass twice before the server is re-added.
TEST(HealthHttp, BadStatusDownAndTwoPassesToReAdd) {
  HealthDriver d(one_service({server("10.1.0.11", 1, {http_check()})}),
                 [](const ProbeRequest& q, Time t) {
                   EXPECT_EQ(q.path, "/health");
                   const bool broken = t >= secs(100) && t < secs(130);
                   return ProbeOutcome::http_status(broken ? 503 : 200);
                 },
                 Time{0}, Time{0});
  d.run_until(secs(200));
  const auto down = d.events_of(EK::kServerDown);
  const auto up = d.events_of(EK::kServerUp);
  ASSERT_EQ(down.size(), 1u);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(down[0].since, secs(101));
  EXPECT_EQ(down[0].time, secs(104));
  EXPECT_NE(down[0].reason.find("HTTP status 503"), std::string::npos) << down[0].reason;
  // Down: 114, 124 fail; 134 passes, 144 passes again.
  EXPECT_EQ(up[0].since, secs(134));
  EXPECT_EQ(up[0].time, secs(144));
}

// A connection failure or timeout fails an HTTP_GET probe as well.
TEST(HealthHttp, ConnectFailureCounts) {
  HealthDriver d(one_service({server("10.1.0.11", 1, {http_check()})}),
                 outage(*parse_ip4("10.1.0.11"), secs(100), secs(1000)), Time{0}, Time{0});
  d.run_until(secs(200));
  ASSERT_EQ(d.events_of(EK::kServerDown).size(), 1u);
  EXPECT_EQ(d.events_of(EK::kServerDown)[0].time, secs(104));
}

// The scripted schedule answers with the last step at or before `now`.
TEST(HealthMisc, ScheduleLookup) {
  const MiscSchedule s({{secs(150), 0}, {secs(100), 1}}, 0);
  const std::vector<std::pair<double, int>> cases = {
      {0, 0}, {99.9, 0}, {100, 1}, {149.9, 1}, {150, 0}, {1e6, 0}};
  for (const auto& [t, code] : cases) EXPECT_EQ(s.exit_code(secs(t)), code) << t;
}

CheckerParams misc_check(double delay_loop = 10) {
  CheckerParams p;
  p.kind = CheckKind::kMisc;
  p.delay_loop = secs(delay_loop);
  return p;
}

// MISC_CHECK has no retries by default: the first failing run takes the
// server down, the first passing run brings it back; runs are timed from
// the start of the previous one.
TEST(HealthMisc, ScriptedOutcomes) {
  const MiscSchedule script({{secs(100), 1}, {secs(150), 0}});
  HealthDriver d(one_service({server("10.1.0.11", 1, {misc_check()})}),
                 [&script](const ProbeRequest&, Time t) { return script.outcome(t); }, Time{0},
                 secs(0.5));
  d.run_until(secs(200));
  const auto starts = d.starts_of(0);
  ASSERT_GE(starts.size(), 3u);
  EXPECT_EQ(starts[1] - starts[0], secs(10));
  const auto down = d.events_of(EK::kServerDown);
  const auto up = d.events_of(EK::kServerUp);
  ASSERT_EQ(down.size(), 1u);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(down[0].since, secs(101));
  EXPECT_EQ(down[0].time, secs(101.5));
  EXPECT_EQ(up[0].time, secs(151.5));
}

// misc_dynamic: exit 2..255 passes and sets the weight to exit-2; exit 0
// restores the configured weight.
TEST(HealthMisc, DynamicWeight) {
  auto p = misc_check();
  p.misc_dynamic = true;
  const MiscSchedule script({{secs(50), 7}, {secs(100), 0}});
  HealthDriver d(one_service({server("10.1.0.11", 3, {p})}),
                 [&script](const ProbeRequest&, Time t) { return script.outcome(t); }, Time{0},
                 Time{0});
  d.run_until(secs(75));
  EXPECT_EQ(d.hc().alive_weight(0), 5);
  ASSERT_FALSE(d.actions().empty());
  EXPECT_EQ(d.actions().back().second.kind, HealthAction::Kind::kSetWeight);
  EXPECT_EQ(d.actions().back().second.dest.weight, 5);
  d.run_until(secs(150));
  EXPECT_EQ(d.hc().alive_weight(0), 3);
  EXPECT_EQ(d.actions().back().second.dest.weight, 3);
  EXPECT_TRUE(d.events_of(EK::kServerDown).empty());
  EXPECT_EQ(d.events_of(EK::kWeightChanged).size(), 2u);
}

// Built from keepalived.conf, checkers take keepalived's per-kind defaults
// for whatever the file leaves unset.
TEST(HealthBuild, FromKeepalivedConf) {
  const char* text = R"(
virtual_server 192.0.2.10 80 {
  delay_loop 6
  lb_algo rr
  lb_kind NAT
  protocol TCP
  quorum 2
  hysteresis 1
  alpha
  sorry_server 10.1.0.99 8080
  real_server 10.1.0.11 8080 {
    weight 2
    inhibit_on_failure
    HTTP_GET {
      url {
        path /health
        status_code 200
      }
      connect_timeout 3
    }
  }
  real_server 10.1.0.12 8080 {
    MISC_CHECK {
      misc_path "/bin/true"
    }
  }
  real_server 10.1.0.13 8080 {
    TCP_CHECK {
      retry 4
      delay_before_retry 2
      warmup 0
    }
  }
}
)";
  const config::ClusterConfig cc = config::parse_keepalived(text, "test.conf");
  std::vector<std::string> skipped;
  const HealthConfig hc = health_config_from(cc, &skipped);
  EXPECT_TRUE(skipped.empty());
  ASSERT_EQ(hc.services.size(), 1u);
  const VirtualServiceHealthConfig& vs = hc.services[0];
  ASSERT_EQ(vs.keys.size(), 1u);
  EXPECT_EQ(vs.keys[0].port, 80);
  EXPECT_EQ(vs.quorum, 2u);
  EXPECT_EQ(vs.hysteresis, 1u);
  ASSERT_TRUE(vs.sorry_server.has_value());
  ASSERT_EQ(vs.real_servers.size(), 3u);

  const RealServerHealthConfig& web = vs.real_servers[0];
  EXPECT_TRUE(web.inhibit_on_failure);
  EXPECT_TRUE(web.alpha);
  EXPECT_EQ(web.dest.weight, 2);
  ASSERT_EQ(web.checkers.size(), 1u);
  EXPECT_EQ(web.checkers[0].kind, CheckKind::kHttpGet);
  EXPECT_EQ(web.checkers[0].connect_timeout, secs(3));
  EXPECT_EQ(web.checkers[0].delay_loop, secs(6));
  EXPECT_FALSE(web.checkers[0].retry.has_value());
  EXPECT_FALSE(web.checkers[0].delay_before_retry.has_value());
  EXPECT_EQ(web.checkers[0].warmup, secs(6));  // unset: delay_loop
  ASSERT_EQ(web.checkers[0].urls.size(), 1u);
  EXPECT_EQ(web.checkers[0].urls[0].path, "/health");
  EXPECT_FALSE(web.checkers[0].urls[0].matches(204));

  const RealServerHealthConfig& misc = vs.real_servers[1];
  ASSERT_EQ(misc.checkers.size(), 1u);
  EXPECT_EQ(misc.checkers[0].kind, CheckKind::kMisc);
  EXPECT_FALSE(misc.checkers[0].retry.has_value());

  const CheckerParams& tcp = vs.real_servers[2].checkers.at(0);
  EXPECT_EQ(tcp.retry, 4u);
  EXPECT_EQ(tcp.delay_before_retry, secs(2));
  EXPECT_EQ(tcp.warmup, Duration{0});

  EXPECT_EQ(default_retry(CheckKind::kHttpGet), 1u);
  EXPECT_EQ(default_retry(CheckKind::kMisc), 0u);
  EXPECT_EQ(default_delay_before_retry(CheckKind::kHttpGet), secs(3));
  EXPECT_EQ(default_delay_before_retry(CheckKind::kTcp), secs(1));
}

}  // namespace
}  // namespace lvs::test
