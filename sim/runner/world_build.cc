// Building the ns-3 world from a scenario (see world.h for the picture).
#include <ns3/bridge-module.h>
#include <ns3/core-module.h>
#include <ns3/csma-module.h>
#include <ns3/internet-module.h>
#include <ns3/netanim-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "helper/lvs-client-helper.h"
#include "helper/lvs-nat-routing-helper.h"
#include "helper/lvs-real-server-helper.h"
#include "model/lvs-client-block-routing.h"
#include "runner/world_impl.h"

NS_LOG_COMPONENT_DEFINE("LvsWorld");

namespace lvs::runner {

using namespace ns3;

namespace {

// Point-to-point access links are numbered from 172.31.0.0/16 in /30s.
constexpr Ip4 kAccessBase = 0xac1f0000u;
constexpr std::uint32_t kMaxClientNodes = 16384;

std::string rate_text(double bps) { return std::to_string(static_cast<std::uint64_t>(bps)) + "bps"; }

// Adds `dev` as a new interface with one address; returns the interface index.
std::uint32_t add_interface(Ptr<Node> node, Ptr<NetDevice> dev, Ip4 addr, Ip4 mask) {
  Ptr<Ipv4> ipv4 = node->GetObject<Ipv4>();
  const std::uint32_t i = ipv4->AddInterface(dev);
  ipv4->AddAddress(i, Ipv4InterfaceAddress(to_ns3(addr), Ipv4Mask(mask)));
  ipv4->SetMetric(i, 1);
  ipv4->SetUp(i);
  return i;
}

Ptr<Ipv4StaticRouting> static_routing(Ptr<Node> node) {
  Ipv4StaticRoutingHelper helper;
  return helper.GetStaticRouting(node->GetObject<Ipv4>());
}

// A switched LAN: every host on its own CSMA segment to a switch node that
// bridges them, so hosts only contend with their switch port, not with each
// other (and a failed host's segment can be cut on its own). Returns the host
// side devices, in `hosts` order.
NetDeviceContainer switched_lan(const NodeContainer& hosts, const scenario::Link& link,
                                Ptr<Node>& sw) {
  sw = CreateObject<Node>();
  CsmaHelper csma;
  csma.SetChannelAttribute("DataRate", StringValue(rate_text(link.rate_bps)));
  csma.SetChannelAttribute("Delay", TimeValue(Seconds(link.delay_s)));
  NetDeviceContainer host_devs, ports;
  for (std::uint32_t i = 0; i < hosts.GetN(); ++i) {
    NetDeviceContainer d = csma.Install(NodeContainer(hosts.Get(i), sw));
    host_devs.Add(d.Get(0));
    ports.Add(d.Get(1));
  }
  BridgeHelper bridge;
  bridge.Install(sw, ports);
  return host_devs;
}

bool is_dr(const scenario::Scenario& sc, const std::string& server) {
  for (const auto& svc : sc.services)
    for (const auto& m : svc.members)
      if (m.server == server && m.ipvs.fwd != ForwardMethod::kMasq) return true;
  return false;
}

// The internet side routes each client node's address block down its access
// link. By block arithmetic, above its static routing: as CIDR prefixes the
// blocks are ~11 static routes per node, and static routing compares every
// packet with every route.
void route_client_blocks(Ptr<Node> internet, const NodeContainer& clients) {
  auto list = DynamicCast<Ipv4ListRouting>(internet->GetObject<Ipv4>()->GetRoutingProtocol());
  if (!list) throw std::logic_error("the internet node has no list routing");
  Ptr<LvsClientBlockRouting> blocks = CreateObject<LvsClientBlockRouting>();
  for (std::uint32_t i = 0; i < clients.GetN(); ++i) {
    auto r = DynamicCast<LvsClientAddressRouting>(clients.Get(i)->GetObject<Ipv4>()->GetRoutingProtocol());
    blocks->AddBlock(r->GetFirstAddress(), r->GetAddressCount(), Ipv4Address(kAccessBase + i * 4 + 2), i + 1);
  }
  list->AddRoutingProtocol(blocks, 10);  // static routing is at 0
}

}  // namespace

Ipv4Address to_ns3(Ip4 a) { return Ipv4Address(a); }
Ipv4Mask mask_of(const Prefix& p) { return Ipv4Mask(p.mask); }

World::Impl::~Impl() = default;

RouterState* World::Impl::active_router() {
  for (RouterState& r : routers)
    if (r.active) return &r;
  return nullptr;
}

void World::Impl::build() {
  if (sc.topology.client_nodes == 0 || sc.topology.client_nodes > kMaxClientNodes)
    throw std::runtime_error("topology.clients.nodes must be 1.." + std::to_string(kMaxClientNodes));
  RngSeedManager::SetSeed(static_cast<std::uint32_t>(sc.seed == 0 ? 1 : sc.seed));
  RngSeedManager::SetRun(1);
  // Valid checksums cost time; they are needed when packets are captured for inspection.
  if (sc.measurement.pcap) GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
  // Linux queues ~100 packets per unresolved neighbour (unres_qlen); ns-3's
  // default of 3 drops the first burst of SYNs towards a new neighbour.
  Config::SetDefault("ns3::ArpCache::PendingQueueSize", UintegerValue(100));
  // Every TCP socket made from here on (clients, servers, health probes).
  Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(sc.tcp.segment_size));
  build_nodes();
  build_links();
  build_routers();
  build_servers();
  build_clients();
  build_failover();
  build_health();
  schedule_faults();
  enable_outputs();
  trace_links();
}

