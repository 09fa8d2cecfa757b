// Connection accounting, as IPVS's ip_vs_bind_dest / ip_vs_unbind_dest /
// set_tcp_state and the connection timer (ip_vs_conn_expire).
#include <algorithm>

#include "engine/masq_source_index.h"
#include "lvs/engine.h"

namespace lvs {
namespace {

// netfilter conntrack's defaults, for flows the router masquerades itself.
constexpr Duration kMasqTcpEstablished = seconds(432000);
constexpr Duration kMasqUdp = seconds(120);

// The state a TCP packet seen in direction `dir` moves connection `c` to. A
// DR/TUN connection sees only the client's half (IP_VS_DIR_INPUT_ONLY) until
// a packet of the other half shows up here: from then on it is tracked in
// both directions, as set_tcp_state drops NOOUTPUT.
TcpState next_tcp_state(Conn& c, ConnDir dir, std::uint8_t tcp_flags) {
  if (c.flags & kConnNoOutput) {
    if (dir == ConnDir::kOutput) {
      c.flags &= static_cast<std::uint16_t>(~kConnNoOutput);
    } else {
      dir = ConnDir::kInputOnly;
    }
  }
  return tcp_next_state(static_cast<TcpState>(c.state), dir, tcp_flags);
}

}  // namespace

void Engine::sched_counts_changed(RealServer& rs) {
  if (defer_counts_) {
    if (counts_pending_ != nullptr && counts_pending_ != &rs) {
      RealServer& earlier = *counts_pending_;
      if (earlier.svc && earlier.svc->sched)
        earlier.svc->sched->counts_changed(*earlier.svc, earlier);
    }
    counts_pending_ = &rs;
    return;
  }
  if (rs.svc && rs.svc->sched) rs.svc->sched->counts_changed(*rs.svc, rs);
}

void Engine::bind_dest(const Conn& c) {
  RealServer* rs = dest_of(c);
  if (!rs) return;
  ++dests_[c.dest].refs;
  if (c.flags & kConnTemplate) {
    ++rs->persist_conns;
  } else if (c.flags & kConnInactive) {
    ++rs->inactive_conns;
  } else {
    ++rs->active_conns;
  }
  if (rs->cfg.u_threshold != 0 &&
      static_cast<std::uint32_t>(rs->total_conns()) >= rs->cfg.u_threshold)
    rs->flags |= kDestOverload;
  sched_counts_changed(*rs);
}

void Engine::unbind_dest(Conn& c) {
  RealServer* rs = dest_of(c);
  if (!rs) return;
  if (c.flags & kConnTemplate) {
    --rs->persist_conns;
  } else if (c.flags & kConnInactive) {
    --rs->inactive_conns;
  } else {
    --rs->active_conns;
  }
  const auto total = static_cast<std::uint32_t>(rs->total_conns());
  if (rs->cfg.l_threshold != 0) {
    if (total < rs->cfg.l_threshold) rs->flags &= ~kDestOverload;
  } else if (rs->cfg.u_threshold != 0) {
    if (total * 4 < rs->cfg.u_threshold * 3) rs->flags &= ~kDestOverload;
  } else {
    rs->flags &= ~kDestOverload;
  }
  sched_counts_changed(*rs);
  const std::uint32_t id = c.dest;
  c.dest = kNoDest;
  --dests_[id].refs;
}

Time Engine::conn_expiry(const Conn& c, Time now) const {
  if (c.flags & kConnTemplate) {
    if (c.flags & kConnTemplateRearmed) return now + kTemplateRearmTimeout;
    const RealServer* rs = dest_by_id(c.dest);
    return now + (rs && rs->svc ? rs->svc->cfg.timeout : Duration{0});
  }
  const bool masq = (c.flags & kConnMasquerade) != 0;
  if (c.proto == Proto::kUdp) return now + (masq ? kMasqUdp : cfg_.timeouts.udp);
  const auto s = static_cast<TcpState>(c.state);
  if (masq && s == TcpState::kEstablished) return now + kMasqTcpEstablished;
  return now + cfg_.timeouts.for_tcp(s);
}

void Engine::set_state(Conn& c, ConnId id, ConnDir dir, std::uint8_t tcp_flags, Time now) {
  if (c.proto == Proto::kTcp) {
    const auto old_state = static_cast<TcpState>(c.state);
    const TcpState new_state = next_tcp_state(c, dir, tcp_flags);
    if (new_state != old_state) {
      if (RealServer* rs = dest_of(c)) {
        const bool inactive = (c.flags & kConnInactive) != 0;
        const bool active_state = tcp_state_active(new_state);
        if (!inactive && !active_state) {
          --rs->active_conns;
          ++rs->inactive_conns;
          c.flags |= kConnInactive;
          sched_counts_changed(*rs);
        } else if (inactive && active_state) {
          ++rs->active_conns;
          --rs->inactive_conns;
          c.flags &= static_cast<std::uint16_t>(~kConnInactive);
          sched_counts_changed(*rs);
        }
      }
      c.state = static_cast<std::uint8_t>(new_state);
      if (new_state == TcpState::kEstablished) assure_template(c, table_->ext(id).control);
    }
  } else if (c.proto == Proto::kUdp && dir == ConnDir::kOutput) {
    assure_template(c, table_->ext(id).control);  // udp_state_transition: a reply assures it
  }
  table_->touch(id, conn_expiry(c, now));
}

// What set_state() does for a new connection's first packet, from a client,
// while the connection is inactive and on no timer. The rest of it follows
// once the entry is stored: bind_dest() counts the connection as active or
// inactive by the flag set here, which is where set_state() after the bind
// would have moved it; the timer starts with the new state's timeout; an
// ESTABLISHED connection assures its template.
void Engine::first_state(Conn& c, std::uint8_t tcp_flags) {
  if (c.proto != Proto::kTcp) return;  // UDP changes nothing on a client's packet
  const TcpState state = next_tcp_state(c, ConnDir::kInput, tcp_flags);
  c.state = static_cast<std::uint8_t>(state);
  if (tcp_state_active(state)) c.flags &= static_cast<std::uint16_t>(~kConnInactive);
}

// ip_vs_control_assure_ct: the connection's template, if any, is ASSURED.
void Engine::assure_template(const Conn& c, ConnId control) {
  if (control == kNoConn || (c.flags & kConnTemplate)) return;  // a template's is in_pkts
  Conn& t = (*table_)[control];
  if (t.flags & kConnTemplate) t.state |= kTemplateAssured;
}

// The connection timer fired (ip_vs_conn_expire).
void Engine::expire_conn(ConnId id, Time now) {
  Conn& c = (*table_)[id];
  if ((c.flags & kConnTemplate) && c.aux != 0) {
    // A template outlives the connections it controls: re-armed for 60 s, and
    // synced by a master, so that a backup's copy (which controls nothing
    // there) does not expire under a long idle connection.
    c.flags |= kConnTemplateRearmed;
    table_->touch(id, conn_expiry(c, now));
    if (sync_master_) sync_conn(id, sync_sysctls_.sync_threshold, now);
    return;
  }
  expire_now(id);
}

void Engine::expire_now(ConnId id) {
  Conn& c = (*table_)[id];
  ConnExt& x = table_->ext(id);
  if (x.control != kNoConn && !(c.flags & kConnTemplate)) {  // a template's is in_pkts
    Conn& tmpl = (*table_)[x.control];
    if (tmpl.aux != 0) --tmpl.aux;
    x.control = kNoConn;
  }
  if ((c.flags & kConnTemplateOwnTimeout) != 0) template_timeout_.erase(id);
  unbind_dest(c);
  if (c.flags & kConnMasquerade) masq_sources_->remove(id);  // made with the first such entry
  table_->erase(id);
}

// expire_nodest_conn: after a real server is deleted, its connections go, and
// the templates that no longer control any connection.
void Engine::expire_nodest_conns() {
  nodest_pending_ = false;
  std::vector<ConnId> conns, templates;
  table_->for_each([&](ConnId id, const Conn& c) {
    const RealServer* rs = dest_by_id(c.dest);
    if (c.dest == kNoDest || !rs || rs->available()) return;
    (c.flags & kConnTemplate ? templates : conns).push_back(id);
  });
  for (ConnId id : conns) expire_now(id);
  for (ConnId id : templates)
    if ((*table_)[id].aux == 0) expire_now(id);
}

// Timers fire in time order, as kernel timers do: a long jump in `now` is
// walked in steps shorter than one turn of the table's timer wheel, and each
// callback sees the time its step reached (a template re-armed while it still
// controls a connection restarts from there, not from the end of the jump).
// (Gaps of more than ~33 hours are walked in at most 2,000 coarser steps.)
void Engine::advance_due(Time now) {
  if (!clock_started_) {
    // The caller's epoch may be anything (pcap timestamps are Unix times):
    // bring the table's timer wheel to `now` before anything is inserted.
    clock_started_ = true;
    last_advance_ = now;
    est_timer_.emplace(now, EstimationTimer::Lateness::kCatchUp, cfg_.estimator_period);
    if (trash_arm_at_start_) trash_due_ = now + kDestTrashPeriod / 2;
    trash_arm_at_start_ = false;
    table_->expire(now, [this, now](ConnId id) { expire_conn(id, now); });
    // Schedulers bound so far were bound at the clock's start (bind_scheduler).
    for (auto& svc : services_)
      if (svc->sched) svc->sched->start_timers(*svc, now);
  }
  if (now > last_advance_) {
    Duration step = seconds(60);
    if ((now - last_advance_) / step > 2000) step = (now - last_advance_) / 2000 + Duration{1};
    Time t = last_advance_;
    while (t < now) {
      t = now - t > step ? t + step : now;
      // The trash timer runs at its own time, after the connections that
      // expired before it have let go of their real servers.
      if (trash_due_ && *trash_due_ < t) t = *trash_due_;
      table_->expire(t, [this, t](ConnId id) { expire_conn(id, t); });
      if (trash_due_ && *trash_due_ <= t) trash_expire(t);
    }
    last_advance_ = now;
  }
  if (nodest_pending_) expire_nodest_conns();
  if (const std::uint64_t passes = est_timer_->advance(now)) {
    fold_stats();
    for (auto& svc : services_) svc->stats.estimate(passes);
    for (DestSlot& slot : dests_)
      // A deleted real server's estimator is stopped (ip_vs_stop_estimator)
      // and resumes where it was if the server comes back.
      if (slot.rs && slot.rs->available()) slot.rs->stats.estimate(passes);
    total_.estimate(passes);
  }
  quiet_until_ = std::min(table_->next_tick_time(), est_timer_->next_deadline());
  if (trash_due_) quiet_until_ = std::min(quiet_until_, *trash_due_);
}

void Engine::fold_dest(RealServer& rs) const {
  const StatsCounters d = rs.stats.counters - rs.folded;
  auto add = [&d](StatsCounters& c) {
    c.inpkts += d.inpkts;
    c.outpkts += d.outpkts;
    c.inbytes += d.inbytes;
    c.outbytes += d.outbytes;
  };
  if (rs.svc) add(rs.svc->stats.counters);
  add(total_.counters);
  rs.folded = rs.stats.counters;
}

void Engine::fold_stats() const {
  for (const DestSlot& slot : dests_)
    if (slot.rs) fold_dest(*slot.rs);
}

}  // namespace lvs
