#include <gtest/gtest.h>

#include "lvs/packet.h"
#include "packet_builder.h"

namespace lvs {
namespace {

using test::Bytes;
using test::PacketSpec;
using test::ip;
using test::make_icmp_error;
using test::make_packet;

PacketSpec spec(Proto proto, const char* src, std::uint16_t sport, const char* dst,
                std::uint16_t dport) {
  PacketSpec s;
  s.proto = proto;
  s.src = src;
  s.dst = dst;
  s.sport = sport;
  s.dport = dport;
  s.tcp_flags = 0x10;
  s.payload = 40;
  return s;
}

// An ICMP error from the Internet about what the VIP sent is turned into one
// about what the real server sent: outer destination, quoted source, and every checksum.
TEST(IcmpTranslate, ToInsideRewritesQuoteAndOuter) {
  struct Case {
    const char* name;
    Proto proto;
    std::size_t quote;  // 0 = header + 8 bytes
    std::uint8_t type, code;
  };
  const std::vector<Case> cases = {
      {"tcp frag needed, 8-byte quote", Proto::kTcp, 0, 3, 4},
      {"tcp port unreachable, full quote", Proto::kTcp, 80, 3, 3},
      {"udp time exceeded, full quote", Proto::kUdp, 68, 11, 0},
      {"udp frag needed, 8-byte quote", Proto::kUdp, 0, 3, 4},
  };
  for (const Case& c : cases) {
    const Bytes sent_by_vip = make_packet(spec(c.proto, "192.0.2.10", 80, "203.0.113.9", 40001));
    const Bytes sent_by_rs = make_packet(spec(c.proto, "10.1.0.11", 8080, "203.0.113.9", 40001));
    Bytes err = make_icmp_error("198.51.100.1", "192.0.2.10", c.type, c.code, sent_by_vip, c.quote);
    const Bytes want = make_icmp_error("198.51.100.1", "10.1.0.11", c.type, c.code, sent_by_rs, c.quote);
    PacketView v;
    ASSERT_EQ(parse_ipv4(err.data(), err.size(), v), ParseStatus::kOk) << c.name;
    QuotedView q;
    ASSERT_EQ(parse_icmp_quote(v, q), ParseStatus::kOk) << c.name;
    EXPECT_EQ(q.saddr, ip("192.0.2.10"));
    EXPECT_EQ(q.sport, 80);
    EXPECT_EQ(q.dport, 40001);
    translate_icmp_to_inside(v, q, ip("10.1.0.11"), 8080);
    std::string why;
    EXPECT_TRUE(test::checksums_valid(err, &why)) << c.name << ": " << why;
    EXPECT_EQ(err, want) << c.name << "\n" << test::hex(err) << "\nwant\n" << test::hex(want);
  }
}

// A real server's ICMP error about a client's packet leaves with the VIP on both levels.
TEST(IcmpTranslate, ToOutsideRewritesQuoteAndOuter) {
  for (Proto proto : {Proto::kTcp, Proto::kUdp}) {
    const Bytes to_rs = make_packet(spec(proto, "203.0.113.9", 40001, "10.1.0.11", 8080));
    const Bytes to_vip = make_packet(spec(proto, "203.0.113.9", 40001, "192.0.2.10", 80));
    Bytes err = make_icmp_error("10.1.0.11", "203.0.113.9", 3, 3, to_rs, 60);
    const Bytes want = make_icmp_error("192.0.2.10", "203.0.113.9", 3, 3, to_vip, 60);
    PacketView v;
    ASSERT_EQ(parse_ipv4(err.data(), err.size(), v), ParseStatus::kOk);
    QuotedView q;
    ASSERT_EQ(parse_icmp_quote(v, q), ParseStatus::kOk);
    translate_icmp_to_outside(v, q, ip("192.0.2.10"), 80);
    EXPECT_TRUE(test::checksums_valid(err));
    EXPECT_EQ(err, want) << proto_name(proto);
  }
}

// Quotes too short to hold the inner ports are refused, not read past.
TEST(IcmpQuote, RejectsShortQuotes) {
  const Bytes inner = make_packet(spec(Proto::kTcp, "1.1.1.1", 1, "2.2.2.2", 2));
  for (std::size_t quote : {std::size_t{4}, std::size_t{20}, std::size_t{27}}) {
    Bytes err = make_icmp_error("3.3.3.3", "1.1.1.1", 3, 3, inner, quote);
    PacketView v;
    ASSERT_EQ(parse_ipv4(err.data(), err.size(), v), ParseStatus::kOk);
    QuotedView q;
    EXPECT_EQ(parse_icmp_quote(v, q), ParseStatus::kTruncated) << quote;
  }
}

// The director's own ICMP port unreachable quotes the offending header + 8 bytes.
TEST(IcmpBuild, PortUnreachableQuotesOffender) {
  Bytes syn = make_packet(spec(Proto::kTcp, "203.0.113.9", 40001, "192.0.2.10", 80));
  PacketView v;
  ASSERT_EQ(parse_ipv4(syn.data(), syn.size(), v), ParseStatus::kOk);
  std::uint8_t out[128];
  const std::size_t n = build_icmp_error(v, ip("192.0.2.10"), 3, 3, out, sizeof out);
  ASSERT_EQ(n, 20u + 8u + 28u);
  Bytes got(out, out + n);
  Bytes want = make_icmp_error("192.0.2.10", "203.0.113.9", 3, 3, syn);
  want[4] = want[5] = 0;  // the builder's IP id; ours sends 0
  want[10] = want[11] = 0;
  Bytes fixed = want;
  store16(fixed.data() + 10, csum_compute(fixed.data(), 20));
  EXPECT_TRUE(test::checksums_valid(got));
  EXPECT_EQ(got, fixed);
  EXPECT_EQ(build_icmp_error(v, ip("192.0.2.10"), 3, 3, out, 40), 0u);
}

}  // namespace
}  // namespace lvs
