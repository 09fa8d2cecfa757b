// keepalived's health checkers on every router (LvsHealthCheck), and the
// health figures of summary.json: how long after a real server failed its
// router noticed, and how long after it recovered it was re-added.
#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>

#include <algorithm>

#include "runner/world_impl.h"

namespace lvs::runner {

using namespace ns3;
using nlohmann::json;

namespace {

bool modelled(config::CheckerKind k) {
  return k == config::CheckerKind::kTcpCheck || k == config::CheckerKind::kHttpGet ||
         k == config::CheckerKind::kSslGet || k == config::CheckerKind::kMiscCheck;
}

// keepalived's virtual_server block for a scenario service.
config::VirtualServerConfig keepalived_block(const scenario::Service& svc) {
  config::VirtualServerConfig vs;
  vs.service = svc.ipvs;
  const scenario::ServiceHealth h = svc.health.value_or(scenario::ServiceHealth{});
  vs.delay_loop = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(h.delay_loop_s));
  vs.quorum = h.quorum;
  vs.hysteresis = h.hysteresis;
  vs.alpha = h.alpha;
  vs.omega = h.omega;
  vs.inhibit_on_failure = h.inhibit_on_failure;
  vs.sorry_server = h.sorry_server;
  for (const scenario::Service::Member& m : svc.members) {
    config::RealServerEntry e;
    e.rs = m.ipvs;
    e.inhibit_on_failure = m.inhibit_on_failure || h.inhibit_on_failure;
    for (config::CheckerConfig c : m.health_checks) {
      // A checker without its own delay_loop takes the virtual server's.
      if (!c.explicit_timing.delay_loop) c.delay_loop = vs.delay_loop;
      if (c.kind == config::CheckerKind::kMiscCheck && !c.misc_timeout.count()) c.misc_timeout = c.delay_loop;
      e.checkers.push_back(c);
    }
    vs.real_servers.push_back(e);
  }
  return vs;
}

bool has_checks(const scenario::Service& svc) {
  return std::any_of(svc.members.begin(), svc.members.end(),
                     [](const scenario::Service::Member& m) { return !m.health_checks.empty(); });
}

}  // namespace

void World::Impl::build_health() {
  HealthConfig cfg;
  cfg.seed = sc.seed;
  std::vector<std::pair<CheckerId, MiscSchedule>> misc;
  CheckerId next = 0;
  for (const scenario::Service& svc : sc.services) {
    if (!has_checks(svc)) continue;
    std::vector<std::string> skipped;
    cfg.services.push_back(health_config_from(keepalived_block(svc), &skipped));
    for (const std::string& why : skipped) event(0, "health_check_skipped", {{"service", svc.name}, {"why", why}});
    for (const scenario::Service::Member& m : svc.members)
      for (std::size_t k = 0; k < m.health_checks.size(); ++k) {
        if (!modelled(m.health_checks[k].kind)) continue;
        const CheckerId id = next++;
        if (k < m.misc_schedules.size() && !m.misc_schedules[k].empty()) {
          std::vector<MiscSchedule::Step> steps;
          for (const auto& [t, code] : m.misc_schedules[k])
            steps.push_back({std::chrono::duration_cast<Duration>(std::chrono::duration<double>(t)), code});
          misc.emplace_back(id, MiscSchedule(steps, 0));
        }
      }
  }
  if (cfg.services.empty()) return;

  for (std::size_t i = 0; i < routers.size(); ++i) {
    RouterState& r = routers[i];
    r.health = CreateObject<LvsHealthCheck>();
    r.health->Setup(cfg, r.director, to_ns3(r.spec->private_ip));
    for (const auto& [id, schedule] : misc) r.health->SetMiscSchedule(id, schedule);
    r.node->AddApplication(r.health);
    r.health->SetStartTime(Seconds(0));
    r.health->TraceConnectWithoutContext("Event", MakeCallback(&World::Impl::on_health_event, this).Bind(i));
  }
}

void World::Impl::on_health_event(std::size_t i, const HealthEvent& e) {
  const double t = static_cast<double>(e.time.count()) * 1e-9;
  json fields = {{"router", routers[i].spec->name},
                 {"what", std::string(event_kind_name(e.what))},
                 {"reason", e.reason}};
  if (e.addr) fields["server"] = format_ip4(e.addr) + ":" + std::to_string(e.port);
  if (e.what == HealthEvent::Kind::kServerDown || e.what == HealthEvent::Kind::kServerUp)
    fields["first_probe_s"] = static_cast<double>(e.since.count()) * 1e-9;
  event(t, "health", fields);
  health_events.emplace_back(i, e);
}

void World::Impl::health_summary(json& out) const {
  if (health_events.empty()) return;
  // The latest fault of each kind on the server at `addr` at or before `t`.
  auto last_fault = [&](Ip4 addr, double t, bool recovery) -> double {
    std::string name;
    for (const ServerState& s : servers)
      if (s.spec->address == addr) name = s.spec->name;
    double at = -1;
    for (const scenario::Fault& f : sc.faults) {
      using A = scenario::Fault::Action;
      const bool is_recovery = f.action == A::kUp;
      const bool is_failure = f.action == A::kDown || f.action == A::kHang || f.action == A::kSlow;
      if (f.target == name && f.at_s <= t && (recovery ? is_recovery : is_failure)) at = std::max(at, f.at_s);
    }
    return at;
  };
  json list = json::array();
  for (const auto& [i, e] : health_events) {
    const double t = static_cast<double>(e.time.count()) * 1e-9;
    json j = {{"router", routers[i].spec->name}, {"t", t}, {"what", std::string(event_kind_name(e.what))}};
    if (e.addr) j["server"] = format_ip4(e.addr) + ":" + std::to_string(e.port);
    if (e.what == HealthEvent::Kind::kServerDown) {
      const double f = last_fault(e.addr, t, false);
      j["detection_s"] = f < 0 ? json(nullptr) : json(t - f);
    } else if (e.what == HealthEvent::Kind::kServerUp) {
      const double f = last_fault(e.addr, t, true);
      j["readd_s"] = f < 0 ? json(nullptr) : json(t - f);
    }
    list.push_back(j);
  }
  out["health"] = list;
}

}  // namespace lvs::runner
