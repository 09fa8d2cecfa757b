// Failover: the routers' VRRP agents, the faults a scenario injects, and the
// failover figures of summary.json (detection, takeover, client gap,
// connections that survived).
#include <ns3/core-module.h>
#include <ns3/csma-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "model/lvs-arp-learning.h"
#include "runner/world_impl.h"

namespace lvs::runner {

using namespace ns3;
using nlohmann::json;

namespace {

double now_s() { return Simulator::Now().GetSeconds(); }

void set_attached(Ptr<NetDevice> dev, bool attached) {
  Ptr<CsmaNetDevice> csma = DynamicCast<CsmaNetDevice>(dev);
  if (!csma) return;
  Ptr<CsmaChannel> channel = DynamicCast<CsmaChannel>(csma->GetChannel());
  if (attached) {
    channel->Reattach(csma);
  } else {
    channel->Detach(csma);
  }
}

VrrpConfig instance_config(const scenario::Failover& f, const scenario::Router& r, bool is_public, Ip4 vip,
                           Ip4 peer) {
  VrrpConfig c;
  c.name = is_public ? "VI_PUBLIC" : "VI_PRIVATE";
  c.vrid = static_cast<std::uint8_t>(is_public ? f.vrid : f.vrid + 1);
  c.priority = static_cast<std::uint8_t>(r.priority);
  c.advert_int = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(f.advert_int_s));
  c.version = static_cast<std::uint8_t>(f.version);
  c.nopreempt = f.nopreempt;
  c.preempt_delay = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(f.preempt_delay_s));
  c.initial_master = !r.backup;
  c.vips = {vip};
  c.primary_addr = is_public ? r.public_ip : r.private_ip;
  if (f.unicast && peer) c.unicast_peers = {peer};
  c.use_vmac = f.vmac;
  c.garp_master_delay = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(f.garp_master_delay_s));
  c.garp_master_repeat = f.garp_master_repeat;
  return c;
}

}  // namespace

void World::Impl::build_failover() {
  // Every forwarded packet goes through on_rewritten once connected, so only
  // when a fault needs it: a router failure (takeover time, survivors) or a
  // SYN flood (established flows that keep delivering).
  using A = scenario::Fault::Action;
  const bool watch_flows = std::any_of(sc.faults.begin(), sc.faults.end(), [&](const scenario::Fault& f) {
    const bool router = std::any_of(routers.begin(), routers.end(),
                                    [&](const RouterState& r) { return r.spec->name == f.target; });
    return f.action == A::kSynFlood || (router && (f.action == A::kDown || f.action == A::kShutdown));
  });
  if (watch_flows)
    for (std::size_t i = 0; i < routers.size(); ++i)
      routers[i].director->TraceConnectWithoutContext(
          "Rewritten", MakeCallback(&World::Impl::on_rewritten, this).Bind(i));
  if (!sc.failover.enabled) return;

  // Hosts that cache the floating addresses learn their moves from
  // gratuitous ARP (see LvsArpLearning): the internet side's gateway, the
  // real servers, and the routers themselves.
  LvsArpLearning::Install(internet);
  for (ServerState& s : servers) LvsArpLearning::Install(s.node);
  for (RouterState& r : routers) LvsArpLearning::Install(r.node);

  const scenario::Topology& t = sc.topology;
  for (std::size_t i = 0; i < routers.size(); ++i) {
    RouterState& r = routers[i];
    const scenario::Router* peer = nullptr;
    for (const RouterState& o : routers)
      if (&o != &r) peer = o.spec;
    r.vrrp = CreateObject<LvsVrrpRouter>();
    if (r.spec->keepalived) {
      add_keepalived_instances(r);
    } else {
      r.vrrp->AddInstance(1, instance_config(sc.failover, *r.spec, true, t.vip, peer ? peer->public_ip : 0));
      r.vrrp->AddInstance(2, instance_config(sc.failover, *r.spec, false, t.nat_gateway_ip,
                                             peer ? peer->private_ip : 0));
    }
    r.node->AddApplication(r.vrrp);
    r.vrrp->SetStartTime(Seconds(0));
    r.vrrp->TraceConnectWithoutContext("MasterChanged",
                                       MakeCallback(&World::Impl::on_master_changed, this).Bind(i));
    r.vrrp->TraceConnectWithoutContext("Transition", MakeCallback(&World::Impl::on_transition, this).Bind(i));
    r.vrrp->TraceConnectWithoutContext("AdvertRx", MakeCallback(&World::Impl::on_advert_rx, this).Bind(i));
    std::optional<SyncDaemonConfig> keepalived_sync;
    if (r.spec->keepalived) keepalived_sync = sync_daemon_config(*r.spec->keepalived);
    if (sc.failover.sync) {
      SyncSysctls sysctls;
      sysctls.sync_threshold = sc.failover.sync_threshold;
      sysctls.sync_period = sc.failover.sync_period;
      sysctls.sync_refresh_period =
          std::chrono::duration_cast<Duration>(std::chrono::duration<double>(sc.failover.sync_refresh_period_s));
      r.director->GetEngine().set_sync_sysctls(sysctls);
      SyncDaemonConfig daemon;
      daemon.mcast_ifn = "eth1";
      // keepalived: sync id 0 means the VRRP instance's vrid.
      daemon.syncid = sc.failover.syncid ? sc.failover.syncid : sc.failover.vrid;
      if (keepalived_sync) daemon = *keepalived_sync;  // lvs_sync_daemon eth1 VI_x [id N] ...
      r.sync = CreateObject<LvsSyncDaemon>();
      r.sync->Setup(daemon, r.director, 2);
      r.node->AddApplication(r.sync);
      r.sync->SetStartTime(Seconds(0));
    }
    // VRRP decides who forwards: nobody does until an agent is master.
    r.active = false;
    r.director->SetEnabled(false);
  }
}

