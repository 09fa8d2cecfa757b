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
};

// Smallest h/w, earliest in list on ties, with the kernel's 64-bit
// cross-multiplication; a flat node selected without branches. H
// is the kernel's type of h: int for wlc's overhead, unsigned int for
// sed/nq's expected delay; either widens exactly to 64 bits.
// Nodes are padded to 16 bytes unless `kAlign` says otherwise, so that a
// pair of siblings never straddles a cache line.
template <typename H, std::size_t kAlign = 16>
struct RatioMinOf {
  struct alignas(kAlign) Value {
    H h = 0;
    std::int32_t w = 0;
    std::int32_t slot = -1;
  };
  static Value identity() { return Value{}; }
  static Value combine(const Value& l, const Value& r) {
    // r wins only when strictly lighter: l.h * r.w > r.h * l.w.
    const bool lighter = wide(l.h) * r.w > wide(r.h) * l.w;
    const bool take_r = (r.slot >= 0) & ((l.slot < 0) | lighter);
    return select(take_r, r, l);
  }
  // combine() with `cur` on either side: the sibling wins when strictly
  // lighter, or equally light and to the left (first in list wins ties).
  static Value combine_with_sibling(const Value& cur, const Value& sib, bool cur_is_right) {
    const std::int64_t a = wide(cur.h) * sib.w;
    const std::int64_t b = wide(sib.h) * cur.w;
    const bool take_sib = (sib.slot >= 0) & ((cur.slot < 0) | (a > b) | (cur_is_right & (a == b)));
    return select(take_sib, sib, cur);
  }
  static bool same(const Value& a, const Value& b) {
    return a.slot == b.slot && a.h == b.h && a.w == b.w;
  }

 private:
  static std::int64_t wide(H h) { return static_cast<std::int64_t>(h); }
  // `yes ? y : n` through masks: which side wins is data, not a pattern,
  // so a branch here would mispredict half the time.
  static Value select(bool yes, const Value& y, const Value& n) {
    using UH = std::make_unsigned_t<H>;
    const std::uint64_t m = 0 - static_cast<std::uint64_t>(yes);
    const auto pick = [m](std::uint64_t a, std::uint64_t b) { return a ^ ((a ^ b) & m); };
    Value v;
    v.h = static_cast<H>(static_cast<UH>(pick(static_cast<UH>(n.h), static_cast<UH>(y.h))));
    const std::uint64_t nws =
        (static_cast<std::uint64_t>(static_cast<std::uint32_t>(n.slot)) << 32) |
        static_cast<std::uint32_t>(n.w);
    const std::uint64_t yws =
        (static_cast<std::uint64_t>(static_cast<std::uint32_t>(y.slot)) << 32) |
        static_cast<std::uint32_t>(y.w);
    const std::uint64_t ws = pick(nws, yws);
    v.w = static_cast<std::int32_t>(static_cast<std::uint32_t>(ws));
    v.slot = static_cast<std::int32_t>(static_cast<std::uint32_t>(ws >> 32));
    return v;
  }
};

using DelayMin = RatioMinOf<std::uint32_t>;  // sed, nq

// Common ArgBest keys.
struct GreaterI32 {
  bool operator()(std::int32_t a, std::int32_t b) const { return a > b; }
};

}  // namespace lvs::sched
