#pragma once
// Basic value types shared by every part of the engine.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lvs {

// The engine never reads a clock: every entry point takes `now`, a monotonic
// time since an epoch of the caller's choosing.
using Time = std::chrono::nanoseconds;
using Duration = std::chrono::nanoseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

// IPv4 address in host byte order (10.0.0.1 == 0x0a000001).
using Ip4 = std::uint32_t;

enum class Proto : std::uint8_t { kIp = 0, kIcmp = 1, kTcp = 6, kUdp = 17 };

// "10.0.0.1" -> 0x0a000001; nullopt on anything that is not a dotted quad.
std::optional<Ip4> parse_ip4(std::string_view text);
std::string format_ip4(Ip4 addr);
// ipvsadm spells protocols TCP/UDP (and FWM for firewall-mark services).
std::string_view proto_name(Proto p);

constexpr Ip4 prefix_mask(unsigned bits) {
  return bits == 0 ? 0u : (bits >= 32 ? 0xffffffffu : ~((1u << (32 - bits)) - 1u));
}

}  // namespace lvs