// The scenario's virtual services and real servers, into a router's table.
void World::Impl::program_services(RouterState& r) {
  Engine& engine = r.director->GetEngine();
  for (const scenario::Service& svc : sc.services) {
    if (!engine.add_service(svc.ipvs))
      throw std::runtime_error("service " + svc.name + " could not be added to " + r.spec->name);
    for (const scenario::Service::Member& m : svc.members) engine.add_dest(svc.ipvs.key, m.ipvs);
  }
}

// A crashed router boots again: empty IPVS and connection tables (what the
// backup synced to it is all it will know), the services programmed anew,
// keepalived's checkers, sync daemon and VRRP started from scratch.
void World::Impl::reboot(RouterState& r) {
  const SyncSysctls sysctls = r.director->GetEngine().sync_sysctls();
  const EngineConfig cfg = r.director->GetEngine().config();
  r.director->SetEngineConfig(cfg);
  r.director->GetEngine().set_sync_sysctls(sysctls);
  program_services(r);
  if (r.health) r.health->Recover();
  if (r.sync) r.sync->Recover();
  if (r.vrrp) r.vrrp->Recover();
}

// The router's vrrp_instances as its keepalived.conf configures them
// (vrrp_config_from applies keepalived's own completion rules).
void World::Impl::add_keepalived_instances(RouterState& r) {
  const config::ClusterConfig& k = *r.spec->keepalived;
  for (const config::VrrpInstance& inst : k.vrrp_instances) {
    const bool is_public = inst.interface == "eth0";
    std::vector<std::string> warnings;
    VrrpConfig c = vrrp_config_from(inst, k.global, is_public ? r.spec->public_ip : r.spec->private_ip, &warnings);
    for (const std::string& w : warnings)
      event(0, "keepalived_warning", {{"router", r.spec->name}, {"instance", inst.name}, {"warning", w}});
    r.vrrp->AddInstance(is_public ? 1 : 2, c);
  }
}

