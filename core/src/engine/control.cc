// Control plane: ipvsadm's add/edit/delete of services and real servers.
#include <algorithm>

#include "engine/masq_source_index.h"
#include "lvs/engine.h"

namespace lvs {
namespace {

std::uint64_t addr_key(Proto proto, Ip4 addr, std::uint16_t port) {
  return (std::uint64_t{static_cast<std::uint8_t>(proto)} << 48) | (std::uint64_t{addr} << 16) |
         port;
}

ControlResult fail(ControlError e, std::string msg) {
  ControlResult r;
  r.error = e;
  r.message = std::move(msg);
  return r;
}

bool valid_service_key(const ServiceKey& k) {
  return k.is_fwmark() || k.proto == Proto::kTcp || k.proto == Proto::kUdp;
}

// A persistence netmask must be contiguous (ipvsadm -M).
bool contiguous_mask(Ip4 m) { return (~m & (~m + 1)) == 0; }

ControlResult check_dest(const RealServerConfig& d) {
  if (d.weight < 0) return fail(ControlError::kInvalid, "weight must be >= 0");
  if (d.l_threshold > d.u_threshold)
    return fail(ControlError::kThresholdRange, "lower threshold is above the upper threshold");
  return {};
}

}  // namespace

std::string_view drop_reason_name(DropReason r) {
  switch (r) {
    case DropReason::kNone: return "none";
    case DropReason::kTruncated: return "truncated";
    case DropReason::kBadVersion: return "bad_version";
    case DropReason::kBadIhl: return "bad_ihl";
    case DropReason::kBadLength: return "bad_length";
    case DropReason::kFragment: return "fragment";
    case DropReason::kBadL4Header: return "bad_l4_header";
    case DropReason::kNoDestination: return "no_destination";
    case DropReason::kTableFull: return "table_full";
    case DropReason::kDestUnavailable: return "dest_unavailable";
    case DropReason::kToPrivateAddress: return "to_private_address";
    case DropReason::kReplyWithoutConn: return "reply_without_conn";
    case DropReason::kMasqPortsExhausted: return "masq_ports_exhausted";
    case DropReason::kMasqUnsupported: return "masq_unsupported";
    case DropReason::kBadIcmpChecksum: return "bad_icmp_checksum";
    case DropReason::kCount: break;
  }
  return "?";
}

Engine::Engine(EngineConfig cfg) : cfg_(std::move(cfg)), shortcut_(cfg_.fast_path) {
  if (!cfg_.rng) {
    // xorshift32 with a fixed seed: runs are reproducible unless the caller injects a source.
    cfg_.rng = [state = std::uint32_t{0x9e3779b9u}]() mutable {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      return state;
    };
  }
  table_ = std::make_unique<ConnTable>(cfg_.max_conns);
}

Engine::~Engine() = default;

VirtualService* Engine::service_mut(const ServiceKey& key) {
  if (key.is_fwmark()) {
    auto it = svc_by_fwmark_.find(key.fwmark);
    return it == svc_by_fwmark_.end() ? nullptr : it->second;
  }
  auto it = svc_by_addr_.find(addr_key(key.proto, key.addr, key.port));
  return it == svc_by_addr_.end() ? nullptr : it->second;
}

const VirtualService* Engine::find_service(const ServiceKey& key) const {
  fold_stats();
  return const_cast<Engine*>(this)->service_mut(key);
}

std::vector<const VirtualService*> Engine::services() const {
  fold_stats();
  std::vector<const VirtualService*> out;
  out.reserve(services_.size());
  for (const auto& s : services_) out.push_back(s.get());
  return out;
}

const RealServer* Engine::dest_by_id(std::uint32_t id) const {
  return id < dests_.size() ? dests_[id].rs.get() : nullptr;
}

RealServer* Engine::find_linked_dest(VirtualService& svc, Ip4 addr, std::uint16_t port) {
  for (RealServer* d : svc.dests)
    if (d->cfg.addr == addr && d->cfg.port == port) return d;
  return nullptr;
}

const RealServer* Engine::find_dest(const ServiceKey& key, Ip4 addr, std::uint16_t port) const {
  VirtualService* svc = const_cast<Engine*>(this)->service_mut(key);
  return svc ? const_cast<Engine*>(this)->find_linked_dest(*svc, addr, port) : nullptr;
}

bool Engine::is_real_service(Proto proto, Ip4 addr, std::uint16_t port) const {
  return nat_real_services_.count(addr_key(proto, addr, port)) != 0;
}

ControlResult Engine::add_service(const ServiceConfig& cfg) {
  if (!valid_service_key(cfg.key)) return fail(ControlError::kInvalid, "protocol must be TCP or UDP");
  if (!contiguous_mask(cfg.netmask)) return fail(ControlError::kInvalid, "netmask is not contiguous");
  if (service_mut(cfg.key)) return fail(ControlError::kExists, "service already exists");
  auto sched = make_scheduler(cfg.scheduler, cfg_.rng);
  if (!sched) return fail(ControlError::kBadScheduler, "unknown scheduler '" + cfg.scheduler + "'");

  auto svc = std::make_unique<VirtualService>();
  svc->cfg = cfg;
  svc->id = next_service_id_++;
  bind_scheduler(*svc, std::move(sched));
  if (cfg.key.is_fwmark()) {
    svc_by_fwmark_[cfg.key.fwmark] = svc.get();
  } else {
    svc_by_addr_[addr_key(cfg.key.proto, cfg.key.addr, cfg.key.port)] = svc.get();
  }
  services_.push_back(std::move(svc));

  ControlResult r;
  r.change.kind = ControlChange::Kind::kServiceAdded;
  r.change.service = cfg.key;
  r.change.service_after = cfg;
  return r;
}

ControlResult Engine::edit_service(const ServiceConfig& cfg) {
  VirtualService* svc = service_mut(cfg.key);
  if (!svc) return fail(ControlError::kNoService, "no such service");
  if (!contiguous_mask(cfg.netmask)) return fail(ControlError::kInvalid, "netmask is not contiguous");
  ControlResult r;
  r.change.kind = ControlChange::Kind::kServiceEdited;
  r.change.service = cfg.key;
  r.change.service_before = svc->cfg;
  if (cfg.scheduler != svc->cfg.scheduler) {
    auto sched = make_scheduler(cfg.scheduler, cfg_.rng);
    if (!sched) return fail(ControlError::kBadScheduler, "unknown scheduler '" + cfg.scheduler + "'");
    svc->cfg.scheduler = cfg.scheduler;
    bind_scheduler(*svc, std::move(sched));  // the old one's timers and table go with it
  }
  if (cfg.timeout != svc->cfg.timeout) pin_template_timeouts(*svc);
  svc->cfg = cfg;
  r.change.service_after = cfg;
  return r;
}

// ip_vs_sched_persist sets a template's timeout once, when it makes it: live
// templates keep the service's old timeout for every later restart of their
// timers, and only new ones take the edited one.
void Engine::pin_template_timeouts(const VirtualService& svc) {
  std::vector<ConnId> ids;
  table_->for_each([&](ConnId id, const Conn& c) {
    if ((c.flags & (kConnTemplate | kConnTemplateRearmed | kConnTemplateOwnTimeout)) != kConnTemplate)
      return;
    const RealServer* rs = dest_by_id(c.dest);
    if (rs && rs->svc == &svc) ids.push_back(id);
  });
  for (ConnId id : ids) {
    (*table_)[id].flags |= kConnTemplateOwnTimeout;
    template_timeout_[id] = svc.cfg.timeout;
  }
}

// ip_vs_bind_scheduler: init_service, and the scheduler's timers armed now,
// or when the clock starts (advance_due) if it has not yet.
void Engine::bind_scheduler(VirtualService& svc, std::unique_ptr<Scheduler> sched) {
  svc.sched = std::move(sched);
  svc.sched->init_service(svc);
  if (clock_started_) svc.sched->start_timers(svc, last_advance_);
}

void Engine::unlink_dest(VirtualService& svc, RealServer& rs) {
  rs.flags &= ~kDestAvailable;
  svc.dests.erase(std::find(svc.dests.begin(), svc.dests.end(), &rs));
  if (rs.cfg.fwd == ForwardMethod::kMasq) {
    auto it = nat_real_services_.find(addr_key(svc.cfg.key.proto, rs.cfg.addr, rs.cfg.port));
    if (it != nat_real_services_.end() && --it->second == 0) nat_real_services_.erase(it);
  }
  auto ait = dest_addr_refs_.find(rs.cfg.addr);
  if (ait != dest_addr_refs_.end() && --ait->second == 0) dest_addr_refs_.erase(ait);
  trash_put(rs, svc.cfg.key);
  if (cfg_.expire_nodest_conn) {
    nodest_pending_ = true;
    quiet_until_ = Time::min();  // the next packet runs advance()
  }
}

ControlResult Engine::del_service(const ServiceKey& key) {
  VirtualService* svc = service_mut(key);
  if (!svc) return fail(ControlError::kNoService, "no such service");
  ControlResult r;
  r.change.kind = ControlChange::Kind::kServiceDeleted;
  r.change.service = key;
  r.change.service_before = svc->cfg;
  // As __ip_vs_del_service: the scheduler goes first, then each real server is
  // unlinked without calling its del_dest; connections keep their server.
  svc->sched.reset();
  while (!svc->dests.empty()) {
    RealServer& rs = *svc->dests.front();
    unlink_dest(*svc, rs);
    rs.svc = nullptr;
    r.change.conns_affected += dests_[rs.id].refs;
    ++r.change.dests_unlinked;
  }
  // Real servers already in the trash lose their service too.
  for (const TrashEntry& t : trash_) {
    RealServer& rs = *dests_[t.id].rs;
    if (rs.svc == svc) rs.svc = nullptr;
  }
  if (key.is_fwmark()) {
    svc_by_fwmark_.erase(key.fwmark);
  } else {
    svc_by_addr_.erase(addr_key(key.proto, key.addr, key.port));
  }
  services_.erase(std::find_if(services_.begin(), services_.end(),
                               [svc](const auto& p) { return p.get() == svc; }));
  return r;
}

std::uint32_t Engine::new_dest_slot() {
  if (!free_dest_slots_.empty()) {
    const std::uint32_t id = free_dest_slots_.back();
    free_dest_slots_.pop_back();
    return id;
  }
  dests_.emplace_back();
  n_dest_slots_ = static_cast<std::uint32_t>(dests_.size());
  return n_dest_slots_ - 1;
}

void Engine::free_dest(std::uint32_t id) {
  DestSlot& slot = dests_[id];
  fold_dest(*slot.rs);
  slot.rs.reset();
  free_dest_slots_.push_back(id);
}

// __ip_vs_del_dest: into the trash, where the trash holds a reference of its
// own; the timer is armed if the trash was empty.
void Engine::trash_put(RealServer& rs, const ServiceKey& key) {
  if (trash_.empty()) {
    if (clock_started_) {
      trash_due_ = last_advance_ + kDestTrashPeriod / 2;
      quiet_until_ = std::min(quiet_until_, *trash_due_);
    } else {
      trash_arm_at_start_ = true;
    }
  }
  trash_.push_back(TrashEntry{rs.id, key, std::nullopt});
}

// ip_vs_trash_get_dest: the newest real server in the trash with this
// address and port that was created in a service with this key (protocol,
// virtual address and port, or firewall mark), whether or not that service
// still exists.
RealServer* Engine::trash_get(const ServiceKey& key, Ip4 addr, std::uint16_t port) {
  for (auto it = trash_.rbegin(); it != trash_.rend(); ++it) {
    RealServer& rs = *dests_[it->id].rs;
    if (rs.cfg.addr == addr && rs.cfg.port == port && it->key == key) {
      trash_.erase(std::next(it).base());
      return &rs;
    }
  }
  return nullptr;
}

// ip_vs_dest_trash_expire: a real server that nothing references is
// marked idle at one run and freed at the first run a full period later, so
// 120-180 s after its last connection went; the timer runs every half period
// while the trash holds anything.
void Engine::trash_expire(Time now) {
  auto freed = std::remove_if(trash_.begin(), trash_.end(), [&](TrashEntry& t) {
    const RealServer& rs = *dests_[t.id].rs;
    // Referenced by connections, or by its service's scheduler (lblc, lblcr).
    if (dests_[t.id].refs != 0 || (rs.svc && rs.svc->sched && rs.svc->sched->holds_dest(rs, now)))
      return false;
    if (!t.idle_start) {
      t.idle_start = now;
      return false;
    }
    if (now < *t.idle_start + kDestTrashPeriod) return false;
    free_dest(t.id);
    return true;
  });
  trash_.erase(freed, trash_.end());
  if (trash_.empty()) {
    trash_due_.reset();
  } else {
    trash_due_ = now + kDestTrashPeriod / 2;
  }
}

ControlResult Engine::add_dest(const ServiceKey& key, const RealServerConfig& d) {
  VirtualService* svc = service_mut(key);
  if (!svc) return fail(ControlError::kNoService, "no such service");
  if (ControlResult bad = check_dest(d); !bad) return bad;
  if (find_linked_dest(*svc, d.addr, d.port)) return fail(ControlError::kExists, "destination already exists");

  // ip_vs_trash_get_dest: a deleted server comes back from the trash with its
  // connections and counters. One whose service was deleted and created
  // again starts its counters and rates from zero (__ip_vs_update_dest,
  // old_svc != svc); what it counted before still reaches the totals.
  RealServer* rs = trash_get(key, d.addr, d.port);
  if (rs && rs->svc != svc) {
    fold_dest(*rs);
    rs->stats.zero();
    rs->svc = svc;
  }
  if (!rs && free_dest_slots_.empty() && dests_.size() >= kMaxConnDests)
    return fail(ControlError::kNoMemory, "too many real servers (65,535 at most)");
  if (!rs) {
    const std::uint32_t id = new_dest_slot();
    dests_[id].rs = std::make_unique<RealServer>();
    rs = dests_[id].rs.get();
    rs->id = id;
    rs->svc = svc;
  }
  if (d.u_threshold == 0 || d.u_threshold > rs->cfg.u_threshold) rs->flags &= ~kDestOverload;
  rs->cfg = d;
  rs->last_weight = d.weight;  // __ip_vs_update_dest(add): even 0, even from the trash
  rs->flags |= kDestAvailable;
  svc->dests.insert(svc->dests.begin(), rs);  // list_add_rcu: at the head
  if (d.fwd == ForwardMethod::kMasq) ++nat_real_services_[addr_key(key.proto, d.addr, d.port)];
  ++dest_addr_refs_[d.addr];
  if (svc->sched) svc->sched->add_dest(*svc, *rs);

  ControlResult r;
  r.change.kind = ControlChange::Kind::kDestAdded;
  r.change.service = key;
  r.change.dest_after = d;
  r.change.conns_affected = dests_[rs->id].refs;
  return r;
}

ControlResult Engine::edit_dest(const ServiceKey& key, const RealServerConfig& d) {
  VirtualService* svc = service_mut(key);
  if (!svc) return fail(ControlError::kNoService, "no such service");
  if (ControlResult bad = check_dest(d); !bad) return bad;
  RealServer* rs = find_linked_dest(*svc, d.addr, d.port);
  if (!rs) return fail(ControlError::kNoSuchDest, "no such destination");

  ControlResult r;
  r.change.kind = ControlChange::Kind::kDestEdited;
  r.change.service = key;
  r.change.dest_before = rs->cfg;
  r.change.dest_after = d;
  r.change.conns_affected = dests_[rs->id].refs;
  if (rs->cfg.fwd != d.fwd) {
    const std::uint64_t k = addr_key(key.proto, d.addr, d.port);
    if (rs->cfg.fwd == ForwardMethod::kMasq && --nat_real_services_[k] == 0) nat_real_services_.erase(k);
    if (d.fwd == ForwardMethod::kMasq) ++nat_real_services_[k];
  }
  if (d.u_threshold == 0 || d.u_threshold > rs->cfg.u_threshold) rs->flags &= ~kDestOverload;
  if (d.weight != 0) rs->last_weight = d.weight;  // quiescing keeps the last non-zero weight
  rs->cfg = d;
  if (svc->sched) svc->sched->upd_dest(*svc, *rs);
  return r;
}

ControlResult Engine::del_dest(const ServiceKey& key, Ip4 addr, std::uint16_t port) {
  VirtualService* svc = service_mut(key);
  if (!svc) return fail(ControlError::kNoService, "no such service");
  RealServer* rs = find_linked_dest(*svc, addr, port);
  if (!rs) return fail(ControlError::kNoSuchDest, "no such destination");
  ControlResult r;
  r.change.kind = ControlChange::Kind::kDestDeleted;
  r.change.service = key;
  r.change.dest_before = rs->cfg;
  r.change.conns_affected = dests_[rs->id].refs;
  unlink_dest(*svc, *rs);
  if (svc->sched) svc->sched->del_dest(*svc, *rs);
  return r;
}

void Engine::clear() {
  while (!services_.empty()) del_service(services_.back()->cfg.key);
}

bool Engine::is_local(Ip4 a) const {
  return std::find(cfg_.local_addrs.begin(), cfg_.local_addrs.end(), a) != cfg_.local_addrs.end();
}

bool Engine::is_inside(Ip4 a) const {
  for (const Prefix& p : cfg_.inside_nets)
    if (p.contains(a)) return true;
  return dest_addr_refs_.count(a) != 0;
}

}  // namespace lvs
