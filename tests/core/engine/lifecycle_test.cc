#include <gtest/gtest.h>

#include <string>

#include "engine_fixture.h"

namespace lvs::test {
namespace {

class Lifecycle : public DirectorTest {
 protected:
  explicit Lifecycle(EngineConfig cfg = director_config()) : DirectorTest(std::move(cfg)) {}
  void SetUp() override {
    add_service(service("rr"));
    add_dest(tcp_service(), nat_dest(kRs1));
  }
  // Brings a connection from client port `port` to `state` at `now`.
  void open(std::uint16_t port, TcpState state, Time now) {
    const Verdict syn = in(seg(Proto::kTcp, kClient, port, kVip, 80, kSyn), now);
    ASSERT_EQ(syn.action, Action::kForward);
    const std::string server = format_ip4(syn.next_hop);
    if (state == TcpState::kSynRecv) return;
    ASSERT_EQ(out(seg(Proto::kTcp, server, 8080, kClient, port, kSynAck), now).action,
              Action::kForward);
    in(seg(Proto::kTcp, kClient, port, kVip, 80, kAck), now);
    if (state == TcpState::kEstablished) return;
    ASSERT_EQ(out(seg(Proto::kTcp, server, 8080, kClient, port, kFinAck), now).action,
              Action::kForward);
    if (state == TcpState::kFinWait) return;
    in(seg(Proto::kTcp, kClient, port, kVip, 80, kFinAck), now);
    ASSERT_EQ(static_cast<TcpState>(engine_.conns()[syn.conn].state), state);
  }
};

// Each state's timeout, driven only by the `now` the caller passes: alive 1 ms
// before it, gone 2 ms after (the table fires at most one 1 ms tick late).
TEST_F(Lifecycle, StateTimeoutsExpireConnections) {
  struct Case {
    TcpState state;
    double timeout;
  };
  const std::vector<Case> cases = {{TcpState::kSynRecv, 60},
                                   {TcpState::kEstablished, 900},
                                   {TcpState::kFinWait, 120},
                                   {TcpState::kTimeWait, 120}};
  double t0 = 10;
  std::uint16_t port = 41000;
  for (const Case& c : cases) {
    open(port, c.state, at(t0));
    ASSERT_EQ(engine_.conns().size(), 1u) << tcp_state_name(c.state);
    engine_.advance(at(t0 + c.timeout - 0.001));
    EXPECT_EQ(engine_.conns().size(), 1u) << tcp_state_name(c.state);
    engine_.advance(at(t0 + c.timeout + 0.002));
    EXPECT_EQ(engine_.conns().size(), 0u) << tcp_state_name(c.state);
    EXPECT_EQ(dest(kRs1).active_conns + dest(kRs1).inactive_conns, 0);
    t0 += c.timeout + 10;
    ++port;
  }
}

// ipvsadm --set changes the ESTABLISHED, FIN_WAIT and UDP timeouts used from then on.
TEST_F(Lifecycle, SetTimeoutsLikeIpvsadm) {
  Timeouts t;
  t.set(seconds(30), seconds(5), seconds(0));
  engine_.set_timeouts(t);
  open(41000, TcpState::kEstablished, at(1));
  engine_.advance(at(30.9));
  EXPECT_EQ(engine_.conns().size(), 1u);
  engine_.advance(at(31.01));
  EXPECT_EQ(engine_.conns().size(), 0u);
  EXPECT_EQ(engine_.config().timeouts.udp, seconds(300));
}

// A full table refuses new connections, counts them, and keeps existing flows going.
class TableFull : public Lifecycle {
 protected:
  TableFull() : Lifecycle(director_config(/*max_conns=*/4)) {}
};
TEST_F(TableFull, NewDroppedExistingFlow) {
  for (std::uint16_t p = 0; p < 4; ++p) open(42000 + p, TcpState::kEstablished, at(1));
  ASSERT_EQ(engine_.conns().size(), 4u);
  const Verdict refused = in(seg(Proto::kTcp, kClient, 42100, kVip, 80, kSyn), at(2));
  EXPECT_EQ(refused.action, Action::kDrop);
  EXPECT_EQ(refused.reason, DropReason::kTableFull);
  EXPECT_EQ(engine_.drops(DropReason::kTableFull), 1u);
  for (std::uint16_t p = 0; p < 4; ++p) {
    EXPECT_EQ(in(seg(Proto::kTcp, kClient, 42000 + p, kVip, 80, kAck, 100), at(3)).action,
              Action::kForward);
    EXPECT_EQ(out(seg(Proto::kTcp, kRs1, 8080, kClient, 42000 + p, kAck, 100), at(3)).action,
              Action::kForward);
  }
  EXPECT_EQ(dest(kRs1).active_conns, 4);
  EXPECT_EQ(engine_.conns().size(), 4u);
}

// Weight 0 quiesces: the existing connection continues, new ones go elsewhere.
TEST_F(Lifecycle, QuiescedServerKeepsItsConnections) {
  add_dest(tcp_service(), nat_dest(kRs2));
  in(seg(Proto::kTcp, kClient, 43000, kVip, 80, kSyn), at(1));  // rr: RS2 (list head)
  RealServerConfig q = nat_dest(kRs2);
  q.weight = 0;
  ASSERT_TRUE(engine_.edit_dest(tcp_service(), q));
  EXPECT_EQ(in(seg(Proto::kTcp, kClient, 43000, kVip, 80, kAck), at(2)).next_hop, ip(kRs2));
  for (std::uint16_t p = 1; p < 4; ++p)
    EXPECT_EQ(in(seg(Proto::kTcp, kClient, 43000 + p, kVip, 80, kSyn), at(2)).next_hop, ip(kRs1));
}

// Deleting a real server: its packets are dropped (expire_nodest_conn=0) or its
// connections expire and the next SYN is scheduled afresh (=1).
TEST(DeletedServer, ExpireNodestConnSetting) {
  for (bool expire : {false, true}) {
    EngineConfig cfg = director_config();
    cfg.expire_nodest_conn = expire;
    Engine e(cfg);
    const ServiceConfig s = service_config(tcp_service(), "rr");
    ASSERT_TRUE(e.add_service(s));
    ASSERT_TRUE(e.add_dest(s.key, nat_dest(kRs1)));
    ASSERT_TRUE(e.add_dest(s.key, nat_dest(kRs2)));
    Bytes b = make_packet(seg(Proto::kTcp, kClient, 44000, kVip, 80, kSyn));
    ASSERT_EQ(e.process(b.data(), b.size(), Side::kOutside, at(1)).next_hop, ip(kRs2));
    ControlResult r = e.del_dest(s.key, ip(kRs2), 8080);
    ASSERT_TRUE(r);
    EXPECT_EQ(r.change.conns_affected, 1u);
    b = make_packet(seg(Proto::kTcp, kClient, 44000, kVip, 80, kAck));
    const Verdict v = e.process(b.data(), b.size(), Side::kOutside, at(2));
    if (!expire) {
      EXPECT_EQ(v.action, Action::kDrop);
      EXPECT_EQ(v.reason, DropReason::kDestUnavailable);
      EXPECT_EQ(e.conns().size(), 1u);
    } else {
      // Expired at the next tick; the stray ACK is no connection start.
      EXPECT_EQ(v.action, Action::kLocal);
      EXPECT_EQ(e.conns().size(), 0u);
    }
    // Re-adding the server brings its surviving connection back (the kernel's trash).
    ASSERT_TRUE(e.add_dest(s.key, nat_dest(kRs2)));
    EXPECT_EQ(e.find_dest(s.key, ip(kRs2), 8080)->active_conns, expire ? 0 : 1);  // SYN_RECV
  }
}

// A connection keeps its real server's id in 16 bits (ConnDest), so the
// engine holds at most kMaxConnDests (65,535) real servers at a time and
// refuses one more, as the kernel refuses an allocation it cannot make
// (ENOMEM); the ones it has keep working.
TEST(RealServerLimit, OneMoreThanTheIdsHoldIsRefused) {
  Engine e(director_config());
  std::uint32_t added = 0;
  for (std::uint16_t s = 0; added < kMaxConnDests; ++s) {
    const ServiceKey k = tcp_service(kVip, static_cast<std::uint16_t>(1000 + s));
    ASSERT_TRUE(e.add_service(service_config(k, "rr")));
    for (int i = 0; i < 256 && added < kMaxConnDests; ++i, ++added)
      ASSERT_TRUE(e.add_dest(k, nat_dest(("10.1.0." + std::to_string(i)).c_str())));
  }
  const ServiceKey k = tcp_service(kVip, 80);
  ASSERT_TRUE(e.add_service(service_config(k, "rr")));
  const ControlResult r = e.add_dest(k, nat_dest(kRs1));
  EXPECT_FALSE(r);
  EXPECT_EQ(r.error, ControlError::kNoMemory);
  // The last service (port 1255) has the last ids; rr starts at its list
  // head, the server added last, which has the highest id.
  Bytes b = make_packet(seg(Proto::kTcp, kClient, 40000, kVip, 1255, kSyn));
  const Verdict v = e.process(b.data(), b.size(), Side::kOutside, at(1));
  ASSERT_EQ(v.action, Action::kForward);
  EXPECT_EQ(e.conns()[v.conn].dest, kMaxConnDests - 1);
}

// conn_reuse_mode: a SYN on a TIME_WAIT connection is scheduled as a new connection.
TEST_F(Lifecycle, SynReusesTimeWaitConnection) {
  add_dest(tcp_service(), nat_dest(kRs2));
  open(45000, TcpState::kTimeWait, at(1));  // rr picked RS2
  ASSERT_EQ(dest(kRs2).stats.counters.conns, 1u);
  const Verdict v = in(seg(Proto::kTcp, kClient, 45000, kVip, 80, kSyn), at(2));
  EXPECT_EQ(v.next_hop, ip(kRs1));
  EXPECT_EQ(engine_.conns().size(), 1u);
  EXPECT_EQ(dest(kRs2).inactive_conns, 0);
}

// Direct routing: forwarded unchanged to the real server, state from the input-only table.
TEST(DirectRouting, ForwardsUnchanged) {
  Engine e(director_config());
  const ServiceConfig s = service_config(tcp_service(), "wlc");
  ASSERT_TRUE(e.add_service(s));
  ASSERT_TRUE(e.add_dest(s.key, dr_dest(kRs1)));
  const Bytes syn = make_packet(seg(Proto::kTcp, kClient, 46000, kVip, 80, kSyn));
  Bytes b = syn;
  Verdict v = e.process(b.data(), b.size(), Side::kOutside, at(1));
  ASSERT_EQ(v.action, Action::kForward);
  EXPECT_EQ(v.method, ForwardMethod::kDirectRoute);
  EXPECT_EQ(v.next_hop, ip(kRs1));
  EXPECT_EQ(b, syn);
  b = make_packet(seg(Proto::kTcp, kClient, 46000, kVip, 80, kAck));
  v = e.process(b.data(), b.size(), Side::kOutside, at(1.1));
  EXPECT_EQ(static_cast<TcpState>(e.conns()[v.conn].state), TcpState::kEstablished);
  EXPECT_EQ(e.find_dest(s.key, ip(kRs1), 80)->active_conns, 1);
}

// A DR connection's reply that does pass the director (the server answers
// from its own address) clears NOOUTPUT, as set_tcp_state does: the client's
// FIN then moves ESTABLISHED to CLOSE_WAIT by the input table, where the
// input-only table of a connection never seen replying gives FIN_WAIT.
TEST(DirectRouting, AReplySeenEndsInputOnlyTracking) {
  for (bool reply_seen : {false, true}) {
    Engine e(director_config());
    const ServiceConfig s = service_config(tcp_service(), "rr");
    ASSERT_TRUE(e.add_service(s));
    ASSERT_TRUE(e.add_dest(s.key, dr_dest(kRs1)));
    Bytes b = make_packet(seg(Proto::kTcp, kClient, 46000, kVip, 80, kSyn));
    const ConnId id = e.process(b.data(), b.size(), Side::kOutside, at(1)).conn;
    ASSERT_NE(id, kNoConn);
    EXPECT_TRUE(e.conns()[id].flags & kConnNoOutput);
    b = make_packet(seg(Proto::kTcp, kClient, 46000, kVip, 80, kAck));
    e.process(b.data(), b.size(), Side::kOutside, at(1.1));
    ASSERT_EQ(static_cast<TcpState>(e.conns()[id].state), TcpState::kEstablished);
    if (reply_seen) {
      b = make_packet(seg(Proto::kTcp, kRs1, 80, kClient, 46000, kAck));
      EXPECT_EQ(e.process(b.data(), b.size(), Side::kInside, at(1.2)).conn, id);
      EXPECT_FALSE(e.conns()[id].flags & kConnNoOutput);
    }
    b = make_packet(seg(Proto::kTcp, kClient, 46000, kVip, 80, kFinAck));
    e.process(b.data(), b.size(), Side::kOutside, at(1.3));
    EXPECT_EQ(static_cast<TcpState>(e.conns()[id].state),
              reply_seen ? TcpState::kCloseWait : TcpState::kFinWait)
        << reply_seen;
  }
}

// The listing keeps the kernel's dump order, which ipvsadm --nosort shows:
// every address service before any firewall-mark service.
TEST(Listing, AddressServicesBeforeFirewallMarks) {
  Engine e(director_config());
  auto add = [&e](ServiceKey key) { ASSERT_TRUE(e.add_service(service_config(key, "rr"))); };
  ServiceKey mark;
  mark.fwmark = 7;
  add(mark);
  add(tcp_service(kVip, 80));
  mark.fwmark = 3;
  add(mark);
  add(tcp_service(kVip, 443));
  std::vector<std::string> order;
  for (const auto& svc : e.listing(at(1)).services)
    order.push_back(svc.key.is_fwmark() ? "FWM " + std::to_string(svc.key.fwmark)
                                        : "TCP " + std::to_string(svc.key.port));
  EXPECT_EQ(order, (std::vector<std::string>{"TCP 80", "TCP 443", "FWM 7", "FWM 3"}));
}

// One-packet scheduling: every UDP datagram is scheduled on its own, nothing stays.
TEST(OnePacket, EachDatagramScheduled) {
  Engine e(director_config());
  ServiceConfig s;
  s.key = tcp_service(kVip, 53);
  s.key.proto = Proto::kUdp;
  s.scheduler = "rr";
  s.flags = kSvcOnePacket;
  ASSERT_TRUE(e.add_service(s));
  ASSERT_TRUE(e.add_dest(s.key, nat_dest(kRs1, 53)));
  ASSERT_TRUE(e.add_dest(s.key, nat_dest(kRs2, 53)));
  std::vector<Ip4> picks;
  for (int i = 0; i < 4; ++i) {
    Bytes b = make_packet(seg(Proto::kUdp, kClient, 5353, kVip, 53, 0, 20));
    picks.push_back(e.process(b.data(), b.size(), Side::kOutside, at(1)).next_hop);
  }
  EXPECT_EQ(picks, (std::vector<Ip4>{ip(kRs2), ip(kRs1), ip(kRs2), ip(kRs1)}));
  EXPECT_EQ(e.conns().size(), 0u);
  EXPECT_EQ(e.total_stats().conns, 4u);
}

// A caller whose clock starts at a Unix timestamp gets the same timeouts.
TEST_F(Lifecycle, TimeoutsHoldFarFromZero) {
  const double t0 = 1.7e9;  // 2023 as Unix seconds
  ASSERT_EQ(in(seg(Proto::kTcp, kClient, 47000, kVip, 80, kSyn), at(t0)).action, Action::kForward);
  engine_.advance(at(t0 + 59.9));
  EXPECT_EQ(engine_.conns().size(), 1u);
  engine_.advance(at(t0 + 60.01));
  EXPECT_EQ(engine_.conns().size(), 0u);
}

}  // namespace
}  // namespace lvs::test

