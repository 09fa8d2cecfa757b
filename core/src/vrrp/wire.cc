#include <algorithm>

#include "lvs/packet.h"
#include "lvs/vrrp_wire.h"

namespace lvs {
namespace {

constexpr std::size_t kHeaderLen = 8;
constexpr std::size_t kAuthLen = 8;
constexpr std::size_t kIpHeaderLen = 20;
constexpr std::uint8_t kTypeAdvert = 1;
constexpr Duration kCentisecond = milliseconds(10);

// One's-complement sum of the v3 pseudo-header, as the seed of csum_compute.
std::uint32_t pseudo_header_sum(Ip4 src, Ip4 dst, std::size_t vrrp_len) {
  return (src >> 16) + (src & 0xffffu) + (dst >> 16) + (dst & 0xffffu) + kVrrpProto +
         static_cast<std::uint32_t>(vrrp_len);
}

std::uint16_t vrrp_checksum(const std::uint8_t* msg, std::size_t len, std::uint8_t version, Ip4 src,
                            Ip4 dst) {
  return csum_compute(msg, len, version == 3 ? pseudo_header_sum(src, dst, len) : 0);
}

}  // namespace

std::string_view vrrp_decode_error_name(VrrpDecodeError e) {
  switch (e) {
    case VrrpDecodeError::kNone: return "none";
    case VrrpDecodeError::kTruncated: return "truncated";
    case VrrpDecodeError::kBadIpHeader: return "bad_ip_header";
    case VrrpDecodeError::kBadIpChecksum: return "bad_ip_checksum";
    case VrrpDecodeError::kFragment: return "fragment";
    case VrrpDecodeError::kNotVrrp: return "not_vrrp";
    case VrrpDecodeError::kBadTtl: return "bad_ttl";
    case VrrpDecodeError::kBadVersion: return "bad_version";
    case VrrpDecodeError::kBadType: return "bad_type";
    case VrrpDecodeError::kBadVrid: return "bad_vrid";
    case VrrpDecodeError::kBadCount: return "bad_count";
    case VrrpDecodeError::kBadAuthType: return "bad_auth_type";
    case VrrpDecodeError::kBadAdvertInt: return "bad_advert_int";
    case VrrpDecodeError::kBadChecksum: return "bad_checksum";
    case VrrpDecodeError::kCount: break;
  }
  return "?";
}

std::size_t vrrp_message_len(const VrrpAdvert& adv) {
  return kHeaderLen + 4 * adv.vips.size() + (adv.version == 2 ? kAuthLen : 0);
}

std::vector<std::uint8_t> encode_vrrp(const VrrpAdvert& adv, Ip4 src, Ip4 dst) {
  const std::size_t count = std::min<std::size_t>(adv.vips.size(), 255);
  std::vector<std::uint8_t> out(kHeaderLen + 4 * count + (adv.version == 2 ? kAuthLen : 0), 0);
  out[0] = static_cast<std::uint8_t>((adv.version << 4) | kTypeAdvert);
  out[1] = adv.vrid;
  out[2] = adv.priority;
  out[3] = static_cast<std::uint8_t>(count);
  if (adv.version == 2) {
    out[4] = static_cast<std::uint8_t>(adv.auth_type);
    out[5] = static_cast<std::uint8_t>(std::clamp<Duration::rep>(adv.advert_int / seconds(1), 0, 255));
  } else {
    store16(&out[4], static_cast<std::uint16_t>(
                         std::clamp<Duration::rep>(adv.advert_int / kCentisecond, 0, 0x0fff)));
  }
  for (std::size_t i = 0; i < count; ++i) store32(&out[kHeaderLen + 4 * i], adv.vips[i]);
  if (adv.version == 2) {
    std::copy(adv.auth_data.begin(), adv.auth_data.end(), out.begin() + static_cast<long>(kHeaderLen + 4 * count));
  }
  store16(&out[6], vrrp_checksum(out.data(), out.size(), adv.version, src, dst));
  return out;
}

std::vector<std::uint8_t> encode_vrrp_ip(const VrrpAdvert& adv, Ip4 src, Ip4 dst, std::uint16_t ip_id) {
  const std::vector<std::uint8_t> msg = encode_vrrp(adv, src, dst);
  std::vector<std::uint8_t> out(kIpHeaderLen + msg.size(), 0);
  out[0] = 0x45;
  out[1] = 0xc0;  // IPTOS_PREC_INTERNETCONTROL, as keepalived sets it
  store16(&out[2], static_cast<std::uint16_t>(out.size()));
  store16(&out[4], ip_id);
  out[8] = kVrrpTtl;
  out[9] = kVrrpProto;
  store32(&out[12], src);
  store32(&out[16], dst);
  store16(&out[10], csum_compute(out.data(), kIpHeaderLen));
  std::copy(msg.begin(), msg.end(), out.begin() + kIpHeaderLen);
  return out;
}

VrrpDecoded decode_vrrp(const std::uint8_t* data, std::size_t len, Ip4 src, Ip4 dst, int ttl) {
  VrrpDecoded d;
  d.src = src;
  d.dst = dst;
  d.ttl = static_cast<std::uint8_t>(ttl < 0 ? 0 : ttl);
  auto fail = [&d](VrrpDecodeError e) {
    d.error = e;
    return d;
  };
  if (ttl >= 0 && ttl != kVrrpTtl) return fail(VrrpDecodeError::kBadTtl);
  if (len < kHeaderLen) return fail(VrrpDecodeError::kTruncated);
  const std::uint8_t version = data[0] >> 4;
  if (version != 2 && version != 3) return fail(VrrpDecodeError::kBadVersion);
  if ((data[0] & 0x0f) != kTypeAdvert) return fail(VrrpDecodeError::kBadType);
  if (data[1] == 0) return fail(VrrpDecodeError::kBadVrid);
  const std::size_t count = data[3];
  // RFC 3768/5798 7.1: the packet must hold exactly the fixed fields and
  // `count` addresses (plus v2's authentication data).
  const std::size_t expected = kHeaderLen + 4 * count + (version == 2 ? kAuthLen : 0);
  if (len != expected) return fail(VrrpDecodeError::kBadCount);
  VrrpAdvert& a = d.advert;
  a.version = version;
  a.vrid = data[1];
  a.priority = data[2];
  if (version == 2) {
    if (data[4] > static_cast<std::uint8_t>(VrrpAuthType::kAh)) return fail(VrrpDecodeError::kBadAuthType);
    a.auth_type = static_cast<VrrpAuthType>(data[4]);
    a.advert_int = seconds(data[5]);
  } else {
    a.advert_int = kCentisecond * (load16(data + 4) & 0x0fff);  // the 4 reserved bits are ignored
  }
  if (a.advert_int == Duration::zero()) return fail(VrrpDecodeError::kBadAdvertInt);
  // A valid message sums to zero with its checksum field included.
  if (vrrp_checksum(data, len, version, src, dst) != 0) return fail(VrrpDecodeError::kBadChecksum);
  a.vips.reserve(count);
  for (std::size_t i = 0; i < count; ++i) a.vips.push_back(load32(data + kHeaderLen + 4 * i));
  if (version == 2) std::copy(data + kHeaderLen + 4 * count, data + len, a.auth_data.begin());
  return d;
}

VrrpDecoded decode_vrrp_ip(const std::uint8_t* data, std::size_t len, bool check_ttl) {
  VrrpDecoded d;
  auto fail = [&d](VrrpDecodeError e) {
    d.error = e;
    return d;
  };
  if (len < kIpHeaderLen) return fail(VrrpDecodeError::kTruncated);
  if ((data[0] >> 4) != 4) return fail(VrrpDecodeError::kBadIpHeader);
  const std::size_t ihl = std::size_t{data[0] & 0x0fu} * 4;
  const std::size_t total = load16(data + 2);
  if (ihl < kIpHeaderLen || ihl > len || total < ihl || total > len) {
    return fail(VrrpDecodeError::kBadIpHeader);
  }
  if (csum_compute(data, ihl) != 0) return fail(VrrpDecodeError::kBadIpChecksum);
  if ((load16(data + 6) & 0x3fff) != 0) return fail(VrrpDecodeError::kFragment);
  if (data[9] != kVrrpProto) return fail(VrrpDecodeError::kNotVrrp);
  VrrpDecoded d2 = decode_vrrp(data + ihl, total - ihl, load32(data + 12), load32(data + 16),
                               check_ttl ? data[8] : -1);
  d2.ttl = data[8];
  return d2;
}

}  // namespace lvs
