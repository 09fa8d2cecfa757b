#include "sched/lblcr_dest_keys.h"

#include <algorithm>

namespace lvs::sched {

void DestKeys::sync(const VirtualService& svc, MemberMap& moved) {
  moved.clear();
  std::size_t slots = flags_.size();
  std::size_t keyless = 0;  // new, back from the trash, or re-slotted
  RealServer* fresh = nullptr;
  for (RealServer* d : svc.dests) {
    slots = std::max(slots, std::size_t{d->sched_slot} + 1);
    if (holds(*d)) continue;
    ++keyless;
    fresh = d;
  }
  if (keyless == 0 && owned_ == svc.dests.size()) return;
  // Usually only the server just added lacks a key, and its slot is free.
  if (keyless == 1 && owned_ + 1 == svc.dests.size() && slots == flags_.size() &&
      admit(*fresh, moved))
    return;
  std::vector<std::uint8_t> old(slots);
  std::vector<const RealServer*> old_owner(slots, nullptr);
  old.swap(flags_);
  old_owner.swap(owner_);
  // Only servers still in the service own keys (unlink drops the rest), so
  // each owner's sched_slot is its slot now.
  for (std::size_t s = 0; s < old_owner.size(); ++s) {
    const RealServer* d = old_owner[s];
    if (d == nullptr) continue;
    flags_[d->sched_slot] = old[s];
    owner_[d->sched_slot] = d;
    if (d->sched_slot != s) moved.add(static_cast<MemberId>(s), d->sched_slot);
  }
  owned_ = 0;
  for (const RealServer* d : svc.dests) owned_ += holds(*d) ? 1 : 0;
  for (RealServer* d : svc.dests)
    if (!holds(*d)) admit(*d, moved);
}

// Keys a server that just took a free slot (and revives its frozen key).
bool DestKeys::admit(RealServer& d, MemberMap& moved) {
  if (holds(d) || owner_[d.sched_slot] != nullptr) return false;
  set_flags(d.sched_slot, flags_of(d));
  owner_[d.sched_slot] = &d;
  ++owned_;
  const auto it = frozen_by_addr_.find(addr_of(d));
  if (it != frozen_by_addr_.end()) {
    moved.add(it->second, d.sched_slot);
    free_frozen(it->second);
  }
  return true;
}

void DestKeys::unlink(RealServer& d, MemberMap& moved) {
  moved.clear();
  if (!holds(d)) return;
  MemberId id;
  if (free_frozen_.empty()) {
    id = kFrozenId + static_cast<MemberId>(frozen_.size());
    frozen_.emplace_back();
  } else {
    id = free_frozen_.back();
    free_frozen_.pop_back();
  }
  Frozen& f = frozen_[id - kFrozenId];
  f.key = DestKey{conn_overhead(d), d.weight()};
  f.addr = addr_of(d);
  f.in_use = true;
  frozen_by_addr_[f.addr] = id;
  set_flags(d.sched_slot, 0);
  owner_[d.sched_slot] = nullptr;
  --owned_;
  moved.add(d.sched_slot, id);
}

void DestKeys::settle(const MemberMap& moved) {
  for (std::size_t i = 0; i < frozen_.size(); ++i) {
    const MemberId id = kFrozenId + static_cast<MemberId>(i);
    if (frozen_[i].in_use && !moved.named(id)) free_frozen(id);
  }
}

void DestKeys::free_frozen(MemberId id) {
  Frozen& f = frozen_[id - kFrozenId];
  const auto it = frozen_by_addr_.find(f.addr);
  if (it != frozen_by_addr_.end() && it->second == id) frozen_by_addr_.erase(it);
  f = Frozen{};
  free_frozen_.push_back(id);
}

}  // namespace lvs::sched
