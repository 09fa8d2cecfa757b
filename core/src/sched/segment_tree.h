#pragma once
// A bottom-up segment tree over scheduler slots (list positions). Each node
// holds Monoid::combine of its two children, so the root answers "best of
// all" in O(1) and a leaf change costs O(log n). Left-to-right leaf order is
// IPVS list order, which is how ties keep the kernel's "first in list wins".

#include <cstddef>
#include <vector>

namespace lvs::sched {

template <typename Monoid>
class SegmentTree {
 public:
  using Value = typename Monoid::Value;

  // Empties the tree and gives it room for `leaves` slots (a power of two).
  void reset(std::size_t leaves) {
    cap_ = leaves;
    nodes_.assign(2 * cap_, Monoid::identity());
  }
  std::size_t capacity() const { return cap_; }

  // Sets a leaf and fixes its ancestors, stopping where nothing changes
  // (most count changes touch a server that wins nothing). The changed
  // value travels up in registers and each level reads only the sibling,
  // so the chain of combines never waits on a store it just made.
  void set(std::size_t slot, const Value& v) {
    std::size_t i = slot + cap_;
    if (Monoid::same(nodes_[i], v)) return;
    nodes_[i] = v;
    Value cur = v;
    for (; i > 1; i >>= 1) {
      const Value up = combine_with_sibling(cur, nodes_[i ^ 1], (i & 1) != 0);
      Value& parent = nodes_[i >> 1];
      if (Monoid::same(parent, up)) return;
      parent = up;
      cur = up;
    }
  }
  // Sets a leaf without fixing ancestors; call build() after a batch.
  void set_leaf(std::size_t slot, const Value& v) { nodes_[slot + cap_] = v; }
  void build() {
    for (std::size_t i = cap_ - 1; i >= 1; --i)
      nodes_[i] = Monoid::combine(nodes_[2 * i], nodes_[2 * i + 1]);
  }

  const Value& root() const { return nodes_[1]; }
  const Value& leaf(std::size_t slot) const { return nodes_[slot + cap_]; }
  const Value& node(std::size_t i) const { return nodes_[i]; }

  // Leftmost slot >= from whose leaf satisfies `pred`, or -1. `pred` must be
  // monotone: true on a node iff true on one of its leaves.
  template <typename Pred>
  long find_first(long from, Pred pred) const {
    if (from < 0) from = 0;
    if (static_cast<std::size_t>(from) >= cap_) return -1;
    std::size_t i = static_cast<std::size_t>(from) + cap_;
    for (;;) {
      if (pred(nodes_[i])) return descend(i, pred, /*leftmost=*/true);
      while (i > 1 && (i & 1)) i >>= 1;  // climb while a right child
      if (i == 1) return -1;
      ++i;  // the subtree just to the right
    }
  }

  // Rightmost slot < before whose leaf satisfies `pred`, or -1.
  template <typename Pred>
  long find_last(long before, Pred pred) const {
    if (before <= 0) return -1;
    if (static_cast<std::size_t>(before) > cap_) before = static_cast<long>(cap_);
    std::size_t i = static_cast<std::size_t>(before - 1) + cap_;
    for (;;) {
      if (pred(nodes_[i])) return descend(i, pred, /*leftmost=*/false);
      while (i > 1 && !(i & 1)) i >>= 1;  // climb while a left child
      if (i == 1) return -1;
      --i;  // the subtree just to the left
    }
  }

 private:
  // combine(cur, sib) or combine(sib, cur) by which side `cur` is on. A
  // monoid may provide its own branch-free version (the side is a data bit
  // of the slot, so a branch on it mispredicts half the time).
  template <typename M = Monoid>
  static auto combine_with_sibling(const Value& cur, const Value& sib, bool cur_is_right)
      -> decltype(M::combine_with_sibling(cur, sib, cur_is_right)) {
    return M::combine_with_sibling(cur, sib, cur_is_right);
  }
  template <typename... Unused>
  static Value combine_with_sibling(const Value& cur, const Value& sib, bool cur_is_right,
                                    Unused...) {
    return cur_is_right ? Monoid::combine(sib, cur) : Monoid::combine(cur, sib);
  }

  template <typename Pred>
  long descend(std::size_t i, Pred pred, bool leftmost) const {
    while (i < cap_) {
      if (leftmost) {
        i = 2 * i;
        if (!pred(nodes_[i])) ++i;
      } else {
        i = 2 * i + 1;
        if (!pred(nodes_[i])) --i;
      }
    }
    return static_cast<long>(i - cap_);
  }

  std::size_t cap_ = 0;
  std::vector<Value> nodes_;
};

}  // namespace lvs::sched
