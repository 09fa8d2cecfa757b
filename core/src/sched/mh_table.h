#pragma once
// The Maglev lookup table of ip_vs_mh.c (permutation + population).

#include <cstdint>
#include <vector>

#include "lvs/service.h"

namespace lvs::sched {

class MhTable {
 public:
  static constexpr std::uint32_t kSize = 4093;  // primes[CONFIG_IP_VS_MH_TAB_INDEX(12) - 8]

  // ip_vs_mh_hashkey(): hsiphash(offset + port + addr, key1) % kSize.
  static std::uint32_t slot_of(std::uint32_t port_plus_addr, std::uint32_t offset);

  // Rebuilds from servers in list order, weighted by their last_weight.
  void populate(const std::vector<RealServer*>& dests);
  RealServer* at(std::uint32_t slot) const { return lookup_.empty() ? nullptr : lookup_[slot]; }

 private:
  std::vector<RealServer*> lookup_;
};

}  // namespace lvs::sched
