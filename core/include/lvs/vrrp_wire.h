#pragma once
// VRRP advertisements on the wire: VRRPv2 (RFC 3768) and VRRPv3 for IPv4
// (RFC 5798), inside an IPv4 packet with protocol 112 and TTL 255.
//
//  v2: | ver|type | vrid | priority | count | auth type | adver int (s) | checksum |
//      | IPv4 address 1..count | auth data (8 bytes) |
//  v3: | ver|type | vrid | priority | count | rsvd(4) max adver int (12, cs) | checksum |
//      | IPv4 address 1..count |
//
// The v2 checksum covers the VRRP message only; the v3 checksum also covers
// the IPv4 pseudo-header (src, dst, 0, 112, VRRP length).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "lvs/types.h"

namespace lvs {

constexpr std::uint8_t kVrrpProto = 112;
constexpr std::uint8_t kVrrpTtl = 255;
constexpr Ip4 kVrrpMulticast = 0xe0000012u;  // 224.0.0.18
constexpr std::uint8_t kVrrpPriorityStop = 0;    // "I am leaving": backups take over after skew
constexpr std::uint8_t kVrrpPriorityOwner = 255;  // the address owner

enum class VrrpAuthType : std::uint8_t { kNone = 0, kPass = 1, kAh = 2 };  // v2 only

struct VrrpAdvert {
  std::uint8_t version = 2;  // 2 or 3
  std::uint8_t vrid = 0;
  std::uint8_t priority = 0;
  // v2 carries whole seconds (1..255); v3 carries centiseconds (1..4095).
  Duration advert_int = seconds(1);
  std::vector<Ip4> vips;
  VrrpAuthType auth_type = VrrpAuthType::kNone;  // v2
  std::array<std::uint8_t, 8> auth_data{};       // v2: PASS password, zero padded

  friend bool operator==(const VrrpAdvert& a, const VrrpAdvert& b) {
    return a.version == b.version && a.vrid == b.vrid && a.priority == b.priority &&
           a.advert_int == b.advert_int && a.vips == b.vips && a.auth_type == b.auth_type &&
           a.auth_data == b.auth_data;
  }
};

// Every reason a received packet is not a usable advertisement.
enum class VrrpDecodeError : std::uint8_t {
  kNone = 0,
  kTruncated,      // shorter than the fixed header (or the IPv4 header)
  kBadIpHeader,    // not IPv4, IHL < 5, or total length beyond the buffer
  kBadIpChecksum,
  kFragment,       // VRRP is never fragmented
  kNotVrrp,        // IP protocol is not 112
  kBadTtl,         // RFC 3768 7.1 / RFC 5798 7.1: TTL must be 255
  kBadVersion,     // not 2 or 3
  kBadType,        // not 1 (ADVERTISEMENT)
  kBadVrid,        // 0
  kBadCount,       // count of addresses disagrees with the length
  kBadAuthType,    // v2 auth type > 2
  kBadAdvertInt,   // 0
  kBadChecksum,
  kCount
};
std::string_view vrrp_decode_error_name(VrrpDecodeError e);

struct VrrpDecoded {
  VrrpDecodeError error = VrrpDecodeError::kNone;
  VrrpAdvert advert;
  Ip4 src = 0;  // from the IPv4 header (decode_vrrp_ip) or as passed in
  Ip4 dst = 0;
  std::uint8_t ttl = 0;
  bool ok() const { return error == VrrpDecodeError::kNone; }
};

// Length of the VRRP message (not the IPv4 header) for `adv`.
std::size_t vrrp_message_len(const VrrpAdvert& adv);

// The VRRP message alone; src/dst feed the v3 pseudo-header checksum.
// advert_int is truncated to the wire's unit (seconds / centiseconds) and
// clamped to the field; the agent only sends valid intervals.
std::vector<std::uint8_t> encode_vrrp(const VrrpAdvert& adv, Ip4 src, Ip4 dst);
// The whole IPv4 packet as keepalived sends it: TOS 0xc0 (network control),
// TTL 255, protocol 112, no options, header checksum set.
std::vector<std::uint8_t> encode_vrrp_ip(const VrrpAdvert& adv, Ip4 src, Ip4 dst,
                                         std::uint16_t ip_id = 0);

// Decodes a VRRP message. `ttl` < 0 means "not known" and skips the TTL check.
// Never reads outside [data, data + len).
VrrpDecoded decode_vrrp(const std::uint8_t* data, std::size_t len, Ip4 src, Ip4 dst, int ttl = -1);
// Decodes an IPv4 packet carrying VRRP. Bytes past the IPv4 total length
// (Ethernet padding) are ignored. keepalived checks the TTL only for
// multicast instances (unicast peers may be routed): pass check_ttl = false
// for those.
VrrpDecoded decode_vrrp_ip(const std::uint8_t* data, std::size_t len, bool check_ttl = true);

}  // namespace lvs
