// HealthChecker: probe scheduling and the hand-off from probe results to the
// ipwrapper.c logic (ipwrapper.cc) through each kind's judgement (checker_judge.cc).

#include <algorithm>
#include <limits>

#include "health/health_state.h"

namespace lvs {

using health_detail::Checker;
using health_detail::Phase;
using health_detail::RealServerState;
using health_detail::Report;
using health_detail::ServiceState;

namespace {

// keepalived's config validation: a quorum above the total weight could never
// be met, and hysteresis must stay below quorum.
void validate_quorum(ServiceState& s) {
  std::int64_t total = 0;
  for (const auto& r : s.cfg.real_servers) total += std::max<std::int64_t>(r.dest.weight, 0);
  s.quorum = s.cfg.quorum;
  if (s.quorum > total) s.quorum = static_cast<std::uint32_t>(total);
  s.hysteresis = s.cfg.hysteresis;
  if (s.hysteresis >= s.quorum) s.hysteresis = s.quorum == 0 ? 0 : s.quorum - 1;
}

Duration draw_warmup(std::mt19937_64& rng, Duration warmup) {
  if (warmup <= Duration{0}) return Duration{0};
  const double u = static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);  // [0, 1)
  return Duration{static_cast<Duration::rep>(static_cast<double>(warmup.count()) * u)};
}

}  // namespace

std::string health_detail::Checker::target(Ip4 rs_addr, std::uint16_t rs_port) const {
  const Ip4 a = p.connect_ip != 0 ? p.connect_ip : rs_addr;
  const std::uint16_t port = p.connect_port != 0 ? p.connect_port : rs_port;
  return std::string(check_kind_name(p.kind)) + " " + format_ip4(a) + ":" + std::to_string(port);
}

HealthChecker::HealthChecker(HealthConfig cfg, Time start) : s_(std::make_unique<State>()) {
  State& st = *s_;
  st.rng.seed(cfg.seed);
  for (auto& vs : cfg.services) {
    ServiceState s;
    s.cfg = std::move(vs);
    validate_quorum(s);
    if (s.cfg.sorry_server) {
      health_detail::SorryState sorry;
      sorry.cfg = *s.cfg.sorry_server;
      sorry.inhibit = s.cfg.sorry_server_inhibit;
      s.sorry = sorry;
    }
    for (const auto& r : s.cfg.real_servers) {
      RealServerState rs;
      rs.cfg = r;
      rs.effective_weight = r.dest.weight;
      s.rs.push_back(std::move(rs));
    }
    st.svcs.push_back(std::move(s));
  }
  for (std::size_t v = 0; v < st.svcs.size(); ++v) {
    for (std::size_t i = 0; i < st.svcs[v].rs.size(); ++i) {
      for (const CheckerParams& p : st.svcs[v].rs[i].cfg.checkers) {
        Checker c;
        c.p = p;
        c.svc = v;
        c.rs = i;
        c.retry = p.retry.value_or(default_retry(p.kind));
        c.delay_before_retry = p.delay_before_retry.value_or(default_delay_before_retry(p.kind));
        // "For non alpha mode, one failure is enough initially" (check_data.c).
        c.retry_it = c.retry;
        c.due = start + kBootstrapDelay + draw_warmup(st.rng, p.warmup);
        st.checkers.push_back(std::move(c));
        // Alpha: every checker counts as failed until it has passed once.
        if (st.svcs[v].rs[i].cfg.alpha) st.set_checker_state(st.checkers.back(), false);
      }
    }
  }
  for (std::size_t v = 0; v < st.svcs.size(); ++v) st.init_service(v, start);
}

HealthChecker::~HealthChecker() = default;
HealthChecker::HealthChecker(HealthChecker&&) noexcept = default;
HealthChecker& HealthChecker::operator=(HealthChecker&&) noexcept = default;

Time HealthChecker::next_due() const {
  Time t = Time::max();
  for (const Checker& c : s_->checkers)
    if (c.phase == Phase::kWaiting) t = std::min(t, c.due);
  return t;
}

