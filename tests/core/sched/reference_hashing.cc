// Reference dh, sh, mh and the kernel hash helpers.

#include <numeric>
#include <vector>

#include "sched/reference_parts.h"

namespace lvs::ref {

std::uint32_t hash32(std::uint32_t val, unsigned bits) { return (val * 0x61C88647u) >> (32 - bits); }

std::uint64_t siphash_bytes(const std::uint8_t* data, std::size_t len, std::uint64_t k0, std::uint64_t k1,
                            int c, int d) {
  auto rol = [](std::uint64_t x, int s) { return (x << s) | (x >> (64 - s)); };
  std::uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
  std::uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
  auto sipround = [&] {
    v0 += v1, v1 = rol(v1, 13), v1 ^= v0, v0 = rol(v0, 32);
    v2 += v3, v3 = rol(v3, 16), v3 ^= v2;
    v0 += v3, v3 = rol(v3, 21), v3 ^= v0;
    v2 += v1, v1 = rol(v1, 17), v1 ^= v2, v2 = rol(v2, 32);
  };
  std::size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    std::uint64_t m = 0;
    for (int k = 7; k >= 0; --k) m = (m << 8) | data[i + static_cast<std::size_t>(k)];
    v3 ^= m;
    for (int r = 0; r < c; ++r) sipround();
    v0 ^= m;
  }
  std::uint64_t b = static_cast<std::uint64_t>(len) << 56;
  for (std::size_t k = 0; i + k < len; ++k) b |= static_cast<std::uint64_t>(data[i + k]) << (8 * k);
  v3 ^= b;
  for (int r = 0; r < c; ++r) sipround();
  v0 ^= b;
  v2 ^= 0xff;
  for (int r = 0; r < d; ++r) sipround();
  return v0 ^ v1 ^ v2 ^ v3;
}

namespace {

bool unavailable(const RealServer* d) { return d->weight() <= 0 || d->overloaded(); }

std::uint16_t port_for(const VirtualService& svc, const SchedPacket& p) {
  if (!(svc.cfg.flags & kSvcSched2)) return 0;
  return (p.proto == Proto::kTcp || p.proto == Proto::kUdp) ? p.sport : 0;
}

class Dh final : public RefBase {
 public:
  Dh() : RefBase("dh") {}
  void init_service(VirtualService& s) override { assign(s); }
  void add_dest(VirtualService& s, RealServer&) override { assign(s); }
  void del_dest(VirtualService& s, RealServer&) override { assign(s); }
  RealServer* schedule(VirtualService&, const SchedPacket& p, Time) override {
    RealServer* d = tbl_[hash32(p.daddr, 8)];
    if (!d || !d->available() || d->weight() <= 0 || d->overloaded()) return nullptr;
    return d;
  }

 private:
  void assign(const VirtualService& s) {
    int p = -1;  // -1: the list head
    const int n = static_cast<int>(s.dests.size());
    for (auto& b : tbl_) {
      if (n == 0) {
        b = nullptr;
        continue;
      }
      if (p == -1 || p == n) p = 0;
      b = s.dests[p++];
    }
  }
  RealServer* tbl_[256] = {};
};

class Sh final : public RefBase {
 public:
  Sh() : RefBase("sh") {}
  void init_service(VirtualService& s) override { assign(s); }
  void add_dest(VirtualService& s, RealServer&) override { assign(s); }
  void del_dest(VirtualService& s, RealServer&) override { assign(s); }
  void upd_dest(VirtualService& s, RealServer&) override { assign(s); }
  RealServer* schedule(VirtualService& s, const SchedPacket& p, Time) override {
    const std::uint32_t v = port_for(s, p) + p.saddr;
    auto key = [v](std::uint32_t off) { return (off + hash32(v, 8)) & 255u; };
    const std::uint32_t ihash = key(0);
    RealServer* d = tbl_[ihash];
    if (!(s.cfg.flags & kSvcSched1)) return (!d || unavailable(d)) ? nullptr : d;
    if (!d) return nullptr;
    if (!unavailable(d)) return d;
    for (std::uint32_t off = 0; off < 256; ++off) {
      d = tbl_[key((off + ihash) % 256)];
      if (!d) break;
      if (!unavailable(d)) return d;
    }
    return nullptr;
  }