void World::Impl::on_transition(std::size_t i, std::string instance, VrrpState from, VrrpState to,
                                VrrpReason why) {
  event(now_s(), "vrrp_transition",
        {{"router", routers[i].spec->name},
         {"instance", instance},
         {"from", std::string(vrrp_state_name(from))},
         {"to", std::string(vrrp_state_name(to))},
         {"reason", std::string(vrrp_reason_name(why))}});
}

void World::Impl::on_advert_rx(std::size_t i, Ipv4Address from, std::uint8_t) {
  routers[i].last_advert_from[from.Get()] = now_s();
}

void World::Impl::on_master_changed(std::size_t i, bool master) {
  RouterState& r = routers[i];
  r.active = master;
  r.director->SetEnabled(master);
  if (r.sync) r.sync->SetMaster(master);
  r.awaiting_first_forward = master;
  const double t = now_s();
  event(t, master ? "vrrp_master" : "vrrp_not_master", {{"router", r.spec->name}});
  if (master)
    for (FailoverRecord& f : failovers)
      if (f.detected_s < 0 && f.router != r.spec->name) {
        f.detected_s = t;
        f.new_master = r.spec->name;
        // The failed router's last advert on either LAN, as the new master heard it.
        for (const RouterState& o : routers)
          if (o.spec->name == f.router)
            for (const Ip4 a : {o.spec->public_ip, o.spec->private_ip})
              if (auto it = r.last_advert_from.find(a); it != r.last_advert_from.end())
                f.last_advert_s = std::max(f.last_advert_s, it->second);
      }
  const auto masters = std::count_if(routers.begin(), routers.end(), [](const RouterState& x) { return x.active; });
  if (masters > 1 && split_brain_since < 0) {
    split_brain_since = t;
    // A router preempting a running master overlaps it until its first
    // advert arrives there, well within one advert interval; a split brain
    // lasts until adverts get through again. Until that is decided the
    // overlap is a handover, with the old master's flows noted for survivors.
    const RouterState* old_master = nullptr;
    if (master)
      for (const RouterState& o : routers)
        if (o.active && &o != &r) old_master = &o;
    if (old_master) {
      FailoverRecord rec;
      rec.handover = true;
      rec.fault_s = t;
      rec.fault = "preempt";
      rec.router = old_master->spec->name;
      rec.new_master = r.spec->name;
      rec.detected_s = t;
      rec.flows = established_flows(*old_master);
      pending_handover = failovers.size();
      failovers.push_back(std::move(rec));
      Simulator::Schedule(Seconds(shortest_advert_int()), [this, t] {
        if (split_brain_since == t) drop_pending_handover(t);
      });
    } else {
      event(t, "split_brain", {{"masters", masters}, {"since_s", t}});
    }
  } else if (masters <= 1 && split_brain_since >= 0) {
    const double lasted = t - split_brain_since;
    // A handover only if the old master is the one that stepped down (the
    // newcomer dropping out again, by a crash say, leaves a short split).
    if (pending_handover < failovers.size() && failovers[pending_handover].router != r.spec->name)
      drop_pending_handover(split_brain_since);
    if (pending_handover < failovers.size()) {
      FailoverRecord& h = failovers[pending_handover];
      h.overlap_s = lasted;
      event(t, "handover", {{"from", h.router}, {"to", h.new_master}, {"overlap_s", lasted},
                            {"established", h.flows.size()}});
    } else {
      split_brain.emplace_back(split_brain_since, t);
      event(t, "split_brain_end", {{"masters", masters}, {"lasted_s", lasted}});
    }
    pending_handover = SIZE_MAX;
    split_brain_since = -1;
  }
}

// The overlap that began at `since` is a split brain after all: no handover
// record, and the split's start event, deferred until now.
void World::Impl::drop_pending_handover(double since) {
  if (pending_handover >= failovers.size()) return;
  failovers.erase(failovers.begin() + static_cast<std::ptrdiff_t>(pending_handover));
  pending_handover = SIZE_MAX;
  event(now_s(), "split_brain", {{"masters", 2}, {"since_s", since}});
}

