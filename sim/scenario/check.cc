#include "scenario/check.h"

#include <algorithm>

#include "scenario/scenario_reader.h"
#include "scenario/yaml_section.h"

namespace lvs::scenario {
namespace {

std::string idx(const char* list, std::size_t i, const char* field) {
  return std::string(list) + "." + std::to_string(i) + "." + field;
}

std::uint64_t prefix_size(const Prefix& p) { return std::uint64_t{~p.mask} + 1; }

bool overlap(const Prefix& a, const Prefix& b) {
  const Ip4 mask = a.mask & b.mask;  // the shorter prefix's mask
  return (a.net & mask) == (b.net & mask);
}

class Validator {
 public:
  Validator(const Scenario& sc, std::vector<Finding>& out) : sc_(sc), out_(out) {}

  void run(std::vector<RouteInfo>& routes) {
    networks();
    duplicates();
    placement();
    services();
    for (std::size_t i = 0; i < sc_.real_servers.size(); ++i) routes.push_back(route(i));
    misc();
  }

 private:
  void add(Finding::Severity sev, const std::string& field, const std::string& msg, const SourcePos* pos = nullptr) {
    out_.push_back(Finding{sev, pos != nullptr ? *pos : sc_.pos_of(field), field, msg});
  }
  void error(const std::string& field, const std::string& msg, const SourcePos* pos = nullptr) {
    add(Finding::Severity::kError, field, msg, pos);
  }
  void warning(const std::string& field, const std::string& msg, const SourcePos* pos = nullptr) {
    add(Finding::Severity::kWarning, field, msg, pos);
  }

  void networks() {
    const Topology& t = sc_.topology;
    const std::pair<const char*, const Prefix*> nets[] = {{"topology.clients.network", &t.client_network},
                                                           {"topology.public_lan.network", &t.public_network},
                                                           {"topology.private_lan.network", &t.private_network}};
    for (std::size_t i = 0; i < 3; ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (overlap(*nets[i].second, *nets[j].second))
          error(nets[i].first, format_prefix(*nets[i].second) + " overlaps " + nets[j].first + " " +
                                   format_prefix(*nets[j].second));
      }
    }
    if (t.client_addresses + std::uint64_t{2} > prefix_size(t.client_network))
      error("topology.clients.addresses", std::to_string(t.client_addresses) + " addresses do not fit in " +
                                              format_prefix(t.client_network));
    if (t.client_nodes > t.client_addresses)
      error("topology.clients.nodes", "more client nodes than client addresses");
  }

  struct Address {
    Ip4 ip;
    std::string field;
  };

  std::vector<Address> addresses() const {
    const Topology& t = sc_.topology;
    std::vector<Address> all = {{t.vip, "topology.vip"}, {t.nat_gateway_ip, "topology.nat_gateway_ip"}};
    for (std::size_t i = 0; i < t.routers.size(); ++i) {
      all.push_back({t.routers[i].public_ip, idx("topology.routers", i, "public_ip")});
      all.push_back({t.routers[i].private_ip, idx("topology.routers", i, "private_ip")});
    }
    for (std::size_t i = 0; i < sc_.real_servers.size(); ++i)
      all.push_back({sc_.real_servers[i].address, idx("real_servers", i, "address")});
    return all;
  }

  void duplicates() {
    const auto all = addresses();
    for (std::size_t i = 0; i < all.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (all[i].ip == all[j].ip) {
          error(all[i].field, format_ip4(all[i].ip) + " is already used by " + all[j].field);
          break;
        }
      }
    }
  }

  // `ip` must be a host address of `net` (not its network or broadcast address).
  void inside(const std::string& field, Ip4 ip, const Prefix& net, const std::string& net_field,
              const std::string& what) {
    if (!net.contains(ip)) {
      error(field, format_ip4(ip) + " is not on " + what + " " + format_prefix(net) + " (" + net_field + ")");
    } else if (prefix_size(net) > 2 && (ip == net.net || ip == (net.net | ~net.mask))) {
      error(field, format_ip4(ip) + " is the " + (ip == net.net ? "network" : "broadcast") + " address of " +
                       format_prefix(net));
    }
  }

  void placement() {
    const Topology& t = sc_.topology;
    const std::string pub = "topology.public_lan.network", priv = "topology.private_lan.network";
    inside("topology.vip", t.vip, t.public_network, pub, "the routers' public network");
    inside("topology.nat_gateway_ip", t.nat_gateway_ip, t.private_network, priv, "the private network");
    for (std::size_t i = 0; i < t.routers.size(); ++i) {
      inside(idx("topology.routers", i, "public_ip"), t.routers[i].public_ip, t.public_network, pub,
             "the public network");
      inside(idx("topology.routers", i, "private_ip"), t.routers[i].private_ip, t.private_network, priv,
             "the private network");
    }
    for (std::size_t i = 0; i < sc_.real_servers.size(); ++i)
      inside(idx("real_servers", i, "address"), sc_.real_servers[i].address, t.private_network, priv,
             "the private network");
  }

  void services() {
    for (std::size_t i = 0; i < sc_.services.size(); ++i) {
      const Service& s = sc_.services[i];
      const std::string base = "services." + std::to_string(i);
      const SourcePos pos = s.imported_from.empty() ? sc_.pos_of(base + ".vip") : s.pos;
      if (!s.ipvs.key.is_fwmark() && s.ipvs.key.addr != sc_.topology.vip)
        error(base + ".vip", format_ip4(s.ipvs.key.addr) + " is not the floating VIP " +
                                 format_ip4(sc_.topology.vip) + " (topology.vip)", &pos);
      if (s.members.empty()) warning(base + ".real_servers", "the service has no real servers", &s.pos);
      for (const auto& m : s.members) {
        if (m.ipvs.fwd != ForwardMethod::kMasq && m.ipvs.fwd != ForwardMethod::kDirectRoute)
          warning(base + ".real_servers", m.server + ": only nat and dr forwarding are simulated", &m.pos);
      }
    }
  }

