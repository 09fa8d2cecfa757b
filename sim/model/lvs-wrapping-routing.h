#ifndef LVS_WRAPPING_ROUTING_H
#define LVS_WRAPPING_ROUTING_H

#include <ns3/ipv4-routing-protocol.h>

namespace ns3
{

/**
 * A routing protocol that sits on top of another one (the node's own static
 * or list routing) and decides only some packets itself: interface and
 * address notifications always go to the inner protocol. The director
 * (LvsNatRouting) and the client-population routing share this.
 */
class LvsWrappingRouting : public Ipv4RoutingProtocol
{
  public:
    static TypeId GetTypeId();

    virtual void SetInnerRouting(Ptr<Ipv4RoutingProtocol> inner);
    Ptr<Ipv4RoutingProtocol> GetInnerRouting() const;

    void NotifyInterfaceUp(uint32_t interface) override;
    void NotifyInterfaceDown(uint32_t interface) override;
    void NotifyAddAddress(uint32_t interface, Ipv4InterfaceAddress address) override;
    void NotifyRemoveAddress(uint32_t interface, Ipv4InterfaceAddress address) override;

  protected:
    void DoDispose() override;

    Ptr<Ipv4RoutingProtocol> m_inner; //!< decides everything this protocol does not
};

} // namespace ns3

#endif // LVS_WRAPPING_ROUTING_H