// Below this, two masters are one taking over from the other: no VRRP
// router can tell the difference, since none has yet missed an advert.
// The routers' own instances decide (keepalived files may set their own
// advert_int); the scenario's failover.vrrp value only when none has one.
double World::Impl::shortest_advert_int() const {
  double shortest = std::numeric_limits<double>::infinity();
  for (const RouterState& r : routers) {
    if (!r.vrrp || !r.vrrp->GetGroup()) continue;
    const VrrpSyncGroup& g = *r.vrrp->GetGroup();
    for (std::size_t k = 0; k < g.size(); ++k)
      shortest = std::min(shortest, std::chrono::duration<double>(g.member(k).config().advert_int).count());
  }
  return std::isinf(shortest) ? sc.failover.advert_int_s : shortest;
}

void World::Impl::on_rewritten(std::size_t i, Side ingress, const Ipv4Header&, const Ipv4Header& after,
                               Ptr<const Packet> packet) {
  RouterState& r = routers[i];
  if (r.awaiting_first_forward) {
    r.awaiting_first_forward = false;
    for (FailoverRecord& f : failovers)
      if (f.new_master == r.spec->name && f.takeover_s < 0) {
        f.takeover_s = now_s();
        event(f.takeover_s, "takeover", {{"router", r.spec->name}, {"after_failure_s", f.takeover_s - f.fault_s}});
      }
  }
  // Data carried back to a client over a connection that was established on
  // the failed master: that connection survived the takeover (a FIN or RST
  // after the client gave up does not count). Likewise for the connections
  // established when a SYN flood began, once the flood has filled the table.
  if (ingress != Side::kInside || after.GetProtocol() != 6) return;
  const bool flood_watch = flood_start_s >= 0 && now_s() > flood_start_s + 1.0 &&
                           flood_delivering.size() < flood_flows.size();
  bool failover_watch = false;
  for (const FailoverRecord& f : failovers)
    failover_watch |= f.new_master == r.spec->name && f.survived.size() < f.flows.size();
  if (!flood_watch && !failover_watch) return;
  TcpHeader tcp;
  if (packet->PeekHeader(tcp) == 0) return;
  if (after.GetPayloadSize() <= tcp.GetSerializedSize() || (tcp.GetFlags() & TcpHeader::RST)) return;
  const std::pair<Ip4, std::uint16_t> key{after.GetDestination().Get(), tcp.GetDestinationPort()};
  if (flood_watch && flood_flows.count(key)) flood_delivering.insert(key);
  for (FailoverRecord& f : failovers)
    if (f.new_master == r.spec->name && f.flows.count(key)) f.survived.insert(key);
}

void World::Impl::schedule_faults() {
  for (const scenario::Fault& f : sc.faults)
    Simulator::Schedule(Seconds(f.at_s), [this, &f] { apply_fault(f); });
}

Ptr<LvsFrameFilter> World::Impl::filter_of(Ptr<NetDevice> dev) {
  Ptr<LvsFrameFilter>& filter = filters[PeekPointer(dev)];
  if (!filter) {
    filter = CreateObject<LvsFrameFilter>();
    filter->SetEthernet(DynamicCast<CsmaNetDevice>(dev) != nullptr);
    // Keep a loss rate the link was built with (access links).
    PointerValue existing;
    if (dev->GetAttributeFailSafe("ReceiveErrorModel", existing))
      if (Ptr<RateErrorModel> rate = existing.Get<RateErrorModel>()) filter->SetLossRate(rate->GetRate());
    filter->AssignStreams(static_cast<std::int64_t>(sc.seed) * 1000 + 900 + static_cast<std::int64_t>(filters.size()));
    dev->SetAttribute("ReceiveErrorModel", PointerValue(filter));
  }
  return filter;
}

