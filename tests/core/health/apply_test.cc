// The applier against a real lvs::Engine: health decisions reach scheduling.

#include <gtest/gtest.h>

#include <set>

#include "engine/engine_fixture.h"
#include "health_fixture.h"

namespace lvs::test {
namespace {

class HealthApply : public DirectorTest {
 protected:
  void SetUp() override { add_service(service("rr")); }

  HealthConfig config(bool inhibit) {
    VirtualServiceHealthConfig vs;
    vs.keys = {tcp_service()};
    for (const char* a : {kRs1, kRs2}) {
      RealServerHealthConfig r;
      r.dest = nat_dest(a, 8080, 2);
      r.inhibit_on_failure = inhibit;
      r.checkers = {tcp_check(10, 0, 1)};
      vs.real_servers.push_back(r);
    }
    HealthConfig cfg;
    cfg.services.push_back(vs);
    return cfg;
  }

  void apply_all(HealthChecker& hc) {
    for (const HealthAction& a : hc.take_actions()) ASSERT_TRUE(apply(engine_, a)) << a.dest.addr;
  }

  // Where `n` new connections from distinct client ports are scheduled.
  std::set<Ip4> schedule(int n, std::uint16_t first_port, Time now) {
    std::set<Ip4> out;
    for (int i = 0; i < n; ++i) {
      const Verdict v =
          in(seg(Proto::kTcp, kClient, static_cast<std::uint16_t>(first_port + i), kVip, 80), now);
      if (v.action == Action::kForward) out.insert(v.next_hop);
    }
    return out;
  }

  // Fails kRs1's only checker at t=1.
  void fail_rs1(HealthChecker& hc) {
    for (const ProbeRequest& q : hc.on_timer(secs(1))) {
      hc.on_probe_result(q.id,
                         q.server_addr == ip(kRs1) ? ProbeOutcome::connect_failed()
                                                   : ProbeOutcome::ok(),
                         secs(1));
    }
    apply_all(hc);
  }
};

// After RemoveDest the engine schedules no new connection to the server.
TEST_F(HealthApply, RemovedServerGetsNoNewConnections) {
  HealthChecker hc(config(false), Time{0});
  apply_all(hc);
  EXPECT_EQ(schedule(4, 40000, secs(0.5)), (std::set<Ip4>{ip(kRs1), ip(kRs2)}));
  fail_rs1(hc);
  EXPECT_EQ(engine_.find_dest(tcp_service(), ip(kRs1), 8080), nullptr);
  EXPECT_EQ(schedule(10, 41000, secs(2)), (std::set<Ip4>{ip(kRs2)}));
}

// After inhibit the server stays listed at weight 0 and is quiesced.
TEST_F(HealthApply, InhibitedServerWeightZero) {
  HealthChecker hc(config(true), Time{0});
  apply_all(hc);
  fail_rs1(hc);
  const RealServer* rs1 = engine_.find_dest(tcp_service(), ip(kRs1), 8080);
  ASSERT_NE(rs1, nullptr);
  EXPECT_EQ(rs1->weight(), 0);
  EXPECT_EQ(schedule(10, 42000, secs(2)), (std::set<Ip4>{ip(kRs2)}));
  // Recovery restores the configured weight.
  for (const ProbeRequest& q : hc.on_timer(secs(20))) hc.on_probe_result(q.id, ProbeOutcome::ok(), secs(20));
  apply_all(hc);
  EXPECT_EQ(engine_.find_dest(tcp_service(), ip(kRs1), 8080)->weight(), 2);
}

}  // namespace
}  // namespace lvs::test
