/*
 * An active/backup LVS-NAT router pair, and what clients see when the active
 * router dies.
 *
 *   client nodes 192.0.2.11..   (client addresses 198.51.100.0/24 spread over them)
 *        |   public LAN 192.0.2.0/24, CSMA
 *   lvs1 (active)  eth0 192.0.2.2  + VIP 192.0.2.100      lvs2 (backup)  eth0 192.0.2.3
 *                  eth1 10.1.0.2   + NAT gateway 10.1.0.254              eth1 10.1.0.3
 *        |   private LAN 10.1.0.0/24, CSMA
 *   rs1 10.1.0.11  rs2 10.1.0.12  rs3 10.1.0.13   (default route via 10.1.0.254)
 *
 * Both directors carry the same virtual service; only the active one holds
 * the floating addresses (VIP on eth0:1, NAT gateway IP on eth1:1) and
 * forwards. At --failAt the active router loses power: its NICs receive
 * nothing and its interfaces go down. --takeover seconds later the backup
 * takes the floating addresses and starts forwarding, and the neighbours'
 * ARP caches are flushed. That takeover is scripted here; it stands in for
 * keepalived's VRRP (master-down interval 3 x advert_int + skew, about 3.6 s
 * with the defaults) and its gratuitous ARPs. No connection state is synced
 * (no ipvs sync daemon), so connections open through lvs1 are lost.
 *
 * The script prints, per second of request start, what the clients saw:
 * requests issued, ok, timed out, reset, refused, and the mean latency of the
 * ok ones. --takeover=-1 leaves the service down after the failure.
 *
 *   ./build/bin/lvs-active-backup --duration=12 --rate=100 --failAt=5 --takeover=3.6
 */

#include "helper/lvs-client-helper.h"
#include "helper/lvs-nat-routing-helper.h"
#include "helper/lvs-real-server-helper.h"
#include "model/lvs-request-log.h"

#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

#include <array>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>

using namespace ns3;

NS_LOG_COMPONENT_DEFINE("LvsActiveBackup");

namespace
{

const Ipv4Address kVip("192.0.2.100");
const Ipv4Address kNatGateway("10.1.0.254");
const Ipv4Mask kLan("255.255.255.0");

/// The active router loses power: nothing in, nothing out, no forwarding.
void
PowerOff(Ptr<Node> router, NetDeviceContainer nics)
{
    NS_LOG_INFO(Simulator::Now().As(Time::S) << " router " << router->GetId() << " fails");
    for (uint32_t i = 0; i < nics.GetN(); ++i)
    {
        Ptr<RateErrorModel> deaf = CreateObject<RateErrorModel>();
        deaf->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
        deaf->SetRate(1.0);
        nics.Get(i)->SetAttribute("ReceiveErrorModel", PointerValue(deaf));
    }
    Ptr<Ipv4> ipv4 = router->GetObject<Ipv4>();
    ipv4->SetDown(1);
    ipv4->SetDown(2);
    LvsNatRoutingHelper::GetDirector(router)->SetEnabled(false);
}

/// What VRRP does when the backup becomes master: take the floating
/// addresses, forward, and announce the move (gratuitous ARP, here a flush of
/// every neighbour's ARP cache so that they ask again).
void
TakeOver(Ptr<Node> router, NodeContainer neighbours)
{
    NS_LOG_INFO(Simulator::Now().As(Time::S) << " router " << router->GetId() << " takes over");
    Ptr<Ipv4> ipv4 = router->GetObject<Ipv4>();
    ipv4->AddAddress(1, Ipv4InterfaceAddress(kVip, kLan));
    ipv4->AddAddress(2, Ipv4InterfaceAddress(kNatGateway, kLan));
    LvsNatRoutingHelper::GetDirector(router)->SetEnabled(true);
    for (uint32_t n = 0; n < neighbours.GetN(); ++n)
    {
        Ptr<Ipv4L3Protocol> l3 = neighbours.Get(n)->GetObject<Ipv4L3Protocol>();
        for (uint32_t i = 1; i < l3->GetNInterfaces(); ++i)
        {
            l3->GetInterface(i)->GetArpCache()->Flush();
        }
    }
}

} // namespace

