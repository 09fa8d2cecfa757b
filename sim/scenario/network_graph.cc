#include "scenario/network_graph.h"

// GCC 12 at -O2 reports a false maybe-uninitialized inside Boost's
// adjacency_list edge iterator, which boykov_kolmogorov_max_flow walks.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <boost/graph/biconnected_components.hpp>
#include <boost/graph/boykov_kolmogorov_max_flow.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

#include "scenario/units.h"

namespace lvs::scenario {
namespace {

// Max-flow needs finite numbers; anything this large means "no limit".
constexpr double kBig = 1e18;

double finite(double c) { return c == kUnlimited ? kBig : c; }

const Router* active_router(const Topology& t) {
  const Router* best = nullptr;
  for (const auto& r : t.routers) {
    if (best == nullptr || r.priority > best->priority || (r.priority == best->priority && best->backup && !r.backup))
      best = &r;
  }
  return best;
}

bool serves(const Service& svc, const std::string& server) {
  return std::any_of(svc.members.begin(), svc.members.end(), [&](const auto& m) { return m.server == server; });
}

// Mean request + response bytes of the workloads that can reach `server`.
double bytes_per_request(const Scenario& sc, const std::string& server) {
  double sum = 0;
  int n = 0;
  for (const auto& w : sc.workloads) {
    for (const auto& svc : sc.services) {
      if (svc.ipvs.key == w.target && serves(svc, server)) {
        sum += w.request_size.expected() + w.response_size.expected();
        ++n;
      }
    }
  }
  return n == 0 ? 200.0 + 10000.0 : sum / n;
}

NetVertex add_node(NetGraph& g, GraphNode n) { return boost::add_vertex(std::move(n), g); }

GraphNode make_node(std::string name, NodeKind kind, std::vector<Ip4> addresses = {}, std::string network = {}) {
  GraphNode n;
  n.name = std::move(name);
  n.kind = kind;
  n.addresses = std::move(addresses);
  n.network = std::move(network);
  return n;
}

void add_link(NetGraph& g, NetVertex a, NetVertex b, std::string name, double rate, double delay) {
  boost::add_edge(a, b, GraphLink{std::move(name), rate, delay}, g);
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

const char* node_kind_name(NodeKind kind) {
  switch (kind) {
    case NodeKind::kClients: return "clients";
    case NodeKind::kInternet: return "internet";
    case NodeKind::kPublicLan: return "lan";
    case NodeKind::kRouter: return "router";
    case NodeKind::kPrivateLan: return "lan";
    case NodeKind::kRealServer: return "real_server";
  }
  return "?";
}

double router_capacity_pps(const CostModel& cost, double packet_bytes) {
  const double per_packet = cost.per_packet_s + cost.per_byte_s * packet_bytes;
  return per_packet <= 0 ? kUnlimited : cost.cores / per_packet;
}

NetGraph build_graph(const Scenario& sc, const GraphOptions& options) {
  const Topology& t = sc.topology;
  NetGraph g;
  GraphNode clients = make_node("clients", NodeKind::kClients, {}, format_prefix(t.client_network));
  const NetVertex vc = add_node(g, clients);
  const NetVertex vi = add_node(g, make_node("internet", NodeKind::kInternet));
  GraphNode pub = make_node("public_lan", NodeKind::kPublicLan, {t.vip}, format_prefix(t.public_network));
  pub.capacity_bps = t.public_lan.rate_bps;
  GraphNode priv = make_node("private_lan", NodeKind::kPrivateLan, {t.nat_gateway_ip}, format_prefix(t.private_network));
  priv.capacity_bps = t.private_lan.rate_bps;
  const NetVertex vpub = add_node(g, pub);
  const NetVertex vpriv = add_node(g, priv);
  add_link(g, vc, vi, "access_link", t.access_link.rate_bps * t.client_nodes, t.access_link.delay_s);
  add_link(g, vi, vpub, "uplink", t.public_lan.rate_bps, t.public_lan.delay_s);

  const Router* active = active_router(t);
  for (const auto& r : t.routers) {
    GraphNode n = make_node(r.name, NodeKind::kRouter, {r.public_ip, r.private_ip});
    n.capacity_pps = router_capacity_pps(r.cost, options.packet_bytes);
    n.capacity_bps = n.capacity_pps == kUnlimited ? kUnlimited : n.capacity_pps * options.packet_bytes * 8;
    n.active = &r == active;
    const NetVertex v = add_node(g, n);
    add_link(g, vpub, v, r.name + ".eth0", t.nic_rate_bps, t.public_lan.delay_s);
    add_link(g, v, vpriv, r.name + ".eth1", t.nic_rate_bps, t.private_lan.delay_s);
  }
  for (const auto& s : sc.real_servers) {
    GraphNode n = make_node(s.name, NodeKind::kRealServer, {s.address});
    const double mean = s.service_time.expected();
    n.capacity_rps = mean <= 0 ? kUnlimited : s.workers * s.speed / mean;
    n.capacity_bps = n.capacity_rps == kUnlimited ? kUnlimited : n.capacity_rps * bytes_per_request(sc, s.name) * 8;
    const NetVertex v = add_node(g, n);
    add_link(g, vpriv, v, s.name + ".eth0", t.private_lan.rate_bps, t.private_lan.delay_s);
  }
  return g;
}

std::vector<SinglePointOfFailure> single_points_of_failure(const NetGraph& g, const Scenario& sc) {
  std::vector<NetVertex> aps;
  boost::articulation_points(g, std::back_inserter(aps));
  std::sort(aps.begin(), aps.end());
  std::vector<SinglePointOfFailure> out;
  for (const NetVertex v : aps) {
    const GraphNode& n = g[v];
    switch (n.kind) {
      case NodeKind::kRouter:
        out.push_back({n.name, n.kind, "the only router between the LANs: no backup to take over"});
        break;
      case NodeKind::kPublicLan:
      case NodeKind::kPrivateLan:
        out.push_back({n.name, n.kind, "shared LAN segment (one switch, as in the textbook figure)"});
        break;
      case NodeKind::kInternet:
        out.push_back({n.name, n.kind, "the clients' Internet side (outside the cluster)"});
        break;
      default:
        out.push_back({n.name, n.kind, "articulation point"});
    }
  }
  // A leaf is never an articulation point, yet a service with one real
  // server stops when that server does.
  for (const auto& svc : sc.services) {
    if (svc.members.size() != 1) continue;
    const std::string& name = svc.members.front().server;
    const bool listed = std::any_of(out.begin(), out.end(), [&](const auto& s) { return s.name == name; });
    if (!listed) out.push_back({name, NodeKind::kRealServer, "the only real server of its service"});
  }
  return out;
}

namespace {

using FlowTraits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
using FlowGraph = boost::adjacency_list<
    boost::vecS, boost::vecS, boost::directedS,
    boost::property<boost::vertex_color_t, boost::default_color_type,
                    boost::property<boost::vertex_distance_t, long,
                                    boost::property<boost::vertex_predecessor_t, FlowTraits::edge_descriptor>>>,
    boost::property<boost::edge_capacity_t, double,
                    boost::property<boost::edge_residual_capacity_t, double,
                                    boost::property<boost::edge_reverse_t, FlowTraits::edge_descriptor>>>>;

// What each arc of the flow graph stands for, to name the cut.
struct ArcOwner {
  bool is_node = false;
  std::size_t index = 0;  // vertex of NetGraph, or position in `link_names`
};

class FlowNetwork {
 public:
  explicit FlowNetwork(std::size_t net_vertices) : d_(2 * net_vertices) {}

  void arc(std::size_t u, std::size_t v, double cap, ArcOwner owner) {
    auto c = boost::get(boost::edge_capacity, d_);
    auto rev = boost::get(boost::edge_reverse, d_);
    const auto e1 = boost::add_edge(u, v, d_).first;
    const auto e2 = boost::add_edge(v, u, d_).first;
    c[e1] = cap;
    c[e2] = 0;
    rev[e1] = e2;
    rev[e2] = e1;
    owners_[{u, v}] = owner;
  }
  std::size_t add_sink() { return boost::add_vertex(d_); }

  // Max flow, and the owners of the saturated arcs crossing from the source side.
  double solve(std::size_t s, std::size_t t, std::vector<ArcOwner>& cut) {
    const double flow = boost::boykov_kolmogorov_max_flow(d_, s, t);
    const auto color = boost::get(boost::vertex_color, d_);
    const auto cap = boost::get(boost::edge_capacity, d_);
    // Walks owners_ (not edges(), whose iterator trips GCC's maybe-uninitialized).
    for (const auto& [arc, owner] : owners_) {
      const auto [u, v] = arc;
      const auto e = boost::edge(u, v, d_).first;
      if (cap[e] > 0 && color[u] == boost::black_color && color[v] != boost::black_color) cut.push_back(owner);
    }
    return flow;
  }

 private:
  FlowGraph d_;
  std::map<std::pair<std::size_t, std::size_t>, ArcOwner> owners_;
};

std::string describe(const NetGraph& g, const std::vector<NetVertex>& cut_nodes, const Bottleneck& b) {
  char buf[256];
  const std::string cut = "min cut {" + join(b.min_cut) + "}";
  if (b.kind == "router" && cut_nodes.size() == 1) {
    const GraphNode& n = g[cut_nodes.front()];
    std::snprintf(buf, sizeof buf, "router %s CPU, %s ≈ %s at %.0f B packets; ", n.name.c_str(),
                  format_pps(n.capacity_pps).c_str(), format_rate_bps(n.capacity_bps).c_str(), b.packet_bytes);
    return buf + cut;
  }
  if (b.kind == "real_servers") {
    double rps = 0;
    for (const NetVertex v : cut_nodes) rps += g[v].capacity_rps;
    std::snprintf(buf, sizeof buf, "real servers, %.0f req/s ≈ %s; ", rps, format_rate_bps(b.max_flow_bps).c_str());
    return buf + cut;
  }
  return (b.kind == "link" ? "link" : b.kind == "lan" ? "LAN segment" : b.kind) + std::string(", ") +
         format_rate_bps(b.max_flow_bps) + "; " + cut;
}

}  // namespace

Bottleneck find_bottleneck(const NetGraph& g, const GraphOptions& options) {
  const std::size_t n = boost::num_vertices(g);
  FlowNetwork f(n);
  std::vector<std::string> link_names;
  NetVertex clients = 0;
  for (NetVertex v = 0; v < n; ++v) {
    const GraphNode& node = g[v];
    if (node.kind == NodeKind::kClients) clients = v;
    // Node splitting: v_in = 2v, v_out = 2v+1, joined by the node's capacity.
    const double cap = node.kind == NodeKind::kRouter && !node.active ? 0 : finite(node.capacity_bps);
    f.arc(2 * v, 2 * v + 1, cap, ArcOwner{true, v});
  }
  for (const auto e : boost::make_iterator_range(boost::edges(g))) {
    const std::size_t a = boost::source(e, g), b = boost::target(e, g);
    link_names.push_back(g[e].name);
    f.arc(2 * a + 1, 2 * b, g[e].rate_bps, ArcOwner{false, link_names.size() - 1});
    f.arc(2 * b + 1, 2 * a, g[e].rate_bps, ArcOwner{false, link_names.size() - 1});
  }
  const std::size_t sink = f.add_sink();
  for (NetVertex v = 0; v < n; ++v) {
    if (g[v].kind == NodeKind::kRealServer) f.arc(2 * v + 1, sink, kBig, ArcOwner{true, v});
  }
  std::vector<ArcOwner> cut;
  Bottleneck b;
  b.packet_bytes = options.packet_bytes;
  b.max_flow_bps = f.solve(2 * clients, sink, cut);
  if (b.max_flow_bps >= kBig / 2) {
    b.max_flow_bps = kUnlimited;
    b.max_flow_pps = kUnlimited;
    b.kind = "none";
    b.description = "nothing bounds the flow (no links or capacities?)";
    return b;
  }
  b.max_flow_pps = b.max_flow_bps / (8 * options.packet_bytes);
  std::vector<NetVertex> cut_nodes;
  std::vector<std::string> kinds;
  for (const auto& o : cut) {
    std::string kind;
    if (o.is_node) {
      cut_nodes.push_back(o.index);
      b.min_cut.push_back(g[o.index].name);
      const NodeKind k = g[o.index].kind;
      kind = k == NodeKind::kRouter ? "router" : k == NodeKind::kRealServer ? "real_servers" : "lan";
    } else {
      b.min_cut.push_back(link_names[o.index]);
      kind = "link";
    }
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
  }
  b.kind = kinds.size() == 1 ? kinds.front() : kinds.empty() ? "none" : "mixed";
  b.description = describe(g, cut_nodes, b);
  return b;
}

}  // namespace lvs::scenario
