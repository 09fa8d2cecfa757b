// The real-server trash, as Linux 6.1's ip_vs_ctl.c keeps it: a deleted real
// server (or one whose service was deleted) waits in the trash with its
// connections and counters. `ipvsadm -a` of the same address and port to a
// service with the same key takes it back (ip_vs_trash_get_dest); the trash
// timer, armed for half of IP_VS_DEST_TRASH_PERIOD (120 s) when a server
// enters an empty trash and every 60 s after while it holds any, marks a
// server with no connection idle and frees it at the first run a full period
// later (ip_vs_dest_trash_expire): 120-180 s after its last connection went.

#include <gtest/gtest.h>

#include "engine_fixture.h"

namespace lvs::test {
namespace {

class DestTrash : public DirectorTest {
 protected:
  DestTrash() {
    add_service(service("rr"));
    add_dest(tcp_service(), nat_dest(kRs1));
  }
  // A connection from `port`, scheduled and established.
  void open(std::uint16_t port, Time now) {
    ASSERT_EQ(in(seg(Proto::kTcp, kClient, port, kVip, 80, kSyn), now).action, Action::kForward);
    ASSERT_EQ(in(seg(Proto::kTcp, kClient, port, kVip, 80, kAck), now).action, Action::kForward);
  }
  // What ipvsadm --stats shows: the counters as of the last estimator pass.
  std::uint64_t conns_counter() { return dest(kRs1).stats.shown().conns; }
};

TEST_F(DestTrash, UnreferencedServerIsFreedAtTheSecondRunAfterIdle) {
  open(40000, at(1));
  ASSERT_EQ(in(seg(Proto::kTcp, kClient, 40000, kVip, 80, kRst), at(1)).action, Action::kForward);  // CLOSE: 10 s
  const std::uint32_t id = dest(kRs1).id;
  ASSERT_TRUE(engine_.del_dest(tcp_service(), ip(kRs1), 8080));  // at 1 s: timer for 61 s
  EXPECT_EQ(engine_.trash_size(), 1u);
  // The connection expires at 11 s; the run at 61 s marks the server idle,
  // the run at 121 s finds it idle for 60 s only, the run at 181 s frees it.
  engine_.advance(at(180.9));
  EXPECT_EQ(engine_.trash_size(), 1u);
  EXPECT_NE(engine_.dest_by_id(id), nullptr);
  engine_.advance(at(181));
  EXPECT_EQ(engine_.trash_size(), 0u);
  EXPECT_EQ(engine_.dest_by_id(id), nullptr);
}

TEST_F(DestTrash, ReAddWithinTheRetentionGetsTheCountersBack) {
  open(40000, at(1));
  ASSERT_EQ(in(seg(Proto::kTcp, kClient, 40000, kVip, 80, kRst), at(1)).action, Action::kForward);
  engine_.advance(at(3));
  ASSERT_EQ(conns_counter(), 1u);
  ASSERT_TRUE(engine_.del_dest(tcp_service(), ip(kRs1), 8080));
  engine_.advance(at(180));
  add_dest(tcp_service(), nat_dest(kRs1));
  EXPECT_EQ(engine_.trash_size(), 0u);
  EXPECT_EQ(conns_counter(), 1u);

  // Once freed, a re-add is a new server.
  ASSERT_TRUE(engine_.del_dest(tcp_service(), ip(kRs1), 8080));  // at 180 s: timer for 240 s
  engine_.advance(at(359.9));  // idle from the run at 240 s, freed at 360 s
  EXPECT_EQ(engine_.trash_size(), 1u);
  engine_.advance(at(360));
  EXPECT_EQ(engine_.trash_size(), 0u);
  add_dest(tcp_service(), nat_dest(kRs1));
  EXPECT_EQ(conns_counter(), 0u);
}

TEST_F(DestTrash, IdleCountsFromTheFirstRunWithoutConnections) {
  open(40000, at(1));  // ESTABLISHED: 900 s
  ASSERT_TRUE(engine_.del_dest(tcp_service(), ip(kRs1), 8080));
  // Runs at 61, 121, ..., 901 (the connection expired at 901 s, before that
  // run), 961, 1021: freed there.
  engine_.advance(at(1020.9));
  EXPECT_EQ(engine_.trash_size(), 1u);
  engine_.advance(at(1021));
  EXPECT_EQ(engine_.trash_size(), 0u);
}

TEST_F(DestTrash, RecreatedServiceTakesTheServerBackWithItsConnections) {
  open(40000, at(1));
  engine_.advance(at(3));  // an estimator pass
  const std::uint64_t total_before = engine_.total_stats().conns;
  ASSERT_EQ(total_before, 1u);
  ASSERT_EQ(conns_counter(), 1u);
  ASSERT_TRUE(engine_.del_service(tcp_service()));
  EXPECT_EQ(engine_.trash_size(), 1u);
  add_service(service("rr"));
  add_dest(tcp_service(), nat_dest(kRs1));
  EXPECT_EQ(engine_.trash_size(), 0u);
  // __ip_vs_update_dest with old_svc != svc: the connection still counts,
  // the counters start again from zero.
  EXPECT_EQ(dest(kRs1).active_conns, 1);
  EXPECT_EQ(conns_counter(), 0u);
  EXPECT_EQ(dest(kRs1).stats.shown().inpkts, 0u);
  // Its connection flows on and counts for the new service.
  EXPECT_EQ(in(seg(Proto::kTcp, kClient, 40000, kVip, 80, kAck), at(4)).action, Action::kForward);
  engine_.advance(at(5));
  EXPECT_EQ(dest(kRs1).stats.shown().inpkts, 1u);
  EXPECT_EQ(engine_.find_service(tcp_service())->stats.shown().inpkts, 1u);
  EXPECT_EQ(engine_.total_stats().conns, total_before);
}

TEST_F(DestTrash, MatchedByServiceKeyAddressAndPort) {
  open(40000, at(1));
  ASSERT_TRUE(engine_.del_dest(tcp_service(), ip(kRs1), 8080));
  // Another service, same real server: not the trashed one.
  const ServiceKey other = tcp_service(kVip, 443);
  add_service(service_config(other, "rr"));
  ASSERT_TRUE(engine_.add_dest(other, nat_dest(kRs1)));
  EXPECT_EQ(engine_.find_dest(other, ip(kRs1), 8080)->active_conns, 0);
  // Same service, another port: not it either.
  add_dest(tcp_service(), nat_dest(kRs1, 8081));
  EXPECT_EQ(dest(kRs1, 8081).active_conns, 0);
  EXPECT_EQ(engine_.trash_size(), 1u);
  add_dest(tcp_service(), nat_dest(kRs1));
  EXPECT_EQ(dest(kRs1).active_conns, 1);
}

TEST_F(DestTrash, ArmedBeforeTheClockStartsRunsFromItsStart) {
  ASSERT_TRUE(engine_.del_dest(tcp_service(), ip(kRs1), 8080));
  // A capture's clock: Unix time. Runs at +60 s (idle) and +180 s (freed).
  const Time start = seconds(1700000000);
  engine_.advance(start);
  engine_.advance(start + seconds(179));
  EXPECT_EQ(engine_.trash_size(), 1u);
  engine_.advance(start + seconds(180));
  EXPECT_EQ(engine_.trash_size(), 0u);
}

TEST_F(DestTrash, AFirstPacketAtTimeZeroStartsTheClock) {
  ASSERT_TRUE(engine_.del_dest(tcp_service(), ip(kRs1), 8080));
  in(seg(Proto::kTcp, kClient, 40000, kVip, 80, kAck), at(0));
  engine_.advance(at(179.9));  // runs at 60 s (idle) and 120 s
  EXPECT_EQ(engine_.trash_size(), 1u);
  engine_.advance(at(180));
  EXPECT_EQ(engine_.trash_size(), 0u);
}

TEST_F(DestTrash, ALongJumpRunsEveryTimerInOrder) {
  engine_.advance(at(1));
  ASSERT_TRUE(engine_.del_dest(tcp_service(), ip(kRs1), 8080));
  engine_.advance(at(5000));  // one call: idle at 61 s, freed at 181 s
  EXPECT_EQ(engine_.trash_size(), 0u);
  ASSERT_TRUE(engine_.add_dest(tcp_service(), nat_dest(kRs1)));
  ASSERT_TRUE(engine_.del_dest(tcp_service(), ip(kRs1), 8080));  // the timer re-armed from 5000 s
  engine_.advance(at(5179));
  EXPECT_EQ(engine_.trash_size(), 1u);
  engine_.advance(at(5180));
  EXPECT_EQ(engine_.trash_size(), 0u);
}

// lblc's entries and lblcr's sets hold their servers (ip_vs_dest_hold): a
// deleted server they still name stays in the trash, and comes back with
// its counters, until they let it go.
class DestTrashScheduler : public DirectorTest, public ::testing::WithParamInterface<const char*> {
 protected:
  void SetUp() override {
    add_service(service(GetParam()));
    add_dest(tcp_service(), nat_dest(kRs1));
    // The entry for the VIP names RS1; the connection closes at once (CLOSE: 10 s).
    ASSERT_EQ(in(seg(Proto::kTcp, kClient, 40000, kVip, 80, kSyn), at(1)).next_hop, ip(kRs1));
    ASSERT_EQ(in(seg(Proto::kTcp, kClient, 40000, kVip, 80, kRst), at(1)).action, Action::kForward);
    ASSERT_TRUE(engine_.del_dest(tcp_service(), ip(kRs1), 8080));
  }
};

TEST_P(DestTrashScheduler, HeldServerStaysInTheTrash) {
  engine_.advance(at(400));  // freed at 181 s if nothing held it
  EXPECT_EQ(engine_.trash_size(), 1u);
  add_dest(tcp_service(), nat_dest(kRs1));
  EXPECT_EQ(dest(kRs1).stats.counters.conns, 1u);  // the same server, not a new one
}

INSTANTIATE_TEST_SUITE_P(Locality, DestTrashScheduler, ::testing::Values("lblc", "lblcr"));

TEST_F(DestTrash, LblcEntryLetsItsServerGoWhenItExpires) {
  ASSERT_TRUE(engine_.edit_service(service("lblc")));
  add_dest(tcp_service(), nat_dest(kRs2));
  ASSERT_EQ(in(seg(Proto::kTcp, kClient, 40000, kVip, 80, kSyn), at(1)).next_hop, ip(kRs2));
  ASSERT_EQ(in(seg(Proto::kTcp, kClient, 40000, kVip, 80, kRst), at(1)).action, Action::kForward);
  ASSERT_TRUE(engine_.del_dest(tcp_service(), ip(kRs2), 8080));
  // lblc was bound before the clock started at 1 s: its full check runs
  // every 30 min from there and drops an entry unused for 24 h
  // (lblc_expiration) at 86401 s. The trash run at that time finds RS2 free
  // and marks it idle; the one 120 s later frees it.
  engine_.advance(at(86520.9));
  EXPECT_EQ(engine_.trash_size(), 1u);
  engine_.advance(at(86521));
  EXPECT_EQ(engine_.trash_size(), 0u);
}

}  // namespace
}  // namespace lvs::test
