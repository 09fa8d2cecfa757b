#pragma once
// Plain O(n) transliterations of the kernel schedulers, written from
// net/netfilter/ipvs/ip_vs_*.c without any index. The randomized test runs
// them side by side with the fast ones in core/src/sched/.
//
// Unlike the fast versions they keep raw pointers to servers that left the
// service (the test never frees a server, like the kernel's dest trash).

#include <memory>
#include <string_view>

#include "lvs/scheduler.h"

namespace lvs::ref {

std::unique_ptr<Scheduler> make_reference(std::string_view name, RandomSource rng);

// Kernel helpers, reimplemented here so the reference shares no code.
std::uint32_t hash32(std::uint32_t val, unsigned bits);
std::uint64_t siphash_bytes(const std::uint8_t* data, std::size_t len, std::uint64_t k0, std::uint64_t k1,
                            int c, int d);
std::uint32_t get_random_u32_below(const RandomSource& rng, std::uint32_t ceil);

}  // namespace lvs::ref
