#include "lvs/packet.h"

#include <gtest/gtest.h>

#include <random>

#include "packet_builder.h"

namespace lvs {
namespace {

using test::Bytes;
using test::PacketSpec;
using test::ip;
using test::make_packet;

PacketSpec tcp(const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport,
               std::size_t payload = 0) {
  PacketSpec s;
  s.src = src;
  s.dst = dst;
  s.sport = sport;
  s.dport = dport;
  s.payload = payload;
  return s;
}

PacketSpec udp(const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport,
               std::size_t payload = 0) {
  PacketSpec s = tcp(src, sport, dst, dport, payload);
  s.proto = Proto::kUdp;
  return s;
}

// Malformed input is classified, never read past the buffer.
TEST(ParseIpv4, ClassifiesMalformedInput) {
  constexpr std::size_t kAll = ~std::size_t{0};
  struct Case {
    const char* name;
    Bytes pkt;
    std::size_t cut;  // bytes handed to the parser (kAll = the whole packet)
    ParseStatus want;
  };
  Bytes good = make_packet(tcp("1.1.1.1", 1000, "2.2.2.2", 80, 10));
  Bytes v6 = good;
  v6[0] = 0x65;
  Bytes ihl4 = good;
  ihl4[0] = 0x44;
  Bytes ihl15 = good;
  ihl15[0] = 0x4f;
  Bytes too_long = good;
  too_long[3] = static_cast<std::uint8_t>(good.size() + 1);
  Bytes too_short = good;
  too_short[2] = 0;
  too_short[3] = 19;
  PacketSpec mf = tcp("1.1.1.1", 1000, "2.2.2.2", 80);
  mf.frag = 0x2000;
  PacketSpec off = tcp("1.1.1.1", 1000, "2.2.2.2", 80);
  off.frag = 0x0010;
  PacketSpec df = tcp("1.1.1.1", 1000, "2.2.2.2", 80);
  df.frag = 0x4000;
  Bytes bad_doff = good;
  bad_doff[32] = 0x40;
  Bytes big_doff = good;
  big_doff[32] = 0xf0;
  PacketSpec echo;
  echo.proto = Proto::kIcmp;
  echo.src = "1.1.1.1";
  echo.dst = "2.2.2.2";
  const std::vector<Case> cases = {
      {"valid tcp", good, kAll, ParseStatus::kOk},
      {"valid with DF", make_packet(df), kAll, ParseStatus::kOk},
      {"valid udp", make_packet(udp("1.1.1.1", 1, "2.2.2.2", 53, 3)), kAll, ParseStatus::kOk},
      {"valid icmp echo", make_packet(echo), kAll, ParseStatus::kOk},
      {"empty", good, 0, ParseStatus::kTruncated},
      {"19 bytes", good, 19, ParseStatus::kTruncated},
      {"ipv6 version", v6, kAll, ParseStatus::kBadVersion},
      {"ihl 4", ihl4, kAll, ParseStatus::kBadIhl},
      {"ihl beyond buffer", ihl15, 40, ParseStatus::kTruncated},
      {"total length beyond buffer", too_long, kAll, ParseStatus::kBadLength},
      {"total length below header", too_short, kAll, ParseStatus::kBadLength},
      {"more fragments", make_packet(mf), kAll, ParseStatus::kFragment},
      {"fragment offset", make_packet(off), kAll, ParseStatus::kFragment},
      {"tcp data offset 4", bad_doff, kAll, ParseStatus::kBadL4Header},
      {"tcp data offset past end", big_doff, kAll, ParseStatus::kBadL4Header},
  };
  for (const Case& c : cases) {
    const Bytes& buf = c.pkt;
    const std::size_t n = c.cut == kAll ? buf.size() : c.cut;
    // Copy into an exactly-sized heap buffer so ASan catches any overread.
    std::vector<std::uint8_t> exact(buf.begin(), buf.begin() + static_cast<long>(n));
    PacketView v;
    EXPECT_EQ(parse_ipv4(exact.data(), exact.size(), v), c.want) << c.name;
  }
}

// L4 headers shorter than their minimum are rejected even when the IP header is fine.
TEST(ParseIpv4, ShortL4Headers) {
  for (Proto proto : {Proto::kTcp, Proto::kUdp, Proto::kIcmp}) {
    PacketSpec s = tcp("1.1.1.1", 1, "2.2.2.2", 2);
    s.proto = proto;
    Bytes b = make_packet(s);
    const std::size_t keep = 20 + (proto == Proto::kTcp ? 19 : 7);
    b.resize(keep);
    b[2] = 0;
    b[3] = static_cast<std::uint8_t>(keep);
    PacketView v;
    EXPECT_EQ(parse_ipv4(b.data(), b.size(), v), ParseStatus::kBadL4Header)
        << proto_name(proto);
  }
}

// Parsed fields come from the right offsets; trailing link-layer padding is ignored.
TEST(ParseIpv4, ReadsFields) {
  PacketSpec s = tcp("10.0.0.1", 40000, "192.168.1.100", 80, 5);
  s.tcp_flags = 0x12;
  Bytes b = make_packet(s);
  const std::size_t real_len = b.size();
  b.resize(b.size() + 6, 0);  // Ethernet minimum-frame padding
  PacketView v;
  ASSERT_EQ(parse_ipv4(b.data(), b.size(), v), ParseStatus::kOk);
  EXPECT_EQ(v.len, real_len);
  EXPECT_EQ(v.proto, Proto::kTcp);
  EXPECT_EQ(v.saddr, ip("10.0.0.1"));
  EXPECT_EQ(v.daddr, ip("192.168.1.100"));
  EXPECT_EQ(v.sport, 40000);
  EXPECT_EQ(v.dport, 80);
  EXPECT_EQ(v.tcp_flags, 0x12);
  EXPECT_EQ(v.l4_off, 20);
}

// Rewrites give exactly the packet a sender would have built with the new addresses.
TEST(Rewrite, MatchesFreshlyBuiltPackets) {
  struct Case {
    const char* name;
    PacketSpec in;
    bool dst;  // rewrite destination (DNAT) or source (SNAT)
    const char* addr;
    std::uint16_t port;
  };
  PacketSpec zero_udp = udp("203.0.113.9", 5353, "192.0.2.10", 53, 17);
  zero_udp.udp_zero_checksum = true;
  const std::vector<Case> cases = {
      {"tcp dnat", tcp("203.0.113.9", 40001, "192.0.2.10", 80), true, "10.1.0.11", 8080},
      {"tcp dnat odd payload", tcp("203.0.113.9", 40001, "192.0.2.10", 80, 33), true, "10.1.0.12",
       80},
      {"tcp snat", tcp("10.1.0.11", 8080, "203.0.113.9", 40001, 100), false, "192.0.2.10", 80},
      {"udp dnat", udp("203.0.113.9", 5353, "192.0.2.10", 53, 17), true, "10.1.0.13", 53},
      {"udp snat", udp("10.1.0.13", 53, "203.0.113.9", 5353, 64), false, "192.0.2.10", 53},
      {"udp no checksum stays none", zero_udp, true, "10.1.0.13", 53},
      {"same address", tcp("1.2.3.4", 1, "5.6.7.8", 2), true, "5.6.7.8", 2},
      {"extreme values", tcp("255.255.255.255", 65535, "0.0.0.1", 1), true, "255.255.255.254",
       65535},
  };
  for (const Case& c : cases) {
    Bytes pkt = make_packet(c.in);
    PacketSpec want_spec = c.in;
    if (c.dst) {
      want_spec.dst = c.addr;
      want_spec.dport = c.port;
    } else {
      want_spec.src = c.addr;
      want_spec.sport = c.port;
    }
    const Bytes want = make_packet(want_spec);
    PacketView v;
    ASSERT_EQ(parse_ipv4(pkt.data(), pkt.size(), v), ParseStatus::kOk) << c.name;
    if (c.dst) {
      rewrite_daddr_dport(v, ip(c.addr), c.port);
    } else {
      rewrite_saddr_sport(v, ip(c.addr), c.port);
    }
    std::string why;
    EXPECT_TRUE(test::checksums_valid(pkt, &why)) << c.name << ": " << why;
    EXPECT_EQ(pkt, want) << c.name << "\n" << test::hex(pkt) << "\nwant\n" << test::hex(want);
  }
}

// RFC 1624's worked example: the incremental update equals a full recomputation.
TEST(Checksum, IncrementalMatchesFullRecompute) {
  std::uint8_t buf[20] = {0x45, 0, 0, 40, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0,
                          10, 0, 0, 1, 192, 168, 0, 1};
  store16(buf + 10, csum_compute(buf, 20));
  for (std::uint32_t to : {0u, 0xffffffffu, 0x0a000001u, 0xc0a80001u, 0x7f000001u}) {
    std::uint8_t copy[20];
    std::copy(buf, buf + 20, copy);
    const std::uint16_t inc = csum_update32(load16(copy + 10), load32(copy + 16), to);
    store32(copy + 16, to);
    store16(copy + 10, 0);
    const std::uint16_t full = csum_compute(copy, 20);
    // 0x0000 and 0xffff are the same one's-complement value.
    EXPECT_TRUE(inc == full || (inc == 0xffff && full == 0) || (inc == 0 && full == 0xffff))
        << std::hex << to;
  }
}

// The 32-bit form gives the same checksum bits as csum_delta32 + csum_apply
// for every old checksum, over random and extreme values (0, all-ones,
// unchanged fields): the established-flow shortcut uses it, the general
// path the 16-bit form, and their packets must be byte-identical.
TEST(Checksum, ThirtyTwoBitUpdateMatchesSixteenBit) {
  std::mt19937_64 rng(99);
  const std::uint32_t edges[] = {0, 1, 0xffff, 0x10000, 0xfffeffff, 0xfffffffe, 0xffffffff};
  for (int i = 0; i < 200000; ++i) {
    const auto r1 = static_cast<std::uint32_t>(rng()), r2 = static_cast<std::uint32_t>(rng());
    const std::uint32_t from = i < 49 ? edges[i % 7] : r1;
    const std::uint32_t to = i < 49 ? edges[i / 7] : i % 3 == 0 ? from : r2;
    for (std::uint16_t check : {0x0000, 0x0001, 0xfffe, 0xffff, static_cast<int>(rng() & 0xffff)}) {
      const std::uint32_t sum =
          csum_add32(csum_add32(~from, to), static_cast<std::uint16_t>(~check));
      ASSERT_EQ(static_cast<std::uint16_t>(~csum_fold32(sum)),
                csum_apply(check, csum_delta32(from, to)))
          << std::hex << "from " << from << " to " << to << " check " << check;
    }
  }
}

}  // namespace
}  // namespace lvs
