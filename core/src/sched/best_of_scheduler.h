#pragma once
// Schedulers whose kernel version is one scan keeping the first strictly
// better server (lc, wlc, sed, nq, fo, ovf). The index keeps that winner at
// its root, so a pick is O(1) and a count change O(log n); wlc alone falls
// back to the kernel's scan in one case the index cannot order (wlc_index.h).

#include <string_view>
#include <utility>

#include "lvs/scheduler.h"
#include "sched/dest_index.h"

namespace lvs::sched {

template <typename Monoid, typename LeafOf>
class BestOfScheduler final : public Scheduler {
 public:
  explicit BestOfScheduler(std::string_view name) : name_(name) {}
  std::string_view name() const override { return name_; }
  void init_service(VirtualService& svc) override { idx_.rebuild(svc); }
  void add_dest(VirtualService& svc, RealServer& d) override { idx_.add(svc, d); }
  void del_dest(VirtualService& /*svc*/, RealServer& d) override { idx_.remove(d); }
  void upd_dest(VirtualService& /*svc*/, RealServer& d) override { idx_.refresh(d); }
  void counts_changed(VirtualService& /*svc*/, RealServer& d) override { idx_.refresh(d); }
  RealServer* schedule(VirtualService& svc, const SchedPacket& /*pkt*/, Time /*now*/) override {
    idx_.ensure(svc);
    return pick(svc, 0);
  }

 private:
  // LeafOf::pick(index, svc) when the leaf type has one (wlc's, which may
  // need the kernel's own scan), else the root's slot.
  template <typename L = LeafOf>
  auto pick(const VirtualService& svc, int)
      -> decltype(L::pick(std::declval<const DestIndex<Monoid, L>&>(), svc)) {
    return L::pick(idx_, svc);
  }
  RealServer* pick(const VirtualService& /*svc*/, long) {
    const long slot = Monoid::slot_of(idx_.tree().root());
    return slot >= 0 ? idx_.at(slot) : nullptr;
  }

  std::string_view name_;
  DestIndex<Monoid, LeafOf> idx_;
};

}  // namespace lvs::sched
