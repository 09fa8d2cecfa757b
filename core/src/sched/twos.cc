// Power of two choices (ip_vs_twos.c, upstream since 6.3): two servers drawn
// with probability proportional to weight, keep the one with the lower
// overhead/weight (choice 1 on ties).
//
// RandomSource use per schedule() that finds a usable server: r1 then r2,
// each get_random_u32_below(total_weight + 1) as in random_below.h (one draw
// each unless Lemire's rejection fires). No draw when nothing is usable.

#include <cstdint>
#include <utility>

#include "sched/dest_index.h"
#include "sched/dest_metrics.h"
#include "sched/factories.h"
#include "sched/random_below.h"

namespace lvs::sched {
namespace {

struct UsableWeightSum {
  static SumMonoid::Value of(const RealServer& d, std::uint32_t /*slot*/) { return takes_new(d) ? d.weight() : 0; }
};
using WeightSums = DestIndex<SumMonoid, UsableWeightSum>;

// int * int with the kernel's wrap-around.
std::int32_t mul_i32(std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) * static_cast<std::uint32_t>(b));
}

class TwoChoices final : public Scheduler {
 public:
  explicit TwoChoices(RandomSource rng) : rng_(std::move(rng)) {}
  std::string_view name() const override { return "twos"; }
  void init_service(VirtualService& svc) override { idx_.rebuild(svc); }
  void add_dest(VirtualService& svc, RealServer& d) override { idx_.add(svc, d); }
  void del_dest(VirtualService& /*svc*/, RealServer& d) override { idx_.remove(d); }
  void upd_dest(VirtualService& /*svc*/, RealServer& d) override { idx_.refresh(d); }
  void counts_changed(VirtualService& /*svc*/, RealServer& d) override { idx_.refresh(d); }

  RealServer* schedule(VirtualService& svc, const SchedPacket& /*pkt*/, Time /*now*/) override {
    idx_.ensure(svc);
    const std::int64_t total = idx_.tree().root();
    if (total <= 0) return nullptr;
    // The kernel's int total_weight + 1, wrapped, as the u32 ceiling.
    const std::uint32_t ceil = static_cast<std::uint32_t>(total) + 1u;
    const auto r1 = static_cast<std::int32_t>(random_below(rng_, ceil));
    const auto r2 = static_cast<std::int32_t>(random_below(rng_, ceil));
    if (total > INT32_MAX) return wrapped_scan(svc, r1, r2);
    const auto [c1, c2] = at_weights(r1, r2);
    const bool second = mul_i32(c2->weight(), conn_overhead(*c1)) > mul_i32(c1->weight(), conn_overhead(*c2));
    return second ? c2 : c1;
  }

 private:
  // The kernel subtracts weights in list order and stops once r <= 0: the
  // first server whose running weight sum reaches max(r, 1). Both draws
  // descend in one loop, so that their two chains of dependent loads (the
  // lower levels miss L1) wait together rather than one after the other.
  std::pair<RealServer*, RealServer*> at_weights(std::int32_t r1, std::int32_t r2) const {
    std::int64_t need1 = r1 < 1 ? 1 : r1;
    std::int64_t need2 = r2 < 1 ? 1 : r2;
    const auto& tree = idx_.tree();
    std::size_t i1 = 1, i2 = 1;
    while (i1 < tree.capacity()) {  // both reach the leaves together
      i1 *= 2;
      i2 *= 2;
      const std::int64_t left1 = tree.node(i1);
      const std::int64_t left2 = tree.node(i2);
      const bool right1 = left1 < need1;  // branch-free steps
      const bool right2 = left2 < need2;
      need1 -= right1 ? left1 : 0;
      need2 -= right2 ? left2 : 0;
      i1 += right1;
      i2 += right2;
    }
    const auto leaf = [&tree](std::size_t i) { return static_cast<long>(i - tree.capacity()); };
    return {idx_.at(leaf(i1)), idx_.at(leaf(i2))};
  }

  // Weights summing past INT_MAX: the kernel's int sum has wrapped, draws
  // may be negative as ints and the running differences wrap, so no running
  // sum of the tree stands for them. Its own scan, in wrapping arithmetic:
  // a draw that never reaches <= 0 leaves choice 1 at the last usable
  // server with weight -1 and overhead 0, and no choice 2.
  static RealServer* wrapped_scan(const VirtualService& svc, std::int32_t r1, std::int32_t r2) {
    RealServer *c1 = nullptr, *c2 = nullptr;
    for (RealServer* d : svc.dests)
      if (takes_new(*d)) c1 = d;
    std::int32_t w1 = -1, w2 = -1, o1 = 0, o2 = 0;
    for (RealServer* d : svc.dests) {
      if (!takes_new(*d)) continue;
      const std::int32_t w = d->weight();
      r1 = static_cast<std::int32_t>(static_cast<std::uint32_t>(r1) - static_cast<std::uint32_t>(w));
      r2 = static_cast<std::int32_t>(static_cast<std::uint32_t>(r2) - static_cast<std::uint32_t>(w));
      if (r1 <= 0 && w1 == -1) c1 = d, w1 = w, o1 = conn_overhead(*d);
      if (r2 <= 0 && w2 == -1) c2 = d, w2 = w, o2 = conn_overhead(*d);
      if (w1 != -1 && w2 != -1) break;
    }
    return c2 && mul_i32(w2, o1) > mul_i32(w1, o2) ? c2 : c1;
  }

  RandomSource rng_;
  WeightSums idx_;
};

}  // namespace

std::unique_ptr<Scheduler> make_twos(RandomSource rng) { return std::make_unique<TwoChoices>(std::move(rng)); }

}  // namespace lvs::sched
