// The text `lvsim check` prints.
#include <cstdio>
#include <ostream>

#include "lvs/config/diagnostics.h"
#include "scenario/check.h"
#include "scenario/scenario_reader.h"
#include "scenario/units.h"
#include "scenario/yaml_section.h"

namespace lvs::scenario {
namespace {

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string fwd_name(ForwardMethod m) {
  switch (m) {
    case ForwardMethod::kMasq: return "nat";
    case ForwardMethod::kDirectRoute: return "dr";
    case ForwardMethod::kTunnel: return "tun";
    case ForwardMethod::kLocalNode: return "local";
    case ForwardMethod::kBypass: return "bypass";
  }
  return "?";
}

std::string capacity(double bps) { return bps == kUnlimited ? "unlimited" : format_rate_bps(bps); }

void print_topology(const Scenario& sc, const CheckReport& r, std::ostream& out) {
  const Topology& t = sc.topology;
  out << "topology: " << plural(t.routers.size(), "router", "routers") << ", "
      << plural(sc.real_servers.size(), "real server", "real servers") << ", "
      << plural(sc.services.size(), "service", "services") << ", "
      << plural(sc.workloads.size(), "workload", "workloads") << ", " << plural(sc.faults.size(), "fault", "faults")
      << "\n";
  out << "  clients      " << t.client_addresses << " addresses on " << t.client_nodes << " nodes in "
      << format_prefix(t.client_network) << ", access links " << format_rate_bps(t.access_link.rate_bps) << " x "
      << t.client_nodes << ", " << format_seconds(t.access_link.delay_s) << "\n";
  out << "  public LAN   " << format_prefix(t.public_network) << ", " << format_rate_bps(t.public_lan.rate_bps)
      << "; VIP " << format_ip4(t.vip) << " (eth0:1)\n";
  out << "  private LAN  " << format_prefix(t.private_network) << ", " << format_rate_bps(t.private_lan.rate_bps)
      << "; NAT gateway IP " << format_ip4(t.nat_gateway_ip) << " (eth1:1)\n";
  for (const auto& node : r.topology.nodes) {
    if (node.kind != std::string("router")) continue;
    for (const auto& rt : t.routers) {
      if (rt.name != node.name) continue;
      out << "  router       " << rt.name << (node.active ? " (active)" : " (backup)") << ": eth0 "
          << format_ip4(rt.public_ip) << ", eth1 " << format_ip4(rt.private_ip) << ", priority " << rt.priority
          << ", cost model " << rt.cost.profile << " on " << plural(rt.cost.cores, "core", "cores") << ": "
          << (node.capacity_bps == kUnlimited ? std::string("no CPU limit")
                                              : format_pps(router_capacity_pps(rt.cost, r.topology.bottleneck.packet_bytes)))
          << "\n";
    }
  }
  for (const auto& s : sc.real_servers) {
    const double mean = s.service_time.expected();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f req/s", mean > 0 ? s.workers * s.speed / mean : 0.0);
    out << "  real server  " << s.name << ": " << format_ip4(s.address) << ", " << s.workers << " workers, "
        << "mean service time " << format_seconds(mean) << ", speed " << s.speed << " -> "
        << (mean > 0 ? buf : "no limit") << "\n";
  }
}

void print_services(const Scenario& sc, std::ostream& out) {
  out << "services:\n";
  for (const auto& s : sc.services) {
    const ServiceKey& k = s.ipvs.key;
    out << "  " << (k.is_fwmark() ? "FWM " + std::to_string(k.fwmark)
                                  : std::string(proto_name(k.proto)) + " " + format_ip4(k.addr) + ":" +
                                        std::to_string(k.port))
        << " " << s.ipvs.scheduler << (s.imported_from.empty() ? "" : " (from " + s.imported_from + ")") << ":";
    for (const auto& m : s.members)
      out << " " << m.server << ":" << m.ipvs.port << " " << fwd_name(m.ipvs.fwd) << " w" << m.ipvs.weight;
    out << "\n";
  }
}

void print_analysis(const CheckReport& r, std::ostream& out) {
  out << "routes:\n";
  for (const auto& rt : r.routes)
    out << "  " << rt.server << ": default via " << format_ip4(rt.gateway) << " (" << rt.via << ")"
        << (rt.ok ? "" : "  WRONG") << "\n";
  out << "single points of failure:";
  if (r.topology.spofs.empty()) out << " none";
  out << "\n";
  for (const auto& s : r.topology.spofs) out << "  " << s.name << " (" << node_kind_name(s.kind) << "): " << s.why << "\n";
  out << "links:\n";
  for (const auto& l : r.topology.links)
    out << "  " << l.name << ": " << l.a << " -- " << l.b << ", " << capacity(l.rate_bps) << "\n";
  out << "bottleneck: " << r.topology.bottleneck.description << "\n";
}

}  // namespace

void print_check_report(const Scenario& sc, const CheckReport& r, std::ostream& out) {
  out << "scenario " << sc.name << " (" << sc.file << "): " << format_seconds(sc.duration_s) << ", seed "
      << sc.seed << "\n";
  print_topology(sc, r, out);
  print_services(sc, out);
  print_analysis(r, out);
}

int run_check(const std::string& path, const std::vector<std::string>& overrides, std::ostream& out,
              std::ostream& err) {
  Scenario sc;
  try {
    sc = read_scenario_file(path, overrides);
  } catch (const config::ConfigError& e) {
    err << e.what() << "\n";
    return 2;
  }
  const CheckReport r = check_scenario(sc);
  print_check_report(sc, r, out);
  for (const auto& f : r.findings) err << f.str() << "\n";
  if (!r.ok()) return 2;
  out << "ok\n";
  return 0;
}

}  // namespace lvs::scenario