void World::Impl::partition(bool cut) {
  // Each router drops what the other router sends, on both LANs, by the other
  // router's MAC addresses and (with use_vmac) the virtual MACs, which only
  // the other router can be sending from.
  for (RouterState& r : routers)
    for (std::uint32_t d = 0; d < r.devices.GetN(); ++d) {
      Ptr<LvsFrameFilter> filter = filter_of(r.devices.Get(d));
      filter->UnblockAll();
      if (!cut) continue;
      for (RouterState& o : routers) {
        if (&o == &r) continue;
        for (std::uint32_t k = 0; k < o.devices.GetN(); ++k)
          filter->Block(Mac48Address::ConvertFrom(o.devices.Get(k)->GetAddress()));
      }
      if (sc.failover.vmac)
        for (std::uint8_t vrid : {sc.failover.vrid, static_cast<std::uint8_t>(sc.failover.vrid + 1)}) {
          Mac48Address mac;
          mac.CopyFrom(vrrp_virtual_mac(vrid).data());
          filter->Block(mac);
        }
    }
}

// The client ends of the TCP connections established on a router now.
std::set<std::pair<Ip4, std::uint16_t>> World::Impl::established_flows(const RouterState& r) const {
  std::set<std::pair<Ip4, std::uint16_t>> flows;
  r.director->GetEngine().conns().for_each([&](const Conn& c) {
    if (c.proto == Proto::kTcp && !(c.flags & kConnTemplate) && !(c.flags & kConnMasquerade) &&
        c.state == static_cast<std::uint8_t>(TcpState::kEstablished))
      flows.emplace(c.caddr, c.cport);
  });
  return flows;
}

// The attacker sits on the Internet side (the gateway node), so its SYNs
// reach the director over the public LAN like the clients' do.
void World::Impl::syn_flood(const scenario::Fault& f) {
  Ptr<LvsSynFlood>& flood = floods[{f.service.addr, f.service.port}];
  if (!flood) {
    flood = CreateObject<LvsSynFlood>();
    flood->SetTarget(to_ns3(f.service.addr), f.service.port);
    flood->AssignStreams(static_cast<std::int64_t>(sc.seed) * 1000 + 950 + static_cast<std::int64_t>(floods.size()));
    internet->AddApplication(flood);
    flood->SetStartTime(Seconds(0));
    flood->Initialize();
  }
  flood->SetRate(f.rate);
  if (f.rate > 0 && flood_start_s < 0) {
    flood_start_s = now_s();
    for (RouterState& r : routers)
      if (r.active) flood_flows.merge(established_flows(r));
  }
}

void World::Impl::router_fault(RouterState& r, const scenario::Fault& f) {
  using A = scenario::Fault::Action;
  const double t = now_s();
  if ((f.action == A::kDown || f.action == A::kShutdown) && r.active) {
    FailoverRecord rec;
    rec.fault_s = t;
    rec.fault = f.action == A::kDown ? "down" : "shutdown";
    rec.router = r.spec->name;
    rec.flows = established_flows(r);
    event(t, "failure", {{"router", r.spec->name}, {"fault", rec.fault}, {"established", rec.flows.size()}});
    failovers.push_back(std::move(rec));
  }
  switch (f.action) {
    case A::kDown:
      // A crash: off both LANs (an interface that is only down still answers ARP).
      r.crashed = true;
      for (std::uint32_t d = 0; d < r.devices.GetN(); ++d) set_attached(r.devices.Get(d), false);
      if (r.health) r.health->Crash();
      if (r.sync) r.sync->Crash();
      if (r.vrrp) {
        r.vrrp->Crash();  // fires MasterChanged(false) when it was master
      } else {
        r.director->SetEnabled(false);
      }
      break;
    case A::kUp:
      if (!r.crashed) break;
      r.crashed = false;
      for (std::uint32_t d = 0; d < r.devices.GetN(); ++d) set_attached(r.devices.Get(d), true);
      reboot(r);
      if (!r.vrrp) r.director->SetEnabled(r.active);
      break;
    case A::kShutdown:
      if (r.vrrp) {
        r.vrrp->Shutdown();
      } else {
        r.director->SetEnabled(false);
        r.active = false;
      }
      break;
    default:
      break;
  }
}

