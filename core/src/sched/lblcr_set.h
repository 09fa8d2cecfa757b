#pragma once
// lblcr's per-address server set (struct ip_vs_dest_set), newest member
// first as list_add_rcu leaves it. Members are DestKeys ids: a live member
// is its LocalityIndex slot, so the least-loaded scan reads the members'
// tree leaves and never the servers themselves. A member whose server left
// the service keeps its last weight and load, as the kernel's trashed dest
// would (DestKeys freezes it).

#include <cstdint>
#include <vector>

#include "sched/lblcr_dest_keys.h"
#include "sched/locality_index.h"

namespace lvs::sched {

using Jiffies = std::int64_t;

class ServerSet {
 public:
  std::size_t size() const { return members_.size(); }
  Jiffies lastmod() const { return lastmod_; }
  bool contains(MemberId id) const {
    for (MemberId m : members_)
      if (m == id) return true;
    return false;
  }

  // ip_vs_dest_set_insert(.., check=true) of a live server: no-op when
  // already a member.
  void insert(const DestKeys& keys, const RealServer& d, Jiffies now);
  // ip_vs_dest_set_min(): the slot of the weighted least loaded available
  // member, or -1.
  long least_loaded(const LocalityIndex& idx, const DestKeys& keys) const;
  // ip_vs_dest_set_max() + erase: drops the weighted most loaded member.
  void drop_most_loaded(const LocalityIndex& idx, const DestKeys& keys, Jiffies now);
  // Renames members after DestKeys moved ids.
  void remap(MemberMap& moved) {
    for (MemberId& id : members_) id = moved(id);
  }

 private:
  long least_loaded_by_scan(const LocalityIndex& idx) const;

  std::vector<MemberId> members_;  // oldest first: the kernel's order reversed
  Jiffies lastmod_ = 0;
};

}  // namespace lvs::sched
