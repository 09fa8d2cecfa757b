// Masquerade's endpoint-independent mapping: a real server's source
// (protocol, address, port) keeps the public port its newest live flow was
// given when it talks to other peers (Linux 6.1 get_unique_tuple ->
// find_appropriate_src), unless that tuple is taken.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "engine_fixture.h"

namespace lvs::test {
namespace {

constexpr const char* kPeerA = "198.51.100.7";
constexpr const char* kPeerB = "198.51.100.8";
constexpr const char* kPeerC = "198.51.100.9";
constexpr const char* kPeerD = "198.51.100.10";
constexpr const char* kPeerE = "198.51.100.11";

class MasqMapping : public DirectorTest {
 protected:
  // Sends a real server's packet out and returns the source port it left
  // with (its address must be the masquerade address), or 0 if not forwarded.
  std::uint16_t mapped(const PacketSpec& s, Time now) {
    Bytes got;
    if (out(s, now, &got).action != Action::kForward) return 0;
    PacketView pv;
    EXPECT_EQ(parse_ipv4(got.data(), got.size(), pv), ParseStatus::kOk);
    EXPECT_EQ(pv.saddr, ip(kPublic));
    EXPECT_TRUE(checksums_valid(got));
    return pv.sport;
  }
  std::uint16_t udp(const char* rs, std::uint16_t sport, const char* peer, Time now) {
    return mapped(seg(Proto::kUdp, rs, sport, peer, 53, 0, 10), now);
  }
  std::uint16_t syn(const char* rs, std::uint16_t sport, const char* peer, Time now) {
    return mapped(seg(Proto::kTcp, rs, sport, peer, 443, kSyn), now);
  }
};

// A source port mapped elsewhere keeps that mapping towards a second peer,
// and the peer's replies reach the real server; the same port over UDP is
// another source.
TEST_F(MasqMapping, ReusesTheMappedPortTowardsAnotherPeer) {
  ASSERT_EQ(syn(kRs1, 33000, kPeerA, at(1)), 33000);
  const std::uint16_t p = syn(kRs2, 33000, kPeerA, at(1));
  ASSERT_NE(p, 0);
  ASSERT_NE(p, 33000);
  EXPECT_EQ(syn(kRs2, 33000, kPeerB, at(2)), p);
  Bytes got;
  const Verdict v = in(seg(Proto::kTcp, kPeerB, 443, kPublic, p, kSynAck), at(2.1), &got);
  ASSERT_EQ(v.action, Action::kForward);
  EXPECT_EQ(v.next_hop, ip(kRs2));
  EXPECT_EQ(got, make_packet(seg(Proto::kTcp, kPeerB, 443, kRs2, 33000, kSynAck)));
  EXPECT_EQ(mapped(seg(Proto::kUdp, kRs2, 33000, kPeerB, 443, 0, 10), at(3)), 33000);
}

// When the reused mapping's tuple is taken towards the new peer, the normal
// path decides: the source port if it is free there, else the port search.
TEST_F(MasqMapping, TakenMappingFallsBackToTheNormalPath) {
  ASSERT_EQ(syn(kRs1, 33000, kPeerA, at(1)), 33000);
  const std::uint16_t p = syn(kRs2, 33000, kPeerA, at(1));
  ASSERT_NE(p, 33000);
  EXPECT_EQ(syn(kRs2, 33000, kPeerB, at(2)), p);
  ASSERT_EQ(syn(kRs1, p, kPeerC, at(3)), p);  // PeerC's replies to p are kRs1's
  EXPECT_EQ(syn(kRs2, 33000, kPeerC, at(4)), 33000);
  // Now 33000 is kRs2:33000's newest mapping; towards PeerD it is taken.
  ASSERT_EQ(syn(kRs1, 33000, kPeerD, at(5)), 33000);
  const std::uint16_t r = syn(kRs2, 33000, kPeerD, at(6));
  EXPECT_NE(r, 0);
  EXPECT_NE(r, 33000);
  EXPECT_GE(r, 1024);
}

// The newest live flow of a source gives the mapping; when it goes, the next
// older one does again (nf_nat_bysource is searched newest first).
TEST_F(MasqMapping, NewestLiveFlowGivesTheMapping) {
  ASSERT_EQ(udp(kRs1, 5000, kPeerA, at(1)), 5000);
  const std::uint16_t p = udp(kRs2, 5000, kPeerA, at(1));
  ASSERT_NE(p, 5000);
  ASSERT_EQ(udp(kRs1, p, kPeerC, at(1)), p);
  EXPECT_EQ(udp(kRs2, 5000, kPeerC, at(2)), 5000);  // p is taken towards PeerC
  EXPECT_EQ(udp(kRs2, 5000, kPeerD, at(3)), 5000);  // the PeerC flow is the newest
  EXPECT_EQ(udp(kRs2, 5000, kPeerA, at(100)), p);   // keeps the oldest flow alive
  // Masqueraded UDP lives 120 s: the PeerC and PeerD flows are gone.
  EXPECT_EQ(udp(kRs2, 5000, kPeerE, at(124)), p);
}

// Once every flow of a source has expired, its mapping is forgotten.
TEST_F(MasqMapping, MappingIsForgottenWhenItsFlowsExpire) {
  ASSERT_EQ(udp(kRs1, 5000, kPeerA, at(1)), 5000);
  const std::uint16_t p = udp(kRs2, 5000, kPeerA, at(1));
  ASSERT_NE(p, 5000);
  EXPECT_EQ(udp(kRs2, 5000, kPeerB, at(2)), p);
  // The first flow has expired (at 121 s); the second one still holds p.
  EXPECT_EQ(udp(kRs2, 5000, kPeerC, at(121.5)), p);
  engine_.advance(at(242));
  EXPECT_EQ(engine_.conns().size(), 0u);
  EXPECT_EQ(udp(kRs2, 5000, kPeerD, at(242)), 5000);
}

// Two real servers using the same port are two sources, each with its own
// mapping: towards one peer they leave through different ports.
TEST_F(MasqMapping, TwoRealServersSamePortKeepTheirOwnMappings) {
  ASSERT_EQ(syn(kRs1, 33000, kPeerA, at(1)), 33000);
  const std::uint16_t p = syn(kRs2, 33000, kPeerA, at(1));
  ASSERT_NE(p, 33000);
  EXPECT_EQ(syn(kRs2, 33000, kPeerB, at(2)), p);
  EXPECT_EQ(syn(kRs1, 33000, kPeerC, at(3)), 33000);
  EXPECT_EQ(syn(kRs1, 33000, kPeerB, at(4)), 33000);
  for (const auto& [peer, port, rs] :
       {std::tuple{kPeerB, p, kRs2}, std::tuple{kPeerB, std::uint16_t{33000}, kRs1},
        std::tuple{kPeerC, std::uint16_t{33000}, kRs1}}) {
    const Verdict v = in(seg(Proto::kTcp, peer, 443, kPublic, port, kSynAck), at(5));
    ASSERT_EQ(v.action, Action::kForward) << peer << ":" << port;
    EXPECT_EQ(v.next_hop, ip(rs)) << peer << ":" << port;
  }
}

// Against a model of nf_nat_bysource over random flows that are created,
// refreshed and expire out of order: each new flow's port is its source's
// newest live flow's if that tuple is free, else its own port if free, else
// a free one of its class. Some sources use a port another source is mapped
// to, so that reused mappings are taken now and then.
TEST(MasqMappingModel, FollowsTheNewestLiveFlowOfItsSource) {
  Engine e(director_config(256));
  const std::vector<std::string> servers = {"10.1.0.11", "10.1.0.12", "10.1.0.13"};
  const std::vector<std::string> peers = {"198.51.100.1", "198.51.100.2", "198.51.100.3",
                                          "198.51.100.4", "198.51.100.5", "198.51.100.6"};
  struct Flow {
    std::size_t server, peer;
    std::uint16_t sport, port;
    double expires;
  };
  std::vector<Flow> live;  // oldest first
  std::mt19937 rng(7);
  std::size_t reused = 0, fell_back = 0, searched = 0;
  for (int n = 1; n <= 4000; ++n) {
    const double t = 0.7 * n;  // never within 0.3 s of an expiry (120 s after a packet)
    live.erase(
        std::remove_if(live.begin(), live.end(), [t](const Flow& f) { return f.expires < t; }),
        live.end());
    const std::size_t server = rng() % servers.size();
    const std::size_t peer = rng() % peers.size();
    auto sport = static_cast<std::uint16_t>(5000 + rng() % 16);
    if (rng() % 4 == 0 && !live.empty()) sport = live[rng() % live.size()].port;
    Bytes b = make_packet(seg(Proto::kUdp, servers[server], sport, peers[peer], 53, 0, 10));
    const Verdict v = e.process(b.data(), b.size(), Side::kInside, at(t));
    ASSERT_EQ(v.action, Action::kForward) << n;
    PacketView pv;
    ASSERT_EQ(parse_ipv4(b.data(), b.size(), pv), ParseStatus::kOk);
    auto from_src = [&](const Flow& f) { return f.server == server && f.sport == sport; };
    auto taken = [&](std::uint16_t port) {
      return std::any_of(live.begin(), live.end(),
                         [&](const Flow& f) { return f.peer == peer && f.port == port; });
    };
    auto same = std::find_if(live.begin(), live.end(),
                             [&](const Flow& f) { return from_src(f) && f.peer == peer; });
    if (same != live.end()) {
      EXPECT_EQ(pv.sport, same->port) << n;
      same->expires = t + 120;
      continue;
    }
    auto newest = std::find_if(live.rbegin(), live.rend(), from_src);
    if (newest != live.rend() && !taken(newest->port)) {
      EXPECT_EQ(pv.sport, newest->port) << n;
      ++reused;
    } else if (!taken(sport)) {
      EXPECT_EQ(pv.sport, sport) << n;
      fell_back += newest != live.rend();
    } else {
      EXPECT_FALSE(taken(pv.sport)) << n;
      EXPECT_GE(pv.sport, 1024) << n;
      ++searched;
    }
    live.push_back({server, peer, sport, pv.sport, t + 120});
    ASSERT_EQ(e.conns().size(), live.size()) << n;
  }
  // The run takes every path.
  EXPECT_GT(reused, 1000u);
  EXPECT_GT(fell_back, 20u);
  EXPECT_GT(searched, 100u);
}

}  // namespace
}  // namespace lvs::test
