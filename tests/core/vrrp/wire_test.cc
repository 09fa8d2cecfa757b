// VRRPv2 (RFC 3768) and VRRPv3 (RFC 5798) advertisements on the wire:
// byte layouts, checksums recomputed here from scratch, round trips, and
// malformed input rejected with a named reason.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "lvs/vrrp_wire.h"

namespace lvs {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr Ip4 kSrc = 0x0a010002;  // 10.1.0.2
constexpr Ip4 kDst = kVrrpMulticast;

// RFC 1071, written independently of the engine's csum_compute.
std::uint16_t ones_sum(const Bytes& b, std::size_t from, std::size_t len, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i < len; i += 2) {
    sum += static_cast<std::uint32_t>(b[from + i] << 8) + (i + 1 < len ? b[from + i + 1] : 0u);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

bool vrrp_checksum_ok(const Bytes& msg, Ip4 src, Ip4 dst) {
  std::uint32_t seed = 0;
  if ((msg[0] >> 4) == 3) {
    seed = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 112 +
           static_cast<std::uint32_t>(msg.size());
  }
  return ones_sum(msg, 0, msg.size(), seed) == 0xffff;
}

VrrpAdvert v2_advert() {
  VrrpAdvert a;
  a.version = 2;
  a.vrid = 51;
  a.priority = 100;
  a.advert_int = seconds(1);
  a.vips = {0xc000020a, 0x0a0100fe};
  a.auth_type = VrrpAuthType::kPass;
  a.auth_data = {'1', '1', '1', '1', 0, 0, 0, 0};
  return a;
}

VrrpAdvert v3_advert() {
  VrrpAdvert a;
  a.version = 3;
  a.vrid = 51;
  a.priority = 150;
  a.advert_int = milliseconds(1250);
  a.vips = {0xc000020a};
  return a;
}

// The v2 layout byte by byte, checksum included (worked by hand).
TEST(VrrpWireTest, V2LayoutMatchesRfc3768) {
  const Bytes got = encode_vrrp(v2_advert(), kSrc, kDst);
  const Bytes want = {0x21, 51,   100,  2,    1,    1,    0x00, 0x00,  // checksum patched below
                      192,  0,    2,    10,   10,   1,    0,    254,  '1', '1', '1', '1', 0, 0, 0, 0};
  ASSERT_EQ(got.size(), want.size());
  EXPECT_TRUE(std::equal(got.begin(), got.begin() + 6, want.begin()));
  EXPECT_TRUE(std::equal(got.begin() + 8, got.end(), want.begin() + 8));
  // 0x2133 + 0x6402 + 0x0101 + 0xc000 + 0x020a + 0x0a01 + 0x00fe + 0x3131 + 0x3131
  // = 0x1b5a1, folded 0xb5a2, complemented 0x4a5d.
  EXPECT_EQ(got[6], 0x4a);
  EXPECT_EQ(got[7], 0x5d);
  EXPECT_TRUE(vrrp_checksum_ok(got, kSrc, kDst));
}

// The v3 layout: 12-bit centisecond interval, no auth, pseudo-header checksum.
TEST(VrrpWireTest, V3LayoutMatchesRfc5798) {
  const Bytes got = encode_vrrp(v3_advert(), kSrc, kDst);
  ASSERT_EQ(got.size(), 12u);
  EXPECT_EQ(got[0], 0x31);
  EXPECT_EQ(got[3], 1);
  EXPECT_EQ(got[4], 0x00);  // 125 cs = 0x07d
  EXPECT_EQ(got[5], 0x7d);
  EXPECT_TRUE(vrrp_checksum_ok(got, kSrc, kDst));
  // Without the pseudo-header the sum does not verify.
  EXPECT_NE(ones_sum(got, 0, got.size()), 0xffff);
}

// Round trips through the VRRP message and through the IPv4 packet.
TEST(VrrpWireTest, RoundTrips) {
  VrrpAdvert no_vips = v3_advert();
  no_vips.vips.clear();
  VrrpAdvert max_v3 = v3_advert();
  max_v3.advert_int = milliseconds(40950);
  max_v3.priority = 0;
  VrrpAdvert many = v2_advert();
  many.auth_type = VrrpAuthType::kNone;
  many.auth_data = {};
  many.advert_int = seconds(255);
  for (Ip4 i = 0; i < 20; ++i) many.vips.push_back(0x0a000000 + i);
  for (const VrrpAdvert& a : {v2_advert(), v3_advert(), no_vips, max_v3, many}) {
    SCOPED_TRACE(int{a.version});
    const Bytes msg = encode_vrrp(a, kSrc, kDst);
    EXPECT_EQ(msg.size(), vrrp_message_len(a));
    const VrrpDecoded d = decode_vrrp(msg.data(), msg.size(), kSrc, kDst, 255);
    ASSERT_TRUE(d.ok()) << vrrp_decode_error_name(d.error);
    EXPECT_EQ(d.advert, a);

    const Bytes pkt = encode_vrrp_ip(a, kSrc, kDst, 7);
    EXPECT_EQ(pkt[8], 255);  // TTL
    EXPECT_EQ(pkt[9], 112);  // protocol
    EXPECT_EQ(pkt[1], 0xc0);
    EXPECT_EQ(ones_sum(pkt, 0, 20), 0xffff);
    const VrrpDecoded di = decode_vrrp_ip(pkt.data(), pkt.size());
    ASSERT_TRUE(di.ok()) << vrrp_decode_error_name(di.error);
    EXPECT_EQ(di.advert, a);
    EXPECT_EQ(di.src, kSrc);
    EXPECT_EQ(di.dst, kDst);
    EXPECT_EQ(di.ttl, 255);
  }
}

// Ethernet padding after the IPv4 total length is ignored.
TEST(VrrpWireTest, PaddingIgnored) {
  Bytes pkt = encode_vrrp_ip(v3_advert(), kSrc, kDst);
  pkt.resize(46, 0);
  EXPECT_TRUE(decode_vrrp_ip(pkt.data(), pkt.size()).ok());
}

struct MalformedCase {
  const char* name;
  bool ip;  // mutate the IPv4 packet (else the VRRP message)
  void (*mutate)(Bytes&);
  VrrpDecodeError want;
};

// Every kind of damage gets its own reason.
TEST(VrrpWireTest, MalformedTable) {
  const MalformedCase cases[] = {
      {"short_header", false, [](Bytes& b) { b.resize(7); }, VrrpDecodeError::kTruncated},
      {"bad_version", false, [](Bytes& b) { b[0] = 0x41; }, VrrpDecodeError::kBadVersion},
      {"version_1", false, [](Bytes& b) { b[0] = 0x11; }, VrrpDecodeError::kBadVersion},
      {"bad_type", false, [](Bytes& b) { b[0] = 0x22; }, VrrpDecodeError::kBadType},
      {"vrid_0", false, [](Bytes& b) { b[1] = 0; }, VrrpDecodeError::kBadVrid},
      {"count_too_big", false, [](Bytes& b) { b[3] = 3; }, VrrpDecodeError::kBadCount},
      {"count_255", false, [](Bytes& b) { b[3] = 255; }, VrrpDecodeError::kBadCount},
      {"missing_auth", false, [](Bytes& b) { b.resize(b.size() - 8); }, VrrpDecodeError::kBadCount},
      {"trailing_byte", false, [](Bytes& b) { b.push_back(0); }, VrrpDecodeError::kBadCount},
      {"auth_type_3", false, [](Bytes& b) { b[4] = 3; }, VrrpDecodeError::kBadAuthType},
      {"advert_int_0", false, [](Bytes& b) { b[5] = 0; }, VrrpDecodeError::kBadAdvertInt},
      {"flipped_vip_bit", false, [](Bytes& b) { b[9] ^= 1; }, VrrpDecodeError::kBadChecksum},
      {"flipped_password", false, [](Bytes& b) { b.back() ^= 0x80; }, VrrpDecodeError::kBadChecksum},
      {"ip_short", true, [](Bytes& b) { b.resize(19); }, VrrpDecodeError::kTruncated},
      {"ip_v6", true, [](Bytes& b) { b[0] = 0x65; }, VrrpDecodeError::kBadIpHeader},
      {"ip_ihl_4", true, [](Bytes& b) { b[0] = 0x44; }, VrrpDecodeError::kBadIpHeader},
      {"ip_total_too_long", true, [](Bytes& b) { b[3] = static_cast<std::uint8_t>(b[3] + 1); },
       VrrpDecodeError::kBadIpHeader},
      {"ip_checksum", true, [](Bytes& b) { b[10] ^= 0xff; }, VrrpDecodeError::kBadIpChecksum},
  };
  for (const MalformedCase& c : cases) {
    SCOPED_TRACE(c.name);
    Bytes b = c.ip ? encode_vrrp_ip(v2_advert(), kSrc, kDst) : encode_vrrp(v2_advert(), kSrc, kDst);
    c.mutate(b);
    // Exact-size heap copy, so any read past the end shows under ASan.
    auto copy = std::make_unique<std::uint8_t[]>(b.size());
    std::copy(b.begin(), b.end(), copy.get());
    const VrrpDecoded d = c.ip ? decode_vrrp_ip(copy.get(), b.size())
                               : decode_vrrp(copy.get(), b.size(), kSrc, kDst);
    EXPECT_EQ(d.error, c.want) << vrrp_decode_error_name(d.error);
  }
}

// IP-level checks that need a valid header checksum after the change.
TEST(VrrpWireTest, IpLevelRejections) {
  struct Case {
    const char* name;
    std::size_t offset;
    std::uint8_t value;
    VrrpDecodeError want;
  };
  const Case cases[] = {
      {"ttl_64", 8, 64, VrrpDecodeError::kBadTtl},
      {"ttl_254", 8, 254, VrrpDecodeError::kBadTtl},
      {"udp", 9, 17, VrrpDecodeError::kNotVrrp},
      {"more_fragments", 6, 0x20, VrrpDecodeError::kFragment},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Bytes pkt = encode_vrrp_ip(v3_advert(), kSrc, kDst);
    pkt[c.offset] = c.value;
    pkt[10] = pkt[11] = 0;
    const std::uint16_t sum = static_cast<std::uint16_t>(~ones_sum(pkt, 0, 20));
    pkt[10] = static_cast<std::uint8_t>(sum >> 8);
    pkt[11] = static_cast<std::uint8_t>(sum);
    EXPECT_EQ(decode_vrrp_ip(pkt.data(), pkt.size()).error, c.want);
  }
}

// Unicast instances skip the TTL check (keepalived: routed peers), and still learn it.
TEST(VrrpWireTest, TtlCheckOptionalForUnicast) {
  Bytes pkt = encode_vrrp_ip(v3_advert(), kSrc, 0x0a010003);
  pkt[8] = 62;
  pkt[10] = pkt[11] = 0;
  const std::uint16_t sum = static_cast<std::uint16_t>(~ones_sum(pkt, 0, 20));
  pkt[10] = static_cast<std::uint8_t>(sum >> 8);
  pkt[11] = static_cast<std::uint8_t>(sum);
  EXPECT_EQ(decode_vrrp_ip(pkt.data(), pkt.size()).error, VrrpDecodeError::kBadTtl);
  const VrrpDecoded d = decode_vrrp_ip(pkt.data(), pkt.size(), /*check_ttl=*/false);
  EXPECT_TRUE(d.ok());
  EXPECT_EQ(d.ttl, 62);
}

// v3's checksum binds the addresses; v2's does not.
TEST(VrrpWireTest, PseudoHeaderOnlyInV3) {
  const Bytes v3 = encode_vrrp(v3_advert(), kSrc, kDst);
  EXPECT_EQ(decode_vrrp(v3.data(), v3.size(), kSrc + 1, kDst).error, VrrpDecodeError::kBadChecksum);
  const Bytes v2 = encode_vrrp(v2_advert(), kSrc, kDst);
  EXPECT_TRUE(decode_vrrp(v2.data(), v2.size(), kSrc + 1, kDst).ok());
}

// The TTL is only checked when the caller knows it.
TEST(VrrpWireTest, TtlCheckedWhenGiven) {
  const Bytes m = encode_vrrp(v2_advert(), kSrc, kDst);
  EXPECT_TRUE(decode_vrrp(m.data(), m.size(), kSrc, kDst).ok());
  EXPECT_EQ(decode_vrrp(m.data(), m.size(), kSrc, kDst, 1).error, VrrpDecodeError::kBadTtl);
}

// Every truncation of a valid packet is rejected without reading past its end.
TEST(VrrpWireTest, EveryTruncationRejected) {
  for (const VrrpAdvert& a : {v2_advert(), v3_advert()}) {
    for (const Bytes& whole : {encode_vrrp_ip(a, kSrc, kDst), encode_vrrp(a, kSrc, kDst)}) {
      const bool ip = whole[0] == 0x45;
      for (std::size_t n = 0; n < whole.size(); ++n) {
        auto copy = std::make_unique<std::uint8_t[]>(n);
        std::copy(whole.begin(), whole.begin() + static_cast<long>(n), copy.get());
        const VrrpDecoded d = ip ? decode_vrrp_ip(copy.get(), n) : decode_vrrp(copy.get(), n, kSrc, kDst);
        EXPECT_FALSE(d.ok()) << n;
      }
    }
  }
}

// Every error has a distinct name.
TEST(VrrpWireTest, ErrorNames) {
  std::vector<std::string_view> names;
  for (int e = 0; e < static_cast<int>(VrrpDecodeError::kCount); ++e) {
    names.push_back(vrrp_decode_error_name(static_cast<VrrpDecodeError>(e)));
    EXPECT_NE(names.back(), "?");
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
}

}  // namespace
}  // namespace lvs
