#include <gtest/gtest.h>

#include "engine_fixture.h"

namespace lvs::test {
namespace {

class IcmpAndMasq : public DirectorTest {
 protected:
  void SetUp() override {
    add_service(service("rr"));
    add_dest(tcp_service(), nat_dest(kRs1));
    ServiceConfig dns;
    dns.key = tcp_service(kVip, 53);
    dns.key.proto = Proto::kUdp;
    dns.scheduler = "rr";
    add_service(dns);
    add_dest(dns.key, nat_dest(kRs1, 53));
  }
};

// "Fragmentation needed" from a router on the Internet reaches the real server
// that sent the too-big segment, quoting what it really sent.
TEST_F(IcmpAndMasq, FragNeededFromOutsideReachesRealServer) {
  in(seg(Proto::kTcp, kClient, 40001, kVip, 80, kSyn), at(1));
  const Bytes vip_sent = make_packet(seg(Proto::kTcp, kVip, 80, kClient, 40001, kAck, 1400));
  const Bytes rs_sent = make_packet(seg(Proto::kTcp, kRs1, 8080, kClient, 40001, kAck, 1400));
  Bytes err = make_icmp_error("198.51.100.1", kVip, 3, 4, vip_sent);
  const Verdict v = run(err, Side::kOutside, at(2));
  ASSERT_EQ(v.action, Action::kForward);
  EXPECT_EQ(v.out, Side::kInside);
  EXPECT_EQ(v.next_hop, ip(kRs1));
  EXPECT_TRUE(checksums_valid(err));
  EXPECT_EQ(err, make_icmp_error("198.51.100.1", kRs1, 3, 4, rs_sent));
}

// A real server's port unreachable for a client's UDP datagram leaves as the VIP's.
TEST_F(IcmpAndMasq, PortUnreachableFromRealServerLeavesAsVip) {
  in(seg(Proto::kUdp, kClient, 5353, kVip, 53, 0, 30), at(1));
  const Bytes to_rs = make_packet(seg(Proto::kUdp, kClient, 5353, kRs1, 53, 0, 30));
  const Bytes to_vip = make_packet(seg(Proto::kUdp, kClient, 5353, kVip, 53, 0, 30));
  Bytes err = make_icmp_error(kRs1, kClient, 3, 3, to_rs, to_rs.size());
  const Verdict v = run(err, Side::kInside, at(2));
  ASSERT_EQ(v.action, Action::kForward);
  EXPECT_EQ(v.out, Side::kOutside);
  EXPECT_TRUE(checksums_valid(err));
  EXPECT_EQ(err, make_icmp_error(kVip, kClient, 3, 3, to_vip, to_vip.size()));
}

// ICMP errors about nothing we track are not translated.
TEST_F(IcmpAndMasq, UnrelatedIcmpErrorPasses) {
  const Bytes other = make_packet(seg(Proto::kTcp, "192.0.2.77", 80, kClient, 40001, kAck));
  Bytes err = make_icmp_error("198.51.100.1", "192.0.2.77", 3, 4, other);
  const Bytes before = err;
  EXPECT_EQ(run(err, Side::kOutside, at(1)).action, Action::kPass);
  EXPECT_EQ(err, before);
}

// Only dest unreachable, source quench and time exceeded are related to a
// connection (ip_vs_in_icmp/ip_vs_out_icmp); a parameter problem about the
// same datagram is not translated and is the stack's business.
TEST_F(IcmpAndMasq, ParameterProblemIsNotTranslated) {
  in(seg(Proto::kTcp, kClient, 40001, kVip, 80, kSyn), at(1));
  const Bytes vip_sent = make_packet(seg(Proto::kTcp, kVip, 80, kClient, 40001, kAck, 100));
  for (std::uint8_t type : {std::uint8_t{12}, std::uint8_t{5}}) {
    Bytes err = make_icmp_error(kClient, kVip, type, 0, vip_sent);
    const Bytes before = err;
    EXPECT_EQ(run(err, Side::kOutside, at(2)).action, Action::kLocal) << int{type};
    EXPECT_EQ(err, before) << int{type};
  }
  for (std::uint8_t type : {std::uint8_t{3}, std::uint8_t{4}, std::uint8_t{11}}) {
    Bytes err = make_icmp_error(kClient, kVip, type, 0, vip_sent);
    EXPECT_EQ(run(err, Side::kOutside, at(2)).next_hop, ip(kRs1)) << int{type};
  }
}

// An ICMP error counts as a packet of the connection it quotes, but does not
// re-arm its timer (ip_vs_in_icmp and handle_response_icmp end with
// __ip_vs_conn_put, not ip_vs_conn_put).
TEST_F(IcmpAndMasq, IcmpErrorCountsButDoesNotExtendTheConnection) {
  const ConnId id = in(seg(Proto::kTcp, kClient, 40001, kVip, 80, kSyn), at(1)).conn;
  ASSERT_NE(id, kNoConn);
  EXPECT_EQ(engine_.conns().expires_at(id), at(61));  // SYN_RECV: 60 s
  const Bytes vip_sent = make_packet(seg(Proto::kTcp, kVip, 80, kClient, 40001, kAck, 1400));
  Bytes err = make_icmp_error("198.51.100.1", kVip, 3, 4, vip_sent);
  ASSERT_EQ(run(err, Side::kOutside, at(50)).action, Action::kForward);
  const Bytes rs_got = make_packet(seg(Proto::kTcp, kClient, 40001, kRs1, 8080, kAck, 100));
  err = make_icmp_error(kRs1, kClient, 3, 3, rs_got);
  ASSERT_EQ(run(err, Side::kInside, at(55)).action, Action::kForward);
  EXPECT_EQ(engine_.conns().expires_at(id), at(61));
  EXPECT_EQ(dest(kRs1).stats.counters.inpkts, 2u);   // the SYN and the first error
  EXPECT_EQ(dest(kRs1).stats.counters.outpkts, 1u);  // the second error
  engine_.advance(at(61.01));
  EXPECT_FALSE(engine_.conns().contains(id));
}

// A related ICMP error whose checksum fails is dropped, on either side, and
// counted by its own reason; nothing else changes.
TEST_F(IcmpAndMasq, BadIcmpChecksumIsDropped) {
  in(seg(Proto::kTcp, kClient, 40001, kVip, 80, kSyn), at(1));
  const Bytes vip_sent = make_packet(seg(Proto::kTcp, kVip, 80, kClient, 40001, kAck, 1400));
  const Bytes rs_got = make_packet(seg(Proto::kTcp, kClient, 40001, kRs1, 8080, kAck, 100));
  const std::uint64_t in_before = dest(kRs1).stats.counters.inpkts;
  struct Case {
    Bytes pkt;
    Side side;
  };
  std::vector<Case> cases = {{make_icmp_error("198.51.100.1", kVip, 3, 4, vip_sent), Side::kOutside},
                             {make_icmp_error(kRs1, kClient, 3, 3, rs_got), Side::kInside}};
  for (Case& c : cases) {
    c.pkt[22] ^= 0x5a;  // the ICMP checksum
    const Bytes before = c.pkt;
    const Verdict v = run(c.pkt, c.side, at(2));
    EXPECT_EQ(v.action, Action::kDrop);
    EXPECT_EQ(v.reason, DropReason::kBadIcmpChecksum);
    EXPECT_EQ(c.pkt, before);
  }
  EXPECT_EQ(engine_.drops(DropReason::kBadIcmpChecksum), 2u);
  EXPECT_EQ(dest(kRs1).stats.counters.inpkts, in_before);
  EXPECT_EQ(dest(kRs1).stats.counters.outpkts, 0u);
  EXPECT_EQ(drop_reason_name(DropReason::kBadIcmpChecksum), "bad_icmp_checksum");
}

// A DR real server's error about a client's packet is not NAT's to
// translate (handle_response_icmp skips all but masquerading): it is routed
// on unchanged and not counted.
TEST(IcmpDirectRouting, ErrorFromDrServerPassesUnchanged) {
  Engine e(director_config());
  const ServiceConfig s = service_config(tcp_service(), "rr");
  ASSERT_TRUE(e.add_service(s));
  ASSERT_TRUE(e.add_dest(s.key, dr_dest(kRs1)));
  Bytes b = make_packet(seg(Proto::kTcp, kClient, 40001, kVip, 80, kSyn));
  ASSERT_EQ(e.process(b.data(), b.size(), Side::kOutside, at(1)).method, ForwardMethod::kDirectRoute);
  const Bytes got = make_packet(seg(Proto::kTcp, kClient, 40001, kRs1, 80, kAck, 100));
  Bytes err = make_icmp_error(kRs1, kClient, 3, 3, got);
  const Bytes before = err;
  EXPECT_EQ(e.process(err.data(), err.size(), Side::kInside, at(2)).action, Action::kPass);
  EXPECT_EQ(err, before);
  EXPECT_EQ(e.find_dest(s.key, ip(kRs1), 80)->stats.counters.outpkts, 0u);
}

// A real server's own outbound flow is masqueraded to the director's public
// address, keeping its port, and the replies find their way back.
TEST_F(IcmpAndMasq, OutboundFlowIsMasqueraded) {
  Bytes got;
  Verdict v = out(seg(Proto::kTcp, kRs1, 33000, "198.51.100.7", 443, kSyn), at(1), &got);
  ASSERT_EQ(v.action, Action::kForward);
  EXPECT_EQ(got, make_packet(seg(Proto::kTcp, kPublic, 33000, "198.51.100.7", 443, kSyn)));
  v = in(seg(Proto::kTcp, "198.51.100.7", 443, kPublic, 33000, kSynAck), at(1.1), &got);
  ASSERT_EQ(v.action, Action::kForward);
  EXPECT_EQ(v.next_hop, ip(kRs1));
  EXPECT_EQ(got, make_packet(seg(Proto::kTcp, "198.51.100.7", 443, kRs1, 33000, kSynAck)));
  // A second server using the same source port to the same peer gets another port.
  v = out(seg(Proto::kTcp, kRs2, 33000, "198.51.100.7", 443, kSyn), at(1.2), &got);
  ASSERT_EQ(v.action, Action::kForward);
  PacketView pv;
  ASSERT_EQ(parse_ipv4(got.data(), got.size(), pv), ParseStatus::kOk);
  EXPECT_EQ(pv.saddr, ip(kPublic));
  EXPECT_NE(pv.sport, 33000);
  EXPECT_TRUE(checksums_valid(got));
  v = in(seg(Proto::kTcp, "198.51.100.7", 443, kPublic, pv.sport, kSynAck), at(1.3), &got);
  EXPECT_EQ(v.next_hop, ip(kRs2));
  EXPECT_EQ(got, make_packet(seg(Proto::kTcp, "198.51.100.7", 443, kRs2, 33000, kSynAck)));
}

// When a real server's source port is taken towards that peer, MASQUERADE
// maps it into the same class (nf_nat_l4proto_unique_tuple): below 512 into
// 1-511, 512-1023 into 600-1023, anything else into 1024-65535.
TEST_F(IcmpAndMasq, MasqueradedPortKeepsItsClass) {
  struct Case {
    std::uint16_t sport;
    std::uint16_t lo, hi;
  };
  for (const Case& c : {Case{80, 1, 511}, Case{0x1ff, 1, 511}, Case{512, 600, 1023},
                        Case{700, 600, 1023}, Case{1023, 600, 1023}, Case{33000, 1024, 65535}}) {
    for (const char* rs : {kRs1, kRs2}) {
      Bytes got;
      ASSERT_EQ(out(seg(Proto::kUdp, rs, c.sport, "198.51.100.7", 53, 0, 10), at(1), &got).action,
                Action::kForward);
      PacketView pv;
      ASSERT_EQ(parse_ipv4(got.data(), got.size(), pv), ParseStatus::kOk);
      if (rs == kRs1) {
        EXPECT_EQ(pv.sport, c.sport);  // free: kept
      } else {
        EXPECT_NE(pv.sport, c.sport);
        EXPECT_GE(pv.sport, c.lo) << c.sport;
        EXPECT_LE(pv.sport, c.hi) << c.sport;
      }
    }
  }
}

// With every port of the class taken towards one peer, the search gives up
// and the packet is dropped, counted as masq_ports_exhausted; other classes
// and other peers are unaffected.
TEST(MasqPorts, ExhaustedClassDrops) {
  Engine e(director_config(2048));
  auto send = [&e](const char* rs, std::uint16_t sport, const char* peer) {
    Bytes b = make_packet(seg(Proto::kUdp, rs, sport, peer, 53, 0, 10));
    return e.process(b.data(), b.size(), Side::kInside, at(1));
  };
  for (std::uint16_t port = 600; port <= 1023; ++port)
    ASSERT_EQ(send(kRs1, port, "198.51.100.7").action, Action::kForward) << port;
  const Verdict v = send(kRs2, 700, "198.51.100.7");
  EXPECT_EQ(v.action, Action::kDrop);
  EXPECT_EQ(v.reason, DropReason::kMasqPortsExhausted);
  EXPECT_EQ(e.drops(DropReason::kMasqPortsExhausted), 1u);
  EXPECT_EQ(send(kRs2, 700, "198.51.100.8").action, Action::kForward);   // another peer
  EXPECT_EQ(send(kRs2, 40000, "198.51.100.7").action, Action::kForward); // another class
}

// Masquerading to the floating VIP instead, so outbound flows survive failover.
TEST(MasqToVip, UsesVip) {
  EngineConfig cfg = director_config();
  cfg.masq_addr = ip(kVip);
  Engine e(cfg);
  Bytes b = make_packet(seg(Proto::kUdp, kRs1, 40000, "198.51.100.53", 53, 0, 12));
  ASSERT_EQ(e.process(b.data(), b.size(), Side::kInside, at(1)).action, Action::kForward);
  EXPECT_EQ(b, make_packet(seg(Proto::kUdp, kVip, 40000, "198.51.100.53", 53, 0, 12)));
}

}  // namespace
}  // namespace lvs::test
