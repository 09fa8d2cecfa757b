#include "tools/engine_setup.h"

#include <algorithm>
#include <chrono>

#include "tools/tool_error.h"

namespace lvs::tools {
namespace {

std::string service_name(const ServiceKey& k) {
  if (k.is_fwmark()) return "FWM " + std::to_string(k.fwmark);
  return std::string(proto_name(k.proto)) + " " + format_ip4(k.addr) + ":" + std::to_string(k.port);
}

seconds whole_seconds(Duration d) { return std::chrono::duration_cast<seconds>(d); }

}  // namespace

std::unique_ptr<Engine> build_engine(const std::vector<config::IpvsService>& services,
                                     const EngineSetup& setup) {
  EngineConfig cfg;
  cfg.max_conns = setup.max_conns;
  for (const auto& s : services) {
    const Ip4 vip = s.svc.key.addr;
    if (!s.svc.key.is_fwmark() &&
        std::find(cfg.local_addrs.begin(), cfg.local_addrs.end(), vip) == cfg.local_addrs.end())
      cfg.local_addrs.push_back(vip);
  }
  auto engine = std::make_unique<Engine>(cfg);
  Timeouts t;
  t.set(whole_seconds(setup.timeouts.tcp), whole_seconds(setup.timeouts.tcpfin),
        whole_seconds(setup.timeouts.udp));
  engine->set_timeouts(t);
  for (const auto& s : services) {
    const ControlResult r = engine->add_service(s.svc);
    if (!r) throw ToolError("cannot add service " + service_name(s.svc.key) + ": " + r.message);
    for (const auto& d : s.dests) {
      const ControlResult rd = engine->add_dest(s.svc.key, d);
      if (!rd)
        throw ToolError("cannot add real server " + format_ip4(d.addr) + ":" + std::to_string(d.port) +
                        " to " + service_name(s.svc.key) + ": " + rd.message);
    }
  }
  return engine;
}

}  // namespace lvs::tools
