// lvsim run SCENARIO: simulate a scenario in ns-3 and write its results
// atomically into results/<scenario-name>/ (or --out DIR).
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lvs/config/diagnostics.h"
#include "runner/progress.h"
#include "runner/results_dir.h"
#include "runner/world.h"
#include "scenario/check.h"
#include "subcommand.h"

namespace lvs::cli {
namespace {

struct RunArgs {
  std::string file;
  std::string out;
  std::vector<std::string> sets;
  long long seed = -1;
  bool quiet = false;
};

using ull = unsigned long long;

double num(const nlohmann::json& j, const char* key) { return j.contains(key) && j[key].is_number() ? j[key].get<double>() : -1; }
ull count(const nlohmann::json& j, const char* key) { return j.contains(key) ? j[key].get<ull>() : 0; }

// The failover figures (summary.json: failovers, split_brain, sync, health,
// synflood), one line per event, as an operator reads them after a drill.
void print_failover(const nlohmann::json& s) {
  for (const auto& f : s.value("failovers", nlohmann::json::array())) {
    std::printf("failover at %.2f s: %s (%s)", num(f, "at_s"), f["router"].get<std::string>().c_str(),
                f["fault"].get<std::string>().c_str());
    if (f["new_master"].is_null()) {
      std::printf(", no router took over\n");
    } else {
      std::printf(" -> %s: master after %.3f s (%.6f s after the last advert), forwarding after %.3f s\n",
                  f["new_master"].get<std::string>().c_str(), num(f, "detection_s"), num(f, "after_last_advert_s"),
                  num(f, "takeover_s"));
    }
    std::printf("  clients: longest gap %.3f s, %llu requests failed; after the takeover %llu ok, %llu failed\n",
                num(f, "client_gap_s"), count(f, "requests_failed"), count(f["requests_after_takeover"], "ok"),
                count(f["requests_after_takeover"], "failed"));
    std::printf("  established connections: %llu, survived %llu, broken %llu\n", count(f, "established_at_failure"),
                count(f, "survived"), count(f, "broken"));
  }
  for (const auto& h : s.value("handovers", nlohmann::json::array())) {
    std::printf("handover at %.2f s: %s -> %s (%s; both master for %.6f s), forwarding after %.3f s; "
                "established connections %llu, survived %llu, broken %llu\n",
                num(h, "at_s"), h["from"].get<std::string>().c_str(), h["to"].get<std::string>().c_str(),
                h["reason"].get<std::string>().c_str(), num(h, "overlap_s"), num(h, "takeover_s"),
                count(h, "established_at_handover"), count(h, "survived"), count(h, "broken"));
  }
  for (const auto& b : s.value("split_brain", nlohmann::json::array())) {
    std::printf("split brain from %.3f s to ", num(b, "from_s"));
    if (b["to_s"].is_null()) {
      std::printf("the end");
    } else {
      std::printf("%.3f s", num(b, "to_s"));
    }
    std::printf(": requests during %llu ok / %llu failed", count(b["requests_during"], "ok"),
                count(b["requests_during"], "failed"));
    if (b.contains("requests_after"))
      std::printf(", after %llu ok / %llu failed", count(b["requests_after"], "ok"), count(b["requests_after"], "failed"));
    std::printf("\n");
  }
  for (const auto& y : s.value("sync", nlohmann::json::array()))
    if (count(y, "messages_sent") || count(y, "messages_received"))
      std::printf("sync %s: sent %llu messages (%llu connections, %.1f kbit/s), received %llu (%llu connections, "
                  "lag mean %.0f ms, max %.0f ms)\n",
                  y["router"].get<std::string>().c_str(), count(y, "messages_sent"), count(y, "conns_sent"),
                  num(y, "bandwidth_bps") / 1e3, count(y, "messages_received"), count(y, "conns_received"),
                  num(y, "lag_mean_s") * 1e3, num(y, "lag_max_s") * 1e3);
  for (const auto& h : s.value("health", nlohmann::json::array())) {
    const std::string what = h["what"].get<std::string>();
    if (what != "server_down" && what != "server_up") continue;
    std::printf("health %s: %s %s at %.3f s", h["router"].get<std::string>().c_str(),
                h.value("server", std::string("?")).c_str(), what == "server_down" ? "down" : "back", num(h, "t"));
    const char* figure = what == "server_down" ? "detection_s" : "readd_s";
    if (num(h, figure) >= 0)
      std::printf(" (%.3f s after the %s)", num(h, figure), what == "server_down" ? "fault" : "recovery");
    std::printf("\n");
  }
  if (s.contains("synflood")) {
    const auto& f = s["synflood"];
    std::printf("SYN flood: %llu SYNs;", count(f, "syns_sent"));
    for (const auto& r : f["routers"])
      if (count(r, "connection_table_peak"))
        std::printf(" %s table %llu of %llu, %llu dropped (table_full);", r["router"].get<std::string>().c_str(),
                    count(r, "connection_table_peak"), count(r, "connection_table_capacity"), count(r, "table_full_drops"));
    std::printf(" %llu of %llu established connections kept flowing\n", count(f, "kept_delivering"),
                count(f, "established_at_start"));
  }
}

void print_summary(const nlohmann::json& s, const std::string& where) {
  const auto& req = s["requests"];
  std::printf("%s: %llu requests (%llu ok, %llu timeout, %llu reset, %llu refused), %.1f req/s\n",
              s["scenario"].get<std::string>().c_str(), req["total"].get<unsigned long long>(),
              req["ok"].get<unsigned long long>(), req["timeout"].get<unsigned long long>(),
              req["reset"].get<unsigned long long>(), req["refused"].get<unsigned long long>(),
              s["requests_per_s"].get<double>());
  const auto& lat = s["latency"];
  std::printf("latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              lat["p50_s"].get<double>() * 1e3, lat["p90_s"].get<double>() * 1e3,
              lat["p99_s"].get<double>() * 1e3, lat["max_s"].get<double>() * 1e3);
  for (const auto& r : s["routers"])
    std::printf("router %s%s: CPU %.1f%%, forwarded %llu, queue drops %llu, conn table peak %llu\n",
                r["name"].get<std::string>().c_str(), r["active"].get<bool>() ? " (forwarding at the end)" : "",
                r["cpu_utilisation"].get<double>() * 100, r["forwarded"].get<unsigned long long>(),
                r["queue_drops"].get<unsigned long long>(),
                r["connection_table_peak"].get<unsigned long long>());
  for (const auto& rs : s["real_servers"])
    std::printf("real server %s: %llu connections (%.1f%%), utilisation %.1f%%\n",
                rs["name"].get<std::string>().c_str(), rs["connections"].get<unsigned long long>(),
                rs["share"].get<double>() * 100, rs["utilisation"].get<double>() * 100);
  print_failover(s);
  std::printf("analytic bottleneck: %s\n",
              s["analytic_bottleneck"]["description"].get<std::string>().c_str());
  std::printf("results: %s (simulated %.1f s in %.1f s)\n", where.c_str(),
              s["duration_s"].get<double>(), s["wall_s"].get<double>());
}

int run(const RunArgs& a) {
  scenario::Scenario sc;
  try {
    sc = scenario::load_scenario(a.file, a.sets);
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitError;
  }
  if (a.seed >= 0) sc.seed = static_cast<std::uint64_t>(a.seed);
  const std::string out = a.out.empty() ? "results/" + sc.name : a.out;
  try {
    runner::ResultsDir dir(out);
    nlohmann::json summary;
    {
      runner::World world(sc, dir.staging());
      std::unique_ptr<runner::Progress> progress;
      if (!a.quiet) progress = std::make_unique<runner::Progress>("lvsim run " + sc.name, sc.duration_s);
      world.run(progress.get());
      world.write_results(dir);
      summary = world.summary();
    }  // ns-3 objects (and their pcap files) are closed here, before the rename
    dir.commit();
    print_summary(summary, out);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lvsim run: error: %s (earlier results in %s are untouched)\n", e.what(),
                 out.c_str());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace

Subcommand run_command() {
  return {"run", "Simulate a scenario in ns-3 and write its results",
          [](CLI::App& cmd) -> std::function<int()> {
            auto a = std::make_shared<RunArgs>();
            cmd.add_option("SCENARIO", a->file, "scenario file (YAML, see scenarios/README.md)")
                ->required();
            cmd.add_option("--out,-o", a->out, "results directory (default: results/<scenario name>)");
            cmd.add_option("--set", a->sets,
                           "override a field: KEY=VALUE, e.g. workloads.0.rate=500 (repeatable)")
                ->take_all()
                ->allow_extra_args(false);
            cmd.add_option("--seed", a->seed, "random seed (overrides the scenario's)");
            cmd.add_flag("--quiet,-q", a->quiet, "no progress output");
            cmd.footer(
                "Writes summary.json, timeseries.csv, events.jsonl, ipvsadm.txt and topology.json\n"
                "(plus pcaps, flowmon.xml and netanim.xml when the scenario asks) atomically: an\n"
                "earlier result of the same name is replaced only when the run succeeds.\n"
                "Exit status: 0 done, 2 errors.");
            return [a] { return run(*a); };
          }};
}

}  // namespace lvs::cli