int
main(int argc, char* argv[])
{
    double duration = 12;
    double rate = 100;
    double failAt = 5;
    double takeover = 3.6;
    double timeout = 2;
    std::string scheduler = "wlc";
    uint32_t clientNodes = 2;
    uint32_t clientAddresses = 254;

    CommandLine cmd(__FILE__);
    cmd.AddValue("duration", "Simulated seconds (clients stop issuing `timeout` s before)",
                 duration);
    cmd.AddValue("rate", "Client requests per second (Poisson, all client nodes)", rate);
    cmd.AddValue("failAt", "When the active router fails, s", failAt);
    cmd.AddValue("takeover", "Seconds from the failure until the backup takes over; -1: never",
                 takeover);
    cmd.AddValue("timeout", "A request without its response by then is a timeout, s", timeout);
    cmd.AddValue("scheduler", "IPVS scheduler of the virtual service", scheduler);
    cmd.AddValue("clientNodes", "ns-3 nodes carrying the client population", clientNodes);
    cmd.AddValue("clientAddresses", "Distinct client addresses, from 198.51.100.1",
                 clientAddresses);
    cmd.Parse(argc, argv);

    Config::SetDefault("ns3::ArpCache::PendingQueueSize", UintegerValue(1000));
    Config::SetDefault("ns3::ArpL3Protocol::RequestJitter",
                       StringValue("ns3::ConstantRandomVariable[Constant=0.0]"));

    const uint16_t port = 80;
    const std::array<Ipv4Address, 2> routerPublic = {Ipv4Address("192.0.2.2"),
                                                     Ipv4Address("192.0.2.3")};
    const std::array<Ipv4Address, 2> routerPrivate = {Ipv4Address("10.1.0.2"),
                                                      Ipv4Address("10.1.0.3")};

    NodeContainer routers;
    routers.Create(2);
    NodeContainer clients;
    clients.Create(clientNodes);
    NodeContainer servers;
    servers.Create(3);

    CsmaHelper csma;
    csma.SetChannelAttribute("DataRate", StringValue("1Gbps"));
    csma.SetChannelAttribute("Delay", TimeValue(MicroSeconds(5)));
    NetDeviceContainer publicDevs = csma.Install(NodeContainer(routers, clients));
    NetDeviceContainer privateDevs = csma.Install(NodeContainer(routers, servers));

    InternetStackHelper stack;
    stack.Install(clients);
    stack.Install(servers);

    // Both routers: a director each, the same service, their own addresses.
    lvs::ServiceConfig http;
    http.key = {lvs::Proto::kTcp, kVip.Get(), port};
    http.scheduler = scheduler;
    for (uint32_t r = 0; r < 2; ++r)
    {
        Ptr<Node> router = routers.Get(r);
        lvs::EngineConfig cfg;
        cfg.local_addrs = {routerPublic[r].Get(), routerPrivate[r].Get(), kVip.Get(),
                           kNatGateway.Get()};
        cfg.inside_nets = {{Ipv4Address("10.1.0.0").Get(), lvs::prefix_mask(24)}};
        cfg.masq_addr = routerPublic[r].Get();
        LvsNatRoutingHelper lvsHelper;
        lvsHelper.SetEngineConfig(cfg);
        lvsHelper.SetInterfaces(1, 2);
        lvsHelper.SetCostModel("ipvs-nat");
        lvsHelper.Install(router);

        Ptr<Ipv4> ipv4 = router->GetObject<Ipv4>();
        ipv4->AddAddress(ipv4->AddInterface(publicDevs.Get(r)),
                         Ipv4InterfaceAddress(routerPublic[r], kLan));
        ipv4->AddAddress(ipv4->AddInterface(privateDevs.Get(r)),
                         Ipv4InterfaceAddress(routerPrivate[r], kLan));
        ipv4->SetUp(1);
        ipv4->SetUp(2);

        Ptr<LvsNatRouting> ipvs = LvsNatRoutingHelper::GetDirector(router);
        if (!ipvs->GetEngine().add_service(http))
        {
            std::cerr << "unknown scheduler: " << scheduler << "\n";
            return 1;
        }
        for (uint32_t s = 0; s < servers.GetN(); ++s)
        {
            lvs::RealServerConfig rs;
            rs.addr = Ipv4Address(0x0a01000b + s).Get(); // 10.1.0.11 + s
            rs.port = port;
            rs.fwd = lvs::ForwardMethod::kMasq;
            ipvs->GetEngine().add_dest(http.key, rs);
        }
        // lvs1 starts as master with the floating addresses; lvs2 waits.
        if (r == 0)
        {
            ipv4->AddAddress(1, Ipv4InterfaceAddress(kVip, kLan));
            ipv4->AddAddress(2, Ipv4InterfaceAddress(kNatGateway, kLan));
        }
        ipvs->SetEnabled(r == 0);
    }

    NetDeviceContainer clientDevs;
    for (uint32_t i = 0; i < clientNodes; ++i)
    {
        clientDevs.Add(publicDevs.Get(2 + i));
    }
    Ipv4AddressHelper publicAddresses("192.0.2.0", "255.255.255.0", "0.0.0.11");
    Ipv4InterfaceContainer clientIfs = publicAddresses.Assign(clientDevs);
    NetDeviceContainer serverDevs(privateDevs.Get(2), privateDevs.Get(3));
    serverDevs.Add(privateDevs.Get(4));
    Ipv4AddressHelper privateAddresses("10.1.0.0", "255.255.255.0", "0.0.0.11");
    privateAddresses.Assign(serverDevs);
    Ipv4StaticRoutingHelper staticRouting;
    for (uint32_t s = 0; s < servers.GetN(); ++s)
    {
        staticRouting.GetStaticRouting(servers.Get(s)->GetObject<Ipv4>())
            ->SetDefaultRoute(kNatGateway, 1);
    }

    LvsRealServerHelper serverHelper(port);
    lvs::scenario::Distribution serviceTime;
    serviceTime.kind = lvs::scenario::Distribution::Kind::kExponential;
    serviceTime.mean = 0.005;
    serverHelper.SetServiceTime(serviceTime);
    ApplicationContainer serverApps = serverHelper.Install(servers);
    serverApps.Start(Seconds(0));

    LvsClientHelper clientHelper(kVip, port);
    clientHelper.SetAttribute("Rate", DoubleValue(rate));
    clientHelper.SetAttribute("Timeout", TimeValue(Seconds(timeout)));
    clientHelper.SetAttribute("IssueStop", TimeValue(Seconds(duration - timeout)));
    clientHelper.AssignAddresses(clients, Ipv4Address("198.51.100.1"), clientAddresses);
    for (uint32_t r = 0; r < 2; ++r)
    {
        for (uint32_t i = 0; i < clientNodes; ++i)
        {
            for (const auto& [net, mask] : clientHelper.GetAddressPrefixes(clients.Get(i)))
            {
                LvsNatRoutingHelper::GetStaticRouting(routers.Get(r))
                    ->AddNetworkRouteTo(net, mask, clientIfs.GetAddress(i), 1);
            }
        }
    }
    ApplicationContainer clientApps = clientHelper.Install(clients);
    clientApps.Start(Seconds(0.1));
    clientApps.Stop(Seconds(duration));
    LvsRealServerHelper::AssignStreams(serverApps, 100);
    LvsClientHelper::AssignStreams(clientApps, 200);

    NetDeviceContainer lvs1Nics(publicDevs.Get(0), privateDevs.Get(0));
    Simulator::Schedule(Seconds(failAt), &PowerOff, routers.Get(0), lvs1Nics);
    if (takeover >= 0)
    {
        Simulator::Schedule(Seconds(failAt + takeover), &TakeOver, routers.Get(1),
                            NodeContainer(clients, servers));
    }

    Simulator::Stop(Seconds(duration));
    Simulator::Run();

    // Per second of request start: what the clients saw.
    struct Second
    {
        std::array<uint64_t, kLvsRequestOutcomes> outcomes{};
        double okLatency = 0;
    };
    std::map<int64_t, Second> bySecond;
    double lastOkBeforeFailure = -1;
    double firstOkAfterFailure = -1;
    for (const LvsRequestRecord& r : clientHelper.GetRequestLog()->Records())
    {
        const double start = r.startNs * 1e-9;
        Second& s = bySecond[static_cast<int64_t>(std::floor(start))];
        ++s.outcomes[static_cast<size_t>(r.outcome)];
        if (r.outcome != LvsRequestOutcome::kOk)
        {
            continue;
        }
        s.okLatency += r.LatencySeconds();
        if (start < failAt)
        {
            lastOkBeforeFailure = std::max(lastOkBeforeFailure, start);
        }
        else if (firstOkAfterFailure < 0 || start < firstOkAfterFailure)
        {
            firstOkAfterFailure = start;
        }
    }

    std::cout << "Active/backup LVS-NAT pair, " << scheduler << ", " << rate
              << " req/s; lvs1 fails at " << failAt << " s, ";
    if (takeover >= 0)
    {
        std::cout << "lvs2 takes over at " << failAt + takeover << " s\n\n";
    }
    else
    {
        std::cout << "no takeover\n\n";
    }
    std::cout << "start s  issued      ok  timeout  reset  refused  ok latency ms\n";
    std::cout << std::fixed;
    for (const auto& [second, s] : bySecond)
    {
        uint64_t issued = 0;
        for (uint64_t n : s.outcomes)
        {
            issued += n;
        }
        const uint64_t ok = s.outcomes[static_cast<size_t>(LvsRequestOutcome::kOk)];
        std::cout << std::setw(4) << second << "-" << std::left << std::setw(3) << second + 1
                  << std::right << std::setw(7) << issued << std::setw(8) << ok << std::setw(9)
                  << s.outcomes[static_cast<size_t>(LvsRequestOutcome::kTimeout)] << std::setw(7)
                  << s.outcomes[static_cast<size_t>(LvsRequestOutcome::kReset)] << std::setw(9)
                  << s.outcomes[static_cast<size_t>(LvsRequestOutcome::kRefused)] << std::setw(15)
                  << std::setprecision(2) << (ok ? 1e3 * s.okLatency / ok : 0.0) << "\n";
    }
    std::cout << std::setprecision(3)
              << "\nlast ok request started before the failure: " << lastOkBeforeFailure
              << " s; first ok request started after it: ";
    if (firstOkAfterFailure >= 0)
    {
        std::cout << firstOkAfterFailure << " s; outage seen by clients "
                  << firstOkAfterFailure - lastOkBeforeFailure << " s\n";
    }
    else
    {
        std::cout << "none\n";
    }

    for (uint32_t r = 0; r < 2; ++r)
    {
        Ptr<LvsNatRouting> ipvs = LvsNatRoutingHelper::GetDirector(routers.Get(r));
        std::cout << "\nlvs" << r + 1 << ": " << ipvs->GetForwarded() << " packets forwarded, "
                  << ipvs->GetDisabledDrops() << " refused while not master, peak "
                  << ipvs->GetPeakConnections() << " connections\n"
                  << ipvs->GetIpvsadmStats();
    }

    Simulator::Destroy();
    return 0;
}
