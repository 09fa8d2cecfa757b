#pragma once
// An lvs::Engine programmed from a loaded configuration, the way keepalived
// (or pulse) programs the kernel when every real server is healthy.

#include <memory>
#include <vector>

#include "lvs/config/cluster_config.h"
#include "lvs/engine.h"

namespace lvs::tools {

struct EngineSetup {
  std::size_t max_conns = std::size_t{1} << 20;
  config::LvsTimeouts timeouts;  // keepalived global_defs lvs_timeouts; 0 = kernel default
};

// The director's local addresses are the services' VIPs. Real traffic from the
// real servers is not masqueraded (replay only feeds it replies). Throws
// ToolError naming the service when the engine rejects one (e.g. an unknown
// scheduler).
std::unique_ptr<Engine> build_engine(const std::vector<config::IpvsService>& services,
                                     const EngineSetup& setup = {});

}  // namespace lvs::tools
