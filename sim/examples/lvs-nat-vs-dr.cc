/*
 * The NAT router bottleneck: one workload through the same director, once
 * with LVS-NAT and once with LVS-DR (direct routing).
 *
 *   client nodes 192.0.2.11..   (client addresses 198.51.100.0/24 spread over them)
 *        |   public LAN 192.0.2.0/24, CSMA
 *   director  eth0 192.0.2.254 + VIP 192.0.2.100       gateway  eth0 192.0.2.253
 *             eth1 10.1.0.1    + NAT gateway 10.1.0.254         eth1 10.1.0.253
 *        |   private LAN 10.1.0.0/24, CSMA
 *   rs1 10.1.0.11 .. rsN
 *
 * NAT: the real servers' default route is the NAT gateway IP, so requests
 * and responses both cross the director. DR: the real servers hold the VIP
 * on their loopback (no ARP for it) and route through the plain gateway, so
 * the director sees only the client-to-server half. The director has a CPU
 * (RouterCostModel, custom profile: --perPacket on one core with a bounded
 * queue); responses are larger than requests, as with web traffic, so NAT
 * saturates the director long before DR does.
 *
 * Both runs use the same random streams, hence the same arrivals.
 *
 * The director's CPU utilisation is measured from 1 s to 1 s before the end,
 * while clients are issuing at full rate.
 *
 *   ./build/bin/lvs-nat-vs-dr --duration=4 --rate=1200 --responseSize=16000 --perPacket=50
 */

#include "helper/lvs-client-helper.h"
#include "helper/lvs-nat-routing-helper.h"
#include "helper/lvs-real-server-helper.h"
#include "model/lvs-request-log.h"

#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

#include <iomanip>
#include <iostream>
#include <sstream>

using namespace ns3;

NS_LOG_COMPONENT_DEFINE("LvsNatVsDr");

