#pragma once
// Emulates the engine around schedulers: servers go in at the front of the
// list with kDestAvailable set, leave with it cleared (and stay in a trash
// pool, reused when the same addr:port comes back, like the kernel), keep
// last_weight as __ip_vs_update_dest does, and every count or flag change is
// followed by counts_changed().

#include <algorithm>
#include <deque>
#include <memory>
#include <vector>

#include "lvs/scheduler.h"

namespace lvs::test {

class SchedWorld {
 public:
  explicit SchedWorld(std::uint32_t svc_flags = 0) { svc_.cfg.flags = svc_flags; }

  // Schedulers to drive in lockstep; the first one's picks are returned.
  // Bound at `bound_at` (their timers start then).
  void attach(Scheduler* s, Time bound_at = Time{0}) {
    scheds_.push_back(s);
    s->init_service(svc_);
    s->start_timers(svc_, bound_at);
  }

  RealServer& add(Ip4 addr, std::uint16_t port, std::int32_t weight, std::uint32_t u_threshold = 0) {
    RealServer* d = find_trash(addr, port);
    if (!d) {
      pool_.emplace_back();
      d = &pool_.back();
      d->cfg.addr = addr;
      d->cfg.port = port;
      d->id = static_cast<std::uint32_t>(pool_.size());
    }
    d->cfg.weight = weight;
    d->last_weight = weight;
    d->cfg.u_threshold = u_threshold;
    d->flags |= kDestAvailable;
    if (u_threshold == 0) d->flags &= ~kDestOverload;
    d->svc = &svc_;
    svc_.dests.insert(svc_.dests.begin(), d);
    for (auto* s : scheds_) s->add_dest(svc_, *d);
    return *d;
  }
  void remove(RealServer& d) {
    svc_.dests.erase(std::find(svc_.dests.begin(), svc_.dests.end(), &d));
    d.flags &= ~kDestAvailable;
    for (auto* s : scheds_) s->del_dest(svc_, d);
  }
  void set_weight(RealServer& d, std::int32_t w) {
    d.cfg.weight = w;
    if (w != 0) d.last_weight = w;
    for (auto* s : scheds_) s->upd_dest(svc_, d);
  }
  void set_counts(RealServer& d, std::int32_t active, std::int32_t inactive) {
    d.active_conns = active;
    d.inactive_conns = inactive;
    for (auto* s : scheds_) s->counts_changed(svc_, d);
  }
  void set_overload(RealServer& d, bool on) {
    d.flags = on ? (d.flags | kDestOverload) : (d.flags & ~kDestOverload);
    for (auto* s : scheds_) s->counts_changed(svc_, d);
  }

  // Every attached scheduler's pick, in attach order.
  std::vector<RealServer*> schedule_all(const SchedPacket& p, Time now) {
    std::vector<RealServer*> picks;
    for (auto* s : scheds_) picks.push_back(s->schedule(svc_, p, now));
    return picks;
  }
  RealServer* schedule(const SchedPacket& p = {}, Time now = Time{0}) { return schedule_all(p, now).front(); }

  VirtualService& svc() { return svc_; }
  std::vector<RealServer*>& dests() { return svc_.dests; }
  std::vector<RealServer*> trash() const {
    std::vector<RealServer*> t;
    for (auto& d : pool_)
      if (!d.available()) t.push_back(const_cast<RealServer*>(&d));
    return t;
  }

 private:
  RealServer* find_trash(Ip4 addr, std::uint16_t port) {
    for (auto& d : pool_)
      if (!d.available() && d.cfg.addr == addr && d.cfg.port == port) return &d;
    return nullptr;
  }

  VirtualService svc_;
  std::deque<RealServer> pool_;
  std::vector<Scheduler*> scheds_;
};

}  // namespace lvs::test
