#pragma once
// Slots in list order plus one segment tree whose leaves are computed from a
// server by `LeafOf::of`. Schedulers own one and forward the IPVS ops to it.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "sched/list_slots.h"
#include "sched/segment_tree.h"

namespace lvs::sched {

// Keeps the best key and its slot; on ties the left (earlier in list) wins,
// which reproduces the kernel's "replace only when strictly better" scans.
template <typename Key, typename Better>
struct ArgBest {
  struct Value {
    Key key{};
    std::int32_t slot = -1;
  };
  static Value identity() { return Value{}; }
  static Value combine(const Value& l, const Value& r) {
    if (r.slot < 0) return l;
    if (l.slot < 0) return r;
    return Better{}(r.key, l.key) ? r : l;
  }
  static Value combine_with_sibling(const Value& cur, const Value& sib, bool cur_is_right) {
    const bool sib_better = Better{}(sib.key, cur.key);
    const bool cur_better = Better{}(cur.key, sib.key);
    const bool side_says = (cur_is_right & !cur_better) | (!cur_is_right & sib_better);
    const bool take_sib = (sib.slot >= 0) & ((cur.slot < 0) | side_says);
    // Masks, not a branch: which side wins is data, not a pattern.
    const std::uint64_t m = 0 - static_cast<std::uint64_t>(take_sib);
    const std::uint64_t c = pack(cur), s = pack(sib);
    return unpack(c ^ ((c ^ s) & m));
  }
  static bool same(const Value& a, const Value& b) {
    return a.slot == b.slot && (a.slot < 0 || a.key == b.key);
  }

 private:
  static_assert(sizeof(Key) == 4, "keys pack with the slot into one word");
  static std::uint64_t pack(const Value& v) {
    std::uint32_t k;
    std::memcpy(&k, &v.key, sizeof k);
    return (std::uint64_t{static_cast<std::uint32_t>(v.slot)} << 32) | k;
  }
  static Value unpack(std::uint64_t w) {
    Value v;
    const auto k = static_cast<std::uint32_t>(w);
    std::memcpy(&v.key, &k, sizeof k);
    v.slot = static_cast<std::int32_t>(static_cast<std::uint32_t>(w >> 32));
    return v;
  }
};

struct SumMonoid {
  using Value = std::int64_t;
  static Value identity() { return 0; }
  static Value combine(Value l, Value r) { return l + r; }
  static Value combine_with_sibling(Value cur, Value sib, bool /*cur_is_right*/) {
    return cur + sib;
  }
  static bool same(Value a, Value b) { return a == b; }
};

template <typename Monoid, typename LeafOf>
class DestIndex {
 public:
  using Tree = SegmentTree<Monoid>;

  void rebuild(const VirtualService& svc) {
    slots_.rebuild(svc);
    tree_.reset(slots_.capacity());
    for (const RealServer* d : svc.dests)
      tree_.set_leaf(d->sched_slot, LeafOf::of(*d, d->sched_slot));
    tree_.build();
  }
  void add(const VirtualService& svc, RealServer& d) {
    if (!slots_.add_front(svc, d)) return rebuild(svc);
    refresh(d);
  }
  void remove(const RealServer& d) {
    if (!slots_.holds(d)) return;
    tree_.set(d.sched_slot, Monoid::identity());
    slots_.remove(d);
  }
  void refresh(const RealServer& d) {
    if (slots_.holds(d)) tree_.set(d.sched_slot, LeafOf::of(d, d.sched_slot));
  }
  // Guards against an engine that never called init_service.
  void ensure(const VirtualService& svc) {
    if (slots_.live() != svc.dests.size() || tree_.capacity() == 0) rebuild(svc);
  }

  const Tree& tree() const { return tree_; }
  RealServer* at(long slot) const { return slots_.at(slot); }
  bool holds(const RealServer& d) const { return slots_.holds(d); }

