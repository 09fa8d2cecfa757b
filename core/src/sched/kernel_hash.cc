#include "sched/kernel_hash.h"

namespace lvs::sched {
namespace {

constexpr std::uint64_t rol64(std::uint64_t w, unsigned s) { return (w << s) | (w >> (64 - s)); }

struct SipState {
  std::uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1; v1 = rol64(v1, 13); v1 ^= v0; v0 = rol64(v0, 32);
    v2 += v3; v3 = rol64(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rol64(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rol64(v1, 17); v1 ^= v2; v2 = rol64(v2, 32);
  }
  void compress(std::uint64_t m, int rounds) {
    v3 ^= m;
    for (int i = 0; i < rounds; ++i) round();
    v0 ^= m;
  }
};

std::uint64_t load_le(const std::uint8_t* p, std::size_t n) {
  std::uint64_t m = 0;
  for (std::size_t i = 0; i < n; ++i) m |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return m;
}

}  // namespace

std::uint64_t siphash(const std::uint8_t* data, std::size_t len, std::uint64_t k0, std::uint64_t k1,
                      int c_rounds, int d_rounds) {
  SipState s{0x736f6d6570736575ULL ^ k0, 0x646f72616e646f6dULL ^ k1, 0x6c7967656e657261ULL ^ k0,
             0x7465646279746573ULL ^ k1};
  const std::size_t whole = len - len % 8;
  for (std::size_t i = 0; i < whole; i += 8) s.compress(load_le(data + i, 8), c_rounds);
  const std::uint64_t b = (static_cast<std::uint64_t>(len) << 56) | load_le(data + whole, len % 8);
  s.compress(b, c_rounds);
  s.v2 ^= 0xff;
  for (int i = 0; i < d_rounds; ++i) s.round();
  return (s.v0 ^ s.v1) ^ (s.v2 ^ s.v3);
}

std::uint32_t hsiphash_u32(std::uint32_t v, std::uint64_t k0, std::uint64_t k1) {
  const std::uint8_t bytes[4] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                                 static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
  return static_cast<std::uint32_t>(siphash(bytes, sizeof bytes, k0, k1, 1, 3));
}

}  // namespace lvs::sched
