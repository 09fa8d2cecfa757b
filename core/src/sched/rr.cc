// Round-robin (ip_vs_rr.c): the next server after the last pick that is not
// overloaded and has weight > 0, wrapping once through the list.

#include "sched/factories.h"
#include "sched/weight_index.h"

namespace lvs::sched {
namespace {

class RoundRobin final : public Scheduler {
 public:
  std::string_view name() const override { return "rr"; }
  void init_service(VirtualService& svc) override {
    idx_.rebuild(svc);
    last_ = nullptr;
  }
  void add_dest(VirtualService& svc, RealServer& d) override { idx_.add(svc, d); }
  void del_dest(VirtualService& /*svc*/, RealServer& d) override {
    // The kernel steps back to the deleted entry's predecessor (or the head).
    if (last_ == &d) {
      const long prev = idx_.tree().find_last(d.sched_slot, [](const MaxWeight::Value& v) { return v.slot >= 0; });
      last_ = prev >= 0 ? idx_.at(prev) : nullptr;
    }
    idx_.remove(d);
  }
  void upd_dest(VirtualService& /*svc*/, RealServer& d) override { idx_.refresh(d); }
  void counts_changed(VirtualService& /*svc*/, RealServer& d) override { idx_.refresh(d); }

  RealServer* schedule(VirtualService& svc, const SchedPacket& /*pkt*/, Time /*now*/) override {
    idx_.ensure(svc);
    if (last_ != nullptr && !idx_.holds(*last_)) last_ = nullptr;
    const long from = last_ ? static_cast<long>(last_->sched_slot) : -1;
    long hit = first_with_weight(idx_, from + 1, 1);
    // Second pass from the head, up to and including the last pick.
    if (hit < 0 && from >= 0) {
      hit = first_with_weight(idx_, 0, 1);
      if (hit > from) hit = -1;
    }
    if (hit < 0) return nullptr;
    last_ = idx_.at(hit);
    return last_;
  }

 private:
  WeightIndex idx_;
  RealServer* last_ = nullptr;  // nullptr: the list head
};

}  // namespace

std::unique_ptr<Scheduler> make_rr() { return std::make_unique<RoundRobin>(); }

}  // namespace lvs::sched
