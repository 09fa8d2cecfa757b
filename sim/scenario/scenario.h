#pragma once
// The scenario model: what a scenario YAML file (scenarios/README.md) says,
// after parsing and --set overrides, before anything is built. Plain data:
// the parser fills it, `lvsim check` validates it, the runner builds the ns-3
// world from it. Every element remembers where it was written, so errors can
// name file:line:column.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lvs/config/cluster_config.h"
#include "lvs/config/diagnostics.h"
#include "lvs/engine.h"  // lvs::Prefix
#include "lvs/service.h"
#include "lvs/types.h"

namespace lvs::scenario {

using config::SourcePos;

// A random variable for service times and sizes.
struct Distribution {
  enum class Kind : std::uint8_t { kConstant, kExponential, kLognormal, kPareto, kUniform };
  Kind kind = Kind::kConstant;
  double mean = 0;    // constant value, exponential/lognormal/pareto mean
  double sigma = 0;   // lognormal: sigma of the underlying normal
  double shape = 0;   // pareto: alpha (> 1 for a finite mean)
  double min = 0;     // uniform
  double max = 0;     // uniform
  SourcePos pos;

  // The distribution's mean, whatever parameters define it.
  double expected() const { return kind == Kind::kUniform ? (min + max) / 2 : mean; }
};

struct Link {
  double rate_bps = 1e9;
  double delay_s = 0.0001;
  double loss = 0;  // packet loss probability
  SourcePos pos;
};

// CPU cost of the director per packet, per byte and per new connection, on
// `cores` cores fed by one bounded input queue. Profiles are documented with
// their sources in scenarios/README.md.
struct CostModel {
  std::string profile = "ipvs-nat";  // or "custom", "none"
  double per_packet_s = 0;
  double per_byte_s = 0;
  double per_conn_s = 0;
  int cores = 1;
  std::uint32_t queue_packets = 1000;
  SourcePos pos;
};

struct Router {
  std::string name;
  Ip4 public_ip = 0;    // eth0
  Ip4 private_ip = 0;   // eth1
  int priority = 100;   // VRRP (the failover issue)
  bool backup = false;
  CostModel cost;
  std::uint32_t connection_table = 0;  // entries (connections + templates); 0: the engine's default, 2^20
  // `keepalived: FILE`: the router's VRRP instances, sync group and sync
  // daemon come from its own keepalived.conf (scenarios/keepalived/).
  std::string keepalived_file;
  std::shared_ptr<const config::ClusterConfig> keepalived;
  SourcePos pos;
};

struct Topology {
  // The client population: `addresses` distinct client addresses spread over
  // `nodes` ns-3 nodes, all in `network`, behind one access link each.
  std::uint32_t client_addresses = 100;
  std::uint32_t client_nodes = 4;
  Prefix client_network{};
  Link access_link;
  // The Internet-facing LAN of the routers, and the private LAN of the real servers.
  Prefix public_network{};
  Link public_lan;
  Prefix private_network{};
  Link private_lan;
  double nic_rate_bps = 1e9;  // router NICs
  Ip4 vip = 0;                // floating, eth0:1
  Ip4 nat_gateway_ip = 0;     // floating, eth1:1
  std::vector<Router> routers;
  SourcePos pos;
};

struct RealServer {
  std::string name;
  Ip4 address = 0;
  Ip4 gateway = 0;          // default route; must be the NAT gateway IP for NAT
  int workers = 8;          // requests served at once
  Distribution service_time;
  double speed = 1.0;       // service times are divided by this
  std::uint32_t backlog = 128;
  std::string tcp_variant = "TcpNewReno";
  // How long the server keeps a closed connection in TIME_WAIT (it closes
  // first, so it holds them). Linux: 60 s. Shorter keeps big runs cheap: ns-3
  // looks endpoints up in a list.
  double time_wait_s = 60;
  SourcePos pos;
};

// keepalived's virtual_server-level health settings (the failover issue runs
// them); defaults are keepalived's.
struct ServiceHealth {
  double delay_loop_s = 60;
  std::uint32_t quorum = 1;
  std::uint32_t hysteresis = 0;
  bool inhibit_on_failure = false;
  bool alpha = false;
  bool omega = false;
  std::optional<RealServerConfig> sorry_server;
};

// A virtual service and its real servers (by name, with IPVS settings).
struct Service {
  std::string name;  // optional; workloads may name it instead of VIP:port
  ServiceConfig ipvs;
  std::optional<ServiceHealth> health;  // set when the file (or import) had it
  struct Member {
    std::string server;  // RealServer::name
    RealServerConfig ipvs;
    bool inhibit_on_failure = false;
    std::vector<config::CheckerConfig> health_checks;
    // Per health check: a MISC_CHECK's scripted exit codes, [(time s, code)].
    std::vector<std::vector<std::pair<double, int>>> misc_schedules;
    SourcePos pos;
  };
  std::vector<Member> members;
  std::string imported_from;  // the keepalived/ipvsadm/lvs.cf file, "" when inline
  SourcePos pos;
};

struct Workload {
  enum class Kind : std::uint8_t { kOpenLoop, kClosedLoop, kFlashCrowd };
  std::string name;
  Kind kind = Kind::kOpenLoop;
  ServiceKey target;              // which service (VIP:port or the proto/port of one)
  double rate = 10;               // open loop: requests/s (Poisson)
  std::vector<std::pair<double, double>> rate_schedule;  // (time s, rate) steps/ramp points
  bool ramp = false;              // interpolate between schedule points
  std::uint32_t users = 10;       // closed loop
  Distribution think_time;        // closed loop
  double flash_start = 0, flash_peak = 0, flash_duration = 0;  // flash crowd
  Distribution request_size;      // bytes
  Distribution response_size;     // bytes
  std::uint32_t requests_per_connection = 1;  // keep-alive when > 1
  double timeout_s = 10;          // a request not answered by then is a timeout
  double start_s = 0;
  double stop_s = -1;             // -1: until the end
  SourcePos pos;
};

// VRRP between the routers and IPVS connection sync, as keepalived runs them.
// Two VRRP instances per router in one vrrp_sync_group: the public one holds
// the VIP (eth0), the private one the NAT gateway IP (eth1); both advertise
// on their own LAN. Router priorities and who starts as backup come from
// topology.routers.
struct Failover {
  bool enabled = false;      // the section was given: run VRRP (else the active router is fixed)
  unsigned version = 2;      // VRRPv2 (keepalived's default) or 3
  double advert_int_s = 1;
  std::uint8_t vrid = 51;    // public instance; the private one is vrid + 1
  bool vmac = false;         // use_vmac; else gratuitous ARP
  bool nopreempt = false;
  double preempt_delay_s = 0;
  double garp_master_delay_s = 5;
  std::uint32_t garp_master_repeat = 5;
  bool unicast = false;      // unicast_peer: adverts to the other router instead of 224.0.0.18
  // The IPVS sync daemon: the master sends, the backup installs.
  bool sync = false;
  std::uint32_t sync_threshold = 3;
  std::uint32_t sync_period = 50;
  double sync_refresh_period_s = 0;
  std::uint8_t syncid = 0;
  SourcePos pos;
};

struct Fault {
  // down/up: a router crashes (detached from both LANs, no VRRP goodbye) and
  //   comes back; a real server or link goes down and up.
  // shutdown: a router's keepalived stops cleanly (priority 0 advert).
  // hang: a real server accepts connections but never answers; up ends it.
  // slow: a real server's service times are multiplied by `factor`; up ends it.
  // loss / delay: a link's packet loss rate / extra one-way delay from then on.
  // partition / heal: the path between the routers is cut (split brain) / restored.
  // synflood: spoofed SYNs at `rate` per second to a service from then on (0 stops).
  enum class Action : std::uint8_t { kDown, kUp, kShutdown, kHang, kSlow, kLoss, kDelay, kPartition, kHeal, kSynFlood };
  double at_s = 0;
  Action action = Action::kDown;
  std::string target;  // a router or real server name, or a link: access_link, public_lan, private_lan
  double factor = 1;   // slow
  double rate = 0;     // loss (a probability), synflood (SYNs per second)
  ServiceKey service;  // synflood: the service attacked
  double delay_s = 0;  // delay
  SourcePos pos;
};

struct Measurement {
  double interval_s = 1;
  bool pcap = false;
  bool flowmonitor = false;
  bool netanim = false;
  SourcePos pos;
};

// Settings of every simulated TCP stack (clients, real servers, probes).
struct Tcp {
  // Payload bytes per segment. ns-3's default is 536 (RFC 879); Linux on
  // Ethernet sends 1448 (MSS 1460 less the 12-byte timestamp option).
  std::uint32_t segment_size = 536;
  SourcePos pos;
};

struct Slo {
  double p99_latency_s = 0;  // 0: none
  double error_rate = 0;     // 0: none
};

struct Scenario {
  std::string name;         // from `name:` or the file name
  std::string description;
  std::string file;         // where it was read from
  double duration_s = 10;
  std::uint64_t seed = 1;
  Topology topology;
  std::vector<Service> services;
  std::vector<RealServer> real_servers;
  std::vector<Workload> workloads;
  std::vector<Fault> faults;
  Failover failover;
  Measurement measurement;
  Tcp tcp;
  Slo slo;
  // Where each field was written, by dotted path ("topology.vip",
  // "real_servers.1.gateway"), so later checks can point at it.
  std::map<std::string, SourcePos> field_pos;

  // The position of `path`, else of its nearest enclosing section that has one.
  SourcePos pos_of(std::string path) const {
    for (;;) {
      if (auto it = field_pos.find(path); it != field_pos.end()) return it->second;
      const auto dot = path.rfind('.');
      if (dot == std::string::npos) break;
      path.resize(dot);
    }
    return SourcePos{file, 1, 1};
  }
};

}  // namespace lvs::scenario
