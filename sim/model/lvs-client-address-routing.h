#pragma once
// Gives one ns-3 node a whole block of client addresses without putting them
// on an interface.
//
// Why: ns-3 keeps interface addresses in a list that every received packet
// walks (Ipv4L3Protocol::IsDestinationAddress), and TcpSocketBase::Connect
// replaces the address a socket was bound to with the route's source
// (SetupEndpoint), so binding to a secondary interface address does not even
// change the source of a TCP connection. This protocol, installed on top of
// the node's routing, instead
//   - delivers locally every packet addressed into the block (RouteInput:
//     one subtraction and compare), and
//   - answers RouteOutput with the source the client application asked for:
//     the bound address when the header carries one from the block, else the
//     one-shot hint set by SetNextSource() just before Connect()/SendTo().
// Everything else goes to the wrapped (inner) protocol, which must be the
// node's routing protocol before this one was installed on top (already bound
// to the node's Ipv4; LvsClientHelper::AssignAddresses does this). Routers must route the
// block to this node (LvsClientHelper::GetAddressPrefixes lists the prefixes).

#include <ns3/ipv4-address.h>
#include <ns3/ipv4-routing-protocol.h>

#include "lvs-wrapping-routing.h"

namespace ns3 {

class LvsClientAddressRouting : public LvsWrappingRouting
{
  public:
    static TypeId GetTypeId();

    LvsClientAddressRouting() = default;
    LvsClientAddressRouting(Ptr<Ipv4RoutingProtocol> inner, Ipv4Address first, uint32_t count);

    void SetInner(Ptr<Ipv4RoutingProtocol> inner);
    Ptr<Ipv4RoutingProtocol> GetInner() const;
    void SetBlock(Ipv4Address first, uint32_t count);
    Ipv4Address GetFirstAddress() const;
    uint32_t GetAddressCount() const;
    bool Contains(Ipv4Address a) const;

    // The source for the next RouteOutput() that has none from the block.
    void SetNextSource(Ipv4Address source);

    Ptr<Ipv4Route> RouteOutput(Ptr<Packet> p,
                               const Ipv4Header& header,
                               Ptr<NetDevice> oif,
                               Socket::SocketErrno& sockerr) override;
    bool RouteInput(Ptr<const Packet> p,
                    const Ipv4Header& header,
                    Ptr<const NetDevice> idev,
                    UnicastForwardCallback ucb,
                    MulticastForwardCallback mcb,
                    LocalDeliverCallback lcb,
                    ErrorCallback ecb) override;
    void SetIpv4(Ptr<Ipv4> ipv4) override;
    void PrintRoutingTable(Ptr<OutputStreamWrapper> stream,
                           Time::Unit unit = Time::S) const override;

  protected:
    void DoDispose() override;

  private:
    Ptr<Ipv4> m_ipv4;
    uint32_t m_first{0};
    uint32_t m_count{0};
    Ipv4Address m_nextSource;
    bool m_hasNextSource{false};
};

} // namespace ns3