namespace {
void count_tx(std::uint64_t* bytes, Ptr<const Packet> p) { *bytes += p->GetSize(); }
void count_drop(std::uint64_t* n, Ptr<const Packet>) { ++*n; }

void count_ip_drop(std::map<std::string, std::uint64_t>* by_reason, const Ipv4Header&,
                   Ptr<const Packet>, Ipv4L3Protocol::DropReason reason, Ptr<Ipv4>, uint32_t) {
  static const char* const kNames[] = {"", "ttl_expired", "no_route", "bad_checksum",
                                       "interface_down", "route_error", "fragment_timeout",
                                       "duplicate"};
  const auto i = static_cast<std::size_t>(reason);
  ++(*by_reason)[i < std::size(kNames) ? kNames[i] : "other"];
}

}  // namespace

void World::Impl::trace_links() {
  Config::ConnectWithoutContext("/NodeList/*/$ns3::Ipv4L3Protocol/Drop",
                                MakeBoundCallback(&count_ip_drop, &ip_drops));
  for (auto& [name, devs] : links) {
    std::uint64_t* bytes = &tx_bytes[name];
    std::uint64_t* drops = &tx_drops[name];
    for (std::uint32_t i = 0; i < devs.GetN(); ++i) {
      Ptr<NetDevice> dev = devs.Get(i);
      dev->TraceConnectWithoutContext("MacTx", MakeBoundCallback(&count_tx, bytes));
      dev->TraceConnectWithoutContext("MacTxDrop", MakeBoundCallback(&count_drop, drops));
      dev->TraceConnectWithoutContext("PhyRxDrop", MakeBoundCallback(&count_drop, drops));
      dev->TraceConnectWithoutContext("PhyTxDrop", MakeBoundCallback(&count_drop, drops));
      dev->TraceConnectWithoutContext("MacTxBackoff", MakeBoundCallback(&count_drop, &tx_drops[name + "_backoffs"]));
      // The device's own transmit queue overflowing.
      PointerValue queue;
      if (dev->GetAttributeFailSafe("TxQueue", queue) && queue.Get<QueueBase>())
        queue.Get<QueueBase>()->TraceConnectWithoutContext("Drop", MakeBoundCallback(&count_drop, drops));
    }
  }
}

