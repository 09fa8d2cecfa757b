#pragma once
// The kernel hash functions the hashing schedulers depend on.

#include <cstddef>
#include <cstdint>

namespace lvs::sched {

// include/linux/hash.h hash_32(): multiply by GOLDEN_RATIO_32, keep the top bits.
constexpr std::uint32_t hash_32(std::uint32_t val, unsigned bits) {
  return (val * 0x61C88647u) >> (32 - bits);
}

// SipHash-c-d over `len` bytes with the 128-bit key (k0, k1) (lib/siphash.c).
std::uint64_t siphash(const std::uint8_t* data, std::size_t len, std::uint64_t k0, std::uint64_t k1,
                      int c_rounds, int d_rounds);

// hsiphash() of a 4-byte value on a 64-bit kernel: SipHash-1-3 of its
// little-endian bytes, truncated to 32 bits.
std::uint32_t hsiphash_u32(std::uint32_t v, std::uint64_t k0, std::uint64_t k1);

}  // namespace lvs::sched
