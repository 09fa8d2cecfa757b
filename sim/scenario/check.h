#pragma once
// `lvsim check`: whole-scenario validation on the topology graph — address
// conflicts, every real server's default route, the VIP and NAT gateway IP
// inside the right networks — plus the single points of failure and the
// analytic bottleneck, and a summary the runner writes as topology.json.

#include <iosfwd>
#include <string>
#include <vector>

#include "scenario/network_graph.h"
#include "scenario/scenario.h"

namespace lvs::scenario {

struct Finding {
  enum class Severity : std::uint8_t { kError, kWarning };
  Severity severity = Severity::kError;
  SourcePos pos;
  std::string field;    // dotted path, e.g. "real_servers.1.gateway"
  std::string message;

  // "FILE:LINE:COL: error: FIELD: MESSAGE" (as config::ConfigError::what()).
  std::string str() const;
};

// A real server's default route as check sees it.
struct RouteInfo {
  std::string server;
  Ip4 gateway = 0;
  std::string via;  // "NAT gateway IP", "router lvs1's own private address", ...
  bool ok = true;
};

// What the runner writes as topology.json (and the bottleneck in summary.json).
struct TopologySummary {
  struct Node {
    std::string name;
    std::string kind;  // node_kind_name()
    std::vector<std::string> addresses;
    std::string network;      // LANs and the client population
    double capacity_bps = 0;  // kUnlimited when the node does not limit traffic
    bool active = true;
  };
  struct Link {
    std::string name, a, b;
    double rate_bps = 0;
    double delay_s = 0;
  };
  std::vector<Node> nodes;
  std::vector<Link> links;
  std::string vip, nat_gateway_ip;
  Bottleneck bottleneck;
  std::vector<SinglePointOfFailure> spofs;
};

struct CheckReport {
  std::vector<Finding> findings;  // errors first, in file order
  std::vector<RouteInfo> routes;
  TopologySummary topology;

  bool ok() const;  // no errors (warnings allowed)
  const Finding* first_error() const;
};

CheckReport check_scenario(const Scenario& sc, const GraphOptions& options = {});
TopologySummary summarize(const NetGraph& g, const Scenario& sc, const GraphOptions& options = {});

// read_scenario_file() + check_scenario(); throws config::ConfigError with the
// first error, so a runner never builds an invalid scenario.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

// The human-readable report `lvsim check` prints.
void print_check_report(const Scenario& sc, const CheckReport& report, std::ostream& out);

// `lvsim check PATH [--set k=v]...`: the report on `out` and "ok", or the
// errors on `err`. Returns 0 when valid (warnings allowed), 2 on errors.
int run_check(const std::string& path, const std::vector<std::string>& overrides, std::ostream& out,
              std::ostream& err);

}  // namespace lvs::scenario
