#pragma once
// A director-less test world: client nodes and real-server nodes on one CSMA
// LAN. Client nodes carry address blocks (LvsClientHelper::AssignAddresses);
// servers route those blocks to the client nodes' LAN addresses.

#include "helper/lvs-client-helper.h"
#include "helper/lvs-real-server-helper.h"
#include "model/lvs-client.h"
#include "model/lvs-real-server.h"

#include <ns3/core-module.h>
#include <ns3/csma-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>

namespace lvs_apps_test {

struct LanWorld
{
    ns3::NodeContainer clients;
    ns3::NodeContainer servers;
    ns3::Ipv4InterfaceContainer clientIfs;
    ns3::Ipv4InterfaceContainer serverIfs;

    // `clientAddresses` > 0 spreads that many addresses from 11.0.0.0 over the client nodes.
    LanWorld(uint32_t nClients, uint32_t nServers, uint32_t clientAddresses = 0,
             ns3::LvsClientHelper* helper = nullptr)
    {
        using namespace ns3;
        RngSeedManager::SetSeed(7);
        RngSeedManager::SetRun(1);
        // ns-3 keeps 3 packets per unresolved ARP entry: a burst of first SYNs
        // would lose the rest and stall for the 3 s SYN timeout.
        Config::SetDefault("ns3::ArpCache::PendingQueueSize", UintegerValue(1000));
        clients.Create(nClients);
        servers.Create(nServers);
        NodeContainer all(clients, servers);
        InternetStackHelper inet;
        inet.Install(all);
        CsmaHelper csma;
        csma.SetChannelAttribute("DataRate", StringValue("1Gbps"));
        csma.SetChannelAttribute("Delay", TimeValue(MicroSeconds(50)));
        NetDeviceContainer devs = csma.Install(all);
        Ipv4AddressHelper ah("10.0.0.0", "255.255.0.0");
        Ipv4InterfaceContainer ifs = ah.Assign(devs);
        for (uint32_t i = 0; i < nClients; ++i)
        {
            clientIfs.Add(ifs.Get(i));
        }
        for (uint32_t i = 0; i < nServers; ++i)
        {
            serverIfs.Add(ifs.Get(nClients + i));
        }
        if (clientAddresses > 0 && helper)
        {
            helper->AssignAddresses(clients, Ipv4Address("11.0.0.0"), clientAddresses);
            Ipv4StaticRoutingHelper sh;
            for (uint32_t s = 0; s < nServers; ++s)
            {
                auto rt = sh.GetStaticRouting(servers.Get(s)->GetObject<Ipv4>());
                for (uint32_t c = 0; c < nClients; ++c)
                {
                    for (const auto& [net, mask] : helper->GetAddressPrefixes(clients.Get(c)))
                    {
                        rt->AddNetworkRouteTo(net, mask, clientIfs.GetAddress(c), 1);
                    }
                }
            }
        }
    }

    ns3::Ipv4Address Server(uint32_t i) const
    {
        return serverIfs.GetAddress(i);
    }
};

inline lvs::scenario::Distribution
Constant(double v)
{
    lvs::scenario::Distribution d;
    d.kind = lvs::scenario::Distribution::Kind::kConstant;
    d.mean = v;
    return d;
}

inline lvs::scenario::Distribution
Exponential(double mean)
{
    lvs::scenario::Distribution d;
    d.kind = lvs::scenario::Distribution::Kind::kExponential;
    d.mean = mean;
    return d;
}

} // namespace lvs_apps_test