void World::Impl::apply_fault(const scenario::Fault& f) {
  using A = scenario::Fault::Action;
  const double t = now_s();
  json fields = {{"target", f.target}, {"action", ""}};
  switch (f.action) {
    case A::kDown: fields["action"] = "down"; break;
    case A::kUp: fields["action"] = "up"; break;
    case A::kShutdown: fields["action"] = "shutdown"; break;
    case A::kHang: fields["action"] = "hang"; break;
    case A::kSlow: fields["action"] = "slow"; fields["factor"] = f.factor; break;
    case A::kLoss: fields["action"] = "loss"; fields["rate"] = f.rate; break;
    case A::kDelay: fields["action"] = "delay"; fields["extra_s"] = f.delay_s; break;
    case A::kPartition: fields["action"] = "partition"; break;
    case A::kHeal: fields["action"] = "heal"; break;
    case A::kSynFlood:
      fields["action"] = "synflood";
      fields["rate"] = f.rate;
      break;
  }
  event(t, f.action == A::kUp || f.action == A::kHeal ? "fault_up" : "fault_down", fields);

  if (f.action == A::kSynFlood) return syn_flood(f);
  for (RouterState& r : routers)
    if (r.spec->name == f.target) return router_fault(r, f);
  for (ServerState& s : servers) {
    if (s.spec->name != f.target) continue;
    if (f.action == A::kDown || f.action == A::kUp)
      for (std::uint32_t d = 0; d < s.devices.GetN(); ++d) set_attached(s.devices.Get(d), f.action == A::kUp);
    // Hang: accepts and reads, answers nothing; up ends it.
    if (f.action == A::kHang || f.action == A::kUp)
      for (const auto& app : s.apps) app->SetHung(f.action == A::kHang);
    // Slow: every service time takes `factor` times as long; up restores it.
    if (f.action == A::kSlow || f.action == A::kUp)
      for (const auto& app : s.apps)
        app->SetAttribute("Speed", DoubleValue(s.spec->speed / (f.action == A::kSlow ? f.factor : 1.0)));
    return;
  }
  if (f.action == A::kPartition || f.action == A::kHeal) return partition(f.action == A::kPartition);
  auto link = links.find(f.target);
  if (link == links.end()) return;
  std::set<Channel*> delayed;
  for (std::uint32_t i = 0; i < link->second.GetN(); ++i) {
    Ptr<NetDevice> dev = link->second.Get(i);
    if (f.action == A::kLoss) {
      filter_of(dev)->SetLossRate(f.rate);
    } else if (f.action == A::kDelay) {
      Ptr<Channel> ch = dev->GetChannel();
      if (!delayed.insert(PeekPointer(ch)).second) continue;
      // The delay the scenario built the channel with, plus the extra.
      auto [base, fresh] = base_delay.emplace(PeekPointer(ch), ns3::Time());
      if (fresh) {
        TimeValue built;
        ch->GetAttribute("Delay", built);
        base->second = built.Get();
      }
      ch->SetAttribute("Delay", TimeValue(base->second + Seconds(f.delay_s)));
    } else {
      Ptr<Ipv4> ipv4 = dev->GetNode()->GetObject<Ipv4>();
      const int32_t iface = ipv4 ? ipv4->GetInterfaceForDevice(dev) : -1;
      if (iface < 0) continue;
      if (f.action == A::kUp) {
        ipv4->SetUp(static_cast<std::uint32_t>(iface));
      } else {
        ipv4->SetDown(static_cast<std::uint32_t>(iface));
      }
    }
  }
}

