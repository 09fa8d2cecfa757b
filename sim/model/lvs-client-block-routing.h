#pragma once
// Routes client address blocks towards the nodes that hold them, by
// arithmetic: a sorted list of [first, first + count) blocks, each with its
// gateway and output interface, searched by bisection.
//
// Why: the node in front of the client nodes (the runner's "internet" node)
// would otherwise carry every block as CIDR prefixes in Ipv4StaticRouting,
// and static routing compares a packet's destination with every one of its
// routes (LookupStatic has no early exit). 10,000 addresses on 10 nodes are
// 111 prefixes, walked by each of the ~10 packets of every request.
//
// Add it to the node's Ipv4ListRouting above static routing. It answers only
// for addresses inside its blocks (and only while the block's interface is
// up, as static routing skips routes over a down interface); everything else
// falls through to the next protocol in the list.

#include <ns3/ipv4-address.h>
#include <ns3/ipv4-route.h>
#include <ns3/ipv4-routing-protocol.h>

#include <vector>

namespace ns3 {

class LvsClientBlockRouting : public Ipv4RoutingProtocol
{
  public:
    static TypeId GetTypeId();

    // Packets to [first, first + count) go to `gateway` out of `interface`.
    // Blocks must not overlap.
    void AddBlock(Ipv4Address first, uint32_t count, Ipv4Address gateway, uint32_t interface);
    uint32_t GetNBlocks() const;

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
    void NotifyInterfaceUp(uint32_t interface) override;
    void NotifyInterfaceDown(uint32_t interface) override;
    void NotifyAddAddress(uint32_t interface, Ipv4InterfaceAddress address) override;
    void NotifyRemoveAddress(uint32_t interface, Ipv4InterfaceAddress address) override;
    void SetIpv4(Ptr<Ipv4> ipv4) override;
    void PrintRoutingTable(Ptr<OutputStreamWrapper> stream,
                           Time::Unit unit = Time::S) const override;

  protected:
    void DoDispose() override;

  private:
    struct Block
    {
        uint32_t first;
        uint32_t count;
        Ipv4Address gateway;
        uint32_t interface;
    };

    const Block* Find(Ipv4Address destination) const;
    Ptr<Ipv4Route> MakeRoute(const Block& b, Ipv4Address destination) const;

    Ptr<Ipv4> m_ipv4;
    std::vector<Block> m_blocks; //!< sorted by first
};

} // namespace ns3
