#pragma once
// One small interface for the 14 IPVS schedulers, looked up by ipvsadm name.
// Each policy lives in its own file under core/src/sched/ and matches the
// kernel's decisions (Linux 6.1) for the same sequence of events.

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "lvs/service.h"
#include "lvs/types.h"

namespace lvs {

// The parts of a packet the kernel schedulers look at (struct ip_vs_iphdr).
struct SchedPacket {
  Proto proto = Proto::kTcp;
  Ip4 saddr = 0;
  Ip4 daddr = 0;
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
};

// Injected randomness for twos's draws (mh keys hsiphash with the kernel's
// fixed constants and draws nothing). Must return uniform 32-bit values.
using RandomSource = std::function<std::uint32_t()>;

// Mirrors struct ip_vs_scheduler: init_service/add_dest/del_dest/upd_dest/schedule.
// The engine calls add_dest after inserting at the head of svc.dests, del_dest
// after removing from it (the dest's kDestAvailable flag is already cleared),
// and upd_dest after editing weight or thresholds (and RealServer::last_weight).
class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual std::string_view name() const = 0;

  // The kernel's init_service comes in two parts here, because the engine has
  // no clock of its own. init_service() runs when the scheduler is bound to
  // `svc` (ipvsadm -A, or -E naming another scheduler); start_timers() then
  // gives the time of that binding, when the kernel arms the scheduler's
  // timers (lblc/lblcr's 60 s table check). The engine calls start_timers()
  // right after init_service() with the latest `now` it has been given, or,
  // for a scheduler bound before its clock started (no packet or advance()
  // yet), with the `now` that starts it. (A scheduler used directly, without
  // an engine, starts its timers at its first schedule() when nobody called
  // start_timers().)
  virtual void init_service(VirtualService& /*svc*/) {}
  virtual void start_timers(VirtualService& /*svc*/, Time /*bound_at*/) {}
  virtual void add_dest(VirtualService& /*svc*/, RealServer& /*dest*/) {}
  virtual void del_dest(VirtualService& /*svc*/, RealServer& /*dest*/) {}
  virtual void upd_dest(VirtualService& /*svc*/, RealServer& /*dest*/) {}
  // Not an IPVS op: active/inactive counts or kDestOverload of `dest` changed.
  // Indexed schedulers use it to stay fast where the kernel rescans the list;
  // it must never change which server is picked.
  virtual void counts_changed(VirtualService& /*svc*/, RealServer& /*dest*/) {}

  // Not an IPVS op: whether the scheduler still holds `dest`, a server that
  // left the service, at `now` (its timers run first), the way lblc's entries
  // and lblcr's sets hold a reference to theirs (ip_vs_dest_hold), which keeps
  // it in the trash.
  virtual bool holds_dest(const RealServer& /*dest*/, Time /*now*/) { return false; }
  // The server for a new connection, or nullptr when none is usable.
  virtual RealServer* schedule(VirtualService& svc, const SchedPacket& pkt, Time now) = 0;
};

// nullptr when the name is not one of scheduler_names().
std::unique_ptr<Scheduler> make_scheduler(std::string_view name, RandomSource rng);
const std::vector<std::string_view>& scheduler_names();

}  // namespace lvs
