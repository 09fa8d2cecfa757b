#pragma once
// lblcr's per-address server set (struct ip_vs_dest_set), newest member
// first as list_add_rcu leaves it. A member whose server left the service
// keeps its last weight and load, as the kernel's trashed dest would.

#include <cstdint>
#include <vector>

#include "lvs/service.h"

namespace lvs::sched {

using Jiffies = std::int64_t;

class ServerSet {
 public:
  std::size_t size() const { return members_.size(); }
  Jiffies lastmod() const { return lastmod_; }

  // ip_vs_dest_set_insert(.., check=true): no-op when already a member.
  void insert(RealServer& d, Jiffies now);
  // ip_vs_dest_set_min(): weighted least loaded available member.
  RealServer* least_loaded() const;
  // ip_vs_dest_set_max() + erase: drops the weighted most loaded member.
  void drop_most_loaded(Jiffies now);
  // The server left the service / came back.
  void unlink(const RealServer& d);
  void relink(RealServer& d);

 private:
  struct Member {
    RealServer* dest = nullptr;  // nullptr: left the service; fields below frozen
    Ip4 addr = 0;
    std::uint16_t port = 0;
    std::int32_t weight = 0;
    std::int32_t overhead = 0;
    bool overloaded = false;
  };
  struct View {
    std::int32_t weight;
    std::int32_t overhead;
    bool overloaded;
    bool available;
  };
  static View view(const Member& m);

  std::vector<Member> members_;  // oldest first; the kernel's list order is reversed
  Jiffies lastmod_ = 0;
};

}  // namespace lvs::sched
