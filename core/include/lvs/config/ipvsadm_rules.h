#pragma once
// The `ipvsadm -S -n` / ipvsadm-restore rule format.
//
// Reading accepts the commands -A/-E/-a/-e/-D/-d/-C (and their long forms)
// with -t/-u/-f, -s, -b, -p [timeout], -M, -o/--ops, --pe, -r, -m/-g/-i, -w,
// -x, -y. Defaults are ipvsadm's: scheduler wlc, -p without a value 300 s,
// real servers gatewaying (-g) with weight 1, a real server without a port
// takes the service's. IPv6 (-6, [addr]) and SCTP lines are skipped with a
// warning; anything else malformed is a ConfigError.
//
// Writing produces what `ipvsadm -S -n` prints:
//   -A -t VIP:PORT -s SCHED [-b FLAGS] [-p TIMEOUT [-M MASK]] [--pe NAME] [-o]
//   -a -t VIP:PORT -r RIP:PORT -m|-g|-i -w WEIGHT [-x U] [-y L]
// services sorted by (fwmark, protocol, address, port) and real servers by
// (address, port) like ipvsadm unless sort is false. -x/-y are written only
// when non-zero.

#include <string>
#include <string_view>
#include <vector>

#include "lvs/config/cluster_config.h"

namespace lvs::config {

struct IpvsRules {
  std::vector<IpvsService> services;
  std::vector<Warning> warnings;
};

IpvsRules parse_ipvsadm_rules(std::string_view text, const std::string& file);

struct IpvsWriteOptions {
  bool sort = true;  // ipvsadm sorts unless --nosort
};

std::string write_ipvsadm_rules(const std::vector<IpvsService>& services,
                                const IpvsWriteOptions& options = {});

// "sh-fallback,sh-port" etc. for the service's scheduler; "" when no flag set.
std::string sched_flags_text(const ServiceConfig& svc);

}  // namespace lvs::config
