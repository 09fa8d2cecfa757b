// Connection sync inside the engine: the master's choice of what to sync
// (ip_vs_sync_conn / ip_vs_sync_conn_needed, from ip_vs_in) and the backup's
// install of received entries (ip_vs_proc_conn, ip_vs_find_dest, and
// ip_vs_bind_dest's rules for synced connections).
#include <algorithm>
#include <cstdlib>

#include "lvs/engine.h"

namespace lvs {
namespace {

// TCP states in which a connection is synced at all.
constexpr unsigned kSyncedTcpStates =
    (1u << static_cast<unsigned>(TcpState::kEstablished)) |
    (1u << static_cast<unsigned>(TcpState::kFinWait)) | (1u << static_cast<unsigned>(TcpState::kClose)) |
    (1u << static_cast<unsigned>(TcpState::kCloseWait)) |
    (1u << static_cast<unsigned>(TcpState::kTimeWait));

// Timeout of an entry whose message carried none (version 0 templates).
constexpr Duration kSyncDefaultTimeout = seconds(180);

std::int64_t to_ms(Duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); }

// cp->sync_endtime starts as the creation time (ip_vs_conn_new); the engine
// records it on the connection's first packet, which is its creation.
// Indexed by slot: sized to the table's id_bound(), beyond its capacity.
std::uint32_t& sync_endtime(std::vector<std::uint32_t>& endtimes, std::size_t slots, ConnExt& x,
                            ConnId id, Time now) {
  if (endtimes.empty()) endtimes.resize(slots, 0);
  if (!(x.sync_flags & kSyncEndtimeSet)) {
    endtimes[id] = static_cast<std::uint32_t>(to_ms(now)) & ~3u;
    x.sync_flags |= kSyncEndtimeSet;
  }
  return endtimes[id];
}

}  // namespace

void Engine::sync_conn(ConnId id, Time now) {
  const Conn& c = (*table_)[id];
  if (c.flags & kConnMasquerade) return;  // netfilter's, not an IPVS connection
  sync_conn(id, (c.flags & kConnOnePacket) ? sync_sysctls_.sync_threshold : c.aux, now);
}

// ip_vs_sync_conn: the connection, then the template controlling it, whose
// in_pkts counts here (atomic_inc_return(&cp->in_pkts); templates skip the
// period test).
void Engine::sync_conn(ConnId id, std::uint32_t pkts, Time now) {
  Conn* c = &(*table_)[id];
  for (;;) {
    // One-packet connections are never synced, but their template is.
    if (!(c->flags & kConnOnePacket) && sync_needed(*c, id, pkts, now))
      sync_master_->on_conn_changed(sync_entry(id, now), now);
    // Nothing controls a template (its `control` is its in_pkts).
    if (c->flags & kConnTemplate) return;
    const ConnId control = table_->ext(id).control;
    if (control == kNoConn) return;
    id = control;
    c = &(*table_)[id];
    pkts =
        (c->flags & kConnTemplate) ? ++table_->template_in_pkts(id) : sync_sysctls_.sync_threshold;
  }
}

