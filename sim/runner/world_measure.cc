// What a run measures: periodic samples (timeseries.csv), events, and the
// end-of-run summary (summary.json).
#include <ns3/core-module.h>
#include <ns3/network-module.h>

#include <algorithm>
#include <map>

#include "model/router-cost-model.h"
#include "runner/world_impl.h"
#include "scenario/check.h"

namespace lvs::runner {

using namespace ns3;
using nlohmann::json;

namespace {

json stats_json(const LvsRequestStats& s) {
  json out;
  for (std::size_t o = 0; o < kLvsRequestOutcomes; ++o)
    out[ToString(static_cast<LvsRequestOutcome>(o))] = s.byOutcome[o];
  out["total"] = s.requests;
  return out;
}

json latency_json(const LvsRequestStats& s) {
  return {{"mean_s", s.meanLatency}, {"p50_s", s.p50}, {"p90_s", s.p90}, {"p99_s", s.p99},
          {"max_s", s.maxLatency}};
}

}  // namespace

void World::Impl::event(double t, const std::string& kind, json fields) {
  fields["t"] = t;
  fields["event"] = kind;
  events.push_back(std::move(fields));
}

// Drops are events too: one line per router, interval and reason that had any.
void World::Impl::drop_events(double t, const RouterState& r) {
  auto report = [&](const std::string& reason, std::uint64_t total) {
    std::uint64_t& seen = drops_seen[r.spec->name + "/" + reason];
    if (total > seen) event(t, "drops", {{"router", r.spec->name}, {"reason", reason}, {"count", total - seen}});
    seen = total;
  };
  for (std::size_t d = 1; d < static_cast<std::size_t>(DropReason::kCount); ++d) {
    const auto reason = static_cast<DropReason>(d);
    report(std::string(drop_reason_name(reason)), r.director->GetEngineDrops(reason));
  }
  report("queue_full", r.director->GetQueueDrops());
  report("no_route", r.director->GetNoRouteDrops());
  report("disabled", r.director->GetDisabledDrops());
}

void World::Impl::sample(double t) {
  for (const RouterState& r : routers) {
    drop_events(t, r);
    const std::string& name = r.spec->name;
    samples.push_back({t, name, "forwarded", static_cast<double>(r.director->GetForwarded())});
    samples.push_back({t, name, "connections", static_cast<double>(r.director->GetConnectionCount())});
    samples.push_back({t, name, "engine_drops", static_cast<double>(r.director->GetEngineDropsTotal())});
    samples.push_back({t, name, "queue_drops", static_cast<double>(r.director->GetQueueDrops())});
    if (Ptr<RouterCostModel> cost = r.director->GetCostModel()) {
      samples.push_back({t, name, "cpu_busy_s", cost->GetBusyTime().GetSeconds()});
      samples.push_back({t, name, "queue_length", static_cast<double>(cost->GetQueueLength())});
    }
  }
  for (const ServerState& s : servers) {
    double served = 0, busy = 0, queue = 0;
    for (const auto& app : s.apps) {
      served += static_cast<double>(app->GetRequestsServed());
      busy += app->GetBusyWorkerSeconds();
      queue += app->GetQueueLength();
    }
    samples.push_back({t, s.spec->name, "served", served});
    samples.push_back({t, s.spec->name, "busy_worker_s", busy});
    samples.push_back({t, s.spec->name, "queue_length", queue});
  }
}

void World::Impl::collect() {
  const double duration = sc.duration_s;
  json& out = summary;
  out["format_version"] = 1;
  out["scenario"] = sc.name;
  out["seed"] = sc.seed;
  out["tcp_segment_size"] = sc.tcp.segment_size;
  out["duration_s"] = duration;
  out["wall_s"] = wall_seconds;

  // Requests, over every workload and per workload.
  LvsRequestLog all;
  for (const auto& log : logs)
    for (const LvsRequestRecord& rec : log->Records()) all.Add(rec);
  const LvsRequestStats total = all.Summarize(Seconds(0), Seconds(duration + 1e-9));
  out["requests"] = stats_json(total);
  out["requests_per_s"] = total.OkPerSecond();
  out["response_bytes_per_s"] = total.ResponseBytesPerSecond();
  out["error_rate"] = total.ErrorRate();
  out["latency"] = latency_json(total);
  json workloads = json::array();
  for (std::size_t i = 0; i < logs.size(); ++i) {
    const LvsRequestStats s = logs[i]->Summarize(Seconds(0), Seconds(duration + 1e-9));
    workloads.push_back({{"name", sc.workloads[i].name},
                         {"requests", stats_json(s)},
                         {"requests_per_s", s.OkPerSecond()},
                         {"latency", latency_json(s)}});
  }
  out["workloads"] = workloads;

  // Real servers: connections as the directors counted them, and utilisation.
  std::map<std::string, std::uint64_t> conns;
  std::uint64_t all_conns = 0;
  for (const RouterState& r : routers) {
    const Engine& e = r.director->GetEngine();
    for (const scenario::Service& svc : sc.services)
      for (const scenario::Service::Member& m : svc.members)
        if (const RealServer* rs = e.find_dest(svc.ipvs.key, m.ipvs.addr, m.ipvs.port)) {
          conns[m.server] += rs->stats.counters.conns;
          all_conns += rs->stats.counters.conns;
        }
  }
  json servers_json = json::array();
  for (const ServerState& s : servers) {
    double busy = 0, served = 0;
    for (const auto& app : s.apps) {
      busy += app->GetBusyWorkerSeconds();
      served += static_cast<double>(app->GetRequestsServed());
    }
    const double util = duration > 0 ? busy / (s.spec->workers * duration) : 0;
    servers_json.push_back(
        {{"name", s.spec->name},
         {"address", format_ip4(s.spec->address)},
         {"connections", conns[s.spec->name]},
         {"share", all_conns ? static_cast<double>(conns[s.spec->name]) / all_conns : 0.0},
         {"requests_served", served},
         {"utilisation", util}});
  }
  out["real_servers"] = servers_json;

  // Routers: CPU, queue, engine counters.
  json routers_json = json::array();
  for (const RouterState& r : routers) {
    json rj = {{"name", r.spec->name},
               {"active", r.active},
               {"forwarded", r.director->GetForwarded()},
               {"queue_drops", r.director->GetQueueDrops()},
               {"no_route_drops", r.director->GetNoRouteDrops()},
               {"disabled_drops", r.director->GetDisabledDrops()},
               {"icmp_unreachable_sent", r.director->GetIcmpUnreachableSent()},
               {"connection_table_peak", r.director->GetPeakConnections()}};
    if (Ptr<RouterCostModel> cost = r.director->GetCostModel()) {
      rj["cpu_utilisation"] = cost->GetUtilisation();
      rj["cost_profile"] = r.spec->cost.profile;
    } else {
      rj["cpu_utilisation"] = 0.0;
    }
    json drops = json::object();
    for (std::size_t d = 1; d < static_cast<std::size_t>(DropReason::kCount); ++d) {
      const auto reason = static_cast<DropReason>(d);
      if (const std::uint64_t n = r.director->GetEngineDrops(reason))
        drops[std::string(drop_reason_name(reason))] = n;
    }
    rj["engine_drops"] = drops;
    routers_json.push_back(rj);
  }
  out["routers"] = routers_json;
  if (RouterState* r = active_router()) ipvsadm_text = r->director->GetIpvsadmStats();

  // Links: mean utilisation over the run. A LAN is one shared channel; the
  // access links are N separate links, so their figure is the mean over them.
  const scenario::Topology& t = sc.topology;
  const std::map<std::string, std::pair<double, double>> capacity = {
      {"access_link", {t.access_link.rate_bps, 2.0 * t.client_nodes}},
      {"public_lan", {t.public_lan.rate_bps, 1.0}},
      {"private_lan", {t.private_lan.rate_bps, 1.0}}};
  json links_json = json::object();
  for (const auto& [name, cap] : capacity) {
    auto it = tx_bytes.find(name);
    const double bits = it == tx_bytes.end() ? 0.0 : 8.0 * static_cast<double>(it->second);
    links_json[name] = {{"tx_bytes", it == tx_bytes.end() ? 0 : it->second},
                        {"drops", tx_drops.count(name) ? tx_drops.at(name) : 0},
                        {"utilisation", duration > 0 ? bits / (cap.first * cap.second * duration) : 0.0}};
  }
  out["links"] = links_json;
  out["ip_drops"] = ip_drops;
  out["device_events"] = tx_drops;

  // The analytic bottleneck from `lvsim check`, and the SLO verdict.
  const scenario::CheckReport report = scenario::check_scenario(sc);
  const scenario::Bottleneck& b = report.topology.bottleneck;
  out["analytic_bottleneck"] = {{"kind", b.kind},
                                {"max_flow_bps", b.max_flow_bps},
                                {"max_flow_pps", b.max_flow_pps},
                                {"min_cut", b.min_cut},
                                {"description", b.description}};
  json slo = json::object();
  if (sc.slo.p99_latency_s > 0) {
    slo["p99_latency_s"] = sc.slo.p99_latency_s;
    slo["p99_met"] = total.p99 <= sc.slo.p99_latency_s;
  }
  if (sc.slo.error_rate > 0) {
    slo["error_rate"] = sc.slo.error_rate;
    slo["error_rate_met"] = total.ErrorRate() <= sc.slo.error_rate;
  }
  out["slo"] = slo;
  failover_summary(out);
  health_summary(out);
}

}  // namespace lvs::runner