void World::Impl::build_nodes() {
  clients.Create(sc.topology.client_nodes);
  internet = CreateObject<Node>();
  InternetStackHelper stack;
  stack.Install(clients);
  stack.Install(internet);
  for (std::size_t i = 0; i < sc.topology.routers.size(); ++i) {
    const scenario::Router& spec = sc.topology.routers[i];
    RouterState r;
    r.spec = &spec;
    r.node = CreateObject<Node>();
    Names::Add(spec.name, r.node);
    // The first router that is not a backup holds the floating addresses.
    r.active = !spec.backup && !std::any_of(routers.begin(), routers.end(),
                                            [](const RouterState& o) { return o.active; });
    EngineConfig cfg;
    cfg.local_addrs = {spec.public_ip, spec.private_ip, sc.topology.vip, sc.topology.nat_gateway_ip};
    cfg.inside_nets = {sc.topology.private_network};
    cfg.masq_addr = spec.public_ip;
    if (spec.connection_table) cfg.max_conns = spec.connection_table;
    LvsNatRoutingHelper lvs;
    lvs.SetEngineConfig(cfg);
    lvs.SetInterfaces(1, 2);  // eth0, eth1: added in that order in build_links()
    const scenario::CostModel& cost = spec.cost;
    if (cost.profile == "none") {
      lvs.SetCostModel("none");
    } else {
      lvs.SetCostModel("custom");
      lvs.SetCostModelAttribute("PerPacket", TimeValue(Seconds(cost.per_packet_s)));
      lvs.SetCostModelAttribute("PerByte", DoubleValue(cost.per_byte_s));
      lvs.SetCostModelAttribute("PerConnection", TimeValue(Seconds(cost.per_conn_s)));
      lvs.SetCostModelAttribute("Cores", UintegerValue(static_cast<std::uint32_t>(cost.cores)));
      lvs.SetCostModelAttribute("QueueLimit", UintegerValue(cost.queue_packets));
    }
    InternetStackHelper router_stack;
    router_stack.SetRoutingHelper(lvs);
    router_stack.Install(r.node);
    r.director = LvsNatRoutingHelper::GetDirector(r.node);
    r.director->SetEnabled(r.active);
    routers.push_back(r);
  }
  for (const scenario::RealServer& spec : sc.real_servers) {
    ServerState s;
    s.spec = &spec;
    s.node = CreateObject<Node>();
    Names::Add(spec.name, s.node);
    s.dr = is_dr(sc, spec.name);
    stack.Install(s.node);
    servers.push_back(s);
  }
}

