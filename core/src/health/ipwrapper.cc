// keepalived's ipwrapper.c semantics: a real server is alive when none of its
// checkers is down; alive weight against quorum with hysteresis; the sorry
// server replaces the pool while quorum is lost. ipvs_* mirror ipvs_cmd():
// with inhibit_on_failure a removal becomes "weight 0" and a re-add "restore".

#include "health/health_state.h"

namespace lvs {

using health_detail::Checker;
using health_detail::RealServerState;
using health_detail::ServiceState;

namespace {

// real_weight(): what IPVS can hold.
std::int32_t real_weight(std::int64_t w) {
  if (w < 0) return 0;
  return w > 65535 ? 65535 : static_cast<std::int32_t>(w);
}

std::string fmt(Ip4 a, std::uint16_t p) { return format_ip4(a) + ":" + std::to_string(p); }

}  // namespace

void HealthChecker::State::emit(std::size_t svc, HealthAction::Kind kind, RealServerConfig dest,
                                bool sorry) {
  for (const ServiceKey& key : svcs[svc].cfg.keys) {
    HealthAction a;
    a.kind = kind;
    a.service = key;
    a.dest = dest;
    if (a.dest.port == 0 && !key.is_fwmark()) a.dest.port = key.port;
    a.sorry_server = sorry;
    actions.push_back(a);
  }
}

void HealthChecker::State::event(std::size_t svc, HealthEvent::Kind what, Time now, Ip4 addr,
                                 std::uint16_t port, Time since, std::string reason) {
  HealthEvent e;
  e.time = now;
  e.what = what;
  if (!svcs[svc].cfg.keys.empty()) e.service = svcs[svc].cfg.keys.front();
  e.addr = addr;
  e.port = port;
  e.since = since;
  e.reason = std::move(reason);
  events.push_back(std::move(e));
}

void HealthChecker::State::ipvs_add(std::size_t svc, std::size_t rs, bool failed) {
  RealServerState& r = svcs[svc].rs[rs];
  const std::int32_t w = failed && r.cfg.inhibit_on_failure ? 0 : real_weight(r.effective_weight);
  RealServerConfig d = r.cfg.dest;
  d.weight = w;
  if (!r.set) {
    emit(svc, HealthAction::Kind::kAddDest, d, false);
  } else if (r.cfg.inhibit_on_failure && r.ipvs_weight != w) {
    emit(svc, HealthAction::Kind::kSetWeight, d, false);
  } else {
    return;  // EEXIST: keepalived ignores it
  }
  r.set = true;
  r.ipvs_weight = w;
}

void HealthChecker::State::ipvs_del(std::size_t svc, std::size_t rs) {
  RealServerState& r = svcs[svc].rs[rs];
  if (!r.set) return;  // ENOENT: ignored
  RealServerConfig d = r.cfg.dest;
  if (r.cfg.inhibit_on_failure) {
    if (r.ipvs_weight == 0) return;
    d.weight = 0;
    emit(svc, HealthAction::Kind::kSetWeight, d, false);
    r.ipvs_weight = 0;
    return;
  }
  d.weight = r.ipvs_weight;
  emit(svc, HealthAction::Kind::kRemoveDest, d, false);
  r.set = false;
}

void HealthChecker::State::ipvs_edit(std::size_t svc, std::size_t rs) {
  RealServerState& r = svcs[svc].rs[rs];
  const std::int32_t w = real_weight(r.effective_weight);
  if (!r.set || r.ipvs_weight == w) return;
  RealServerConfig d = r.cfg.dest;
  d.weight = w;
  emit(svc, HealthAction::Kind::kSetWeight, d, false);
  r.ipvs_weight = w;
}

// `parked`: sorry_server_inhibit's initial add at weight 0 (init_service_vs).
void HealthChecker::State::sorry_add(std::size_t svc, bool parked) {
  health_detail::SorryState& s = *svcs[svc].sorry;
  RealServerConfig d = s.cfg;
  if (parked) d.weight = 0;
  if (s.set) {
    emit(svc, HealthAction::Kind::kSetWeight, d, true);
  } else {
    emit(svc, HealthAction::Kind::kAddSorryServer, d, true);
    s.set = true;
  }
}

void HealthChecker::State::sorry_del(std::size_t svc) {
  health_detail::SorryState& s = *svcs[svc].sorry;
  if (!s.set) return;
  RealServerConfig d = s.cfg;
  if (s.inhibit) {
    d.weight = 0;
    emit(svc, HealthAction::Kind::kSetWeight, d, true);
    return;
  }
  emit(svc, HealthAction::Kind::kRemoveSorryServer, d, true);
  s.set = false;
}

std::int64_t HealthChecker::State::weigh_live(std::size_t svc) const {
  std::int64_t sum = 0;
  for (const RealServerState& r : svcs[svc].rs)
    if (r.alive) sum += real_weight(r.effective_weight);
  return sum;
}

// init_service_vs / init_service_rs: non-alpha servers (and servers without
// checkers) go in at once; alpha servers wait, except that inhibited ones are
// put in at weight 0.
void HealthChecker::State::init_service(std::size_t svc, Time now) {
  ServiceState& s = svcs[svc];
  for (std::size_t i = 0; i < s.rs.size(); ++i) {
    RealServerState& r = s.rs[i];
    if ((r.num_failed == 0 && !r.alive) || (r.cfg.inhibit_on_failure && !r.set)) {
      ipvs_add(svc, i, r.num_failed != 0);
      if (r.num_failed == 0) r.alive = true;
    }
  }
  update_quorum_state(svc, true, now);
  if (s.sorry && s.sorry->inhibit && !s.sorry->set) sorry_add(svc, true);
}

void HealthChecker::State::set_checker_state(Checker& c, bool up) {
  if (c.is_up == up) return;
  c.is_up = up;
  RealServerState& r = svcs[c.svc].rs[c.rs];
  if (!up) {
    ++r.num_failed;
  } else if (r.num_failed != 0) {
    --r.num_failed;
  }
}

// update_svr_checker_state: the server follows only when this checker is the
// last one down (going up) or the first one down (going down).
void HealthChecker::State::update_checker_state(Checker& c, bool alive, Time now, Time since,
                                                const std::string& reason) {
  if (c.is_up == alive) {
    c.has_run = true;
    return;
  }
  c.has_run = true;
  const RealServerState& r = svcs[c.svc].rs[c.rs];
  if (alive && r.num_failed <= 1) perform_svr_state(c.svc, c.rs, true, now, since, reason);
  if (!alive && r.num_failed == 0) perform_svr_state(c.svc, c.rs, false, now, since, reason);
  set_checker_state(c, alive);
}

// perform_svr_state: IPVS changes only while the sorry server is not standing
// in for the pool; quorum may change either way.
void HealthChecker::State::perform_svr_state(std::size_t svc, std::size_t rs, bool alive,
                                             Time now, Time since, const std::string& reason) {
  ServiceState& s = svcs[svc];
  RealServerState& r = s.rs[rs];
  if (r.alive == alive) return;
  if (s.quorum_up || !s.sorry || !s.sorry->alive) {
    if (alive) {
      ipvs_add(svc, rs, false);
    } else {
      ipvs_del(svc, rs);
    }
  }
  r.alive = alive;
  event(svc, alive ? HealthEvent::Kind::kServerUp : HealthEvent::Kind::kServerDown, now,
        r.cfg.dest.addr, r.cfg.dest.port, since, reason);
  update_quorum_state(svc, false, now);
}

// update_quorum_state: gained at alive weight >= quorum + hysteresis, lost
// below quorum - hysteresis (or at zero alive weight). At start-up with
// quorum down, the sorry server goes in.
void HealthChecker::State::update_quorum_state(std::size_t svc, bool init, Time now) {
  ServiceState& s = svcs[svc];
  const std::int64_t sum = weigh_live(svc);
  const std::int64_t h = s.hysteresis;
  const std::int64_t threshold = static_cast<std::int64_t>(s.quorum) + (s.quorum_up ? -h : h);
  const std::string figures = std::to_string(s.quorum) + (s.quorum_up ? "-" : "+") +
                              std::to_string(h) + "=" + std::to_string(threshold) +
                              ", alive weight " + std::to_string(sum);
  if (!s.quorum_up && sum >= threshold) {
    s.quorum_up = true;
    event(svc, HealthEvent::Kind::kQuorumGained, now, 0, 0, now,
          (init ? "starting with quorum up: " : "gained quorum: ") + figures);
    if (s.sorry && s.sorry->alive) {
      sorry_del(svc);
      s.sorry->alive = false;
      event(svc, HealthEvent::Kind::kSorryServerOut, now, s.sorry->cfg.addr, s.sorry->cfg.port,
            now, "quorum gained");
      perform_quorum_state(svc, true);
    }
    return;
  }
  const bool lost = s.quorum_up && (sum == 0 || sum < threshold);
  const bool start_sorry = init && !s.quorum_up && s.sorry && !s.sorry->alive;
  if (!lost && !start_sorry) return;
  s.quorum_up = false;
  event(svc, HealthEvent::Kind::kQuorumLost, now, 0, 0, now,
        (init ? "starting with quorum down: " : "lost quorum: ") + figures);
  if (s.sorry && !s.sorry->alive) {
    perform_quorum_state(svc, false);
    sorry_add(svc, false);
    s.sorry->alive = true;
    event(svc, HealthEvent::Kind::kSorryServerIn, now, s.sorry->cfg.addr, s.sorry->cfg.port, now,
          "quorum lost");
  }
}

// perform_quorum_state: the alive servers leave the pool while the sorry
// server serves, and come back with quorum.
void HealthChecker::State::perform_quorum_state(std::size_t svc, bool add) {
  for (std::size_t i = 0; i < svcs[svc].rs.size(); ++i) {
    if (!svcs[svc].rs[i].alive) continue;
    if (add) {
      ipvs_add(svc, i, false);
    } else {
      ipvs_del(svc, i);
    }
  }
}

// update_svr_wgt (misc_dynamic): the new weight reaches IPVS only for a server
// that is serving; quorum is re-evaluated.
void HealthChecker::State::update_weight(std::size_t svc, std::size_t rs, std::int64_t weight,
                                         Time now) {
  ServiceState& s = svcs[svc];
  RealServerState& r = s.rs[rs];
  const std::int32_t before = real_weight(r.effective_weight);
  r.effective_weight = weight;
  if (real_weight(weight) == before) return;
  event(svc, HealthEvent::Kind::kWeightChanged, now, r.cfg.dest.addr, r.cfg.dest.port, now,
        "weight " + std::to_string(before) + " -> " + std::to_string(real_weight(weight)) +
            " for " + fmt(r.cfg.dest.addr, r.cfg.dest.port));
  if (r.set && r.alive && (s.quorum_up || !s.sorry || !s.sorry->alive)) ipvs_edit(svc, rs);
  update_quorum_state(svc, false, now);
}

}  // namespace lvs
