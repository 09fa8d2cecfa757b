#include "lvs-client-address-routing.h"

#include <ns3/ipv4-route.h>
#include <ns3/ipv4.h>
#include <ns3/log.h>
#include <ns3/output-stream-wrapper.h>

namespace ns3 {

NS_LOG_COMPONENT_DEFINE("LvsClientAddressRouting");
NS_OBJECT_ENSURE_REGISTERED(LvsClientAddressRouting);

TypeId
LvsClientAddressRouting::GetTypeId()
{
    static TypeId tid = TypeId("ns3::LvsClientAddressRouting")
                            .SetParent<LvsWrappingRouting>()
                            .SetGroupName("Lvs")
                            .AddConstructor<LvsClientAddressRouting>();
    return tid;
}

LvsClientAddressRouting::LvsClientAddressRouting(Ptr<Ipv4RoutingProtocol> inner,
                                                 Ipv4Address first,
                                                 uint32_t count)
    : m_first(first.Get()),
      m_count(count)
{
    SetInnerRouting(inner);
}

void
LvsClientAddressRouting::SetInner(Ptr<Ipv4RoutingProtocol> inner)
{
    SetInnerRouting(inner);
}

Ptr<Ipv4RoutingProtocol>
LvsClientAddressRouting::GetInner() const
{
    return GetInnerRouting();
}

void
LvsClientAddressRouting::SetBlock(Ipv4Address first, uint32_t count)
{
    m_first = first.Get();
    m_count = count;
}

Ipv4Address
LvsClientAddressRouting::GetFirstAddress() const
{
    return Ipv4Address(m_first);
}

uint32_t
LvsClientAddressRouting::GetAddressCount() const
{
    return m_count;
}

bool
LvsClientAddressRouting::Contains(Ipv4Address a) const
{
    return a.Get() - m_first < m_count; // unsigned wrap makes this one compare
}

void
LvsClientAddressRouting::SetNextSource(Ipv4Address source)
{
    m_nextSource = source;
    m_hasNextSource = true;
}

Ptr<Ipv4Route>
LvsClientAddressRouting::RouteOutput(Ptr<Packet> p,
                                     const Ipv4Header& header,
                                     Ptr<NetDevice> oif,
                                     Socket::SocketErrno& sockerr)
{
    Ptr<Ipv4Route> route = m_inner->RouteOutput(p, header, oif, sockerr);
    if (!route)
    {
        m_hasNextSource = false;
        return route;
    }
    if (Contains(header.GetSource()))
    {
        route->SetSource(header.GetSource());
    }
    else if (m_hasNextSource)
    {
        route->SetSource(m_nextSource);
        m_hasNextSource = false;
    }
    return route;
}

bool
LvsClientAddressRouting::RouteInput(Ptr<const Packet> p,
                                    const Ipv4Header& header,
                                    Ptr<const NetDevice> idev,
                                    UnicastForwardCallback ucb,
                                    MulticastForwardCallback mcb,
                                    LocalDeliverCallback lcb,
                                    ErrorCallback ecb)
{
    if (Contains(header.GetDestination()))
    {
        if (lcb.IsNull())
        {
            return false;
        }
        lcb(p, header, m_ipv4->GetInterfaceForDevice(idev));
        return true;
    }
    return m_inner->RouteInput(p, header, idev, ucb, mcb, lcb, ecb);
}

void
LvsClientAddressRouting::SetIpv4(Ptr<Ipv4> ipv4)
{
    // The inner protocol was the node's routing before this one wrapped it:
    // it is already bound to this Ipv4 (binding twice asserts in ns-3).
    m_ipv4 = ipv4;
}

void
LvsClientAddressRouting::PrintRoutingTable(Ptr<OutputStreamWrapper> stream, Time::Unit unit) const
{
    *stream->GetStream() << "LvsClientAddressRouting: local block " << Ipv4Address(m_first)
                         << " + " << m_count << " addresses\n";
    if (m_inner)
    {
        m_inner->PrintRoutingTable(stream, unit);
    }
}

void
LvsClientAddressRouting::DoDispose()
{
    m_ipv4 = nullptr;
    LvsWrappingRouting::DoDispose();
}

} // namespace ns3
