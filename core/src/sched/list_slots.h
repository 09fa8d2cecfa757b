#pragma once
// Stable slots that keep IPVS list order: slot order == svc.dests order.
// The kernel only ever inserts at the head, so a new server takes the free
// slot just before the current front; deletions leave holes. When the front
// runs out of room every live server is re-slotted (amortised O(1) per add).

#include <cstddef>
#include <vector>

#include "lvs/service.h"

namespace lvs::sched {

class ListSlots {
 public:
  // Re-slots svc.dests; RealServer::sched_slot holds each server's slot.
  void rebuild(const VirtualService& svc);
  // Slots `dest`, which the engine just put at the front. False when the
  // caller must rebuild (no room, or dest is not at the front).
  bool add_front(const VirtualService& svc, RealServer& dest);
  void remove(const RealServer& dest);

  std::size_t capacity() const { return by_slot_.size(); }
  std::size_t live() const { return live_; }
  RealServer* at(long slot) const { return by_slot_[static_cast<std::size_t>(slot)]; }
  bool holds(const RealServer& dest) const {
    return dest.sched_slot < by_slot_.size() && by_slot_[dest.sched_slot] == &dest;
  }

 private:
  std::vector<RealServer*> by_slot_;
  long next_front_ = -1;  // the free slot a new front server takes
  std::size_t live_ = 0;
};

}  // namespace lvs::sched
