#include "lvs-client-block-routing.h"

#include <ns3/abort.h>
#include <ns3/ipv4.h>
#include <ns3/log.h>
#include <ns3/output-stream-wrapper.h>

#include <algorithm>

namespace ns3 {

NS_LOG_COMPONENT_DEFINE("LvsClientBlockRouting");
NS_OBJECT_ENSURE_REGISTERED(LvsClientBlockRouting);

TypeId
LvsClientBlockRouting::GetTypeId()
{
    static TypeId tid = TypeId("ns3::LvsClientBlockRouting")
                            .SetParent<Ipv4RoutingProtocol>()
                            .SetGroupName("Lvs")
                            .AddConstructor<LvsClientBlockRouting>();
    return tid;
}

void
LvsClientBlockRouting::AddBlock(Ipv4Address first,
                                uint32_t count,
                                Ipv4Address gateway,
                                uint32_t interface)
{
    if (count == 0)
    {
        return;
    }
    Block b{first.Get(), count, gateway, interface};
    auto at = std::upper_bound(m_blocks.begin(), m_blocks.end(), b.first, [](uint32_t a, const Block& o) {
        return a < o.first;
    });
    NS_ABORT_MSG_IF(at != m_blocks.begin() && std::prev(at)->first + std::prev(at)->count > b.first,
                    "LvsClientBlockRouting: block at " << first << " overlaps another");
    NS_ABORT_MSG_IF(at != m_blocks.end() && b.first + b.count > at->first,
                    "LvsClientBlockRouting: block at " << first << " overlaps another");
    m_blocks.insert(at, b);
}

uint32_t
LvsClientBlockRouting::GetNBlocks() const
{
    return static_cast<uint32_t>(m_blocks.size());
}

const LvsClientBlockRouting::Block*
LvsClientBlockRouting::Find(Ipv4Address destination) const
{
    const uint32_t d = destination.Get();
    auto at = std::upper_bound(m_blocks.begin(), m_blocks.end(), d, [](uint32_t a, const Block& o) {
        return a < o.first;
    });
    if (at == m_blocks.begin())
    {
        return nullptr;
    }
    const Block& b = *std::prev(at);
    if (d - b.first >= b.count || !m_ipv4->IsUp(b.interface))
    {
        return nullptr;
    }
    return &b;
}

Ptr<Ipv4Route>
LvsClientBlockRouting::MakeRoute(const Block& b, Ipv4Address destination) const
{
    Ptr<Ipv4Route> r = Create<Ipv4Route>();
    r->SetDestination(destination);
    r->SetGateway(b.gateway);
    r->SetSource(m_ipv4->GetAddress(b.interface, 0).GetLocal());
    r->SetOutputDevice(m_ipv4->GetNetDevice(b.interface));
    return r;
}

Ptr<Ipv4Route>
LvsClientBlockRouting::RouteOutput(Ptr<Packet>,
                                   const Ipv4Header& header,
                                   Ptr<NetDevice> oif,
                                   Socket::SocketErrno& sockerr)
{
    const Block* b = Find(header.GetDestination());
    if (!b || (oif && oif != m_ipv4->GetNetDevice(b->interface)))
    {
        sockerr = Socket::ERROR_NOROUTETOHOST;
        return nullptr;
    }
    sockerr = Socket::ERROR_NOTERROR;
    return MakeRoute(*b, header.GetDestination());
}

bool
LvsClientBlockRouting::RouteInput(Ptr<const Packet> p,
                                  const Ipv4Header& header,
                                  Ptr<const NetDevice> idev,
                                  UnicastForwardCallback ucb,
                                  MulticastForwardCallback,
                                  LocalDeliverCallback,
                                  ErrorCallback ecb)
{
    const Block* b = Find(header.GetDestination());
    if (!b)
    {
        return false;
    }
    // As Ipv4StaticRouting: a packet that may not be forwarded is an error.
    if (!m_ipv4->IsForwarding(m_ipv4->GetInterfaceForDevice(idev)))
    {
        ecb(p, header, Socket::ERROR_NOROUTETOHOST);
        return true;
    }
    ucb(MakeRoute(*b, header.GetDestination()), p, header);
    return true;
}

void
LvsClientBlockRouting::NotifyInterfaceUp(uint32_t)
{
}

void
LvsClientBlockRouting::NotifyInterfaceDown(uint32_t)
{
}

void
LvsClientBlockRouting::NotifyAddAddress(uint32_t, Ipv4InterfaceAddress)
{
}

void
LvsClientBlockRouting::NotifyRemoveAddress(uint32_t, Ipv4InterfaceAddress)
{
}

void
LvsClientBlockRouting::SetIpv4(Ptr<Ipv4> ipv4)
{
    m_ipv4 = ipv4;
}

void
LvsClientBlockRouting::PrintRoutingTable(Ptr<OutputStreamWrapper> stream, Time::Unit) const
{
    std::ostream& os = *stream->GetStream();
    os << "LvsClientBlockRouting: " << m_blocks.size() << " client blocks\n";
    for (const Block& b : m_blocks)
    {
        os << "  " << Ipv4Address(b.first) << " + " << b.count << " via " << b.gateway
           << " if " << b.interface << "\n";
    }
}

void
LvsClientBlockRouting::DoDispose()
{
    m_ipv4 = nullptr;
    m_blocks.clear();
    Ipv4RoutingProtocol::DoDispose();
}

} // namespace ns3