// ip_vs_sync_conn_needed. Sync end times are kept in millisecond ticks where
// the kernel keeps jiffies; the low two bits count refresh retries.
bool Engine::sync_needed(Conn& c, ConnId id, std::uint32_t pkts, Time now) {
  const SyncSysctls& s = sync_sysctls_;
  const bool tmpl = (c.flags & kConnTemplate) != 0;
  const std::int64_t timeout = to_ms(entry_expiry(id, now) - now);
  const auto now_t = static_cast<std::uint32_t>(to_ms(now));
  std::uint32_t n = static_cast<std::uint32_t>(now_t + timeout) & ~3u;
  ConnExt& x = table_->ext(id);
  bool force = false;
  if (!tmpl) {
    if (s.sync_persist_mode && x.control != kNoConn) return false;
    if (c.proto == Proto::kTcp) {
      if (!((1u << c.state) & kSyncedTcpStates)) return false;
      force = c.state != x.sync_state;
    }
  }
  // Kept whatever sync_refresh_period is, so that turning it on later
  // measures from the last sync, as the kernel's cp->sync_endtime does.
  std::uint32_t& endtime = sync_endtime(sync_endtime_, table_->id_bound(), x, id, now);
  if (!(force && c.state != static_cast<std::uint8_t>(TcpState::kEstablished))) {
    const std::int64_t refresh = to_ms(s.sync_refresh_period);
    if (refresh > 0) {
      const std::uint32_t orig = endtime;
      const std::int64_t diff = static_cast<std::int32_t>(n - orig);
      const std::int64_t min_diff = std::max<std::int64_t>(timeout / 2, 10000);
      if (std::llabs(diff) < std::min(refresh, min_diff)) {
        const std::uint32_t retries = orig & 3u;
        if (retries >= s.sync_retries) return false;
        // Retries are spaced sync_refresh_period / 8 after the last sync.
        const auto since = static_cast<std::int32_t>(now_t - (orig - static_cast<std::uint32_t>(timeout) +
                                                             static_cast<std::uint32_t>(refresh >> 3)));
        if (since < 0) return false;
        n |= retries + 1;
      }
    }
    if (s.sync_period > 0) {
      if (!tmpl && pkts % s.sync_period != s.sync_threshold) return false;
    } else if (refresh == 0 && pkts != s.sync_threshold) {
      return false;
    }
  }
  x.sync_state = c.state;  // cp->old_state, templates' too
  endtime = n;
  return true;
}

SyncConn Engine::sync_entry(ConnId id, Time now) const {
  const Conn& c = (*table_)[id];
  SyncConn s;
  s.protocol = static_cast<std::uint8_t>(c.proto);
  s.flags = kernel_conn_flags(c.flags);  // a template's include INACTIVE (persistent_template)
  s.state = c.state;
  s.cport = c.cport;
  s.vport = c.vport;
  s.dport = c.dport;
  s.caddr = c.caddr;
  s.vaddr = c.vaddr;
  s.daddr = c.daddr;
  s.fwmark = conn_fwmark(id);
  s.timeout_s = static_cast<std::uint32_t>(
      std::chrono::duration_cast<seconds>(entry_expiry(id, now) - now).count());
  return s;
}

// The mark an entry bound to `rs` has unless recorded otherwise: a packet that
// matched a firewall-mark service carried that mark; most others carry none.
// A server whose service was deleted waits in the trash with that service's
// key (dest->vfwmark), and its entries keep the mark.
std::uint32_t Engine::implied_fwmark(const RealServer* rs) const {
  if (rs == nullptr) return 0;
  if (rs->svc != nullptr) return rs->svc->cfg.key.is_fwmark() ? rs->svc->cfg.key.fwmark : 0;
  for (const TrashEntry& t : trash_)
    if (t.id == rs->id) return t.key.is_fwmark() ? t.key.fwmark : 0;
  return 0;
}

// ip_vs_conn_new(..., fwmark): the connection or template keeps the mark of
// the packet that created it (skb->mark, whichever service it matched), or
// of the sync message that did. Only marks other than implied_fwmark() take
// memory.
void Engine::record_fwmark(ConnId id, std::uint32_t fwmark, const RealServer* rs) {
  const std::uint32_t exception = fwmark == implied_fwmark(rs) ? 0 : fwmark;
  if (exception == 0 && fwmark_exceptions_.empty()) return;
  if (fwmark_exceptions_.empty()) fwmark_exceptions_.resize(table_->id_bound(), 0);
  fwmark_exceptions_[id] = exception;
}

std::uint32_t Engine::conn_fwmark(ConnId id) const {
  if (id < fwmark_exceptions_.size() && fwmark_exceptions_[id] != 0) return fwmark_exceptions_[id];
  return implied_fwmark(dest_by_id((*table_)[id].dest));
}

