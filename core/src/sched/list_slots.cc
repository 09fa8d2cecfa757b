#include "sched/list_slots.h"

namespace lvs::sched {

namespace {
std::size_t room_for(std::size_t n) {
  std::size_t cap = 16;
  while (cap < 2 * n + 8) cap <<= 1;  // at least n free slots before the front
  return cap;
}
}  // namespace

void ListSlots::rebuild(const VirtualService& svc) {
  const std::size_t n = svc.dests.size();
  by_slot_.assign(room_for(n), nullptr);
  const std::size_t first = by_slot_.size() - n;
  for (std::size_t i = 0; i < n; ++i) {
    RealServer* d = svc.dests[i];
    by_slot_[first + i] = d;
    d->sched_slot = static_cast<std::uint32_t>(first + i);
  }
  next_front_ = static_cast<long>(first) - 1;
  live_ = n;
}

bool ListSlots::add_front(const VirtualService& svc, RealServer& dest) {
  if (next_front_ < 0 || svc.dests.empty() || svc.dests.front() != &dest) return false;
  if (live_ + 1 != svc.dests.size()) return false;
  by_slot_[static_cast<std::size_t>(next_front_)] = &dest;
  dest.sched_slot = static_cast<std::uint32_t>(next_front_);
  --next_front_;
  ++live_;
  return true;
}

void ListSlots::remove(const RealServer& dest) {
  if (!holds(dest)) return;
  by_slot_[dest.sched_slot] = nullptr;
  --live_;
}

}  // namespace lvs::sched