void World::Impl::failover_summary(json& out) const {
  json list = json::array();
  // Only a run with failures or a split brain needs the request records.
  std::vector<LvsRequestRecord> records;
  if (!failovers.empty() || !split_brain.empty() || split_brain_since >= 0)
    for (const auto& log : logs) records.insert(records.end(), log->Records().begin(), log->Records().end());
  json handovers = json::array();
  for (const FailoverRecord& f : failovers) {
    json j;
    if (f.handover) {
      j = {{"at_s", f.fault_s}, {"from", f.router}, {"to", f.new_master}, {"reason", f.fault}};
      j["overlap_s"] = f.overlap_s < 0 ? json(nullptr) : json(f.overlap_s);
      j["takeover_s"] = f.takeover_s < 0 ? json(nullptr) : json(f.takeover_s - f.fault_s);
      j["established_at_handover"] = f.flows.size();
    } else {
      j = {{"at_s", f.fault_s}, {"fault", f.fault}, {"router", f.router}};
      j["new_master"] = f.new_master.empty() ? json(nullptr) : json(f.new_master);
      j["detection_s"] = f.detected_s < 0 ? json(nullptr) : json(f.detected_s - f.fault_s);
      j["takeover_s"] = f.takeover_s < 0 ? json(nullptr) : json(f.takeover_s - f.fault_s);
      // VRRP's own clock: master-down fired this long after the last advert.
      j["last_advert_at_s"] = f.last_advert_s < 0 ? json(nullptr) : json(f.last_advert_s);
      j["after_last_advert_s"] =
          f.last_advert_s < 0 || f.detected_s < 0 ? json(nullptr) : json(f.detected_s - f.last_advert_s);
      j["established_at_failure"] = f.flows.size();
    }
    j["survived"] = f.survived.size();
    j["broken"] = f.flows.size() - f.survived.size();
    // What clients saw: the longest stretch without a completed request from
    // the last completion before the failure to the first one after the
    // takeover (requests already answered finish just after the failure too).
    const std::int64_t fault_ns = static_cast<std::int64_t>(f.fault_s * 1e9);
    const std::int64_t takeover_ns =
        f.takeover_s < 0 ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(f.takeover_s * 1e9);
    std::vector<std::int64_t> ok_ends;
    for (const LvsRequestRecord& rec : records)
      if (rec.outcome == LvsRequestOutcome::kOk) ok_ends.push_back(rec.endNs);
    std::sort(ok_ends.begin(), ok_ends.end());
    std::int64_t gap = -1;
    for (std::size_t k = 1; k < ok_ends.size(); ++k) {
      if (ok_ends[k] <= fault_ns) continue;
      gap = std::max(gap, ok_ends[k] - ok_ends[k - 1]);
      if (ok_ends[k] > takeover_ns) break;
    }
    j["client_gap_s"] = gap < 0 ? json(nullptr) : json(gap * 1e-9);
    const double end_s = f.takeover_s >= 0 ? f.takeover_s : sc.duration_s;
    std::uint64_t failed = 0;
    for (const LvsRequestRecord& rec : records)
      if (rec.outcome != LvsRequestOutcome::kOk && rec.endNs >= fault_ns && rec.startNs <= end_s * 1e9) ++failed;
    j["requests_failed"] = failed;
    // New requests once the new master forwards: they need both floating
    // addresses (the VIP in, the NAT gateway IP back) on the new master.
    json after = {{"ok", 0}, {"failed", 0}};
    if (f.takeover_s >= 0)
      for (const LvsRequestRecord& rec : records)
        if (static_cast<double>(rec.startNs) * 1e-9 >= f.takeover_s)
          after[rec.outcome == LvsRequestOutcome::kOk ? "ok" : "failed"] =
              after[rec.outcome == LvsRequestOutcome::kOk ? "ok" : "failed"].get<std::uint64_t>() + 1;
    j["requests_after_takeover"] = after;
    (f.handover ? handovers : list).push_back(j);
  }
  out["failovers"] = list;
  out["handovers"] = handovers;
  // Split brain: while both routers are master, and once it is over, how
  // requests fared (neighbours may still send to the router that yielded).
  auto outcome_counts = [&](double from, double to) {
    json c = {{"ok", 0}, {"failed", 0}};
    for (const LvsRequestRecord& rec : records) {
      const double start = static_cast<double>(rec.startNs) * 1e-9;
      if (start < from || start >= to) continue;
      const char* k = rec.outcome == LvsRequestOutcome::kOk ? "ok" : "failed";
      c[k] = c[k].get<std::uint64_t>() + 1;
    }
    return c;
  };
  json sb = json::array();
  auto intervals = split_brain;
  if (split_brain_since >= 0) intervals.emplace_back(split_brain_since, -1);
  for (std::size_t k = 0; k < intervals.size(); ++k) {
    const auto [from, to] = intervals[k];
    const double next = k + 1 < intervals.size() ? intervals[k + 1].first : sc.duration_s;
    json j = {{"from_s", from}, {"to_s", to < 0 ? json(nullptr) : json(to)}};
    j["requests_during"] = outcome_counts(from, to < 0 ? sc.duration_s : to);
    if (to >= 0) j["requests_after"] = outcome_counts(to, next);
    sb.push_back(j);
  }
  out["split_brain"] = sb;
  json vrrp = json::array();
  for (const RouterState& r : routers) {
    if (!r.vrrp) continue;
    vrrp.push_back({{"router", r.spec->name},
                    {"state", std::string(vrrp_state_name(r.vrrp->GetState()))},
                    {"adverts_sent", r.vrrp->GetAdvertsSent()},
                    {"adverts_received", r.vrrp->GetAdvertsReceived()},
                    {"bad_adverts", r.vrrp->GetBadAdverts()}});
  }
  out["vrrp"] = vrrp;
  json sync = json::array();
  for (const RouterState& r : routers) {
    if (!r.sync) continue;
    const SyncMasterStats m = r.sync->GetMasterStats();
    const SyncBackupStats b = r.sync->GetBackupStats();
    const std::uint64_t n = r.sync->GetLagSamples();
    sync.push_back({{"router", r.spec->name},
                    {"messages_sent", m.messages_sent},
                    {"conns_sent", m.conns_queued},
                    {"wire_bytes_sent", m.wire_bytes_sent},
                    {"bandwidth_bps", sc.duration_s > 0 ? 8.0 * static_cast<double>(m.wire_bytes_sent) / sc.duration_s : 0.0},
                    {"messages_dropped", m.messages_dropped},
                    {"messages_received", b.messages_received},
                    {"conns_received", b.conns_received},
                    {"conns_created", b.conns_created},
                    {"conns_updated", b.conns_updated},
                    {"decode_errors", b.decode_errors()},
                    {"lag_mean_s", n ? r.sync->GetLagSum().GetSeconds() / static_cast<double>(n) : 0.0},
                    {"lag_max_s", r.sync->GetLagMax().GetSeconds()}});
  }
  out["sync"] = sync;
  if (!floods.empty()) {
    json fl = {{"syns_sent", 0}};
    std::uint64_t sent = 0;
    for (const auto& [key, app] : floods) sent += app->GetSent();
    fl["syns_sent"] = sent;
    json rj = json::array();
    for (const RouterState& r : routers) {
      const Engine& e = r.director->GetEngine();
      rj.push_back({{"router", r.spec->name},
                    {"connection_table_capacity", e.config().max_conns},
                    {"connection_table_peak", e.peak_conns()},
                    {"table_full_drops", e.drops(DropReason::kTableFull)}});
    }
    fl["routers"] = rj;
    fl["started_s"] = flood_start_s;
    fl["established_at_start"] = flood_flows.size();
    fl["kept_delivering"] = flood_delivering.size();
    out["synflood"] = fl;
  }
}

}  // namespace lvs::runner
