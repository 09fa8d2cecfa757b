// Weighted round-robin (ip_vs_wrr.c). Passes over the list with a current
// weight cw that starts at the max weight and drops by the weights' gcd;
// each pass picks servers whose weight >= cw. Weights 4,3,2 give AABABCABC.

#include <algorithm>
#include <numeric>

#include "sched/factories.h"
#include "sched/weight_index.h"

namespace lvs::sched {
namespace {

class WeightedRoundRobin final : public Scheduler {
 public:
  std::string_view name() const override { return "wrr"; }
  void init_service(VirtualService& svc) override {
    idx_.rebuild(svc);
    cur_ = nullptr;
    di_ = gcd_weight(svc);
    mw_ = max_weight(svc) - (di_ - 1);
    cw_ = mw_;
  }
  void add_dest(VirtualService& svc, RealServer& d) override {
    idx_.add(svc, d);
    dest_changed(svc);
  }
  void del_dest(VirtualService& svc, RealServer& d) override {
    idx_.remove(d);
    dest_changed(svc);
  }
  void upd_dest(VirtualService& svc, RealServer& d) override {
    idx_.refresh(d);
    dest_changed(svc);
  }
  void counts_changed(VirtualService& /*svc*/, RealServer& d) override { idx_.refresh(d); }
  RealServer* schedule(VirtualService& svc, const SchedPacket& pkt, Time now) override;

 private:
  static std::int32_t gcd_weight(const VirtualService& svc) {
    std::int32_t g = 0;
    for (const RealServer* d : svc.dests)
      if (d->weight() > 0) g = g > 0 ? std::gcd(d->weight(), g) : d->weight();
    return g ? g : 1;
  }
  static std::int32_t max_weight(const VirtualService& svc) {
    std::int32_t w = 0;
    for (const RealServer* d : svc.dests) w = std::max(w, d->weight());
    return w;
  }
  // ip_vs_wrr_dest_changed: restart from the head, keep cw on the new grid.
  void dest_changed(const VirtualService& svc) {
    cur_ = nullptr;
    di_ = gcd_weight(svc);
    mw_ = max_weight(svc) - (di_ - 1);
    if (cw_ > mw_ || cw_ == 0)
      cw_ = mw_;
    else if (di_ > 1)
      cw_ = (cw_ / di_) * di_ + 1;
  }
  // Passes from the head that cannot find anything only lower cw; skip them
  // in one step as long as none of them would end the search.
  void skip_empty_passes() {
    const std::int32_t best = idx_.tree().root().slot >= 0 ? idx_.tree().root().key : 0;
    const std::int32_t floor = std::max(best, di_);
    if (cw_ - di_ <= floor) return;
    cw_ -= ((cw_ - floor - 1) / di_) * di_;
  }

  WeightIndex idx_;
  RealServer* cur_ = nullptr;  // mark->cl; nullptr is the list head
  std::int32_t cw_ = 0, mw_ = 0, di_ = 1;
};

RealServer* WeightedRoundRobin::schedule(VirtualService& svc, const SchedPacket& /*pkt*/, Time /*now*/) {
  idx_.ensure(svc);
  if (mw_ == 0) return nullptr;
  if (cur_ != nullptr && !idx_.holds(*cur_)) cur_ = nullptr;
  const long last = cur_ ? static_cast<long>(cur_->sched_slot) : -1;  // -1: head
  long pos = last;
  long stop = -1;
  bool last_pass = false, restarted = false;
  for (;;) {
    const long hit = first_with_weight(idx_, pos + 1, cw_);
    if (stop >= 0 && stop > pos && (hit < 0 || hit > stop)) {
      cur_ = idx_.at(stop);  // every server was tried for weight >= 1
      return nullptr;
    }
    if (hit >= 0) {
      cur_ = idx_.at(hit);
      return cur_;
    }
    if (pos == -1 && stop < 0) skip_empty_passes();
    pos = -1;  // the pass reached the head
    cw_ -= di_;
    if (cw_ <= 0) {
      cw_ = mw_;
      if (last_pass || last == -1) {
        cur_ = nullptr;
        return nullptr;
      }
      restarted = true;
    }
    last_pass = cw_ <= di_;
    if (last_pass && restarted && last != -1) stop = last;
  }
}

}  // namespace

std::unique_ptr<Scheduler> make_wrr() { return std::make_unique<WeightedRoundRobin>(); }

}  // namespace lvs::sched
