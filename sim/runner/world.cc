#include "runner/world.h"

#include <ns3/core-module.h>
#include <ns3/flow-monitor-module.h>
#include <ns3/netanim-module.h>

#include <chrono>
#include <fstream>
#include <iomanip>
#include <stdexcept>

#include "runner/progress.h"
#include "runner/results_dir.h"
#include "runner/world_impl.h"
#include "scenario/check.h"

namespace lvs::runner {

using namespace ns3;
using nlohmann::json;

namespace {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + path);
}

json topology_json(const scenario::TopologySummary& t) {
  json nodes = json::array();
  for (const auto& n : t.nodes)
    nodes.push_back({{"name", n.name}, {"kind", n.kind}, {"addresses", n.addresses},
                     {"network", n.network}, {"active", n.active}});
  json links = json::array();
  for (const auto& l : t.links)
    links.push_back({{"name", l.name}, {"a", l.a}, {"b", l.b}, {"rate_bps", l.rate_bps},
                     {"delay_s", l.delay_s}});
  json spofs = json::array();
  for (const auto& s : t.spofs) spofs.push_back({{"name", s.name}, {"why", s.why}});
  return {{"format_version", 1}, {"vip", t.vip}, {"nat_gateway_ip", t.nat_gateway_ip},
          {"nodes", nodes}, {"links", links}, {"single_points_of_failure", spofs}};
}

}  // namespace

World::World(const scenario::Scenario& sc, const std::string& capture_dir)
    : impl_(std::make_unique<Impl>(sc, capture_dir)) {
  impl_->build();
}

World::~World() {
  impl_.reset();
  Simulator::Destroy();
  Names::Clear();  // node names are process-global too; the next World reuses them
}

const json& World::summary() const { return impl_->summary; }

void World::run(Progress* progress) {
  Impl& w = *impl_;
  const double duration = w.sc.duration_s;
  const double interval = w.sc.measurement.interval_s > 0 ? w.sc.measurement.interval_s : 1.0;
  // Periodic samples; the first at one interval, the last at the end.
  for (double t = interval; t < duration + 1e-9; t += interval)
    Simulator::Schedule(Seconds(t), [&w, t] { w.sample(t); });
  if (progress) {
    const double step = std::max(duration / 1000.0, 0.01);
    for (double t = step; t < duration; t += step)
      Simulator::Schedule(Seconds(t), [progress, t] { progress->update(t); });
  }
  w.event(0, "run_start", {{"scenario", w.sc.name}, {"seed", w.sc.seed}});
  const auto start = std::chrono::steady_clock::now();
  Simulator::Stop(Seconds(duration));
  Simulator::Run();
  w.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (progress) progress->finish(duration);
  w.event(duration, "run_end", {{"wall_s", w.wall_seconds}});
  w.collect();
}

void World::write_results(ResultsDir& dir) {
  Impl& w = *impl_;
  write_file(dir.path("summary.json"), w.summary.dump(2) + "\n");

  // timeseries.csv: one row per interval, component and metric.
  std::ostringstream csv;
  csv << "# lvsim timeseries format_version=1\n" << "time_s,component,metric,value\n";
  csv << std::setprecision(12);
  for (const Sample& s : w.samples)
    csv << s.t << ',' << s.component << ',' << s.metric << ',' << s.value << '\n';
  const double interval = w.sc.measurement.interval_s > 0 ? w.sc.measurement.interval_s : 1.0;
  for (std::size_t i = 0; i < w.logs.size(); ++i) {
    const std::string comp = "workload:" + w.sc.workloads[i].name;
    for (const LvsRequestStats& s :
         w.logs[i]->TimeSeries(Seconds(0), Seconds(w.sc.duration_s), Seconds(interval))) {
      csv << s.end_s << ',' << comp << ",ok_per_s," << s.OkPerSecond() << '\n';
      csv << s.end_s << ',' << comp << ",failed," << (s.requests - s.Count(LvsRequestOutcome::kOk))
          << '\n';
      csv << s.end_s << ',' << comp << ",p99_s," << s.p99 << '\n';
    }
  }
  write_file(dir.path("timeseries.csv"), csv.str());

  std::string events;
  for (const json& e : w.events) {
    json line = e;
    line["format_version"] = 1;
    events += line.dump() + "\n";
  }
  write_file(dir.path("events.jsonl"), events);
  write_file(dir.path("ipvsadm.txt"), "# lvsim ipvsadm format_version=1\n" + w.ipvsadm_text);
  const scenario::CheckReport report = scenario::check_scenario(w.sc);
  write_file(dir.path("topology.json"), topology_json(report.topology).dump(2) + "\n");
  if (w.flowmon) {
    // ns-3's FlowMonitor XML (what SerializeToXmlFile writes), with our version in a comment.
    std::ostringstream xml;
    xml << "<?xml version=\"1.0\" ?>\n<!-- lvsim flowmon format_version=1 (ns-3 3.37 FlowMonitor) -->\n";
    w.flowmon->SerializeToXmlStream(xml, 0, true, true);
    write_file(dir.path("flowmon.xml"), xml.str());
  }
}

}  // namespace lvs::runner
