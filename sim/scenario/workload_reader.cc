#include "scenario/workload_reader.h"

#include "scenario/schema.h"
#include "scenario/units.h"

namespace lvs::scenario {
namespace {

std::string describe(const Service& s) {
  if (!s.name.empty()) return s.name;
  if (s.ipvs.key.is_fwmark()) return "fwmark " + std::to_string(s.ipvs.key.fwmark);
  return format_ip4(s.ipvs.key.addr) + ":" + std::to_string(s.ipvs.key.port);
}

Workload::Kind read_kind(const Section& s) {
  const std::string kind = s.text("kind", "open");
  if (kind == "open") return Workload::Kind::kOpenLoop;
  if (kind == "closed") return Workload::Kind::kClosedLoop;
  if (kind == "flash") return Workload::Kind::kFlashCrowd;
  s.fail("kind", "'" + kind + "' is not open, closed or flash");
}

// [[t, rate], ...] with times strictly increasing.
std::vector<std::pair<double, double>> read_schedule(const Section& s) {
  std::vector<std::pair<double, double>> out;
  const YAML::Node n = s.node("schedule");
  if (!n.IsDefined() || n.IsNull()) return out;
  const std::string bad = "expected a list of [time, rate] pairs, e.g. [[0, 100], [10s, 500]]";
  if (!n.IsSequence()) s.fail("schedule", bad);
  for (std::size_t i = 0; i < n.size(); ++i) {
    const YAML::Node p = n[i];
    const std::string field = "schedule." + std::to_string(i);
    if (!p.IsSequence() || p.size() != 2 || !p[0].IsScalar() || !p[1].IsScalar())
      throw config::ConfigError(node_pos(s.context(), p, s.field(field)), s.field(field) + ": " + bad);
    const auto t = parse_seconds(p[0].Scalar());
    const auto r = parse_number(p[1].Scalar());
    if (!t || !r || *r < 0 || (!out.empty() && *t <= out.back().first)) {
      throw config::ConfigError(node_pos(s.context(), p, s.field(field)),
                                s.field(field) + ": needs a time after the previous point and a rate >= 0");
    }
    out.emplace_back(*t, *r);
  }
  return out;
}

}  // namespace

std::optional<std::size_t> find_service(const std::string& ref, const std::vector<Service>& services, Ip4 vip) {
  if (ref.empty()) return services.size() == 1 ? std::optional<std::size_t>(0) : std::nullopt;
  for (std::size_t i = 0; i < services.size(); ++i) {
    if (!services[i].name.empty() && services[i].name == ref) return i;
  }
  Ip4 addr = vip;
  std::string port_text = ref;
  if (const auto colon = ref.rfind(':'); colon != std::string::npos) {
    const auto a = parse_ip4(ref.substr(0, colon));
    if (!a) return std::nullopt;
    addr = *a;
    port_text = ref.substr(colon + 1);
  }
  const auto port = parse_number(port_text);
  if (!port) return std::nullopt;
  for (std::size_t i = 0; i < services.size(); ++i) {
    const ServiceKey& k = services[i].ipvs.key;
    if (!k.is_fwmark() && k.addr == addr && k.port == *port) return i;
  }
  return std::nullopt;
}

Workload read_workload(const Section& s, const Scenario& sc) {
  Workload w;
  w.pos = s.pos();
  w.name = s.text("name", "workload-" + s.path().substr(s.path().rfind('.') + 1));
  w.kind = read_kind(s);
  const std::string ref = s.text("service", "");
  const auto idx = find_service(ref, sc.services, sc.topology.vip);
  if (!idx) {
    std::string known;
    std::vector<std::string> names;
    for (const auto& svc : sc.services) names.push_back(describe(svc));
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    if (ref.empty()) s.fail("service", "which service? the scenario has " + (known.empty() ? "none" : known));
    s.fail("service", "no service '" + ref + "' (services: " + (known.empty() ? "none" : known) + ")");
  }
  w.target = sc.services[*idx].ipvs.key;
  w.rate = s.number("rate", w.rate, 0);
  w.rate_schedule = read_schedule(s);
  w.ramp = s.boolean("ramp", false);
  w.users = static_cast<std::uint32_t>(s.integer("users", w.users, 1, 10000000));
  w.think_time = s.distribution("think_time", w.think_time, true);
  if (w.kind == Workload::Kind::kFlashCrowd) {
    if (!s.has("flash")) s.fail_missing("flash");
    const Section f = s.child("flash");
    if (!f.has("peak")) f.fail_missing("peak");
    w.flash_start = f.seconds("start", 0);
    w.flash_peak = f.number("peak", 0, 0);
    w.flash_duration = f.seconds("duration", 1);
    if (w.flash_duration <= 0) f.fail("duration", "must be positive");
  } else if (s.has("flash")) {
    s.fail("flash", "only a flash workload (kind: flash) takes a flash section");
  }
  Distribution request;
  request.mean = 200;
  Distribution response;
  response.mean = 10000;
  w.request_size = s.distribution("request_size", request, false);
  w.response_size = s.distribution("response_size", response, false);
  w.requests_per_connection =
      static_cast<std::uint32_t>(s.integer("requests_per_connection", w.requests_per_connection, 1, 1000000));
  w.timeout_s = s.seconds("timeout", w.timeout_s);
  if (w.timeout_s <= 0) s.fail("timeout", "must be positive");
  w.start_s = s.seconds("start", 0);
  w.stop_s = s.has("stop") ? s.seconds("stop", 0) : -1;
  if (w.stop_s >= 0 && w.stop_s <= w.start_s) s.fail("stop", "must be after start");
  if (w.start_s >= sc.duration_s) s.fail("start", "is not before the end of the run (duration " + format_seconds(sc.duration_s) + ")");
  return w;
}

}  // namespace lvs::scenario
