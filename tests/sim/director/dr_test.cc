// Direct routing: the director only rewrites MACs; real servers hold the VIP
// on loopback and answer through another gateway, bypassing the director.
#include <gtest/gtest.h>

#include "director_topology.h"

namespace lvs_director_test {
namespace {

using namespace ns3;

// Replies bypass the director (its engine sees no output packet) and every
// client still completes its transfer.
TEST(DirectorDr, RepliesBypassDirector) {
  Config::SetDefault("ns3::ArpL3Protocol::RequestJitter",
                     StringValue("ns3::ConstantRandomVariable[Constant=0.0]"));
  GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
  NodeContainer director, gateway, client, servers;
  director.Create(1);
  gateway.Create(1);
  client.Create(1);
  servers.Create(2);
  CsmaHelper lan;
  lan.SetChannelAttribute("DataRate", StringValue("1Gbps"));
  lan.SetChannelAttribute("Delay", TimeValue(MicroSeconds(1)));
  // LAN A: client, director eth0 (VIP), gateway. LAN B: director eth1, gateway, real servers.
  NetDeviceContainer a = lan.Install(NodeContainer(director, client, gateway));
  NetDeviceContainer b = lan.Install(NodeContainer(director, gateway, servers));

  LvsNatRoutingHelper lvs_helper;
  lvs::EngineConfig cfg;
  cfg.local_addrs = {ip(kVip), ip("192.0.2.254"), ip("10.2.0.1")};
  cfg.inside_nets = {{ip("10.2.0.0"), lvs::prefix_mask(24)}};
  lvs_helper.SetEngineConfig(cfg);
  InternetStackHelper director_stack;
  director_stack.SetRoutingHelper(lvs_helper);
  director_stack.Install(director);
  InternetStackHelper stack;
  stack.Install(gateway);
  stack.Install(client);
  stack.Install(servers);

  auto add = [](Ptr<Node> n, Ptr<NetDevice> dev, std::vector<const char*> addrs) {
    Ptr<Ipv4> ipv4 = n->GetObject<Ipv4>();
    const int32_t itf = ipv4->AddInterface(dev);
    for (const char* addr : addrs) ipv4->AddAddress(itf, Ipv4InterfaceAddress(addr, "255.255.255.0"));
    ipv4->SetUp(itf);
    ipv4->SetForwarding(itf, true);
    return itf;
  };
  add(director.Get(0), a.Get(0), {"192.0.2.254", kVip});
  add(director.Get(0), b.Get(0), {"10.2.0.1"});
  const int32_t client_itf = add(client.Get(0), a.Get(1), {"192.0.2.1"});
  add(gateway.Get(0), a.Get(2), {"192.0.2.253"});
  add(gateway.Get(0), b.Get(1), {"10.2.0.253"});
  Ipv4StaticRoutingHelper routing;
  routing.GetStaticRouting(client.Get(0)->GetObject<Ipv4>())->SetDefaultRoute("192.0.2.254", client_itf);
  std::vector<Ipv4Address> rs_addrs = {"10.2.0.11", "10.2.0.12"};
  for (uint32_t i = 0; i < servers.GetN(); ++i) {
    std::string addr = "10.2.0." + std::to_string(11 + i);
    const int32_t itf = add(servers.Get(i), b.Get(2 + i), {addr.c_str()});
    Ptr<Ipv4> sip = servers.Get(i)->GetObject<Ipv4>();
    // The VIP on loopback: accepted as a local address, never answered for in ARP.
    sip->AddAddress(0, Ipv4InterfaceAddress(kVip, "255.255.255.255"));
    routing.GetStaticRouting(sip)->SetDefaultRoute("10.2.0.253", itf);
  }

  Ptr<LvsNatRouting> lvs = LvsNatRoutingHelper::GetDirector(director.Get(0));
  lvs::ServiceConfig svc;
  svc.key = {lvs::Proto::kTcp, ip(kVip), 80};
  svc.scheduler = "rr";
  lvs->GetEngine().add_service(svc);
  for (const Ipv4Address& rs : rs_addrs) {
    lvs::RealServerConfig d;
    d.addr = rs.Get();
    d.port = 80;
    d.fwd = lvs::ForwardMethod::kDirectRoute;
    lvs->GetEngine().add_dest(svc.key, d);
  }
  uint32_t rewritten = 0;
  lvs->TraceConnectWithoutContext(
      "Rewritten", MakeBoundCallback(+[](uint32_t* n, lvs::Side, const Ipv4Header&,
                                         const Ipv4Header&, Ptr<const Packet>) { ++*n; },
                                     &rewritten));
  uint32_t via_gateway = 0;
  gateway.Get(0)->GetObject<Ipv4L3Protocol>()->TraceConnectWithoutContext(
      "UnicastForward", MakeBoundCallback(+[](uint32_t* n, const Ipv4Header& h, Ptr<const Packet>,
                                              uint32_t) { *n += h.GetSource() == Ipv4Address(kVip); },
                                          &via_gateway));

  PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 80));
  ApplicationContainer sinks = sink.Install(servers);
  const uint32_t bytes = 100000;
  ApplicationContainer senders;
  for (int i = 0; i < 4; ++i) {
    BulkSendHelper bulk("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address(kVip), 80));
    bulk.SetAttribute("MaxBytes", UintegerValue(bytes));
    ApplicationContainer app = bulk.Install(client.Get(0));
    app.Start(Seconds(0.1 + 0.05 * i));
    senders.Add(app);
  }
  Simulator::Stop(Seconds(2));
  Simulator::Run();

  for (uint32_t i = 0; i < sinks.GetN(); ++i)
    EXPECT_EQ(DynamicCast<PacketSink>(sinks.Get(i))->GetTotalRx(), 2u * bytes) << "server " << i;
  const lvs::StatsCounters& total = lvs->GetEngine().total_stats();
  EXPECT_EQ(total.conns, 4u);
  EXPECT_GT(total.inpkts, 4u * bytes / 1500);
  EXPECT_EQ(total.outpkts, 0u);  // no reply ever came back through the director
  EXPECT_EQ(rewritten, 0u);      // DR leaves the datagram as it is
  EXPECT_GT(via_gateway, 4u * bytes / 1500 / 2);  // the ACKs went through the gateway
  Simulator::Destroy();
}

}  // namespace
}  // namespace lvs_director_test
