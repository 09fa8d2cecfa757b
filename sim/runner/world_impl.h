#pragma once
// World's internals, shared by its build, measurement and results files.

#include <map>
#include <set>
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

#include "model/lvs-frame-filter.h"
#include "model/lvs-health-check.h"
#include "model/lvs-nat-routing.h"
#include "model/lvs-real-server.h"
#include "model/lvs-request-log.h"
#include "model/lvs-sync-daemon.h"
#include "model/lvs-syn-flood.h"
#include "model/lvs-vrrp-router.h"
#include "runner/world.h"
#include "scenario/scenario.h"

namespace lvs::runner {

struct RouterState {
  const scenario::Router* spec = nullptr;
  ns3::Ptr<ns3::Node> node;
  ns3::Ptr<ns3::LvsNatRouting> director;
  ns3::NetDeviceContainer devices;  // eth0, eth1
  bool active = false;                // forwarding: holds the floating addresses
  ns3::Ptr<ns3::LvsVrrpRouter> vrrp;  // with a failover section
  ns3::Ptr<ns3::LvsHealthCheck> health;  // when a service has health checks
  ns3::Ptr<ns3::LvsSyncDaemon> sync;     // with failover.sync
  bool crashed = false;
  std::map<Ip4, double> last_advert_from;  // VRRP sender -> when its last advert arrived
  bool awaiting_first_forward = false;  // became master; takeover ends at its first forwarded packet
};

// One failure of the forwarding router and what followed (world_failover.cc),
// or a handover: a router taking mastership back by preemption while the
// master still ran (the two overlap for about one advert's transit).
struct FailoverRecord {
  bool handover = false;
  double fault_s = 0;
  std::string fault;   // down / shutdown / partition; "preempt" for a handover
  std::string router;  // the master that failed (or handed over)
  double detected_s = -1;  // another router's VRRP group became master
  double last_advert_s = -1;  // when the new master last heard the failed one
  double takeover_s = -1;  // the new master forwarded its first packet
  double overlap_s = -1;   // handover: how long both were master
  std::string new_master;
  // TCP connections established on the failed master at the failure, by
  // client endpoint, and those the new master carried back to their client.
  std::set<std::pair<Ip4, std::uint16_t>> flows;
  std::set<std::pair<Ip4, std::uint16_t>> survived;
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

  std::vector<FailoverRecord> failovers;
  std::map<ns3::NetDevice*, ns3::Ptr<ns3::LvsFrameFilter>> filters;  // fault filters by device
  std::map<ns3::Channel*, ns3::Time> base_delay;  // channels a delay fault changed
  std::map<std::pair<Ip4, std::uint16_t>, ns3::Ptr<ns3::LvsSynFlood>> floods;  // by VIP:port
  double flood_start_s = -1;
  std::set<std::pair<Ip4, std::uint16_t>> flood_flows;       // established when the flood began
  std::set<std::pair<Ip4, std::uint16_t>> flood_delivering;  // ... and given data once the table was full
  double split_brain_since = -1;
  std::size_t pending_handover = SIZE_MAX;  // failovers[] entry of a two-master overlap not yet judged
  std::vector<std::pair<double, double>> split_brain;  // [start, end) with two masters

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
  // world_failover.cc
  void build_failover();
  void schedule_faults();
  void apply_fault(const scenario::Fault& f);
  void router_fault(RouterState& r, const scenario::Fault& f);
  void partition(bool cut);
  void syn_flood(const scenario::Fault& f);
  std::set<std::pair<Ip4, std::uint16_t>> established_flows(const RouterState& r) const;
  ns3::Ptr<ns3::LvsFrameFilter> filter_of(ns3::Ptr<ns3::NetDevice> dev);
  void add_keepalived_instances(RouterState& r);
  void program_services(RouterState& r);
  void reboot(RouterState& r);
  void on_transition(std::size_t router, std::string instance, VrrpState from, VrrpState to, VrrpReason why);
  void on_master_changed(std::size_t router, bool master);
  double shortest_advert_int() const;
  void drop_pending_handover(double since);
  void on_advert_rx(std::size_t router, ns3::Ipv4Address from, std::uint8_t priority);
  void on_rewritten(std::size_t router, Side ingress, const ns3::Ipv4Header& before,
                    const ns3::Ipv4Header& after, ns3::Ptr<const ns3::Packet> packet);
  void failover_summary(nlohmann::json& out) const;

  // world_health.cc
  void build_health();
  void on_health_event(std::size_t router, const HealthEvent& e);
  void health_summary(nlohmann::json& out) const;
  std::vector<std::pair<std::size_t, HealthEvent>> health_events;  // (router, event)
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
