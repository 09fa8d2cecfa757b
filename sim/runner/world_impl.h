#pragma once
// World's internals, shared by its build, measurement and results files.

#include <map>
#include <string>
#include <vector>

#include <ns3/application-container.h>
#include <ns3/animation-interface.h>
#include <ns3/flow-monitor-helper.h>
#include <ns3/ipv4-address.h>
#include <ns3/net-device-container.h>
#include <ns3/node-container.h>
#include <ns3/ptr.h>

#include <nlohmann/json.hpp>

#include "model/lvs-nat-routing.h"
#include "model/lvs-real-server.h"
#include "model/lvs-request-log.h"
#include "runner/world.h"
#include "scenario/scenario.h"

namespace lvs::runner {

struct RouterState {
  const scenario::Router* spec = nullptr;
  ns3::Ptr<ns3::Node> node;
  ns3::Ptr<ns3::LvsNatRouting> director;
  ns3::NetDeviceContainer devices;  // eth0, eth1
  bool active = false;
};

struct ServerState {
  const scenario::RealServer* spec = nullptr;
  ns3::Ptr<ns3::Node> node;
  ns3::NetDeviceContainer devices;
  std::vector<ns3::Ptr<ns3::LvsRealServer>> apps;
  bool dr = false;
};

// One row of timeseries.csv: time, component, metric, value.
struct Sample {
  double t;
  std::string component;
  std::string metric;
  double value;
};

struct World::Impl {
  const scenario::Scenario sc;
  std::string capture_dir;

  ns3::NodeContainer clients;
  ns3::Ptr<ns3::Node> internet;
  ns3::Ptr<ns3::Node> public_switch;   // the LANs are switched (bridge nodes)
  ns3::Ptr<ns3::Node> private_switch;
  std::vector<RouterState> routers;
  std::vector<ServerState> servers;
  std::map<std::string, ns3::NetDeviceContainer> links;  // fault targets
  ns3::ApplicationContainer client_apps;
  std::vector<ns3::Ptr<ns3::LvsRequestLog>> logs;  // one per workload

  std::map<std::string, std::uint64_t> tx_bytes;  // per link name, all its devices
  std::map<std::string, std::uint64_t> tx_drops;  // queue overflows and receive errors
  std::map<std::string, std::uint64_t> ip_drops;  // ns-3's IPv4 drops, by reason

  std::vector<Sample> samples;
  std::vector<nlohmann::json> events;
  std::map<std::string, std::uint64_t> drops_seen;  // router/reason -> count already reported
  nlohmann::json summary;
  std::string ipvsadm_text;
  double wall_seconds = 0;

  ns3::FlowMonitorHelper flowmon_helper;
  ns3::Ptr<ns3::FlowMonitor> flowmon;
  std::unique_ptr<ns3::AnimationInterface> anim;

  Impl(const scenario::Scenario& s, std::string captures) : sc(s), capture_dir(std::move(captures)) {}
  ~Impl();

  // world_build.cc
  void build();
  void build_nodes();
  void build_links();
  void build_routers();
  void build_servers();
  void build_clients();
  void schedule_faults();
  void enable_outputs();
  void trace_links();
  RouterState* active_router();

  // world_measure.cc
  void sample(double t);
  void drop_events(double t, const RouterState& r);
  void event(double t, const std::string& kind, nlohmann::json fields);
  void collect();
};

ns3::Ipv4Address to_ns3(Ip4 a);
ns3::Ipv4Mask mask_of(const Prefix& p);

}  // namespace lvs::runner
