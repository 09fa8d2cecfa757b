// Uses the installed lvsim package the way another ns-3 project would: a
// client node, an LvsNatRouting director (VIP + NAT gateway IP) and one real
// server; a second of requests through the VIP. Exits 0 when they were
// answered through the director's NAT.

#include "helper/lvs-client-helper.h"
#include "helper/lvs-nat-routing-helper.h"
#include "helper/lvs-real-server-helper.h"
#include "lvs/engine.h"

#include <ns3/csma-helper.h>
#include <ns3/internet-stack-helper.h>
#include <ns3/ipv4-address-helper.h>
#include <ns3/ipv4-static-routing-helper.h>
#include <ns3/simulator.h>
#include <ns3/string.h>

#include <iostream>

using namespace ns3;

int
main()
{
    const Ipv4Address vip("192.0.2.100");
    const Ipv4Address natGateway("10.1.0.254");
    const Ipv4Mask lan("255.255.255.0");

    NodeContainer client, director, server;
    client.Create(1);
    director.Create(1);
    server.Create(1);
    CsmaHelper csma;
    NetDeviceContainer publicLan = csma.Install(NodeContainer(director, client));
    NetDeviceContainer privateLan = csma.Install(NodeContainer(director, server));

    lvs::EngineConfig cfg;
    cfg.local_addrs = {vip.Get(), Ipv4Address("192.0.2.254").Get(), Ipv4Address("10.1.0.1").Get(),
                       natGateway.Get()};
    cfg.inside_nets = {{Ipv4Address("10.1.0.0").Get(), lvs::prefix_mask(24)}};
    LvsNatRoutingHelper lvsHelper;
    lvsHelper.SetEngineConfig(cfg);
    lvsHelper.SetInterfaces(1, 2);
    lvsHelper.Install(director);
    InternetStackHelper stack;
    stack.Install(NodeContainer(client, server));

    Ptr<Ipv4> dip = director.Get(0)->GetObject<Ipv4>();
    dip->AddAddress(dip->AddInterface(publicLan.Get(0)), Ipv4InterfaceAddress("192.0.2.254", lan));
    dip->AddAddress(1, Ipv4InterfaceAddress(vip, lan));
    dip->AddAddress(dip->AddInterface(privateLan.Get(0)), Ipv4InterfaceAddress("10.1.0.1", lan));
    dip->AddAddress(2, Ipv4InterfaceAddress(natGateway, lan));
    dip->SetUp(1);
    dip->SetUp(2);
    Ipv4AddressHelper("192.0.2.0", "255.255.255.0", "0.0.0.11")
        .Assign(NetDeviceContainer(publicLan.Get(1)));
    Ipv4AddressHelper("10.1.0.0", "255.255.255.0", "0.0.0.11")
        .Assign(NetDeviceContainer(privateLan.Get(1)));
    Ipv4StaticRoutingHelper()
        .GetStaticRouting(server.Get(0)->GetObject<Ipv4>())
        ->SetDefaultRoute(natGateway, 1);

    Ptr<LvsNatRouting> lvs = LvsNatRoutingHelper::GetDirector(director.Get(0));
    lvs::ServiceConfig http;
    http.key = {lvs::Proto::kTcp, vip.Get(), 80};
    http.scheduler = "rr";
    lvs::RealServerConfig rs;
    rs.addr = Ipv4Address("10.1.0.11").Get();
    rs.port = 80;
    rs.fwd = lvs::ForwardMethod::kMasq;
    if (!lvs->GetEngine().add_service(http) || !lvs->GetEngine().add_dest(http.key, rs))
    {
        std::cerr << "could not configure the virtual service\n";
        return 1;
    }

    ApplicationContainer servers = LvsRealServerHelper(80).Install(server);
    LvsClientHelper clients(vip, 80);
    clients.SetAttribute("Rate", DoubleValue(50));
    clients.SetAttribute("IssueStop", TimeValue(Seconds(1)));
    ApplicationContainer apps = clients.Install(client);
    apps.Stop(Seconds(2));
    Simulator::Stop(Seconds(2));
    Simulator::Run();

    const LvsRequestStats s = clients.GetRequestLog()->Summarize();
    const uint64_t conns = lvs->GetEngine().total_stats().conns;
    std::cout << "requests " << s.requests << ", ok " << s.Count(LvsRequestOutcome::kOk)
              << ", director connections " << conns << "\n";
    Simulator::Destroy();
    const uint64_t ok = s.Count(LvsRequestOutcome::kOk);
    return ok > 0 && ok == s.requests && conns >= ok ? 0 : 1;
}
