// Server state and quorum: inhibit vs remove, several checkers per server,
// quorum with hysteresis at its exact thresholds, the sorry server.

#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "health_fixture.h"

namespace lvs::test {
namespace {

using AK = HealthAction::Kind;
using EK = HealthEvent::Kind;

// A world where the servers in `dead` refuse connections.
struct DeadSet {
  std::shared_ptr<std::set<Ip4>> dead = std::make_shared<std::set<Ip4>>();
  World world() const {
    auto d = dead;
    return [d](const ProbeRequest& q, Time) {
      return d->count(q.server_addr) ? ProbeOutcome::connect_failed() : ProbeOutcome::ok();
    };
  }
};

std::vector<AK> kinds_after(const HealthDriver& d, Time t) {
  std::vector<AK> out;
  for (const auto& [when, a] : d.actions())
    if (when > t) out.push_back(a.kind);
  return out;
}

// inhibit_on_failure keeps a failed server in IPVS at weight 0 and restores
// its weight on recovery; without it the server is removed and re-added.
TEST(HealthServer, InhibitVersusRemove) {
  struct Case {
    bool inhibit;
    AK on_failure;
    AK on_recovery;
  };
  for (const Case c : {Case{false, AK::kRemoveDest, AK::kAddDest},
                       Case{true, AK::kSetWeight, AK::kSetWeight}}) {
    SCOPED_TRACE(c.inhibit ? "inhibit" : "remove");
    auto cfg = one_service({server("10.1.0.11", 3), server("10.1.0.12", 3)});
    cfg.services[0].real_servers[0].inhibit_on_failure = c.inhibit;
    HealthDriver d(std::move(cfg), outage(*parse_ip4("10.1.0.11"), secs(50), secs(80)), Time{0},
                   Time{0});
    d.run_until(secs(200));
    std::vector<HealthAction> after_start;
    for (const auto& [t, a] : d.actions())
      if (t > Time{0}) after_start.push_back(a);
    ASSERT_EQ(after_start.size(), 2u);
    EXPECT_EQ(after_start[0].kind, c.on_failure);
    EXPECT_EQ(after_start[0].dest.weight, c.inhibit ? 0 : 3);
    EXPECT_EQ(after_start[1].kind, c.on_recovery);
    EXPECT_EQ(after_start[1].dest.weight, 3);
    EXPECT_EQ(after_start[1].dest.addr, *parse_ip4("10.1.0.11"));
  }
}

// A server is down as soon as any of its checkers is, and up only when all are.
TEST(HealthServer, MultipleCheckersAllMustPass) {
  auto web = tcp_check(10, 0, 1);
  auto ssh = tcp_check(10, 0, 1);
  ssh.connect_port = 22;
  auto cfg = one_service({server("10.1.0.11", 1, {web, ssh})});
  // Port 22 fails in [100, 200), port 8080 in [150, 250).
  HealthDriver d(std::move(cfg),
                 [](const ProbeRequest& q, Time t) {
                   const bool down = q.port == 22 ? (t >= secs(100) && t < secs(200))
                                                  : (t >= secs(150) && t < secs(250));
                   return down ? ProbeOutcome::connect_failed() : ProbeOutcome::ok();
                 },
                 Time{0}, Time{0});
  d.run_until(secs(400));
  const auto down = d.events_of(EK::kServerDown);
  const auto up = d.events_of(EK::kServerUp);
  ASSERT_EQ(down.size(), 1u);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(down[0].time, secs(101));  // the ssh checker's first failure
  EXPECT_EQ(up[0].time, secs(251));    // the web checker's first pass after 250
  EXPECT_TRUE(d.hc().checker_up(0));
  EXPECT_TRUE(d.hc().checker_up(1));
}

// Quorum 3, hysteresis 1, four servers of weight 1: quorum is gained at alive
// weight >= 4 and lost below 2, exactly (keepalived's update_quorum_state).
TEST(HealthQuorum, HysteresisThresholds) {
  struct Step {
    std::set<const char*> dead;
    std::int64_t alive_weight;
    bool quorum_up;
  };
  const std::vector<Step> steps = {
      {{}, 4, true},
      {{"10.1.0.11"}, 3, true},
      {{"10.1.0.11", "10.1.0.12"}, 2, true},  // 2 is not below 3-1
      {{"10.1.0.11", "10.1.0.12", "10.1.0.13"}, 1, false},
      {{"10.1.0.11", "10.1.0.12"}, 2, false},
      {{"10.1.0.11"}, 3, false},  // 3 is not 3+1
      {{}, 4, true},
  };
  DeadSet world;
  HealthDriver d(one_service({server("10.1.0.11"), server("10.1.0.12"), server("10.1.0.13"),
                              server("10.1.0.14")},
                             3, 1),
                 world.world(), Time{0}, Time{0});
  EXPECT_EQ(d.hc().effective_quorum(0), 3u);
  EXPECT_EQ(d.hc().effective_hysteresis(0), 1u);
  double t = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    world.dead->clear();
    for (const char* a : steps[i].dead) world.dead->insert(*parse_ip4(a));
    t += 30;  // three delay_loops: every checker has settled
    d.run_until(secs(t));
    EXPECT_EQ(d.hc().alive_weight(0), steps[i].alive_weight) << "step " << i;
    EXPECT_EQ(d.hc().quorum_up(0), steps[i].quorum_up) << "step " << i;
  }
  EXPECT_EQ(d.events_of(EK::kQuorumLost).size(), 1u);
  EXPECT_EQ(d.events_of(EK::kQuorumGained).size(), 2u);  // at start, and on recovery
}

// Losing quorum swaps the pool for the sorry server: the alive servers leave
// IPVS, the sorry server comes in; regaining quorum reverses it.
TEST(HealthQuorum, SorryServerInAndOut) {
  auto cfg = one_service({server("10.1.0.11"), server("10.1.0.12"), server("10.1.0.13")}, 2);
  RealServerConfig sorry;
  sorry.addr = *parse_ip4("10.1.0.99");
  sorry.port = 8080;
  sorry.fwd = ForwardMethod::kMasq;
  cfg.services[0].sorry_server = sorry;
  DeadSet world;
  HealthDriver d(std::move(cfg), world.world(), Time{0}, Time{0});

  world.dead->insert(*parse_ip4("10.1.0.11"));
  d.run_until(secs(30));
  EXPECT_TRUE(d.hc().quorum_up(0));
  world.dead->insert(*parse_ip4("10.1.0.12"));
  d.run_until(secs(60));
  EXPECT_FALSE(d.hc().quorum_up(0));
  EXPECT_TRUE(d.hc().sorry_server_active(0));
  // .12 goes out, then the survivor .13 is pulled and the sorry server added.
  EXPECT_EQ(kinds_after(d, secs(30)),
            (std::vector<AK>{AK::kRemoveDest, AK::kRemoveDest, AK::kAddSorryServer}));

  // A failure while the sorry server serves changes nothing in IPVS.
  world.dead->insert(*parse_ip4("10.1.0.13"));
  d.run_until(secs(90));
  EXPECT_FALSE(d.hc().server_alive(0, 2));
  EXPECT_TRUE(kinds_after(d, secs(60)).empty());

  world.dead->clear();
  d.run_until(secs(120));
  EXPECT_TRUE(d.hc().quorum_up(0));
  EXPECT_FALSE(d.hc().sorry_server_active(0));
  const auto gained = d.events_of(EK::kQuorumGained);
  ASSERT_EQ(gained.size(), 2u);
  // Quorum returns with the second server back: sorry out, both alive servers
  // in; the third is added on its own recovery.
  const auto ks = kinds_after(d, secs(90));
  EXPECT_EQ(ks, (std::vector<AK>{AK::kRemoveSorryServer, AK::kAddDest, AK::kAddDest,
                                 AK::kAddDest}));
  EXPECT_EQ(d.events_of(EK::kSorryServerIn).size(), 1u);
  EXPECT_EQ(d.events_of(EK::kSorryServerOut).size(), 1u);
}

// With alpha nothing is alive at start, so the sorry server serves until
// enough servers pass; sorry_server_inhibit parks it at weight 0 instead of
// removing it.
TEST(HealthQuorum, AlphaStartsWithSorryServerInhibited) {
  auto cfg = one_service({server("10.1.0.11"), server("10.1.0.12")}, 2);
  for (auto& r : cfg.services[0].real_servers) r.alpha = true;
  RealServerConfig sorry;
  sorry.addr = *parse_ip4("10.1.0.99");
  sorry.port = 8080;
  sorry.weight = 5;
  cfg.services[0].sorry_server = sorry;
  cfg.services[0].sorry_server_inhibit = true;
  HealthDriver d(std::move(cfg), [](const ProbeRequest&, Time) { return ProbeOutcome::ok(); },
                 Time{0}, Time{0});
  ASSERT_EQ(d.actions().size(), 1u);
  EXPECT_EQ(d.actions()[0].second.kind, AK::kAddSorryServer);
  EXPECT_EQ(d.actions()[0].second.dest.weight, 5);
  EXPECT_FALSE(d.hc().quorum_up(0));
  d.run_until(secs(5));
  EXPECT_TRUE(d.hc().quorum_up(0));
  // The servers come up behind the sorry server; with quorum it is parked at
  // weight 0 and both go in.
  const auto& acts = d.actions();
  ASSERT_EQ(acts.size(), 4u);
  EXPECT_EQ(acts[1].second.kind, AK::kSetWeight);
  EXPECT_TRUE(acts[1].second.sorry_server);
  EXPECT_EQ(acts[1].second.dest.weight, 0);
  EXPECT_EQ(acts[2].second.kind, AK::kAddDest);
  EXPECT_EQ(acts[3].second.kind, AK::kAddDest);
}

// keepalived caps quorum at the total weight and keeps hysteresis below quorum.
TEST(HealthQuorum, ValidationCapsQuorumAndHysteresis) {
  HealthChecker hc(one_service({server("10.1.0.11", 2), server("10.1.0.12", 3)}, 9, 7), Time{0});
  EXPECT_EQ(hc.effective_quorum(0), 5u);
  EXPECT_EQ(hc.effective_hysteresis(0), 4u);
}

}  // namespace
}  // namespace lvs::test