namespace
{

struct Parameters
{
    double duration = 4;
    double rate = 1200;
    uint32_t responseSize = 16000;
    double perPacketUs = 50;
    uint32_t servers = 4;
    uint32_t clientNodes = 2;
    uint32_t clientAddresses = 254;
    std::string scheduler = "wlc";
};

struct Outcome
{
    LvsRequestStats requests;
    uint64_t directorIn = 0;  // packets the engine took from the clients
    uint64_t directorOut = 0; // packets the engine took from the real servers
    double cpuUtilisation = 0;
    uint64_t queueDrops = 0;
    uint64_t gatewayForwarded = 0;
};

void
CountForward(uint64_t* n, const Ipv4Header&, Ptr<const Packet>, uint32_t)
{
    ++*n;
}

Outcome
RunOnce(const Parameters& p, bool directRouting)
{
    const Ipv4Address vip("192.0.2.100");
    const Ipv4Address natGateway("10.1.0.254");
    const Ipv4Address plainGateway("10.1.0.253");
    const Ipv4Mask lan("255.255.255.0");
    const uint16_t port = 80;

    NodeContainer director, gateway, clients, servers;
    director.Create(1);
    gateway.Create(1);
    clients.Create(p.clientNodes);
    servers.Create(p.servers);

    CsmaHelper csma;
    csma.SetChannelAttribute("DataRate", StringValue("10Gbps"));
    csma.SetChannelAttribute("Delay", TimeValue(MicroSeconds(1)));
    NetDeviceContainer publicDevs = csma.Install(NodeContainer(director, gateway, clients));
    NetDeviceContainer privateDevs = csma.Install(NodeContainer(director, gateway, servers));

    lvs::EngineConfig cfg;
    cfg.local_addrs = {vip.Get(), Ipv4Address("192.0.2.254").Get(), Ipv4Address("10.1.0.1").Get(),
                       natGateway.Get()};
    cfg.inside_nets = {{Ipv4Address("10.1.0.0").Get(), lvs::prefix_mask(24)}};
    LvsNatRoutingHelper lvsHelper;
    lvsHelper.SetEngineConfig(cfg);
    lvsHelper.SetInterfaces(1, 2);
    lvsHelper.SetCostModel("custom");
    lvsHelper.SetCostModelAttribute("PerPacket", TimeValue(MicroSeconds(p.perPacketUs)));
    lvsHelper.SetCostModelAttribute("Cores", UintegerValue(1));
    lvsHelper.Install(director);
    InternetStackHelper stack;
    stack.Install(NodeContainer(gateway, clients, servers));

    Ptr<Ipv4> dip = director.Get(0)->GetObject<Ipv4>();
    dip->AddAddress(dip->AddInterface(publicDevs.Get(0)), Ipv4InterfaceAddress("192.0.2.254", lan));
    dip->AddAddress(1, Ipv4InterfaceAddress(vip, lan));
    dip->AddAddress(dip->AddInterface(privateDevs.Get(0)), Ipv4InterfaceAddress("10.1.0.1", lan));
    dip->AddAddress(2, Ipv4InterfaceAddress(natGateway, lan));
    dip->SetUp(1);
    dip->SetUp(2);

    Ptr<Ipv4> gip = gateway.Get(0)->GetObject<Ipv4>();
    gip->AddAddress(gip->AddInterface(publicDevs.Get(1)), Ipv4InterfaceAddress("192.0.2.253", lan));
    gip->AddAddress(gip->AddInterface(privateDevs.Get(1)), Ipv4InterfaceAddress(plainGateway, lan));
    gip->SetUp(1);
    gip->SetUp(2);

    Ipv4InterfaceContainer clientIfs;
    for (uint32_t i = 0; i < p.clientNodes; ++i)
    {
        Ptr<Ipv4> ipv4 = clients.Get(i)->GetObject<Ipv4>();
        const Ipv4Address a(Ipv4Address("192.0.2.11").Get() + i);
        ipv4->AddAddress(ipv4->AddInterface(publicDevs.Get(2 + i)), Ipv4InterfaceAddress(a, lan));
        ipv4->SetUp(1);
        clientIfs.Add(ipv4, 1);
    }

    Ptr<LvsNatRouting> ipvs = LvsNatRoutingHelper::GetDirector(director.Get(0));
    lvs::ServiceConfig http;
    http.key = {lvs::Proto::kTcp, vip.Get(), port};
    http.scheduler = p.scheduler;
    ipvs->GetEngine().add_service(http);
    Ipv4StaticRoutingHelper staticRouting;
    for (uint32_t i = 0; i < p.servers; ++i)
    {
        Ptr<Ipv4> ipv4 = servers.Get(i)->GetObject<Ipv4>();
        const Ipv4Address a(Ipv4Address("10.1.0.11").Get() + i);
        ipv4->AddAddress(ipv4->AddInterface(privateDevs.Get(2 + i)), Ipv4InterfaceAddress(a, lan));
        ipv4->SetUp(1);
        if (directRouting)
        {
            // The VIP on the loopback: accepted as local, never answered for in ARP.
            ipv4->AddAddress(0, Ipv4InterfaceAddress(vip, Ipv4Mask::GetOnes()));
        }
        staticRouting.GetStaticRouting(ipv4)->SetDefaultRoute(
            directRouting ? plainGateway : natGateway, 1);

        lvs::RealServerConfig rs;
        rs.addr = a.Get();
        rs.port = port;
        rs.fwd = directRouting ? lvs::ForwardMethod::kDirectRoute : lvs::ForwardMethod::kMasq;
        ipvs->GetEngine().add_dest(http.key, rs);
    }

    LvsRealServerHelper serverHelper(port);
    serverHelper.SetAttribute("Workers", UintegerValue(32));
    ApplicationContainer serverApps = serverHelper.Install(servers);

    LvsClientHelper clientHelper(vip, port);
    clientHelper.SetAttribute("Rate", DoubleValue(p.rate));
    clientHelper.SetAttribute("Timeout", TimeValue(Seconds(1)));
    clientHelper.SetAttribute("IssueStop", TimeValue(Seconds(p.duration - 1)));
    clientHelper.SetAttribute("ResponseSize", StringValue("ns3::ConstantRandomVariable[Constant=" +
                                                          std::to_string(p.responseSize) + "]"));
    clientHelper.AssignAddresses(clients, Ipv4Address("198.51.100.1"), p.clientAddresses);
    // Both routers send replies to a client address down to its node.
    const Ptr<Ipv4StaticRouting> tables[] = {
        LvsNatRoutingHelper::GetStaticRouting(director.Get(0)),
        staticRouting.GetStaticRouting(gip),
    };
    for (const Ptr<Ipv4StaticRouting>& table : tables)
    {
        for (uint32_t i = 0; i < p.clientNodes; ++i)
        {
            for (const auto& [net, mask] : clientHelper.GetAddressPrefixes(clients.Get(i)))
            {
                table->AddNetworkRouteTo(net, mask, clientIfs.GetAddress(i), 1);
            }
        }
    }
    ApplicationContainer clientApps = clientHelper.Install(clients);
    clientApps.Start(Seconds(0.1));
    clientApps.Stop(Seconds(p.duration));
    LvsRealServerHelper::AssignStreams(serverApps, 100);
    LvsClientHelper::AssignStreams(clientApps, 200);

    Outcome out;
    gateway.Get(0)->GetObject<Ipv4L3Protocol>()->TraceConnectWithoutContext(
        "UnicastForward", MakeBoundCallback(&CountForward, &out.gatewayForwarded));

    Ptr<RouterCostModel> cpu = ipvs->GetCostModel();
    uint64_t dropsBeforeWindow = 0;
    Simulator::Schedule(Seconds(1),
                        [&dropsBeforeWindow, cpu]
                        {
                            dropsBeforeWindow = cpu->GetQueueDrops();
                            cpu->ResetStats(); // also restarts the drop counter
                        });
    Simulator::Schedule(Seconds(p.duration - 1),
                        [&out, cpu]
                        {
                            out.cpuUtilisation = cpu->GetUtilisation();
                        });
    Simulator::Stop(Seconds(p.duration));
    Simulator::Run();

    out.requests = clientHelper.GetRequestLog()->Summarize(Seconds(0), Seconds(p.duration));
    const lvs::StatsCounters& total = ipvs->GetEngine().total_stats();
    out.directorIn = total.inpkts;
    out.directorOut = total.outpkts;
    out.queueDrops = dropsBeforeWindow + cpu->GetQueueDrops();
    Simulator::Destroy();
    return out;
}

} // namespace