void World::Impl::build_links() {
  const scenario::Topology& t = sc.topology;
  // Client access links.
  PointToPointHelper p2p;
  p2p.SetDeviceAttribute("DataRate", StringValue(rate_text(t.access_link.rate_bps)));
  p2p.SetChannelAttribute("Delay", TimeValue(Seconds(t.access_link.delay_s)));
  NetDeviceContainer access;
  for (std::uint32_t i = 0; i < clients.GetN(); ++i) {
    NetDeviceContainer d = p2p.Install(internet, clients.Get(i));
    const Ip4 base = kAccessBase + i * 4;
    add_interface(internet, d.Get(0), base + 1, prefix_mask(30));
    add_interface(clients.Get(i), d.Get(1), base + 2, prefix_mask(30));
    static_routing(clients.Get(i))->SetDefaultRoute(to_ns3(base + 1), 1);
    if (t.access_link.loss > 0) {
      Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
      em->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
      em->SetRate(t.access_link.loss);
      d.Get(1)->SetAttribute("ReceiveErrorModel", PointerValue(em));
    }
    access.Add(d);
  }
  links["access_link"] = access;

  // The public LAN: the internet side's gateway and every router's eth0.
  std::set<Ip4> used = {t.vip};
  for (const auto& r : t.routers) used.insert(r.public_ip);
  Ip4 gw = t.public_network.net + 1;
  while (used.count(gw)) ++gw;
  NodeContainer pub_nodes(internet);
  for (const RouterState& r : routers) pub_nodes.Add(r.node);
  NetDeviceContainer pub_devs = switched_lan(pub_nodes, t.public_lan, public_switch);
  add_interface(internet, pub_devs.Get(0), gw, t.public_network.mask);
  for (std::size_t i = 0; i < routers.size(); ++i) {
    routers[i].devices.Add(pub_devs.Get(i + 1));
    add_interface(routers[i].node, pub_devs.Get(i + 1), routers[i].spec->public_ip,
                  t.public_network.mask);
    LvsNatRoutingHelper::GetStaticRouting(routers[i].node)->SetDefaultRoute(to_ns3(gw), 1);
  }
  links["public_lan"] = pub_devs;

  // The private LAN: every router's eth1 and the real servers; the internet
  // side joins it only as the gateway of DR real servers.
  Ip4 dr_gateway = 0;
  for (const ServerState& s : servers)
    if (s.dr) dr_gateway = s.spec->gateway;
  NodeContainer priv_nodes;
  for (const RouterState& r : routers) priv_nodes.Add(r.node);
  for (const ServerState& s : servers) priv_nodes.Add(s.node);
  if (dr_gateway) priv_nodes.Add(internet);
  NetDeviceContainer priv_devs = switched_lan(priv_nodes, t.private_lan, private_switch);
  for (std::size_t i = 0; i < routers.size(); ++i) {
    routers[i].devices.Add(priv_devs.Get(i));
    add_interface(routers[i].node, priv_devs.Get(i), routers[i].spec->private_ip,
                  t.private_network.mask);
  }
  for (std::size_t i = 0; i < servers.size(); ++i) {
    ServerState& s = servers[i];
    Ptr<NetDevice> dev = priv_devs.Get(routers.size() + i);
    s.devices.Add(dev);
    const std::uint32_t iface = add_interface(s.node, dev, s.spec->address, t.private_network.mask);
    static_routing(s.node)->SetDefaultRoute(to_ns3(s.spec->gateway), iface);
    // DR: the VIP on the loopback, where ns-3 (like Linux with arp_ignore) does not answer ARP for it.
    if (s.dr)
      s.node->GetObject<Ipv4>()->AddAddress(
          0, Ipv4InterfaceAddress(to_ns3(t.vip), Ipv4Mask("255.255.255.255")));
  }
  if (dr_gateway) add_interface(internet, priv_devs.Get(priv_devs.GetN() - 1), dr_gateway,
                                t.private_network.mask);
  links["private_lan"] = priv_devs;
}

void World::Impl::build_routers() {
  const scenario::Topology& t = sc.topology;
  for (RouterState& r : routers) {
    program_services(r);
    // With VRRP (world_failover.cc) the agents raise the floating addresses.
    if (!r.active || sc.failover.enabled) continue;
    // The floating addresses: eth0:1 and eth1:1.
    Ptr<Ipv4> ipv4 = r.node->GetObject<Ipv4>();
    ipv4->AddAddress(1, Ipv4InterfaceAddress(to_ns3(t.vip), Ipv4Mask(t.public_network.mask)));
    ipv4->AddAddress(2, Ipv4InterfaceAddress(to_ns3(t.nat_gateway_ip), Ipv4Mask(t.private_network.mask)));
  }
}

