// A service's and the totals' packet and byte counters are what its real
// servers counted (the packet path counts only the real server; the engine
// passes the counts on when they are read), as ip_vs_in_stats/ip_vs_out_stats
// count all three at once: also across a real server's deletion, the
// service's deletion, and the real server object being freed.
#include <gtest/gtest.h>

#include "engine_fixture.h"

namespace lvs::test {
namespace {

class StatsFold : public DirectorTest {
 protected:
  void SetUp() override {
    add_service(service("rr"));
    add_dest(tcp_service(), nat_dest(kRs1));
    add_dest(tcp_service(), nat_dest(kRs2));
  }

  // What IPVS would have counted so far for the service and the totals.
  struct Expect {
    std::uint64_t inpkts = 0, outpkts = 0, inbytes = 0, outbytes = 0;
  };

  void client(std::uint16_t cport, std::uint8_t flags, std::size_t payload, Time now, Expect& svc,
              Expect& total) {
    ASSERT_EQ(in(seg(Proto::kTcp, kClient, cport, kVip, 80, flags, payload), now).action,
              Action::kForward);
    for (Expect* e : {&svc, &total}) {
      ++e->inpkts;
      e->inbytes += 40 + payload;
    }
  }
  // A reply from `rs`; `counted` is false once `rs` has left its service.
  void server(const char* rs, std::uint16_t cport, std::uint8_t flags, std::size_t payload,
              Time now, Expect& svc, Expect& total, bool counted = true) {
    ASSERT_EQ(out(seg(Proto::kTcp, rs, 8080, kClient, cport, flags, payload), now).action,
              Action::kForward);
    if (!counted) return;
    for (Expect* e : {&svc, &total}) {
      ++e->outpkts;
      e->outbytes += 40 + payload;
    }
  }
  static void check(const StatsCounters& c, const Expect& e, const char* what) {
    EXPECT_EQ(c.inpkts, e.inpkts) << what;
    EXPECT_EQ(c.outpkts, e.outpkts) << what;
    EXPECT_EQ(c.inbytes, e.inbytes) << what;
    EXPECT_EQ(c.outbytes, e.outbytes) << what;
  }
  // The real server the connection from kClient:cport was scheduled to.
  const char* server_of(std::uint16_t cport) {
    const ConnId id = engine_.conns().find_in(Proto::kTcp, ip(kClient), cport, ip(kVip), 80);
    EXPECT_NE(id, kNoConn);
    return engine_.conns()[id].daddr == ip(kRs1) ? kRs1 : kRs2;
  }
  const StatsCounters& service_counters() {
    const VirtualService* svc = engine_.find_service(tcp_service());
    EXPECT_NE(svc, nullptr);
    return svc->stats.counters;
  }
};

TEST_F(StatsFold, ServiceAndTotalsFollowTheRealServers) {
  Expect svc, total;
  Time now = at(1);
  // rr: 40001 goes to one server, 40002 to the other; established, then
  // plain ACKs both ways (the established-flow shortcut's packets).
  for (std::uint16_t cport : {40001, 40002}) {
    client(cport, kSyn, 0, now, svc, total);
    server(server_of(cport), cport, kSynAck, 0, now, svc, total);
    client(cport, kAck, 0, now, svc, total);
  }
  const char* rs_a = server_of(40001);
  const char* rs_b = server_of(40002);
  ASSERT_NE(rs_a, rs_b);
  for (int i = 0; i < 5; ++i) {
    now += milliseconds(1);
    client(40001, kAck, 100, now, svc, total);
    server(rs_a, 40001, kAck, 1000, now, svc, total);
    client(40002, kAck, 200, now, svc, total);
    server(rs_b, 40002, kAck, 1400, now, svc, total);
  }
  check(service_counters(), svc, "established");
  check(engine_.total_stats(), total, "established");
  // Each server's own counters add up to the service's.
  const StatsCounters a = dest(kRs1).stats.counters, b = dest(kRs2).stats.counters;
  EXPECT_EQ(a.inpkts + b.inpkts, svc.inpkts);
  EXPECT_EQ(a.outbytes + b.outbytes, svc.outbytes);

  // The first server is deleted: its connection's replies still flow but,
  // as ip_vs_out_stats counts only an available real server, count nowhere
  // (neither for it, nor its service, nor the totals).
  const StatsCounters a_before = dest(rs_a).stats.counters;
  ASSERT_TRUE(engine_.del_dest(tcp_service(), ip(rs_a), 8080));
  now += milliseconds(1);
  server(rs_a, 40001, kAck, 500, now, svc, total, false);
  check(service_counters(), svc, "after del_dest");
  check(engine_.total_stats(), total, "after del_dest");
  EXPECT_EQ(engine_.dest_by_id(rs_a == kRs1 ? 0 : 1)->stats.counters.outpkts, a_before.outpkts);

  // The service goes, just after a packet nobody has read the counters
  // since: what it counted stays in the totals; its servers are unlinked
  // with it, so the remaining connections' replies count nowhere.
  now += milliseconds(1);
  server(rs_b, 40002, kAck, 700, now, svc, total);
  ASSERT_TRUE(engine_.del_service(tcp_service()));
  check(engine_.total_stats(), total, "after del_service");
  now += milliseconds(1);
  server(rs_b, 40002, kAck, 300, now, svc, total, false);
  server(rs_a, 40001, kAck, 300, now, svc, total, false);
  check(engine_.total_stats(), total, "replies after del_service");

  // Every connection expires (900 s) and both real server objects are freed
  // from the trash (120-180 s later), again unread since those packets: the
  // totals keep everything.
  engine_.advance(now + seconds(1050));
  EXPECT_EQ(engine_.trash_size(), 2u);
  engine_.advance(now + seconds(1200));
  EXPECT_EQ(engine_.trash_size(), 0u);
  EXPECT_EQ(engine_.conns().size(), 0u);
  EXPECT_EQ(engine_.dest_by_id(0), nullptr);
  EXPECT_EQ(engine_.dest_by_id(1), nullptr);
  check(engine_.total_stats(), total, "after the servers are freed");
}

// The rates ipvsadm --rate shows come from the folded counters at each
// estimation pass: a service's in-packet rate is the sum of its servers'.
TEST_F(StatsFold, EstimatorSeesFoldedCounters) {
  Expect svc, total;
  Time now = at(1);
  client(40001, kSyn, 0, now, svc, total);
  server(server_of(40001), 40001, kSynAck, 0, now, svc, total);
  client(40001, kAck, 0, now, svc, total);
  for (int s = 0; s < 20; ++s) {  // 40 s at 500 packets/s: the average settles
    for (int i = 0; i < 1000; ++i) {
      now += milliseconds(2);
      client(40001, kAck, 60, now, svc, total);
    }
    engine_.advance(now);
  }
  const IpvsListing l = engine_.listing(now);
  ASSERT_EQ(l.services.size(), 1u);
  std::uint64_t dest_inpps = 0;
  for (const auto& d : l.services[0].dests) dest_inpps += d.rates.inpps;
  EXPECT_GT(l.services[0].rates.inpps, 450u);
  EXPECT_EQ(l.services[0].rates.inpps, dest_inpps);
  EXPECT_EQ(l.services[0].stats.inpkts, l.services[0].dests[0].stats.inpkts +
                                            l.services[0].dests[1].stats.inpkts);
}

// A deleted real server waiting in the trash (a connection still holds it):
// its estimator is stopped, so its rates freeze instead of decaying, and
// ipvsadm -Z (ip_vs_zero_all walks the services' lists) leaves its counters;
// the server still in the service is zeroed and keeps being estimated.
TEST_F(StatsFold, TrashedServerKeepsItsStatsAndFrozenRates) {
  Expect svc, total;
  Time now = at(1);
  for (std::uint16_t cport : {40001, 40002}) {
    client(cport, kSyn, 0, now, svc, total);
    client(cport, kAck, 0, now, svc, total);
  }
  for (int s = 0; s < 5; ++s) {  // 10 s at 500 packets/s to each server
    for (int i = 0; i < 1000; ++i) {
      now += milliseconds(2);
      client(40001, kAck, 60, now, svc, total);
      client(40002, kAck, 60, now, svc, total);
    }
    engine_.advance(now);
  }
  const char* gone = server_of(40001);
  ASSERT_NE(gone, server_of(40002));
  const std::uint32_t gone_id = gone == kRs1 ? 0 : 1, kept_id = 1 - gone_id;
  ASSERT_TRUE(engine_.del_dest(tcp_service(), ip(gone), 8080));
  const RealServer& trashed = *engine_.dest_by_id(gone_id);
  ASSERT_FALSE(trashed.available());
  const Rates frozen = trashed.stats.rates();
  ASSERT_GT(frozen.inpps, 100u);
  engine_.advance(now += seconds(10));  // five passes with no traffic
  EXPECT_EQ(trashed.stats.rates().inpps, frozen.inpps);
  EXPECT_LT(engine_.dest_by_id(kept_id)->stats.rates().inpps, frozen.inpps / 2);
  const std::uint64_t trashed_in = trashed.stats.shown().inpkts;
  ASSERT_GT(trashed_in, 0u);
  engine_.zero_stats();
  EXPECT_EQ(trashed.stats.shown().inpkts, trashed_in);
  EXPECT_EQ(engine_.dest_by_id(kept_id)->stats.shown().inpkts, 0u);
}

// EngineConfig::estimator_period sets the passes' spacing: a real kernel's
// timer wheel makes it 2.016 s at HZ=250, and a steady load then reads high
// by that much, as on a real director.
TEST(EstimatorPeriod, FollowsTheConfiguredPeriod) {
  for (const bool hz250 : {false, true}) {
    EngineConfig cfg = director_config();
    if (hz250) cfg.estimator_period = estimator_period_for_hz(250);
    Engine e(cfg);
    const ServiceConfig s = service_config(tcp_service(), "rr");
    ASSERT_TRUE(e.add_service(s));
    ASSERT_TRUE(e.add_dest(s.key, nat_dest(kRs1)));
    Time now = at(1);
    Bytes b = make_packet(seg(Proto::kTcp, kClient, 40001, kVip, 80, kSyn));
    e.process(b.data(), b.size(), Side::kOutside, now);
    for (int i = 0; i < 100000; ++i) {  // 100 s at 1000 packets/s
      now += milliseconds(1);
      b = make_packet(seg(Proto::kTcp, kClient, 40001, kVip, 80, kAck));
      e.process(b.data(), b.size(), Side::kOutside, now);
    }
    const std::uint64_t inpps = e.find_dest(s.key, ip(kRs1), 8080)->stats.rates().inpps;
    if (hz250) {
      EXPECT_EQ(inpps, 1008u);  // 2016 packets per pass, counted as 2 s' worth
    } else {
      EXPECT_EQ(inpps, 1000u);
    }
  }
}

}  // namespace
}  // namespace lvs::test