int
main(int argc, char* argv[])
{
    Parameters p;
    CommandLine cmd(__FILE__);
    cmd.AddValue("duration", "Simulated seconds per run (clients stop issuing 1 s before)",
                 p.duration);
    cmd.AddValue("rate", "Client requests per second (Poisson)", p.rate);
    cmd.AddValue("responseSize", "Response bytes", p.responseSize);
    cmd.AddValue("perPacket", "Director CPU time per packet, microseconds (one core)",
                 p.perPacketUs);
    cmd.AddValue("servers", "Real servers", p.servers);
    cmd.AddValue("scheduler", "IPVS scheduler", p.scheduler);
    cmd.AddValue("clientNodes", "ns-3 nodes carrying the client population", p.clientNodes);
    cmd.AddValue("clientAddresses", "Distinct client addresses, from 198.51.100.1",
                 p.clientAddresses);
    cmd.Parse(argc, argv);

    Config::SetDefault("ns3::ArpCache::PendingQueueSize", UintegerValue(1000));
    Config::SetDefault("ns3::ArpL3Protocol::RequestJitter",
                       StringValue("ns3::ConstantRandomVariable[Constant=0.0]"));
    Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(1448));

    std::cout << p.rate << " req/s, " << p.responseSize << " B responses, " << p.servers
              << " real servers (" << p.scheduler << "); director CPU " << p.perPacketUs
              << " us/packet on 1 core = " << 1e6 / p.perPacketUs / 1e3 << " kpps\n\n";
    std::cout << "mode  requests     ok  failed  p50 ms  p99 ms  director pkts in/out  CPU util  "
                 "queue drops  "
                 "gateway pkts\n";
    for (bool dr : {false, true})
    {
        const Outcome o = RunOnce(p, dr);
        const LvsRequestStats& s = o.requests;
        const uint64_t ok = s.Count(LvsRequestOutcome::kOk);
        std::ostringstream inOut;
        inOut << o.directorIn << "/" << o.directorOut;
        std::cout << std::fixed << std::setprecision(1) << std::left << std::setw(5)
                  << (dr ? "DR" : "NAT") << std::right << std::setw(9) << s.requests << std::setw(7)
                  << ok << std::setw(8) << s.requests - ok << std::setw(8) << s.p50 * 1e3
                  << std::setw(8) << s.p99 * 1e3 << std::setw(22) << inOut.str() << std::setw(9)
                  << 100 * o.cpuUtilisation << "%" << std::setw(13) << o.queueDrops << std::setw(14)
                  << o.gatewayForwarded << "\n";
    }
    return 0;
}
