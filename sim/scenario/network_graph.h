#pragma once
// The scenario's network as a Boost.Graph graph: the client population, the
// clients' Internet side, the public LAN, each router, the private LAN and
// each real server, joined by the links between them.
//
//   clients ==access links== internet --uplink-- public_lan --eth0-- router(s)
//       --eth1-- private_lan --+-- rs1, rs2, ...
//
// Graph algorithms answer the planning questions: articulation points are the
// single points of failure, and a max-flow/min-cut from the clients to the
// real servers (node capacities by node splitting) is the analytic bottleneck.
//
// Flow is the cluster's traffic, requests and responses together, in bit/s:
//  - a link carries its rate; the client side has one access link per client node;
//  - a LAN is one shared segment (ns-3 CSMA), so the segment itself is capped at its rate;
//  - a NAT router handles both directions, so its CPU caps all of it:
//    cores / (per_packet + per_byte × B) packets/s × B × 8 bit, at a mean packet
//    size B (1024 B unless told); per_conn is not in this static bound. Only the
//    active router forwards: a backup adds no capacity, only redundancy;
//  - a real server serves workers × speed / E[service time] requests/s, each
//    worth the mean request + response bytes of the workloads aimed at it.

#include <boost/graph/adjacency_list.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace lvs::scenario {

enum class NodeKind : std::uint8_t { kClients, kInternet, kPublicLan, kRouter, kPrivateLan, kRealServer };
const char* node_kind_name(NodeKind kind);  // "clients", "internet", "lan", "router", "real_server"

constexpr double kUnlimited = std::numeric_limits<double>::infinity();

struct GraphNode {
  std::string name;
  NodeKind kind = NodeKind::kClients;
  std::vector<Ip4> addresses;
  std::string network;          // the LAN's prefix, for LAN nodes
  double capacity_bps = kUnlimited;
  double capacity_pps = kUnlimited;   // routers: the CPU limit in packets/s
  double capacity_rps = kUnlimited;   // real servers: requests/s
  bool active = true;                 // false: a backup router (no forwarding until failover)
};

struct GraphLink {
  std::string name;     // "access_link", "uplink", "lvs1.eth0", "rs1.eth0"
  double rate_bps = 0;  // capacity, each direction
  double delay_s = 0;
};

using NetGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, GraphNode, GraphLink>;
using NetVertex = boost::graph_traits<NetGraph>::vertex_descriptor;

struct GraphOptions {
  double packet_bytes = 1024;  // mean packet size for the router's bit/s capacity
};

NetGraph build_graph(const Scenario& sc, const GraphOptions& options = {});

// A router's CPU limit in packets/s at `packet_bytes`; kUnlimited for "none".
double router_capacity_pps(const CostModel& cost, double packet_bytes);

struct SinglePointOfFailure {
  std::string name;
  NodeKind kind = NodeKind::kRouter;
  std::string why;  // "the only router: no backup", "shared LAN segment", ...
};

// Articulation points, plus real servers that are a service's only member.
std::vector<SinglePointOfFailure> single_points_of_failure(const NetGraph& g, const Scenario& sc);

struct Bottleneck {
  double max_flow_bps = 0;            // kUnlimited when nothing bounds it
  std::vector<std::string> min_cut;   // the nodes and links that form the cut
  std::string kind;                   // "router", "real_servers", "link", "lan", "mixed", "none"
  double packet_bytes = 1024;
  double max_flow_pps = 0;            // max_flow_bps / (8 × packet_bytes)
  std::string description;            // one line for people
};

Bottleneck find_bottleneck(const NetGraph& g, const GraphOptions& options = {});

}  // namespace lvs::scenario