// cp->timeout: a connection's comes from its state (conn_expiry); a
// template's is set by ip_vs_sched_persist to the service's timeout, by
// ip_vs_conn_expire to 60 s, by ip_vs_proc_conn to the message's, and each
// restart of its timer uses it.
Time Engine::entry_expiry(ConnId id, Time now) const {
  const Conn& t = (*table_)[id];
  if ((t.flags & (kConnTemplateOwnTimeout | kConnTemplateRearmed)) == kConnTemplateOwnTimeout) {
    const auto it = template_timeout_.find(id);
    if (it != template_timeout_.end()) return now + it->second;
  }
  return conn_expiry(t, now);
}

// ip_vs_find_dest: the service by fwmark or address, then the real server by
// address and port (port 0 for non-NAT fwmark services, as they are added).
RealServer* Engine::sync_find_dest(const SyncConn& s) {
  VirtualService* svc =
      lookup_service(static_cast<Proto>(s.protocol), s.vaddr, s.vport, s.fwmark);
  if (!svc) return nullptr;
  std::uint16_t port = s.dport;
  if (s.fwmark != 0 && (s.flags & kKFwdMask) != static_cast<std::uint32_t>(ForwardMethod::kMasq))
    port = 0;
  RealServer* rs = find_linked_dest(*svc, s.daddr, port);
  if (!rs) rs = find_linked_dest(*svc, s.daddr, static_cast<std::uint16_t>(port ^ s.dport));
  return rs;
}

// ip_vs_bind_dest for a synced connection: it keeps the activity flag it was
// sent with, and takes the forwarding method of this director's real server.
void Engine::sync_bind(Conn& c, RealServer& rs) {
  c.flags &= static_cast<std::uint16_t>(~(kConnFwdMask | kConnNoOutput));
  c.flags |= static_cast<std::uint16_t>(rs.cfg.fwd);
  if (rs.cfg.fwd != ForwardMethod::kMasq) c.flags |= kConnNoOutput;
  c.dest = rs.id;
  bind_dest(c);
}

// ip_vs_conn_in_get / ip_vs_ct_in_get, and the replacement of a connection
// the master has rescheduled to another real server.
ConnId Engine::sync_lookup(const SyncConn& s, SyncApply& verdict) {
  const bool tmpl = (s.flags & kKTemplate) != 0;
  const ConnId id =
      table_->find_in(static_cast<Proto>(s.protocol), s.caddr, s.cport, s.vaddr, s.vport);
  if (id == kNoConn) return kNoConn;
  const Conn& c = (*table_)[id];
  if ((c.flags & kConnMasquerade) || tmpl != ((c.flags & kConnTemplate) != 0)) {
    verdict = SyncApply::kNotIpvs;
    return kNoConn;
  }
  if (!tmpl && (c.dport != s.dport || c.daddr != s.daddr)) {
    if (s.flags & kKInactive) {
      // The expiry message of the connection this one replaced.
      verdict = SyncApply::kStaleIgnored;
    } else {
      expire_now(id);
    }
    return kNoConn;
  }
  return id;
}

// ip_vs_conn_new for a received entry, bound when this director has its real
// server; without one it is still forwarded as the message says.
ConnId Engine::sync_create(const SyncConn& s, std::uint16_t flags, Time now) {
  Conn c;
  c.proto = static_cast<Proto>(s.protocol);
  c.caddr = s.caddr;
  c.cport = s.cport;
  c.vaddr = s.vaddr;
  c.vport = s.vport;
  c.daddr = s.daddr;
  c.dport = s.dport;
  c.flags = flags;
  ConnExt x;
  if (flags & kConnTemplate) x.control = 0;  // in_pkts
  RealServer* rs = sync_find_dest(s);
  const ConnId id = table_->insert(c, now, x);
  if (id == kNoConn) return kNoConn;
  sync_endtime(sync_endtime_, table_->id_bound(), table_->ext(id), id, now);
  record_fwmark(id, s.fwmark, rs);
  if (rs) sync_bind((*table_)[id], *rs);
  if (table_->size() > peak_conns_) peak_conns_ = table_->size();
  return id;
}

