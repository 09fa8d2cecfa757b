// libFuzzer target for the VRRP advertisement decoder, and the agent behind
// it. Each input is decoded both as an IPv4 packet and as a bare VRRP
// message (from an exact-size heap copy, so any read past the end is an ASan
// report). A decoded advert must re-encode to the same bytes and decode to
// the same advert, and is then fed to a pair of agents that live across
// inputs. Any crash, sanitizer report or broken invariant is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "lvs/vrrp.h"

namespace {

using namespace lvs;

constexpr Ip4 kSelf = 0x0a010002;

VrrpConfig agent_config(std::uint8_t version) {
  VrrpConfig c;
  c.vrid = 51;
  c.priority = 100;
  c.version = version;
  c.vips = {0xc000020a};
  c.primary_addr = kSelf;
  return c;
}

VrrpAgent& agent(std::uint8_t version) {
  static VrrpAgent* v2 = [] {
    auto* a = new VrrpAgent(agent_config(2));
    a->start(Time{0});
    return a;
  }();
  static VrrpAgent* v3 = [] {
    auto* a = new VrrpAgent(agent_config(3));
    a->start(Time{0});
    return a;
  }();
  return version == 3 ? *v3 : *v2;
}

Time g_now{0};

void check_round_trip(const VrrpDecoded& d, const std::uint8_t* msg, std::size_t len) {
  const std::vector<std::uint8_t> again = encode_vrrp(d.advert, d.src, d.dst);
  const VrrpDecoded d2 = decode_vrrp(again.data(), again.size(), d.src, d.dst);
  if (!d2.ok() || !(d2.advert == d.advert)) std::abort();
  // The re-encoding is byte-identical except v3's reserved bits, which are ignored.
  if (again.size() != len) std::abort();
  for (std::size_t i = 0; i < len; ++i) {
    const std::uint8_t mask = (d.advert.version == 3 && i == 4) ? 0x0f : 0xff;
    if (i == 6 || i == 7) continue;  // checksum: the reserved bits change it too
    if ((again[i] & mask) != (msg[i] & mask)) std::abort();
  }
}

void drive_agent(const VrrpDecoded& d) {
  VrrpAgent& a = agent(d.advert.version);
  g_now += milliseconds(1 + d.advert.priority % 64) * 10;
  a.on_timer(g_now);
  a.on_advert(d.advert, d.src, g_now);
  const auto next = a.next_timer();
  if (next && *next < g_now) std::abort();  // a timer is never left in the past
  if (a.state() == VrrpState::kInit) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto copy = std::make_unique<std::uint8_t[]>(size);
  if (size != 0) std::memcpy(copy.get(), data, size);

  const VrrpDecoded ip = decode_vrrp_ip(copy.get(), size);
  if (ip.ok()) {
    if (ip.ttl != kVrrpTtl) std::abort();
    const std::size_t ihl = std::size_t{copy[0] & 0x0fu} * 4;
    check_round_trip(ip, copy.get() + ihl, vrrp_message_len(ip.advert));
    drive_agent(ip);
  }

  // The same bytes as a bare message, with addresses taken from the input.
  const Ip4 src = size >= 4 ? (Ip4{data[0]} << 24 | Ip4{data[1]} << 16 | Ip4{data[2]} << 8 | data[3]) : 0;
  const VrrpDecoded msg = decode_vrrp(copy.get(), size, src, kVrrpMulticast);
  if (msg.ok()) {
    if (vrrp_message_len(msg.advert) != size) std::abort();
    check_round_trip(msg, copy.get(), size);
    drive_agent(msg);
  }
  return 0;
}