  std::string via(Ip4 gw) const {
    if (gw == sc_.topology.nat_gateway_ip) return "NAT gateway IP";
    for (const auto& r : sc_.topology.routers) {
      if (gw == r.private_ip) return "router " + r.name + "'s own eth1 address";
    }
    return sc_.topology.private_network.contains(gw) ? "a host on the private LAN" : "off the private LAN";
  }

  RouteInfo route(std::size_t i) {
    const RealServer& rs = sc_.real_servers[i];
    RouteInfo r{rs.name, rs.gateway, via(rs.gateway), true};
    bool nat = false, dr = false;
    for (const auto& s : sc_.services) {
      for (const auto& m : s.members) {
        if (m.server != rs.name) continue;
        nat = nat || m.ipvs.fwd == ForwardMethod::kMasq;
        dr = dr || m.ipvs.fwd == ForwardMethod::kDirectRoute;
      }
    }
    const std::string field = idx("real_servers", i, "gateway");
    const std::string nat_gw = format_ip4(sc_.topology.nat_gateway_ip);
    if (nat && rs.gateway != sc_.topology.nat_gateway_ip) {
      r.ok = false;
      std::string why = r.via == "NAT gateway IP" ? "" : " (" + r.via + ")";
      error(field, rs.name + "'s default route is " + format_ip4(rs.gateway) + why + ", not the NAT gateway IP " +
                       nat_gw + ": replies would not return through the active router");
    } else if (dr && r.via != "a host on the private LAN") {
      r.ok = false;
      error(field, rs.name + " is a DR member, so its default route must bypass the director, not " +
                       format_ip4(rs.gateway) + " (" + r.via + ")");
    } else if (!nat && !dr) {
      r.via += "; in no service";
    }
    return r;
  }

  void misc() {
    const Topology& t = sc_.topology;
    const auto actives = std::count_if(t.routers.begin(), t.routers.end(), [](const Router& r) { return !r.backup; });
    const bool from_keepalived =
        std::any_of(t.routers.begin(), t.routers.end(), [](const Router& r) { return r.keepalived != nullptr; });
    // With keepalived files each router's `state` and priority come from its file.
    if (actives > 1 && !from_keepalived)
      warning("topology.routers", std::to_string(actives) + " routers are not marked backup: VRRP makes the "
                                                            "highest priority one master");
    for (std::size_t i = 0; i < sc_.real_servers.size(); ++i) {
      const auto& name = sc_.real_servers[i].name;
      const bool used = std::any_of(sc_.services.begin(), sc_.services.end(), [&](const Service& s) {
        return std::any_of(s.members.begin(), s.members.end(), [&](const auto& m) { return m.server == name; });
      });
      if (!used) warning("real_servers." + std::to_string(i), name + " is in no service");
    }
    if (sc_.workloads.empty()) warning("workloads", "no workloads: no client will send anything");
    for (std::size_t i = 0; i < sc_.faults.size(); ++i) {
      if (sc_.faults[i].at_s > sc_.duration_s)
        warning(idx("faults", i, "at"), "after the end of the run; it will not happen");
    }
  }

  const Scenario& sc_;
  std::vector<Finding>& out_;
};

}  // namespace

std::string Finding::str() const {
  return pos.str() + (severity == Severity::kError ? ": error: " : ": warning: ") + field + ": " + message;
}

bool CheckReport::ok() const { return first_error() == nullptr; }

const Finding* CheckReport::first_error() const {
  for (const auto& f : findings) {
    if (f.severity == Finding::Severity::kError) return &f;
  }
  return nullptr;
}

TopologySummary summarize(const NetGraph& g, const Scenario& sc, const GraphOptions& options) {
  TopologySummary s;
  s.vip = format_ip4(sc.topology.vip);
  s.nat_gateway_ip = format_ip4(sc.topology.nat_gateway_ip);
  for (const auto v : boost::make_iterator_range(boost::vertices(g))) {
    TopologySummary::Node n{g[v].name, node_kind_name(g[v].kind), {}, g[v].network, g[v].capacity_bps, g[v].active};
    for (const Ip4 a : g[v].addresses) n.addresses.push_back(format_ip4(a));
    s.nodes.push_back(std::move(n));
  }
  for (const auto e : boost::make_iterator_range(boost::edges(g))) {
    s.links.push_back({g[e].name, g[boost::source(e, g)].name, g[boost::target(e, g)].name, g[e].rate_bps,
                       g[e].delay_s});
  }
  s.bottleneck = find_bottleneck(g, options);
  s.spofs = single_points_of_failure(g, sc);
  return s;
}

CheckReport check_scenario(const Scenario& sc, const GraphOptions& options) {
  CheckReport r;
  Validator(sc, r.findings).run(r.routes);
  std::stable_partition(r.findings.begin(), r.findings.end(),
                        [](const Finding& f) { return f.severity == Finding::Severity::kError; });
  r.topology = summarize(build_graph(sc, options), sc, options);
  return r;
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  Scenario sc = read_scenario_file(path, overrides);
  const CheckReport r = check_scenario(sc);
  if (const Finding* e = r.first_error()) throw config::ConfigError(e->pos, e->field + ": " + e->message);
  return sc;
}

}  // namespace lvs::scenario
