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
};

struct SumMonoid {
  using Value = std::int64_t;
  static Value identity() { return 0; }
  static Value combine(Value l, Value r) { return l + r; }
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

// Common ArgBest keys.
struct LessU32 {
  bool operator()(std::uint32_t a, std::uint32_t b) const { return a < b; }
};
struct GreaterI32 {
  bool operator()(std::int32_t a, std::int32_t b) const { return a > b; }
};

// h/w load; a beats b when a's load is strictly smaller (h_a*w_b < h_b*w_a),
// the kernel's cross-multiplication in 64 bits.
struct Load {
  std::int64_t h = 0;
  std::int32_t w = 0;
};
struct LighterLoad {
  bool operator()(const Load& a, const Load& b) const { return b.h * a.w > a.h * b.w; }
};

}  // namespace lvs::sched