void World::Impl::build_servers() {
  for (ServerState& s : servers) {
    std::map<std::uint16_t, std::set<Proto>> ports;  // what each port serves
    for (const scenario::Service& svc : sc.services)
      for (const scenario::Service::Member& m : svc.members)
        if (m.server == s.spec->name)
          ports[m.ipvs.port ? m.ipvs.port : svc.ipvs.key.port].insert(svc.ipvs.key.proto);
    for (const auto& [port, protos] : ports) {
      LvsRealServerHelper helper(port);
      helper.Configure(*s.spec);
      const bool udp = protos.count(Proto::kUdp) > 0;
      helper.SetAttribute("EnableTcp", BooleanValue(protos.count(Proto::kTcp) > 0 || !udp));
      helper.SetAttribute("EnableUdp", BooleanValue(udp));
      helper.SetAttribute("MaxSegLifetime", DoubleValue(s.spec->time_wait_s / 2));  // TIME_WAIT = 2 MSL
      ApplicationContainer apps = helper.Install(s.node);
      apps.Start(Seconds(0));
      for (std::uint32_t i = 0; i < apps.GetN(); ++i)
        s.apps.push_back(DynamicCast<LvsRealServer>(apps.Get(i)));
    }
  }
}

void World::Impl::build_clients() {
  const scenario::Topology& t = sc.topology;
  bool assigned = false;
  for (const scenario::Workload& w : sc.workloads) {
    const Ip4 vip = w.target.addr ? w.target.addr : t.vip;
    LvsClientHelper helper(to_ns3(vip), w.target.port);
    if (!assigned) {
      helper.AssignAddresses(clients, to_ns3(t.client_network.net + 1), t.client_addresses);
      route_client_blocks(internet, clients);
      assigned = true;
    }
    helper.SetWorkload(w);
    helper.SetAttribute("UseUdp", BooleanValue(w.target.proto == Proto::kUdp));
    ApplicationContainer apps = helper.Install(clients);
    apps.Start(Seconds(w.start_s));
    // stop_s is the IssueStop (SetWorkload); requests in flight then drain until the end.
    apps.Stop(Seconds(sc.duration_s));
    client_apps.Add(apps);
    logs.push_back(helper.GetRequestLog());
  }
  LvsClientHelper::AssignStreams(client_apps, static_cast<std::int64_t>(sc.seed) * 1000);
}

void World::Impl::enable_outputs() {
  const scenario::Measurement& m = sc.measurement;
  if (m.pcap && !capture_dir.empty()) {
    PointToPointHelper p2p;
    // Client side (node 0's access link), each router NIC, each real server.
    p2p.EnablePcap(capture_dir + "/client.pcap", links["access_link"].Get(1), false, true);
    CsmaHelper csma;
    for (const RouterState& r : routers) {
      csma.EnablePcap(capture_dir + "/" + r.spec->name + "-eth0.pcap", r.devices.Get(0), false, true);
      csma.EnablePcap(capture_dir + "/" + r.spec->name + "-eth1.pcap", r.devices.Get(1), false, true);
    }
    for (const ServerState& s : servers)
      csma.EnablePcap(capture_dir + "/" + s.spec->name + ".pcap", s.devices.Get(0), false, true);
  }
  if (m.flowmonitor) flowmon = flowmon_helper.InstallAll();
  if (m.netanim && !capture_dir.empty()) {
    anim = std::make_unique<AnimationInterface>(capture_dir + "/netanim.xml");
    anim->SetMaxPktsPerTraceFile(100000);
    anim->SetConstantPosition(internet, 40, 50);
    for (std::uint32_t i = 0; i < clients.GetN(); ++i)
      anim->SetConstantPosition(clients.Get(i), 5, 10 + 80.0 * i / std::max(1u, clients.GetN()));
    for (std::size_t i = 0; i < routers.size(); ++i)
      anim->SetConstantPosition(routers[i].node, 60, 30 + 40.0 * static_cast<double>(i));
    anim->SetConstantPosition(public_switch, 50, 50);
    anim->SetConstantPosition(private_switch, 75, 50);
    for (std::size_t i = 0; i < servers.size(); ++i)
      anim->SetConstantPosition(servers[i].node, 90,
                                10 + 80.0 * static_cast<double>(i) / static_cast<double>(servers.size()));
  }
}

}  // namespace lvs::runner
