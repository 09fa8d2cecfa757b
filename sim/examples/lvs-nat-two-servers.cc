/*
 * The textbook LVS-NAT cluster: clients on the public LAN, one director with
 * the VIP on eth0 and the NAT gateway IP on eth1, two real servers on the
 * private LAN whose default route is the NAT gateway IP.
 *
 *   client nodes 192.0.2.11..   (client addresses 198.51.100.0/24 spread over them)
 *        |   public LAN 192.0.2.0/24, CSMA
 *   director  eth0 192.0.2.254  + VIP 192.0.2.100
 *             eth1 10.1.0.1     + NAT gateway IP 10.1.0.254
 *        |   private LAN 10.1.0.0/24, CSMA
 *   rs1 10.1.0.11   rs2 10.1.0.12   (default route via 10.1.0.254)
 *
 * The director's engine is configured as
 *   ipvsadm -A -t 192.0.2.100:80 -s wrr
 *   ipvsadm -a -t 192.0.2.100:80 -r 10.1.0.11:80 -m -w 3
 *   ipvsadm -a -t 192.0.2.100:80 -r 10.1.0.12:80 -m -w 1
 * Clients open one TCP connection per request (Poisson arrivals). At the end
 * the script prints what clients saw, each real server's share of the
 * connections, the director's counters and its `ipvsadm -L -n --stats`.
 *
 *   ./build/bin/lvs-nat-two-servers --duration=10 --rate=200 --scheduler=wrr \
 *       --weight1=3 --weight2=1 --costProfile=ipvs-nat
 */

#include "helper/lvs-client-helper.h"
#include "helper/lvs-nat-routing-helper.h"
#include "helper/lvs-real-server-helper.h"
#include "model/lvs-real-server.h"
#include "model/lvs-request-log.h"

#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

#include <iomanip>
#include <iostream>
#include <sstream>

using namespace ns3;

NS_LOG_COMPONENT_DEFINE("LvsNatTwoServers");