 private:
  void assign(const VirtualService& s) {
    std::size_t p = 0;
    int count = 0;
    for (auto& b : tbl_) {
      if (s.dests.empty()) {
        b = nullptr;
        continue;
      }
      if (p == s.dests.size()) p = 0;
      b = s.dests[p];
      if (++count >= s.dests[p]->weight()) ++p, count = 0;
    }
  }
  RealServer* tbl_[256] = {};
};

constexpr std::uint32_t kMhSize = 4093;

std::uint32_t mh_hash(std::uint32_t v, std::uint64_t key) {
  const std::uint8_t b[4] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                             static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
  return static_cast<std::uint32_t>(siphash_bytes(b, 4, key, key, 1, 3));
}

class Mh final : public RefBase {
 public:
  Mh() : RefBase("mh") {}
  // ip_vs_mh_init_svc / ip_vs_mh_dest_changed, from each dest's last_weight.
  void init_service(VirtualService& s) override { reassign(s); }
  void add_dest(VirtualService& s, RealServer&) override { reassign(s); }
  void del_dest(VirtualService& s, RealServer&) override { reassign(s); }
  void upd_dest(VirtualService& s, RealServer&) override { reassign(s); }
  RealServer* schedule(VirtualService& s, const SchedPacket& p, Time) override {
    const std::uint32_t v = port_for(s, p) + p.saddr;
    const std::uint32_t ihash = mh_hash(v, kKey1) % kMhSize;
    RealServer* d = lookup_[ihash];
    if (!(s.cfg.flags & kSvcSched1)) return (!d || unavailable(d)) ? nullptr : d;
    if (!d) return nullptr;
    if (!unavailable(d)) return d;
    for (std::uint32_t off = 0; off < kMhSize; ++off) {
      d = lookup_[mh_hash((off + ihash) % kMhSize + v, kKey1) % kMhSize];
      if (!d) break;
      if (!unavailable(d)) return d;
    }
    return nullptr;
  }

 private:
  static constexpr std::uint64_t kKey1 = 2654435761ULL, kKey2 = 2654446892ULL;
  void reassign(const VirtualService& s) {
    if (s.dests.size() > kMhSize) return;
    int g = 0, mw = 0;
    for (auto* d : s.dests) {
      const int w = d->last_weight;
      if (w > 0) g = g > 0 ? std::gcd(w, g) : w;
      mw = std::max(mw, w);
    }
    lookup_.assign(kMhSize, nullptr);
    if (g < 1) return;
    int shift = 0;
    for (int x = mw / g; x; x >>= 1) ++shift;
    shift = std::max(shift - 6, 0);
    struct Ds { std::uint32_t offset, skip, perm; int turns; };
    std::vector<Ds> ds;
    for (auto* d : s.dests) {
      const std::uint32_t v = d->cfg.port + d->cfg.addr;
      const int lw = d->last_weight;
      Ds x{mh_hash(v, kKey1) % kMhSize, mh_hash(v, kKey2) % (kMhSize - 1) + 1, 0, 0};
      x.perm = x.offset;
      x.turns = ((lw / g) >> shift) ? ((lw / g) >> shift) : (lw != 0);
      ds.push_back(x);
    }
    std::vector<bool> used(kMhSize);
    std::uint32_t n = 0;
    int dt = 0;
    while (n < kMhSize) {
      std::size_t p = 0;
      while (p < s.dests.size()) {
        if (ds[p].turns < 1) {
          ++p;
          continue;
        }
        std::uint32_t c = ds[p].perm;
        while (used[c]) {
          ds[p].perm += ds[p].skip;
          if (ds[p].perm >= kMhSize) ds[p].perm -= kMhSize;
          c = ds[p].perm;
        }
        used[c] = true;
        lookup_[c] = s.dests[p];
        if (++n == kMhSize) return;
        if (++dt >= ds[p].turns) dt = 0, ++p;
      }
    }
  }
  std::vector<RealServer*> lookup_;
};

}  // namespace

std::unique_ptr<Scheduler> make_hashing_reference(std::string_view name) {
  if (name == "dh") return std::make_unique<Dh>();
  if (name == "sh") return std::make_unique<Sh>();
  if (name == "mh") return std::make_unique<Mh>();
  return nullptr;
}

std::uint32_t get_random_u32_below(const RandomSource& rng, std::uint32_t ceil) {
  std::uint32_t r = rng();
  if (ceil == 0) return r;  // the kernel's non-constant path: get_random_u32() itself
  std::uint64_t m = static_cast<std::uint64_t>(ceil) * r;
  if (static_cast<std::uint32_t>(m) < ceil) {
    const std::uint32_t bound = static_cast<std::uint32_t>(-static_cast<std::int64_t>(ceil)) % ceil;
    while (static_cast<std::uint32_t>(m) < bound) m = static_cast<std::uint64_t>(ceil) * rng();
  }
  return static_cast<std::uint32_t>(m >> 32);
}

std::unique_ptr<Scheduler> make_reference(std::string_view name, RandomSource rng) {
  if (auto s = make_simple_reference(name, rng)) return s;
  if (auto s = make_hashing_reference(name)) return s;
  return make_locality_reference(name);
}

}  // namespace lvs::ref
