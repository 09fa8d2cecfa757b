// The wlc-family keys divide by the weight with a reciprocal table
// (sched/dest_index.h). It must give exactly libgcc's 128-bit quotient, or a
// tie or an order between two servers could differ from the kernel's
// cross-multiplication.

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "sched/dest_index.h"

namespace lvs::sched {
namespace {

Word128 divided(std::uint64_t n, std::uint64_t w) {
  return (Word128{n} << 62) / w;
}

std::string hex(Word128 v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(v >> 64),
                static_cast<unsigned long long>(v));
  return buf;
}

// Every table weight, against the edges of n's range, the multiples of w and
// their neighbours (where a floor is decided), and random n.
TEST(ScaledQuotient, EqualsTheDivisionForEveryTableWeight) {
  std::mt19937_64 rng(62);
  constexpr std::uint64_t kMaxN = std::uint64_t{1} << 32;
  for (std::uint64_t w = 1; w < kReciprocalWeights; ++w) {
    std::vector<std::uint64_t> ns = {0,
                                     1,
                                     2,
                                     w - 1,
                                     w,
                                     w + 1,
                                     kMaxN,
                                     kMaxN - 1,
                                     kMaxN / 2,
                                     kMaxN / 2 - 1,
                                     kMaxN - w,
                                     (kMaxN / w) * w,
                                     (kMaxN / w) * w - 1};
    for (int i = 0; i < 1500; ++i) ns.push_back(rng() % (kMaxN + 1));
    for (int i = 0; i < 100; ++i) {
      const std::uint64_t k = rng() % (kMaxN / w + 1);
      for (std::uint64_t n : {k * w, k * w + 1, k * w + w - 1})
        if (n <= kMaxN) ns.push_back(n);
    }
    for (std::uint64_t n : ns)
      ASSERT_TRUE(scaled_quotient(n, w) == divided(n, w))
          << "n=" << n << " w=" << w << ": " << hex(scaled_quotient(n, w)) << " against "
          << hex(divided(n, w));
  }
}

// Weights above the table divide; the boundary on both sides, and the largest weight.
TEST(ScaledQuotient, EqualsTheDivisionAboveTheTable) {
  std::mt19937_64 rng(63);
  const std::uint64_t weights[] = {kReciprocalWeights - 1,
                                   kReciprocalWeights,
                                   kReciprocalWeights + 1,
                                   65535,
                                   1000003,
                                   0x7fffffff};
  for (std::uint64_t w : weights)
    for (int i = 0; i < 2000; ++i) {
      const std::uint64_t n = rng() % ((std::uint64_t{1} << 32) + 1);
      ASSERT_TRUE(scaled_quotient(n, w) == divided(n, w))
          << "n=" << n << " w=" << w << ": " << hex(scaled_quotient(n, w)) << " against "
          << hex(divided(n, w));
    }
}

}  // namespace
}  // namespace lvs::sched
