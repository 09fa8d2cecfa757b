#include "sched/lblcr_set.h"

#include <algorithm>

namespace lvs::sched {

void ServerSet::insert(const DestKeys& keys, const RealServer& d, Jiffies now) {
  const MemberId id = keys.id_of(d);
  if (id == kNoId || std::find(members_.begin(), members_.end(), id) != members_.end()) return;
  members_.push_back(id);
  lastmod_ = now;
}

// Overloaded and unavailable members are skipped; the first with weight > 0
// starts the running choice, and a later one replaces it only when strictly
// lighter (64-bit cross-multiplication, as the kernel).
RealServer* ServerSet::least_loaded(const DestKeys& keys) const {
  const DestKey* least = nullptr;
  for (auto it = members_.rbegin(); it != members_.rend(); ++it) {
    const DestKey& k = keys.key(*it);
    if (k.pickable == nullptr) continue;
    const bool take = least == nullptr ? k.weight > 0
                                       : static_cast<std::int64_t>(least->overhead) * k.weight >
                                             static_cast<std::int64_t>(k.overhead) * least->weight;
    if (take) least = &k;
  }
  return least ? least->pickable : nullptr;
}

// The first member with weight > 0 starts; a later one replaces it only when
// strictly heavier and weighted.
void ServerSet::drop_most_loaded(const DestKeys& keys, Jiffies now) {
  const DestKey* most = nullptr;
  std::size_t most_at = 0;
  for (std::size_t i = members_.size(); i-- > 0;) {
    const DestKey& k = keys.key(members_[i]);
    if (k.weight <= 0) continue;
    if (most == nullptr || static_cast<std::int64_t>(most->overhead) * k.weight <
                               static_cast<std::int64_t>(k.overhead) * most->weight) {
      most = &k;
      most_at = i;
    }
  }
  if (most == nullptr) return;
  members_.erase(members_.begin() + static_cast<std::ptrdiff_t>(most_at));
  lastmod_ = now;
}

}  // namespace lvs::sched
