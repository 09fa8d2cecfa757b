#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "engine_fixture.h"

namespace lvs::test {
namespace {

class NatFlow : public DirectorTest {
 protected:
  explicit NatFlow(EngineConfig cfg = director_config()) : DirectorTest(std::move(cfg)) {}
  void SetUp() override {
    add_service(service("rr"));
    add_dest(tcp_service(), nat_dest(kRs1));
  }
};

// A whole TCP connection through the director: each packet in, the exact packet
// out, the verdict, the IPVS state and the server's active/inactive counts.
TEST_F(NatFlow, TcpConnectionPacketByPacket) {
  struct Step {
    const char* what;
    Side side;
    PacketSpec in;
    PacketSpec want;  // the packet as it must leave
    Side out_side;
    const char* next_hop;
    TcpState state;
    int active, inactive;
  };
  const std::vector<Step> steps = {
      {"client SYN", Side::kOutside, seg(Proto::kTcp, kClient, 40001, kVip, 80, kSyn),
       seg(Proto::kTcp, kClient, 40001, kRs1, 8080, kSyn), Side::kInside, kRs1,
       TcpState::kSynRecv, 1, 0},
      {"server SYN-ACK", Side::kInside, seg(Proto::kTcp, kRs1, 8080, kClient, 40001, kSynAck),
       seg(Proto::kTcp, kVip, 80, kClient, 40001, kSynAck), Side::kOutside, kClient,
       TcpState::kSynRecv, 1, 0},
      {"client ACK", Side::kOutside, seg(Proto::kTcp, kClient, 40001, kVip, 80, kAck),
       seg(Proto::kTcp, kClient, 40001, kRs1, 8080, kAck), Side::kInside, kRs1,
       TcpState::kEstablished, 1, 0},
      {"request", Side::kOutside, seg(Proto::kTcp, kClient, 40001, kVip, 80, kAck, 300),
       seg(Proto::kTcp, kClient, 40001, kRs1, 8080, kAck, 300), Side::kInside, kRs1,
       TcpState::kEstablished, 1, 0},
      {"response", Side::kInside, seg(Proto::kTcp, kRs1, 8080, kClient, 40001, kAck, 1400),
       seg(Proto::kTcp, kVip, 80, kClient, 40001, kAck, 1400), Side::kOutside, kClient,
       TcpState::kEstablished, 1, 0},
      {"server FIN", Side::kInside, seg(Proto::kTcp, kRs1, 8080, kClient, 40001, kFinAck),
       seg(Proto::kTcp, kVip, 80, kClient, 40001, kFinAck), Side::kOutside, kClient,
       TcpState::kFinWait, 0, 1},
      {"client FIN", Side::kOutside, seg(Proto::kTcp, kClient, 40001, kVip, 80, kFinAck),
       seg(Proto::kTcp, kClient, 40001, kRs1, 8080, kFinAck), Side::kInside, kRs1,
       TcpState::kTimeWait, 0, 1},
  };
  Time now = at(1);
  for (const Step& s : steps) {
    Bytes got;
    const Verdict v = s.side == Side::kOutside ? in(s.in, now, &got) : out(s.in, now, &got);
    ASSERT_EQ(v.action, Action::kForward) << s.what;
    EXPECT_EQ(v.out, s.out_side) << s.what;
    EXPECT_EQ(v.next_hop, ip(s.next_hop)) << s.what;
    std::string why;
    EXPECT_TRUE(checksums_valid(got, &why)) << s.what << ": " << why;
    EXPECT_EQ(got, make_packet(s.want)) << s.what;
    ASSERT_NE(v.conn, kNoConn);
    EXPECT_EQ(static_cast<TcpState>(engine_.conns()[v.conn].state), s.state) << s.what;
    EXPECT_EQ(dest(kRs1).active_conns, s.active) << s.what;
    EXPECT_EQ(dest(kRs1).inactive_conns, s.inactive) << s.what;
    now += milliseconds(10);
  }
  const RealServer& rs = dest(kRs1);
  EXPECT_EQ(rs.stats.counters.conns, 1u);
  EXPECT_EQ(rs.stats.counters.inpkts, 4u);
  EXPECT_EQ(rs.stats.counters.outpkts, 3u);
  EXPECT_EQ(rs.stats.counters.inbytes, 40u * 4 + 300);
  EXPECT_EQ(rs.stats.counters.outbytes, 40u * 3 + 1400);
  EXPECT_EQ(engine_.total_stats().conns, 1u);
}

class NatFlowNoReuse : public NatFlow {
 protected:
  static EngineConfig config() {
    EngineConfig cfg = director_config();
    cfg.conn_reuse_mode = 0;  // a SYN on a closed connection walks the table instead
    return cfg;
  }
  NatFlowNoReuse() : NatFlow(config()) {}
};

// Since Linux 4.8 set_tcp_state() counts a connection active in SYN_SENT,
// SYN_RECV, SYNACK and ESTABLISHED (tcp_state_active_table), inactive in every
// other state; one connection walks in and out of both counts.
TEST_F(NatFlowNoReuse, ActiveCountFollowsTcpStateActiveTable) {
  struct Step {
    const char* what;
    Side side;
    std::uint8_t flags;
    TcpState state;
    int active, inactive;
  };
  const std::vector<Step> steps = {
      {"client SYN", Side::kOutside, kSyn, TcpState::kSynRecv, 1, 0},
      {"server refuses", Side::kInside, kRst, TcpState::kClose, 0, 1},
      {"client SYN again", Side::kOutside, kSyn, TcpState::kSynRecv, 1, 0},
      {"server SYN-ACK", Side::kInside, kSynAck, TcpState::kSynRecv, 1, 0},
      {"client ACK", Side::kOutside, kAck, TcpState::kEstablished, 1, 0},
      {"client FIN", Side::kOutside, kFinAck, TcpState::kCloseWait, 0, 1},
      {"server FIN", Side::kInside, kFinAck, TcpState::kTimeWait, 0, 1},
      {"client SYN on TIME_WAIT", Side::kOutside, kSyn, TcpState::kSynRecv, 1, 0},
  };
  Time now = at(1);
  for (const Step& s : steps) {
    const Verdict v = s.side == Side::kOutside
                          ? in(seg(Proto::kTcp, kClient, 40001, kVip, 80, s.flags), now)
                          : out(seg(Proto::kTcp, kRs1, 8080, kClient, 40001, s.flags), now);
    ASSERT_EQ(v.action, Action::kForward) << s.what;
    EXPECT_EQ(static_cast<TcpState>(engine_.conns()[v.conn].state), s.state) << s.what;
    EXPECT_EQ(dest(kRs1).active_conns, s.active) << s.what;
    EXPECT_EQ(dest(kRs1).inactive_conns, s.inactive) << s.what;
    now += milliseconds(10);
  }
  EXPECT_EQ(engine_.conns().size(), 1u);
}

// Through the engine, wlc picks as the kernel's scan over the counters the
// engine shows, connection after connection: each new connection's bind and
// its first state change (SYN_RECV, active) reach the scheduler before the
// next pick, and so do resets that move connections to inactive.
using WlcThroughEngine = DirectorTest;

TEST_F(WlcThroughEngine, FollowsTheCountsOfEveryNewConnection) {
  add_service(service("wlc"));
  const char* const servers[] = {kRs1, kRs2, "10.1.0.13", "10.1.0.14", "10.1.0.15"};
  for (int i = 0; i < 5; ++i) add_dest(tcp_service(), nat_dest(servers[i], 8080, 1 + i % 3));
  auto kernel_wlc = [&]() -> Ip4 {
    const RealServer* least = nullptr;
    std::int64_t loh = 0;
    for (const RealServer* d : engine_.find_service(tcp_service())->dests) {
      if (d->overloaded()) continue;
      const std::int64_t doh = std::int64_t{d->active_conns} * 256 + d->inactive_conns;
      if (least == nullptr) {
        if (d->weight() > 0) least = d, loh = doh;
      } else if (loh * d->weight() > doh * least->weight()) {
        least = d, loh = doh;
      }
    }
    return least ? least->cfg.addr : 0;
  };
  std::mt19937 rng(5);
  std::vector<std::pair<std::uint16_t, Ip4>> open;  // client port, real server
  Time now = at(1);
  for (std::uint16_t port = 20000; port < 20400; ++port) {
    if (!open.empty() && rng() % 3 == 0) {  // a server resets one: SYN_RECV -> CLOSE, inactive
      const std::size_t k = rng() % open.size();
      const std::string rs = format_ip4(open[k].second);
      ASSERT_EQ(out(seg(Proto::kTcp, rs, 8080, kClient, open[k].first, kRst), now).action,
                Action::kForward);
      open[k] = open.back();
      open.pop_back();
    }
    const Ip4 want = kernel_wlc();
    const Verdict v = in(seg(Proto::kTcp, kClient, port, kVip, 80, kSyn), now);
    ASSERT_EQ(v.action, Action::kForward) << port;
    ASSERT_EQ(v.next_hop, want) << "connection " << port - 20000;
    open.emplace_back(port, v.next_hop);
    now += milliseconds(1);
  }
}

// UDP is rewritten both ways and counted inactive, as the kernel never marks UDP active.
TEST_F(NatFlow, UdpBothWays) {
  ServiceConfig dns;
  dns.key = tcp_service(kVip, 53);
  dns.key.proto = Proto::kUdp;
  dns.scheduler = "rr";
  add_service(dns);
  add_dest(dns.key, nat_dest(kRs2, 53));
  Bytes got;
  Verdict v = in(seg(Proto::kUdp, kClient, 5353, kVip, 53, 0, 30), at(1), &got);
  ASSERT_EQ(v.action, Action::kForward);
  EXPECT_EQ(got, make_packet(seg(Proto::kUdp, kClient, 5353, kRs2, 53, 0, 30)));
  v = out(seg(Proto::kUdp, kRs2, 53, kClient, 5353, 0, 90), at(1.1), &got);
  ASSERT_EQ(v.action, Action::kForward);
  EXPECT_EQ(got, make_packet(seg(Proto::kUdp, kVip, 53, kClient, 5353, 0, 90)));
  const RealServer* rs = engine_.find_dest(dns.key, ip(kRs2), 53);
  EXPECT_EQ(rs->active_conns, 0);
  EXPECT_EQ(rs->inactive_conns, 1);
}

// What is not a connection start or not LVS traffic is classified, not forwarded.
TEST_F(NatFlow, NonLvsTrafficVerdicts) {
  struct Case {
    const char* what;
    Side side;
    PacketSpec pkt;
    Action action;
    DropReason reason;
  };
  PacketSpec ping = seg(Proto::kIcmp, kClient, 0, kVip, 0);
  const std::vector<Case> cases = {
      {"ACK without connection goes to the local stack", Side::kOutside,
       seg(Proto::kTcp, kClient, 40002, kVip, 80, kAck), Action::kLocal, DropReason::kNone},
      {"RST without connection", Side::kOutside, seg(Proto::kTcp, kClient, 40002, kVip, 80, kRst),
       Action::kLocal, DropReason::kNone},
      {"ping to the VIP", Side::kOutside, ping, Action::kLocal, DropReason::kNone},
      {"ssh to the router's public address", Side::kOutside,
       seg(Proto::kTcp, kClient, 40003, kPublic, 22), Action::kLocal, DropReason::kNone},
      {"port with no service on the VIP", Side::kOutside,
       seg(Proto::kTcp, kClient, 40003, kVip, 443), Action::kLocal, DropReason::kNone},
      {"transit traffic", Side::kOutside, seg(Proto::kTcp, kClient, 40003, "198.51.100.3", 80),
       Action::kPass, DropReason::kNone},
      {"straight to a real server", Side::kOutside, seg(Proto::kTcp, kClient, 40004, kRs1, 8080),
       Action::kDrop, DropReason::kToPrivateAddress},
      {"straight into the private net", Side::kOutside,
       seg(Proto::kUdp, kClient, 40004, "10.1.0.77", 53), Action::kDrop,
       DropReason::kToPrivateAddress},
      {"reply that matches no connection", Side::kInside,
       seg(Proto::kTcp, kRs1, 8080, kClient, 40005, kAck), Action::kDrop,
       DropReason::kReplyWithoutConn},
      {"real server talks to the director", Side::kInside,
       seg(Proto::kTcp, kRs1, 8080, "10.1.0.1", 40005, kAck), Action::kLocal, DropReason::kNone},
      {"between real servers", Side::kInside, seg(Proto::kTcp, kRs1, 999, kRs2, 22),
       Action::kPass, DropReason::kNone},
  };
  for (const Case& c : cases) {
    const std::uint64_t before = engine_.drops(c.reason);
    const Verdict v = c.side == Side::kOutside ? in(c.pkt, at(1)) : out(c.pkt, at(1));
    EXPECT_EQ(v.action, c.action) << c.what;
    if (c.action == Action::kDrop) {
      EXPECT_EQ(v.reason, c.reason) << c.what;
      EXPECT_EQ(engine_.drops(c.reason), before + 1) << c.what;
    }
  }
  EXPECT_EQ(engine_.conns().size(), 0u);
}

// Malformed packets are counted under their own reason and never forwarded.
TEST_F(NatFlow, MalformedPacketsAreCountedAndDropped) {
  Bytes good = make_packet(seg(Proto::kTcp, kClient, 40001, kVip, 80));
  struct Case {
    const char* what;
    Bytes pkt;
    DropReason reason;
  };
  Bytes v6 = good;
  v6[0] = 0x60;
  Bytes ihl = good;
  ihl[0] = 0x43;
  Bytes len = good;
  len[3] = 200;
  Bytes frag = good;
  frag[6] = 0x20;
  Bytes doff = good;
  doff[32] = 0x10;
  const std::vector<Case> cases = {
      {"truncated", Bytes(good.begin(), good.begin() + 12), DropReason::kTruncated},
      {"version 6", v6, DropReason::kBadVersion},
      {"ihl 3", ihl, DropReason::kBadIhl},
      {"length past buffer", len, DropReason::kBadLength},
      {"fragment", frag, DropReason::kFragment},
      {"tcp data offset 1", doff, DropReason::kBadL4Header},
  };
  for (const Case& c : cases) {
    Bytes b = c.pkt;
    const Verdict v = run(b, Side::kOutside, at(1));
    EXPECT_EQ(v.action, Action::kDrop) << c.what;
    EXPECT_EQ(v.reason, c.reason) << c.what;
    EXPECT_EQ(engine_.drops(c.reason), 1u) << c.what;
  }
  EXPECT_EQ(engine_.conns().size(), 0u);
  EXPECT_EQ(engine_.forwarded(), 0u);
}

// With no usable real server the SYN is dropped and IPVS answers port unreachable.
TEST_F(NatFlow, NoDestinationAsksForPortUnreachable) {
  RealServerConfig quiesced = nat_dest(kRs1);
  quiesced.weight = 0;
  ASSERT_TRUE(engine_.edit_dest(tcp_service(), quiesced));
  const Verdict v = in(seg(Proto::kTcp, kClient, 40001, kVip, 80), at(1));
  EXPECT_EQ(v.action, Action::kDrop);
  EXPECT_EQ(v.reason, DropReason::kNoDestination);
  EXPECT_TRUE(v.icmp_unreachable);
}

// ip_vs_schedule gives up on a port-zero service without persistence with
// *ignored = 0, so ip_vs_leave answers port unreachable, as for no server.
TEST_F(NatFlow, PortZeroWithoutPersistenceAsksForPortUnreachable) {
  ServiceConfig any = service("rr");
  any.key = tcp_service(kVip, 0);
  add_service(any);
  add_dest(any.key, nat_dest(kRs2, 0));
  const Verdict v = in(seg(Proto::kTcp, kClient, 40001, kVip, 443), at(1));
  EXPECT_EQ(v.action, Action::kDrop);
  EXPECT_EQ(v.reason, DropReason::kNoDestination);
  EXPECT_TRUE(v.icmp_unreachable);
  EXPECT_EQ(engine_.conns().size(), 0u);
}

// ip_vs_schedule never schedules from client port 20 (FTPDATA): the packet
// is accepted to the local stack unscheduled, TCP and UDP alike.
TEST_F(NatFlow, FtpDataSourcePortIsNotScheduled) {
  ServiceConfig dns = service("rr");
  dns.key = tcp_service(kVip, 53);
  dns.key.proto = Proto::kUdp;
  add_service(dns);
  add_dest(dns.key, nat_dest(kRs2, 53));
  EXPECT_EQ(in(seg(Proto::kTcp, kClient, 20, kVip, 80, kSyn), at(1)).action, Action::kLocal);
  EXPECT_EQ(in(seg(Proto::kUdp, kClient, 20, kVip, 53, 0), at(1)).action, Action::kLocal);
  EXPECT_EQ(engine_.conns().size(), 0u);
  EXPECT_EQ(in(seg(Proto::kTcp, kClient, 21, kVip, 80, kSyn), at(1)).action, Action::kForward);
}

// The verdict says when a packet created a connection, and the table's peak is kept.
TEST_F(NatFlow, NewConnOnlyOnTheSchedulingPacket) {
  EXPECT_TRUE(in(seg(Proto::kTcp, kClient, 48000, kVip, 80, kSyn), at(1)).new_conn);
  EXPECT_FALSE(in(seg(Proto::kTcp, kClient, 48000, kVip, 80, kAck), at(1)).new_conn);
  EXPECT_EQ(engine_.peak_conns(), 1u);
  engine_.advance(at(1000));
  EXPECT_EQ(engine_.conns().size(), 0u);
  EXPECT_EQ(engine_.peak_conns(), 1u);
}

}  // namespace
}  // namespace lvs::test

