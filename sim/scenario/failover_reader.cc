#include "scenario/failover_reader.h"

#include <algorithm>
#include <utility>

#include "lvs/config/diagnostics.h"
#include "scenario/schema.h"
#include "scenario/workload_reader.h"

namespace lvs::scenario {
namespace {

bool is_router(const Scenario& sc, const std::string& name) {
  return std::any_of(sc.topology.routers.begin(), sc.topology.routers.end(),
                     [&](const Router& r) { return r.name == name; });
}

bool is_server(const Scenario& sc, const std::string& name) {
  return std::any_of(sc.real_servers.begin(), sc.real_servers.end(),
                     [&](const RealServer& r) { return r.name == name; });
}

bool is_link(const std::string& name) {
  return name == "access_link" || name == "public_lan" || name == "private_lan";
}

bool holds(const config::VrrpInstance& inst, Ip4 addr) {
  return std::any_of(inst.virtual_ipaddresses.begin(), inst.virtual_ipaddresses.end(),
                     [&](const config::VirtualIpAddress& v) { return v.addr == addr && !v.excluded; });
}

void check_one(const Router& r, const Topology& t) {
  const config::ClusterConfig& k = *r.keepalived;
  const SourcePos file_pos{r.keepalived_file, 1, 1};
  const config::VrrpInstance* pub = nullptr;
  const config::VrrpInstance* priv = nullptr;
  for (const config::VrrpInstance& inst : k.vrrp_instances) {
    if (inst.interface == "eth0") {
      pub = &inst;
    } else if (inst.interface == "eth1") {
      priv = &inst;
    } else {
      throw config::ConfigError(inst.pos, "vrrp_instance " + inst.name + ": interface '" + inst.interface +
                                              "': an LVS router here has eth0 (public) and eth1 (private)");
    }
  }
  if (!pub || !priv)
    throw config::ConfigError(file_pos, "router " + r.name +
                                            ": needs a vrrp_instance on eth0 (the VIP) and one on eth1 (the NAT "
                                            "gateway IP)");
  if (!holds(*pub, t.vip))
    throw config::ConfigError(pub->pos, "vrrp_instance " + pub->name + " does not hold the scenario's VIP " +
                                            format_ip4(t.vip) + " in virtual_ipaddress");
  if (!holds(*priv, t.nat_gateway_ip))
    throw config::ConfigError(priv->pos, "vrrp_instance " + priv->name +
                                             " does not hold the scenario's NAT gateway IP " +
                                             format_ip4(t.nat_gateway_ip) + " in virtual_ipaddress");
  const bool grouped = std::any_of(k.sync_groups.begin(), k.sync_groups.end(), [&](const config::VrrpSyncGroup& g) {
    return std::count(g.group.begin(), g.group.end(), pub->name) && std::count(g.group.begin(), g.group.end(), priv->name);
  });
  if (!grouped)
    throw config::ConfigError(pub->pos, "vrrp_instance " + pub->name + " and " + priv->name +
                                            " must be in one vrrp_sync_group, so the VIP and the NAT gateway IP "
                                            "move together");
}

}  // namespace

void check_keepalived_routers(const Section& root, Scenario& sc) {
  const auto& routers = sc.topology.routers;
  const auto with = std::count_if(routers.begin(), routers.end(), [](const Router& r) { return r.keepalived != nullptr; });
  if (with == 0) return;
  for (std::size_t i = 0; i < routers.size(); ++i) {
    const std::string field = "topology.routers." + std::to_string(i);
    if (!routers[i].keepalived)
      throw config::ConfigError(sc.pos_of(field), field + ": router " + routers[i].name +
                                                     " has no keepalived file while another router has one");
    check_one(routers[i], sc.topology);
  }
  if (routers.size() < 2) root.fail("topology", "a keepalived pair needs two routers");
  if (sc.failover.enabled)
    root.fail("failover", "the routers are configured by their keepalived files; drop the failover section");
  sc.failover.enabled = true;
  sc.failover.sync = std::all_of(routers.begin(), routers.end(),
                                 [](const Router& r) { return r.keepalived->global.lvs_sync_daemon.has_value(); });
}

Failover read_failover(const Section& s) {
  Failover f;
  f.pos = s.pos();
  f.enabled = true;
  const Section v = s.child("vrrp");
  f.version = static_cast<unsigned>(v.integer("version", f.version, 2, 3));
  f.advert_int_s = v.seconds("advert_int", f.advert_int_s);
  // VRRPv2 carries whole seconds (1..255); v3 centiseconds (up to 40.95 s).
  if (f.version == 2 && (f.advert_int_s < 1 || f.advert_int_s > 255 ||
                         f.advert_int_s != static_cast<double>(static_cast<int>(f.advert_int_s))))
    v.fail("advert_int", "VRRPv2 advertises whole seconds from 1s to 255s");
  if (f.version == 3 && (f.advert_int_s < 0.01 || f.advert_int_s > 40.95))
    v.fail("advert_int", "VRRPv3 advertises 10ms to 40.95s");
  f.vrid = static_cast<std::uint8_t>(v.integer("virtual_router_id", f.vrid, 1, 254));
  const std::string mode = v.text("mode", "garp");
  if (mode == "vmac") {
    f.vmac = true;
  } else if (mode != "garp") {
    v.fail("mode", "'" + mode + "' is not garp or vmac");
  }
  f.nopreempt = v.boolean("nopreempt", f.nopreempt);
  f.preempt_delay_s = v.seconds("preempt_delay", f.preempt_delay_s);
  if (f.preempt_delay_s < 0 || f.preempt_delay_s > 1000) v.fail("preempt_delay", "must be 0 to 1000 s");
  f.garp_master_delay_s = v.seconds("garp_master_delay", f.garp_master_delay_s);
  f.garp_master_repeat = static_cast<std::uint32_t>(v.integer("garp_master_repeat", f.garp_master_repeat, 1, 255));
  f.unicast = v.boolean("unicast", f.unicast);

  const Section sync = s.child("sync");
  f.sync = sync.boolean("enabled", s.has("sync"));
  f.sync_threshold = static_cast<std::uint32_t>(sync.integer("threshold", f.sync_threshold, 0, 1000000));
  f.sync_period = static_cast<std::uint32_t>(sync.integer("period", f.sync_period, 0, 1000000));
  if (f.sync_period != 0 && f.sync_threshold >= f.sync_period)
    sync.fail("threshold", "must be below period, as sysctl sync_threshold requires");
  f.sync_refresh_period_s = sync.seconds("refresh_period", f.sync_refresh_period_s);
  f.syncid = static_cast<std::uint8_t>(sync.integer("syncid", f.syncid, 0, 255));
  return f;
}

Fault read_fault(const Section& s, const Scenario& sc) {
  static const std::pair<std::string_view, Fault::Action> kActions[] = {
      {"down", Fault::Action::kDown},   {"up", Fault::Action::kUp},       {"shutdown", Fault::Action::kShutdown},
      {"hang", Fault::Action::kHang},   {"slow", Fault::Action::kSlow},   {"loss", Fault::Action::kLoss},
      {"delay", Fault::Action::kDelay}, {"partition", Fault::Action::kPartition}, {"heal", Fault::Action::kHeal},
      {"synflood", Fault::Action::kSynFlood}};
  Fault f;
  f.pos = s.pos();
  if (!s.has("at")) s.fail_missing("at");
  f.at_s = s.seconds("at", 0);
  if (f.at_s < 0) s.fail("at", "must not be negative");
  const std::string action = s.required_text("action");
  std::vector<std::string_view> action_names;
  bool known = false;
  for (const auto& [name, a] : kActions) {
    action_names.push_back(name);
    if (name == action) {
      f.action = a;
      known = true;
    }
  }
  if (!known) s.fail("action", "'" + action + "' is not a fault action" + did_you_mean(action, action_names));

  using A = Fault::Action;
  const bool between_routers = f.action == A::kPartition || f.action == A::kHeal;
  if (f.action == A::kSynFlood) {
    // The service attacked: its name, VIP:PORT or PORT; the only one when omitted.
    f.target = s.text("target", "");
    const auto svc = find_service(f.target, sc.services, sc.topology.vip);
    if (!svc) s.fail("target", "no service is '" + f.target + "' (a service name, VIP:PORT or PORT)");
    f.service = sc.services[*svc].ipvs.key;
    if (f.service.fwmark) s.fail("target", "a SYN flood needs a VIP:PORT service, not a firewall mark");
    if (!s.has("rate")) s.fail_missing("rate");
    f.rate = s.number("rate", 0, 0, 1e7);
    return f;
  }
  f.target = between_routers ? s.text("target", "routers") : s.required_text("target");
  std::vector<std::string_view> names = {"access_link", "public_lan", "private_lan"};
  for (const auto& r : sc.topology.routers) names.push_back(r.name);
  for (const auto& r : sc.real_servers) names.push_back(r.name);
  const auto need = [&](bool ok, const char* what) {
    if (!ok) s.fail("target", "'" + action + "' applies to " + what + ", and '" + f.target + "' is not one" +
                                  did_you_mean(f.target, names));
  };
  switch (f.action) {
    case A::kDown:
    case A::kUp:
      need(is_router(sc, f.target) || is_server(sc, f.target) || is_link(f.target), "a router, real server or link");
      break;
    case A::kShutdown:
      need(is_router(sc, f.target), "a router");
      break;
    case A::kHang:
    case A::kSlow:
      need(is_server(sc, f.target), "a real server");
      break;
    case A::kLoss:
      need(is_link(f.target), "a link (access_link, public_lan, private_lan)");
      break;
    case A::kDelay:
      // A LAN segment is CSMA: its delay is propagation on a shared medium,
      // which keeps the segment busy, so it is no place for extra latency.
      need(f.target == "access_link", "the access links (the LANs' segments are CSMA: propagation delay holds them busy)");
      break;
    case A::kSynFlood:
      break;
    case A::kPartition:
    case A::kHeal:
      if (f.target != "routers") s.fail("target", "a partition cuts the path between the routers: target is 'routers'");
      if (sc.topology.routers.size() < 2) s.fail("action", "a partition needs two routers");
      break;
  }
  f.factor = s.number("factor", 1, 1e-6, 1e6);
  if (f.action == A::kSlow && !s.has("factor")) s.fail_missing("factor");
  f.rate = s.number("rate", 0, 0, 1);
  if (f.action == A::kLoss && !s.has("rate")) s.fail_missing("rate");
  f.delay_s = s.seconds("extra", 0);
  if (f.action == A::kDelay && !s.has("extra")) s.fail_missing("extra");
  if (f.delay_s < 0) s.fail("extra", "must not be negative");
  return f;
}

}  // namespace lvs::scenario
