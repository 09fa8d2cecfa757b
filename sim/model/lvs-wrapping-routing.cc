#include "lvs-wrapping-routing.h"

namespace ns3
{

NS_OBJECT_ENSURE_REGISTERED(LvsWrappingRouting);

TypeId
LvsWrappingRouting::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::LvsWrappingRouting").SetParent<Ipv4RoutingProtocol>().SetGroupName("Lvs");
    return tid;
}

void
LvsWrappingRouting::SetInnerRouting(Ptr<Ipv4RoutingProtocol> inner)
{
    m_inner = inner;
}

Ptr<Ipv4RoutingProtocol>
LvsWrappingRouting::GetInnerRouting() const
{
    return m_inner;
}

void
LvsWrappingRouting::NotifyInterfaceUp(uint32_t interface)
{
    m_inner->NotifyInterfaceUp(interface);
}

void
LvsWrappingRouting::NotifyInterfaceDown(uint32_t interface)
{
    m_inner->NotifyInterfaceDown(interface);
}

void
LvsWrappingRouting::NotifyAddAddress(uint32_t interface, Ipv4InterfaceAddress address)
{
    m_inner->NotifyAddAddress(interface, address);
}

void
LvsWrappingRouting::NotifyRemoveAddress(uint32_t interface, Ipv4InterfaceAddress address)
{
    m_inner->NotifyRemoveAddress(interface, address);
}

void
LvsWrappingRouting::DoDispose()
{
    m_inner = nullptr;
    Ipv4RoutingProtocol::DoDispose();
}

} // namespace ns3
