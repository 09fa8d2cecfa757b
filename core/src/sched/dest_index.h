#pragma once
// Slots in list order plus one segment tree whose leaves are computed from a
// server by `LeafOf::of`. Schedulers own one and forward the IPVS ops to it.

#include <cstdint>

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
  static bool same(const Value& a, const Value& b) { return a.slot == b.slot && (a.slot < 0 || a.key == b.key); }
};

struct SumMonoid {
  using Value = std::int64_t;
  static Value identity() { return 0; }
  static Value combine(Value l, Value r) { return l + r; }
  static bool same(Value a, Value b) { return a == b; }
};

template <typename Monoid, typename LeafOf>
class DestIndex {
 public:
  using Tree = SegmentTree<Monoid>;

  void rebuild(const VirtualService& svc) {
    slots_.rebuild(svc);
    tree_.reset(slots_.capacity());
    for (const RealServer* d : svc.dests) tree_.set_leaf(d->sched_slot, LeafOf::of(*d, d->sched_slot));
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
  static bool same(Value a, Value b) { return a == b; }
  static Value pack(std::uint32_t key, std::uint32_t slot) { return (Value{key} << 32) | slot; }
  static long slot_of(Value v) { return v == kNone ? -1 : static_cast<long>(v & 0xffffffffu); }
};

// Smallest h/w, earliest in list on ties, with the kernel's 64-bit
// cross-multiplication; a flat 16-byte node selected without branches.
struct RatioMin {
  struct Value {
    std::int64_t h = 0;
    std::int32_t w = 0;
    std::int32_t slot = -1;
  };
  static Value identity() { return Value{}; }
  static Value combine(const Value& l, const Value& r) {
    // r wins only when strictly lighter: l.h * r.w > r.h * l.w. Bitwise
    // ops and masks keep this free of unpredictable branches.
    const bool lighter = l.h * r.w > r.h * l.w;
    const bool take_r = (r.slot >= 0) & ((l.slot < 0) | lighter);
    const std::uint64_t m = 0 - static_cast<std::uint64_t>(take_r);
    const auto pick = [m](std::uint64_t a, std::uint64_t b) { return a ^ ((a ^ b) & m); };
    Value v;
    v.h = static_cast<std::int64_t>(pick(static_cast<std::uint64_t>(l.h), static_cast<std::uint64_t>(r.h)));
    const std::uint64_t lws = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(l.slot)) << 32) |
                              static_cast<std::uint32_t>(l.w);
    const std::uint64_t rws = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(r.slot)) << 32) |
                              static_cast<std::uint32_t>(r.w);
    const std::uint64_t ws = pick(lws, rws);
    v.w = static_cast<std::int32_t>(static_cast<std::uint32_t>(ws));
    v.slot = static_cast<std::int32_t>(static_cast<std::uint32_t>(ws >> 32));
    return v;
  }
  static bool same(const Value& a, const Value& b) { return a.slot == b.slot && a.h == b.h && a.w == b.w; }
};

// Common ArgBest keys.
struct GreaterI32 {
  bool operator()(std::int32_t a, std::int32_t b) const { return a > b; }
};

}  // namespace lvs::sched
