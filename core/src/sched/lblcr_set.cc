#include "sched/lblcr_set.h"

#include "sched/dest_metrics.h"

namespace lvs::sched {

ServerSet::View ServerSet::view(const Member& m) {
  if (m.dest == nullptr) return {m.weight, m.overhead, m.overloaded, false};
  const RealServer& d = *m.dest;
  return {d.weight(), conn_overhead(d), d.overloaded(), d.available()};
}

void ServerSet::insert(RealServer& d, Jiffies now) {
  for (const Member& m : members_)
    if (m.dest == &d) return;
  members_.push_back(Member{&d, d.cfg.addr, d.cfg.port, 0, 0, false});
  lastmod_ = now;
}

RealServer* ServerSet::least_loaded() const {
  const Member* least = nullptr;
  View lv{};
  for (auto it = members_.rbegin(); it != members_.rend(); ++it) {
    const View v = view(*it);
    if (v.overloaded) continue;
    const bool take = least == nullptr
                          ? v.weight > 0 && v.available
                          : static_cast<std::int64_t>(lv.overhead) * v.weight >
                                    static_cast<std::int64_t>(v.overhead) * lv.weight &&
                                v.available;
    if (take) {
      least = &*it;
      lv = v;
    }
  }
  return least ? least->dest : nullptr;
}

void ServerSet::drop_most_loaded(Jiffies now) {
  std::size_t most = members_.size();
  View mv{};
  for (std::size_t k = members_.size(); k-- > 0;) {
    const View v = view(members_[k]);
    const bool take = most == members_.size()
                          ? v.weight > 0
                          : static_cast<std::int64_t>(mv.overhead) * v.weight <
                                    static_cast<std::int64_t>(v.overhead) * mv.weight &&
                                v.weight > 0;
    if (take) {
      most = k;
      mv = v;
    }
  }
  if (most == members_.size()) return;
  members_.erase(members_.begin() + static_cast<std::ptrdiff_t>(most));
  lastmod_ = now;
}

void ServerSet::unlink(const RealServer& d) {
  for (Member& m : members_)
    if (m.dest == &d) m = Member{nullptr, d.cfg.addr, d.cfg.port, d.weight(), conn_overhead(d), d.overloaded()};
}

void ServerSet::relink(RealServer& d) {
  for (Member& m : members_)
    if (m.dest == nullptr && m.addr == d.cfg.addr && m.port == d.cfg.port) m.dest = &d;
}

}  // namespace lvs::sched
