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
