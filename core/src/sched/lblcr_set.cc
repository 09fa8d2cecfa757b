#include "sched/lblcr_set.h"

#include <algorithm>

namespace lvs::sched {

void ServerSet::insert(const DestKeys& keys, const RealServer& d, Jiffies now) {
  const MemberId id = keys.id_of(d);
  if (id == kNoId || std::find(members_.begin(), members_.end(), id) != members_.end()) return;
  members_.push_back(id);
  lastmod_ = now;
}

// The kernel skips overloaded and unavailable members; the first with
// weight > 0 starts the running choice, and a later one replaces it only
// when strictly lighter by 64-bit cross-multiplication. A leaf holds the
// exact order of overhead/weight for a server that is not overloaded and has
// weight > 0 (RatioMin), and no key for any other, so the smallest key,
// first on ties, is the kernel's choice, with two exceptions read from the
// servers instead: a weight-0 server whose overhead wrapped negative (the
// kernel's second stage takes it, see wlc_scan) and a member the leaf cannot
// stand for (DestKeys' kExact). Frozen members are unavailable.
long ServerSet::least_loaded(const LocalityIndex& idx, const DestKeys& keys) const {
  if (keys.any_exact()) return least_loaded_by_scan(idx);
  constexpr Word128 kKeyBits = ~Word128{0} << 34;  // RatioMin: the key, above slot and flags
  Word128 least_key = LocalityMonoid::kNone & kKeyBits;
  long least = -1;
  unsigned wrapped = 0;
  for (auto it = members_.rbegin(); it != members_.rend(); ++it) {
    const MemberId id = *it;
    if (id >= kFrozenId) continue;
    const Word128 leaf = idx.tree().leaf(id);
    __builtin_prefetch(idx.at(id));  // the caller reads the winner's line: start them all now
    wrapped |= LocalityMonoid::flags(leaf) & kWrappedQuiesced;
    const Word128 key = leaf & kKeyBits;
    const bool take = key < least_key;
    least_key = take ? key : least_key;
    least = take ? static_cast<long>(id) : least;
  }
  return wrapped != 0 ? least_loaded_by_scan(idx) : least;
}

// ip_vs_dest_set_min() itself, on the servers.
long ServerSet::least_loaded_by_scan(const LocalityIndex& idx) const {
  const RealServer* least = nullptr;
  std::int64_t loh = 0;
  for (auto it = members_.rbegin(); it != members_.rend(); ++it) {
    const MemberId id = *it;
    if (id >= kFrozenId) continue;
    const RealServer* d = idx.at(id);
    if (d->overloaded() || !d->available()) continue;
    const std::int64_t doh = conn_overhead(*d);
    if (least == nullptr ? d->weight() > 0 : loh * d->weight() > doh * least->weight())
      least = d, loh = doh;
  }
  return least == nullptr ? -1 : static_cast<long>(least->sched_slot);
}

// The first member with weight > 0 starts; a later one replaces it only when
// strictly heavier and weighted.
void ServerSet::drop_most_loaded(const LocalityIndex& idx, const DestKeys& keys, Jiffies now) {
  bool found = false;
  std::int64_t moh = 0, mw = 0;
  std::size_t most_at = 0;
  for (std::size_t i = members_.size(); i-- > 0;) {
    const MemberId id = members_[i];
    DestKey k;
    if (id >= kFrozenId) {
      k = keys.frozen(id);
    } else {
      const RealServer& d = *idx.at(id);
      k = DestKey{conn_overhead(d), d.weight()};
    }
    if (k.weight <= 0) continue;
    if (!found || moh * k.weight < std::int64_t{k.overhead} * mw) {
      found = true;
      moh = k.overhead, mw = k.weight;
      most_at = i;
    }
  }
  if (!found) return;
  members_.erase(members_.begin() + static_cast<std::ptrdiff_t>(most_at));
  lastmod_ = now;
}

}  // namespace lvs::sched
