#pragma once
// lblcr's per-address server set (struct ip_vs_dest_set), newest member
// first as list_add_rcu leaves it. Members are DestKeys ids, so the kernel's
// scans read a dense key per member and never the servers themselves. A
// member whose server left the service keeps its last weight and load, as
// the kernel's trashed dest would (DestKeys freezes it).

#include <cstdint>
#include <vector>

#include "sched/lblcr_dest_keys.h"

namespace lvs::sched {

using Jiffies = std::int64_t;

class ServerSet {
 public:
  std::size_t size() const { return members_.size(); }
  Jiffies lastmod() const { return lastmod_; }

  // ip_vs_dest_set_insert(.., check=true) of a live server: no-op when
  // already a member.
  void insert(const DestKeys& keys, const RealServer& d, Jiffies now);
  // ip_vs_dest_set_min(): weighted least loaded available member.
  RealServer* least_loaded(const DestKeys& keys) const;
  // ip_vs_dest_set_max() + erase: drops the weighted most loaded member.
  void drop_most_loaded(const DestKeys& keys, Jiffies now);
  // Renames members after DestKeys moved ids.
  void remap(MemberMap& moved) {
    for (MemberId& id : members_) id = moved(id);
  }

 private:
  std::vector<MemberId> members_;  // oldest first: the kernel's order reversed
  Jiffies lastmod_ = 0;
};

}  // namespace lvs::sched
