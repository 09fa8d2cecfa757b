#include "sched/mh_table.h"

#include <numeric>

#include "sched/kernel_hash.h"

namespace lvs::sched {
namespace {

// generate_hash_secret(): fixed keys in the kernel.
constexpr std::uint64_t kKey1 = 2654435761ULL;
constexpr std::uint64_t kKey2 = 2654446892ULL;
constexpr int kTabBits = 12 / 2;  // IP_VS_MH_TAB_BITS

int fls(std::uint32_t x) {
  int r = 0;
  while (x) {
    ++r;
    x >>= 1;
  }
  return r;
}

struct Setup {
  std::uint32_t skip = 0;
  std::uint32_t perm = 0;
  std::int32_t turns = 0;
};

std::vector<Setup> permutate(const std::vector<RealServer*>& dests, std::int32_t gcd, int rshift) {
  std::vector<Setup> setup(dests.size());
  for (std::size_t i = 0; i < dests.size(); ++i) {
    const std::uint32_t v = static_cast<std::uint32_t>(dests[i]->cfg.port) + dests[i]->cfg.addr;
    setup[i].perm = hsiphash_u32(v, kKey1, kKey1) % MhTable::kSize;
    setup[i].skip = hsiphash_u32(v, kKey2, kKey2) % (MhTable::kSize - 1) + 1;
    const std::int32_t lw = dests[i]->last_weight;
    const std::int32_t t = (lw / gcd) >> rshift;
    setup[i].turns = t ? t : (lw != 0);
  }
  return setup;
}

}  // namespace

std::uint32_t MhTable::slot_of(std::uint32_t port_plus_addr, std::uint32_t offset) {
  return hsiphash_u32(offset + port_plus_addr, kKey1, kKey1) % kSize;
}

void MhTable::populate(const std::vector<RealServer*>& dests) {
  std::int32_t gcd = 0, maxw = 0;
  for (const RealServer* d : dests) {
    const std::int32_t w = d->last_weight;
    if (w > 0) gcd = gcd > 0 ? std::gcd(w, gcd) : w;
    maxw = std::max(maxw, w);
  }
  if (gcd < 1) {
    lookup_.assign(kSize, nullptr);
    return;
  }
  const int shift = fls(static_cast<std::uint32_t>(maxw / gcd)) - kTabBits;
  std::vector<Setup> setup = permutate(dests, gcd, shift > 0 ? shift : 0);
  lookup_.assign(kSize, nullptr);
  std::vector<bool> taken(kSize, false);
  std::uint32_t filled = 0;
  std::int32_t turn = 0;
  for (;;) {
    for (std::size_t i = 0; i < dests.size();) {
      Setup& s = setup[i];
      if (s.turns < 1) {  // a server added with weight 0 claims nothing
        ++i;
        continue;
      }
      while (taken[s.perm]) {
        s.perm += s.skip;
        if (s.perm >= kSize) s.perm -= kSize;
      }
      taken[s.perm] = true;
      lookup_[s.perm] = dests[i];
      if (++filled == kSize) return;
      if (++turn >= s.turns) {
        turn = 0;
        ++i;
      }
    }
  }
}

}  // namespace lvs::sched
