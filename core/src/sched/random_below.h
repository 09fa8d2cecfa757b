#pragma once
// The kernel's get_random_u32_below(ceil) (Lemire's multiply-and-reject) fed
// by the injected RandomSource: one 32-bit draw, more only on a rejection.

#include <cstdint>

#include "lvs/scheduler.h"

namespace lvs::sched {

inline std::uint32_t random_below(const RandomSource& rng, std::uint32_t ceil) {
  const std::uint32_t rand = rng();
  if (ceil == 0) return rand;
  std::uint64_t mult = static_cast<std::uint64_t>(ceil) * rand;
  if (static_cast<std::uint32_t>(mult) < ceil) {
    const std::uint32_t bound = (0u - ceil) % ceil;
    while (static_cast<std::uint32_t>(mult) < bound) mult = static_cast<std::uint64_t>(ceil) * rng();
  }
  return static_cast<std::uint32_t>(mult >> 32);
}

}  // namespace lvs::sched