 private:
  ListSlots slots_;
  Tree tree_;
};

// (key << 32 | slot) packed in one word: the smallest word is the smallest
// key, earliest in list on ties, and std::min compiles to a branch-free cmov.
struct PackedMin {
  using Value = std::uint64_t;
  static constexpr Value kNone = ~Value{0};
  static Value identity() { return kNone; }
  static Value combine(Value l, Value r) { return r < l ? r : l; }
  static Value combine_with_sibling(Value cur, Value sib, bool /*cur_is_right*/) {
    return sib < cur ? sib : cur;
  }
  static bool same(Value a, Value b) { return a == b; }
  static Value pack(std::uint32_t key, std::uint32_t slot) { return (Value{key} << 32) | slot; }
  static long slot_of(Value v) { return v == kNone ? -1 : static_cast<long>(v & 0xffffffffu); }
  // The first highest weight (fo, ovf) as the smallest key: w in 1..INT_MAX.
  static Value heaviest(std::int32_t w, std::uint32_t slot) {
    return pack(static_cast<std::uint32_t>(0x7fffffff - w), slot);
  }
};

// One unsigned 128-bit word, compared by a single integer compare.
__extension__ typedef unsigned __int128 Word128;

// What scaled_quotient() needs to divide by w without dividing:
// 2^62 = a*w + r, and m = ceil(2^(63+l) / w) with l = ceil(log2 w), so that
// floor(x / w) = floor(x * m / 2^(63+l)) for every x < 2^63 (Granlund and
// Montgomery, "Division by invariant integers using multiplication", 1994,
// theorem 4.2: 2^(63+l) <= m*w <= 2^(63+l) + 2^l). m < 2^64 for w < 2^31.
struct ScaledReciprocal {
  std::uint64_t a = 0;
  std::uint64_t m = 0;
  std::uint32_t r = 0;
  std::uint32_t shift = 0;  // l - 1, applied to the high word of x*m (0 for w = 1, where r = 0)
};

constexpr ScaledReciprocal scaled_reciprocal(std::uint64_t w) {
  ScaledReciprocal c;
  constexpr std::uint64_t kTwo62 = std::uint64_t{1} << 62;
  c.a = kTwo62 / w;
  c.r = static_cast<std::uint32_t>(kTwo62 % w);
  unsigned l = 0;
  while ((std::uint64_t{1} << l) < w) ++l;
  c.m = static_cast<std::uint64_t>(((Word128{1} << (63 + l)) + (w - 1)) / w);
  c.shift = l == 0 ? 0 : l - 1;
  return c;
}

// Weights below this (the weights services use: keepalived's default is 1,
// ipvsadm examples stay in the hundreds) divide by table lookup.
constexpr std::size_t kReciprocalWeights = 1024;

struct ScaledReciprocals {
  ScaledReciprocal by_weight[kReciprocalWeights];
};

constexpr ScaledReciprocals make_scaled_reciprocals() {
  ScaledReciprocals t;
  for (std::size_t w = 1; w < kReciprocalWeights; ++w) t.by_weight[w] = scaled_reciprocal(w);
  return t;
}

inline constexpr ScaledReciprocals kScaledReciprocals = make_scaled_reciprocals();

// floor(n * 2^62 / w) for n <= 2^32 and 0 < w < 2^31 (the quotient is
// below 2^94). Every count change computes one, so it multiplies where it
// can: n*2^62/w = n*a + n*r/w, and n*r < 2^63 takes the reciprocal (three
// multiplications, ~4 ns in a dependent chain against ~14 ns for libgcc's
// 128-by-64 division, which larger weights still use).
inline Word128 scaled_quotient(std::uint64_t n, std::uint64_t w) {
  if (w < kReciprocalWeights) {
    const ScaledReciprocal& c = kScaledReciprocals.by_weight[w];
    const std::uint64_t x = n * c.r;
    const auto q = static_cast<std::uint64_t>((Word128{x} * c.m) >> 64) >> c.shift;
    return Word128{n} * c.a + q;
  }
  return (Word128{n} << 62) / w;
}

// Smallest h/w, earliest in list on ties: the kernel's scan that replaces its
// running best only when h*lw < lh*w (64-bit cross-multiplication). Each
// value is packed into one unsigned 128-bit word,
//   bits 34..127  h * 2^62 / w rounded toward zero, plus 2^93 + 1 when H is signed,
//   bits 2..33    the slot (list order: a smaller slot is earlier),
//   bits 0..1     flags, ORed up the tree so that the root has every leaf's,
// so a tree level is one compare, two conditional moves and the OR. The key
// keeps the kernel's order exactly: with 0 < w < 2^31, two different
// fractions h1/w1 and h2/w2 differ by at least 1/(w1*w2) > 2^-62, so once
// scaled by 2^62 they are more than 1 apart and stay apart, in the same
// order, when rounded (a nonzero scaled value is at least 2^31 from 0, so
// values of opposite sign never meet there). Equal fractions get equal keys
// and the slot decides, so the first in list wins as in the kernel. H is the
// kernel's type of h: int for wlc's overhead (negative once it wraps),
// unsigned int for sed/nq's expected delay. w must be > 0: a server that
// gets no key is none(flags).
template <typename H>
struct RatioMin {
  using Value = Word128;
  static constexpr Value kFlags = 3;
  static constexpr Value kNone = ~Value{0} ^ kFlags;  // above every key, no flags

  static Value identity() { return kNone; }
  static Value pack(H h, std::int32_t w, std::uint32_t slot, unsigned flags = 0) {
    return (key(h, w) << 34) | (Value{slot} << 2) | (Value{flags} & kFlags);
  }
  static Value none(unsigned flags) { return kNone | (Value{flags} & kFlags); }
  static Value lowest(std::uint32_t slot) { return Value{slot} << 2; }
  static Value combine(Value l, Value r) { return (r < l ? r : l) | ((l | r) & kFlags); }
  static Value combine_with_sibling(Value cur, Value sib, bool /*cur_is_right*/) {
    return combine(cur, sib);
  }
  static bool same(Value a, Value b) { return a == b; }
  static long slot_of(Value v) {
    const auto s = static_cast<std::uint32_t>(v >> 2);
    return s == 0xffffffffu ? -1 : static_cast<long>(s);
  }
  static unsigned flags(Value v) { return static_cast<unsigned>(v & kFlags); }

  static Value key(H h, std::int32_t w) {
    const auto uw = static_cast<std::uint64_t>(w);
    if constexpr (std::is_signed_v<H>) {
      // Negative h gives at least kZero - 2^93 (h = INT_MIN, w = 1): 1, above lowest().
      constexpr Value kZero = (Value{1} << 93) + 1;
      if (h >= 0) return kZero + scaled_quotient(static_cast<std::uint64_t>(h), uw);
      const auto magnitude = 0 - static_cast<std::uint64_t>(static_cast<std::int64_t>(h));  // <= 2^31
      return kZero - scaled_quotient(magnitude, uw);
    } else {
      return scaled_quotient(h, uw);
    }
  }
};

// Common ArgBest keys.
struct GreaterI32 {
  bool operator()(std::int32_t a, std::int32_t b) const { return a > b; }
};

}  // namespace lvs::sched
