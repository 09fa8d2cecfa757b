#pragma once
// Builds the ns-3 world a scenario describes, runs it, and collects what the
// results files report. The topology is the LVS NAT figure:
//
//   client nodes --p2p access links-- internet --public LAN-- routers' eth0
//                                                            (VIP on the active one)
//   routers' eth1 --private LAN-- real servers (default route: NAT gateway IP)
//
// Real servers that are DR members sit on the public LAN instead, hold the VIP
// on their loopback and route replies through the internet node directly.

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/scenario.h"

namespace lvs::runner {

class Progress;
class ResultsDir;

class World {
 public:
  // `capture_dir`: where pcaps and NetAnim output go while the run goes (the
  // results staging directory); "" disables them.
  World(const scenario::Scenario& sc, const std::string& capture_dir);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Runs the simulation to the scenario's duration.
  void run(Progress* progress);
  // summary.json, timeseries.csv, events.jsonl, ipvsadm.txt, topology.json
  // (and the pcaps / FlowMonitor / NetAnim files the scenario asked for,
  // which are written into `dir` while the run goes).
  void write_results(ResultsDir& dir);
  // The summary as written to summary.json (after run()).
  const nlohmann::json& summary() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lvs::runner