// ip_vs_proc_conn: find or create the entry, bind it when this director has
// the real server, then take the state, activity and timeout from the master.
SyncApply Engine::apply_sync_conn(const SyncConn& s, Time now, bool* bound) {
  if (bound) *bound = false;
  const bool tmpl = (s.flags & kKTemplate) != 0;
  const auto proto = static_cast<Proto>(s.protocol);
  const bool tcp = proto == Proto::kTcp;
  if (tmpl ? !(tcp || proto == Proto::kUdp || proto == Proto::kIp)
           : !(tcp ? s.state < static_cast<std::uint16_t>(TcpState::kCount)
                   : proto == Proto::kUdp && s.state == kUdpStateNormal))
    return SyncApply::kUnsupported;
  if (now != last_advance_) advance(now);

  SyncApply verdict = SyncApply::kUpdated;
  ConnId id = sync_lookup(s, verdict);
  if (verdict != SyncApply::kUpdated) return verdict;
  const auto flags = static_cast<std::uint16_t>(conn_flags_from_kernel(s.flags) | kConnSynced);
  if (id != kNoConn) {
    Conn& c = (*table_)[id];
    RealServer* rs = dest_of(c);
    // The flip moves the connection between activeconns and inactconns.
    if (((c.flags ^ flags) & kConnInactive) && !tmpl && rs) {
      const int d = (flags & kConnInactive) ? 1 : -1;
      rs->active_conns -= d;
      rs->inactive_conns += d;
      sched_counts_changed(*rs);
    }
    c.flags = static_cast<std::uint16_t>((flags & kConnInactive) | (c.flags & ~kConnInactive));
    if (!rs) {
      // ip_vs_try_bind_dest looks up with the entry's own cp->fwmark.
      SyncConn own = s;
      own.fwmark = conn_fwmark(id);
      if (RealServer* found = sync_find_dest(own)) sync_bind(c, *found);
    }
  } else {
    id = sync_create(s, flags, now);
    if (id == kNoConn) return SyncApply::kTableFull;
    verdict = SyncApply::kCreated;
  }

  Conn& c = (*table_)[id];
  // in_pkts = sync_threshold, templates included.
  (tmpl ? table_->template_in_pkts(id) : c.aux) = sync_sysctls_.sync_threshold;
  c.state = static_cast<std::uint8_t>(s.state);  // a template's NONE/ASSURED too
  table_->ext(id).sync_state = c.state;          // old_state
  Duration timeout = seconds(s.timeout_s);
  if (s.timeout_s == 0) {
    timeout = tmpl ? kSyncDefaultTimeout
                   : (tcp ? cfg_.timeouts.for_tcp(static_cast<TcpState>(c.state)) : cfg_.timeouts.udp);
  }
  if (tmpl) keep_synced_template_timeout(c, id, timeout);
  table_->touch(id, now + std::min(timeout, ConnTable::kMaxTimeout));
  if (bound) *bound = c.dest != kNoDest;
  return verdict;
}

// ip_vs_proc_conn: cp->timeout = the message's timeout, which the template
// keeps for every later restart of its timer here (after a takeover too). The
// re-arm timeout and this director's own persistence timeout need no memory.
void Engine::keep_synced_template_timeout(Conn& t, ConnId id, Duration timeout) {
  t.flags &= static_cast<std::uint16_t>(~(kConnTemplateRearmed | kConnTemplateOwnTimeout));
  if (!template_timeout_.empty()) template_timeout_.erase(id);
  if (timeout == kTemplateRearmTimeout) {
    t.flags |= kConnTemplateRearmed;
    return;
  }
  const RealServer* rs = dest_of(t);
  if (rs && rs->svc && rs->svc->cfg.timeout == timeout) return;
  t.flags |= kConnTemplateOwnTimeout;
  template_timeout_[id] = timeout;
}

}  // namespace lvs