int
main(int argc, char* argv[])
{
    double duration = 10;
    double rate = 200;
    std::string scheduler = "wrr";
    uint32_t weight1 = 3;
    uint32_t weight2 = 1;
    double speed2 = 1;
    double serviceTimeMs = 5;
    uint32_t workers = 8;
    uint32_t clientNodes = 2;
    uint32_t clientAddresses = 254;
    std::string costProfile = "ipvs-nat";
    bool pcap = false;

    CommandLine cmd(__FILE__);
    cmd.AddValue("duration", "Simulated seconds (clients stop issuing 1 s before)", duration);
    cmd.AddValue("rate", "Client requests per second (Poisson, all client nodes)", rate);
    cmd.AddValue("scheduler",
                 "IPVS scheduler of the virtual service (rr, wrr, lc, wlc, sh, mh, ...)",
                 scheduler);
    cmd.AddValue("weight1", "Weight of real server 1", weight1);
    cmd.AddValue("weight2", "Weight of real server 2", weight2);
    cmd.AddValue("speed2", "Speed factor of real server 2 (service times are divided by it)",
                 speed2);
    cmd.AddValue("serviceTime", "Mean service time of a request, ms (exponential)", serviceTimeMs);
    cmd.AddValue("workers", "Requests each real server serves at once", workers);
    cmd.AddValue("clientNodes", "ns-3 nodes carrying the client population", clientNodes);
    cmd.AddValue("clientAddresses", "Distinct client addresses, from 198.51.100.1",
                 clientAddresses);
    cmd.AddValue("costProfile", "Director CPU cost profile: ipvs-nat or none", costProfile);
    cmd.AddValue("pcap", "Write director-eth0/eth1 pcaps to lvs-nat-two-servers-*.pcap", pcap);
    cmd.Parse(argc, argv);

    // A burst of first SYNs waits for one ARP reply: keep them all, and ask at once.
    Config::SetDefault("ns3::ArpCache::PendingQueueSize", UintegerValue(1000));
    Config::SetDefault("ns3::ArpL3Protocol::RequestJitter",
                       StringValue("ns3::ConstantRandomVariable[Constant=0.0]"));

    const Ipv4Address vip("192.0.2.100");
    const Ipv4Address directorPublic("192.0.2.254");
    const Ipv4Address directorPrivate("10.1.0.1");
    const Ipv4Address natGateway("10.1.0.254");
    const Ipv4Mask lan("255.255.255.0");
    const uint16_t port = 80;

    NodeContainer director;
    director.Create(1);
    NodeContainer clients;
    clients.Create(clientNodes);
    NodeContainer servers;
    servers.Create(2);

    CsmaHelper csma;
    csma.SetChannelAttribute("DataRate", StringValue("1Gbps"));
    csma.SetChannelAttribute("Delay", TimeValue(MicroSeconds(5)));
    NetDeviceContainer publicDevs = csma.Install(NodeContainer(director, clients));
    NetDeviceContainer privateDevs = csma.Install(NodeContainer(director, servers));

    // The director: the Internet stack with LvsNatRouting on top of static routing.
    lvs::EngineConfig engineConfig;
    engineConfig.local_addrs = {vip.Get(), directorPublic.Get(), directorPrivate.Get(),
                                natGateway.Get()};
    engineConfig.inside_nets = {{Ipv4Address("10.1.0.0").Get(), lvs::prefix_mask(24)}};
    engineConfig.masq_addr = directorPublic.Get();
    LvsNatRoutingHelper lvsHelper;
    lvsHelper.SetEngineConfig(engineConfig);
    lvsHelper.SetInterfaces(1, 2); // eth0, eth1: added in that order below
    lvsHelper.SetCostModel(costProfile);
    lvsHelper.Install(director);

    InternetStackHelper stack;
    stack.Install(clients);
    stack.Install(servers);

    // eth0 and eth1 with their aliases eth0:1 (VIP) and eth1:1 (NAT gateway IP).
    Ptr<Ipv4> dip = director.Get(0)->GetObject<Ipv4>();
    const uint32_t eth0 = dip->AddInterface(publicDevs.Get(0));
    dip->AddAddress(eth0, Ipv4InterfaceAddress(directorPublic, lan));
    dip->AddAddress(eth0, Ipv4InterfaceAddress(vip, lan));
    dip->SetUp(eth0);
    const uint32_t eth1 = dip->AddInterface(privateDevs.Get(0));
    dip->AddAddress(eth1, Ipv4InterfaceAddress(directorPrivate, lan));
    dip->AddAddress(eth1, Ipv4InterfaceAddress(natGateway, lan));
    dip->SetUp(eth1);

    NetDeviceContainer clientDevs;
    for (uint32_t i = 0; i < clientNodes; ++i)
    {
        clientDevs.Add(publicDevs.Get(i + 1));
    }
    Ipv4AddressHelper publicAddresses("192.0.2.0", "255.255.255.0", "0.0.0.11");
    Ipv4InterfaceContainer clientIfs = publicAddresses.Assign(clientDevs);
    NetDeviceContainer serverDevs(privateDevs.Get(1), privateDevs.Get(2));
    Ipv4AddressHelper privateAddresses("10.1.0.0", "255.255.255.0", "0.0.0.11");
    Ipv4InterfaceContainer serverIfs = privateAddresses.Assign(serverDevs);
    Ipv4StaticRoutingHelper staticRouting;
    for (uint32_t i = 0; i < servers.GetN(); ++i)
    {
        // LVS-NAT: replies must go back through the director.
        staticRouting.GetStaticRouting(servers.Get(i)->GetObject<Ipv4>())
            ->SetDefaultRoute(natGateway, 1);
    }

    // The service, as ipvsadm would add it.
    Ptr<LvsNatRouting> ipvs = LvsNatRoutingHelper::GetDirector(director.Get(0));
    lvs::ServiceConfig http;
    http.key = {lvs::Proto::kTcp, vip.Get(), port};
    http.scheduler = scheduler;
    if (!ipvs->GetEngine().add_service(http))
    {
        std::cerr << "unknown scheduler: " << scheduler << "\n";
        return 1;
    }
    const uint32_t weights[] = {weight1, weight2};
    for (uint32_t i = 0; i < servers.GetN(); ++i)
    {
        lvs::RealServerConfig rs;
        rs.addr = serverIfs.GetAddress(i).Get();
        rs.port = port;
        rs.weight = static_cast<int32_t>(weights[i]);
        rs.fwd = lvs::ForwardMethod::kMasq;
        ipvs->GetEngine().add_dest(http.key, rs);
    }

    // Real servers: `workers` at a time, exponential service times.
    lvs::scenario::Distribution serviceTime;
    serviceTime.kind = lvs::scenario::Distribution::Kind::kExponential;
    serviceTime.mean = serviceTimeMs / 1000;
    LvsRealServerHelper serverHelper(port);
    serverHelper.SetServiceTime(serviceTime);
    serverHelper.SetAttribute("Workers", UintegerValue(workers));
    ApplicationContainer serverApps = serverHelper.Install(servers.Get(0));
    serverHelper.SetAttribute("Speed", DoubleValue(speed2));
    serverApps.Add(serverHelper.Install(servers.Get(1)));
    serverApps.Start(Seconds(0));

    // Clients: a block of addresses per node; the director routes each block back.
    LvsClientHelper clientHelper(vip, port);
    clientHelper.SetAttribute("Rate", DoubleValue(rate));
    clientHelper.SetAttribute("Timeout", TimeValue(Seconds(2)));
    clientHelper.SetAttribute("IssueStop", TimeValue(Seconds(duration - 1)));
    clientHelper.SetAttribute("ResponseSize",
                              StringValue("ns3::ConstantRandomVariable[Constant=2000]"));
    clientHelper.AssignAddresses(clients, Ipv4Address("198.51.100.1"), clientAddresses);
    for (uint32_t i = 0; i < clientNodes; ++i)
    {
        for (const auto& [net, mask] : clientHelper.GetAddressPrefixes(clients.Get(i)))
        {
            LvsNatRoutingHelper::GetStaticRouting(director.Get(0))
                ->AddNetworkRouteTo(net, mask, clientIfs.GetAddress(i), eth0);
        }
    }
    ApplicationContainer clientApps = clientHelper.Install(clients);
    clientApps.Start(Seconds(0.1));
    clientApps.Stop(Seconds(duration));
    LvsRealServerHelper::AssignStreams(serverApps, 100);
    LvsClientHelper::AssignStreams(clientApps, 200);

    if (pcap)
    {
        csma.EnablePcap("lvs-nat-two-servers-eth0", publicDevs.Get(0), true);
        csma.EnablePcap("lvs-nat-two-servers-eth1", privateDevs.Get(0), true);
    }

    NS_LOG_INFO("Run " << duration << " s at " << rate << " req/s, " << scheduler);
    // Two more seconds with no traffic: ipvsadm --stats prints what the
    // director's 2 s rate estimator last sampled, as the kernel's does.
    Simulator::Stop(Seconds(duration + 2));
    Simulator::Run();

    const LvsRequestStats s = clientHelper.GetRequestLog()->Summarize();
    std::cout << std::fixed << std::setprecision(1);
    std::cout << "LVS-NAT, " << scheduler << ", " << duration << " s, " << rate
              << " req/s offered from " << clientAddresses << " client addresses on " << clientNodes
              << " nodes\n\n";
    std::cout << "clients: " << s.requests << " requests, " << s.Count(LvsRequestOutcome::kOk)
              << " ok, " << s.Count(LvsRequestOutcome::kTimeout) << " timeout, "
              << s.Count(LvsRequestOutcome::kReset) << " reset, "
              << s.Count(LvsRequestOutcome::kRefused) << " refused; latency ms p50 " << s.p50 * 1e3
              << " p99 " << s.p99 * 1e3 << " max " << s.maxLatency * 1e3 << "\n\n";

    uint64_t accepted = 0;
    for (uint32_t i = 0; i < serverApps.GetN(); ++i)
    {
        accepted += DynamicCast<LvsRealServer>(serverApps.Get(i))->GetConnectionsAccepted();
    }
    std::cout << "real server   weight  speed  conns (ipvs)  conns (server)  share  weight share  "
                 "busy workers\n";
    for (uint32_t i = 0; i < serverApps.GetN(); ++i)
    {
        Ptr<LvsRealServer> app = DynamicCast<LvsRealServer>(serverApps.Get(i));
        const lvs::RealServer* dest =
            ipvs->GetEngine().find_dest(http.key, serverIfs.GetAddress(i).Get(), port);
        std::ostringstream address;
        address << serverIfs.GetAddress(i);
        const double share = accepted ? 100.0 * app->GetConnectionsAccepted() / accepted : 0;
        std::cout << std::left << std::setw(12) << address.str() << std::right << std::setw(8)
                  << weights[i] << std::setw(7) << (i == 0 ? 1.0 : speed2) << std::setw(14)
                  << (dest ? dest->stats.live().conns : 0) << std::setw(16)
                  << app->GetConnectionsAccepted() << std::setw(6) << share << "%" << std::setw(13)
                  << 100.0 * weights[i] / (weight1 + weight2) << "%" << std::setw(13)
                  << 100 * app->GetBusyWorkerSeconds() / (workers * duration) << "%\n";
    }

    std::cout << "\ndirector: " << ipvs->GetForwarded() << " packets forwarded, peak "
              << ipvs->GetPeakConnections() << " connections, " << ipvs->GetEngineDropsTotal()
              << " engine drops, " << ipvs->GetQueueDrops() << " CPU queue drops";
    if (Ptr<RouterCostModel> cpu = ipvs->GetCostModel(); cpu && !cpu->IsFree())
    {
        std::cout << ", CPU utilisation " << std::setprecision(2) << 100 * cpu->GetUtilisation()
                  << "% (" << cpu->GetProfileName() << ")";
    }
    std::cout << "\n\n" << ipvs->GetIpvsadmStats();

    Simulator::Destroy();
    return 0;
}
