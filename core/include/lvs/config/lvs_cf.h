#pragma once
// Red Hat piranha (pulse / nanny / lvs) lvs.cf reader.
//
// Format, as piranha's lvs.cf(5) and piranha-gui write it:
//   key = value                     global settings
//   virtual NAME { key = value ... server NAME { key = value ... } }
// `#` starts a comment; values may be "quoted" (kept verbatim, so send =
// "GET / HTTP/1.0\r\n\r\n" keeps its backslash escapes for nanny).
//
// Assumptions where piranha's own documentation is thin:
//  - `address = IP [DEV]` in a virtual: DEV (e.g. eth0:1) is the VIP alias;
//    `nat_router = IP [DEV]` likewise.
//  - boolean keys take 0/1 (also yes/no/true/false).
//  - `persistent = N` > 0 makes the service persistent with timeout N s,
//    `pmask` its granularity; `protocol` is tcp or udp; `fwmark = N` turns the
//    virtual into a firewall-mark service.
//  - a server's `port` defaults to the virtual's port; inactive servers and
//    inactive virtuals are kept in the model but not programmed into IPVS.
//  - `network` nat/direct/tunnel selects the forwarding method for every
//    real server (-m/-g/-i).
//  - unknown keys are warnings (kept as unmodelled), never errors; a line
//    that is not `key = value`, `NAME {` or `}` is an error.

#include <string>
#include <string_view>

#include "lvs/config/cluster_config.h"

namespace lvs::config {

// Fills ClusterConfig::piranha and the equivalent virtual_servers (so
// ipvs_services() works the same as for keepalived.conf).
ClusterConfig parse_lvs_cf(std::string_view text, const std::string& file);

}  // namespace lvs::config