std::vector<ProbeRequest> HealthChecker::on_timer(Time now) {
  std::vector<ProbeRequest> out;
  for (std::size_t id = 0; id < s_->checkers.size(); ++id) {
    Checker& c = s_->checkers[id];
    switch (c.phase) {
      case Phase::kProbing:
        break;  // the adapter owes a result
      case Phase::kWaiting: {
        if (c.due > now) break;
        c.phase = Phase::kProbing;
        c.probe_started = now;
        const RealServerState& r = s_->svcs[c.svc].rs[c.rs];
        ProbeRequest q;
        q.id = static_cast<CheckerId>(id);
        q.kind = c.p.kind;
        q.server_addr = r.cfg.dest.addr;
        q.server_port = r.cfg.dest.port;
        q.addr = c.p.connect_ip != 0 ? c.p.connect_ip : q.server_addr;
        q.port = c.p.connect_port != 0 ? c.p.connect_port : q.server_port;
        if (c.p.kind == CheckKind::kHttpGet || c.p.kind == CheckKind::kSslGet)
          q.path = c.p.urls.empty() ? "/" : c.p.urls[std::min(c.url, c.p.urls.size() - 1)].path;
        q.timeout = c.p.kind == CheckKind::kMisc
                        ? (c.p.misc_timeout > Duration{0} ? c.p.misc_timeout : c.p.delay_loop)
                        : c.p.connect_timeout;
        if (!s_->svcs[c.svc].cfg.keys.empty()) q.service = s_->svcs[c.svc].cfg.keys.front();
        out.push_back(std::move(q));
        break;
      }
    }
  }
  return out;
}

void HealthChecker::on_probe_result(CheckerId id, const ProbeOutcome& outcome, Time now) {
  if (id >= s_->checkers.size()) return;
  Checker& c = s_->checkers[id];
  switch (c.phase) {
    case Phase::kWaiting:
      return;  // no probe outstanding: a stale or duplicate report
    case Phase::kProbing:
      break;
  }
  c.phase = Phase::kWaiting;
  const RealServerState& r = s_->svcs[c.svc].rs[c.rs];
  const std::string what = c.target(r.cfg.dest.addr, r.cfg.dest.port);
  if (health_detail::probe_passed(c, outcome)) {
    if (!c.ok_since) c.ok_since = c.probe_started;
    c.fail_since.reset();
  } else {
    if (!c.fail_since) c.fail_since = c.probe_started;
    c.ok_since.reset();
  }
  const unsigned retries = c.retry;
  const health_detail::Judgement j = health_detail::judge(c, outcome);
  if (j.misc_weight) {
    const std::int64_t w = *j.misc_weight < 0 ? r.cfg.dest.weight : *j.misc_weight;
    s_->update_weight(c.svc, c.rs, w, now);
  }
  switch (j.report) {
    case Report::kNone:
      break;
    case Report::kUp:
      s_->update_checker_state(c, true, now, c.ok_since.value_or(c.probe_started),
                               what + " succeeded");
      break;
    case Report::kDown:
      s_->update_checker_state(c, false, now, c.fail_since.value_or(c.probe_started),
                               what + " failed (" + describe(outcome) + ") after " +
                                   std::to_string(retries) + " retries");
      break;
  }
  const Time base = j.from_start ? c.probe_started : now;
  c.due = std::max(now, base + j.delay);
}

std::vector<HealthAction> HealthChecker::take_actions() {
  std::vector<HealthAction> out;
  out.swap(s_->actions);
  return out;
}

const std::vector<HealthEvent>& HealthChecker::events() const { return s_->events; }
std::size_t HealthChecker::num_checkers() const { return s_->checkers.size(); }
bool HealthChecker::server_alive(std::size_t svc, std::size_t rs) const {
  return s_->svcs.at(svc).rs.at(rs).alive;
}
bool HealthChecker::checker_up(CheckerId id) const { return s_->checkers.at(id).is_up; }
bool HealthChecker::quorum_up(std::size_t svc) const { return s_->svcs.at(svc).quorum_up; }
bool HealthChecker::sorry_server_active(std::size_t svc) const {
  const ServiceState& s = s_->svcs.at(svc);
  return s.sorry && s.sorry->alive;
}
std::int64_t HealthChecker::alive_weight(std::size_t svc) const { return s_->weigh_live(svc); }
std::uint32_t HealthChecker::effective_quorum(std::size_t svc) const {
  return s_->svcs.at(svc).quorum;
}
std::uint32_t HealthChecker::effective_hysteresis(std::size_t svc) const {
  return s_->svcs.at(svc).hysteresis;
}

}  // namespace lvs
