#pragma once
// Helpers shared by the VRRP tests: configs, adverts, and action filters.

#include <chrono>
#include <cstddef>
#include <vector>

#include "lvs/vrrp.h"

namespace lvs::vrrp_test {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

constexpr Ip4 kVip = 0xc000020a;       // 192.0.2.10
constexpr Ip4 kNatGw = 0x0a0100fe;     // 10.1.0.254
constexpr Ip4 kRouterA = 0x0a010001;   // 10.1.0.1
constexpr Ip4 kRouterB = 0x0a010002;   // 10.1.0.2

inline VrrpConfig make_config(std::uint8_t priority, Ip4 self = kRouterB, std::uint8_t version = 2,
                              Duration advert_int = seconds(1)) {
  VrrpConfig c;
  c.name = "VI_1";
  c.vrid = 51;
  c.priority = priority;
  c.version = version;
  c.advert_int = advert_int;
  c.vips = {kVip};
  c.primary_addr = self;
  return c;
}

// An advert as the peer configured like `like` would send it.
inline VrrpAdvert advert_like(const VrrpConfig& like, std::uint8_t priority) {
  VrrpAdvert a;
  a.version = like.version;
  a.vrid = like.vrid;
  a.priority = priority;
  a.advert_int = like.advert_int;
  a.vips = like.vips;
  a.auth_type = like.auth_type;
  a.auth_data = like.auth_pass;
  return a;
}

inline std::vector<VrrpAction> of_kind(const VrrpActions& acts, VrrpAction::Kind k) {
  std::vector<VrrpAction> out;
  for (const VrrpAction& a : acts) {
    if (a.kind == k) out.push_back(a);
  }
  return out;
}

inline std::size_t count_kind(const VrrpActions& acts, VrrpAction::Kind k) {
  return of_kind(acts, k).size();
}

// The priorities of the adverts sent, in order.
inline std::vector<int> sent_priorities(const VrrpActions& acts) {
  std::vector<int> out;
  for (const VrrpAction& a : of_kind(acts, VrrpAction::Kind::kSendAdvert)) out.push_back(a.advert.priority);
  return out;
}

// Runs the agent's timers up to and including `until`, collecting actions.
template <typename Agent>
VrrpActions run_until(Agent& agent, Time until) {
  VrrpActions all;
  for (auto t = agent.next_timer(); t && *t <= until; t = agent.next_timer()) {
    VrrpActions a = agent.on_timer(*t);
    all.insert(all.end(), a.begin(), a.end());
  }
  return all;
}

}  // namespace lvs::vrrp_test
