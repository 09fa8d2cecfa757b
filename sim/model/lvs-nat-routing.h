#ifndef LVS_NAT_ROUTING_H
#define LVS_NAT_ROUTING_H

#include "lvs-wrapping-routing.h"
#include "router-cost-model.h"

#include "ns3/ipv4-address.h"
#include "ns3/ipv4-header.h"
#include "ns3/ipv4-routing-protocol.h"
#include "ns3/ipv4.h"
#include "ns3/traced-callback.h"

#include "lvs/engine.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ns3
{

class Packet;

/// A new connection the engine scheduled (IPVS's ip_vs_schedule).
struct LvsScheduledConnection
{
    Ipv4Address client;
    uint16_t clientPort = 0;
    Ipv4Address vip;
    uint16_t vipPort = 0;
    Ipv4Address realServer;
    uint16_t realServerPort = 0;
};

/**
 * The LVS director: the router node's top-level Ipv4RoutingProtocol.
 *
 * IPv4 packets arriving on the outside (eth0, clients) or inside (eth1, real
 * servers) interface go through the core lvs::Engine, which decides and keeps
 * every piece of state and every counter; this class only carries packets in
 * and out of it (wire format, see RouteInput) and acts on its verdict:
 * kForward -> the UnicastForwardCallback with the rewritten header (DR: the
 * packet unchanged, to the real server's MAC), kLocal -> LocalDeliverCallback,
 * kPass -> the wrapped inner routing protocol, kDrop -> dropped, traced, and
 * answered with ICMP port unreachable when the engine says so. Everything
 * else (RouteOutput, interface notifications, other interfaces) goes to the
 * inner protocol.
 *
 * It must be top level: Ipv4ListRouting delivers packets for local addresses
 * (the VIP) before any of its members sees them.
 *
 * Multicast and broadcast packets skip the engine (they are never forwarded).
 *
 * With a RouterCostModel that is not free, packets wait for a CPU core first;
 * the engine processes a packet when a core takes it, and the packet leaves
 * when the core has spent its cost. A packet opened a new connection (and pays
 * the per-connection cost, and fires "Scheduled") exactly when its verdict says
 * it was scheduled (Verdict::new_conn, the packets that move IPVS's "Conns").
 */
class LvsNatRouting : public LvsWrappingRouting
{
  public:
    static TypeId GetTypeId();
    LvsNatRouting();
    ~LvsNatRouting() override;

    // ---- wiring -------------------------------------------------------------
    void SetInnerRouting(Ptr<Ipv4RoutingProtocol> inner) override;
    /// Replaces the engine (and its services) with a fresh one built from `cfg`.
    void SetEngineConfig(const lvs::EngineConfig& cfg);
    /// Services and real servers are added here (add_service, add_dest, ...).
    lvs::Engine& GetEngine();
    const lvs::Engine& GetEngine() const;
    void SetOutsideInterface(uint32_t interface);
    void SetInsideInterface(uint32_t interface);
    uint32_t GetOutsideInterface() const;
    uint32_t GetInsideInterface() const;
    void SetCostModel(Ptr<RouterCostModel> model);
    Ptr<RouterCostModel> GetCostModel() const;
    /// A backup director passes nothing (forwards nothing, engine untouched) until enabled.
    void SetEnabled(bool enabled);
    bool IsEnabled() const;

    // ---- counters (the engine's, plus what happens around it) --------------
    uint64_t GetForwarded() const;  ///< lvs::Engine::forwarded()
    uint64_t GetEngineDrops(lvs::DropReason reason) const;
    uint64_t GetEngineDropsTotal() const;
    uint64_t GetConnectionCount();  ///< entries in the connection table (timers run first)
    uint64_t GetPeakConnections() const;
    uint64_t GetIcmpUnreachableSent() const;
    uint64_t GetNoRouteDrops() const;     ///< forward verdicts the inner routing had no route for
    uint64_t GetDisabledDrops() const;    ///< packets a disabled director refused to forward
    uint64_t GetQueueDrops() const;       ///< the cost model's input-queue drops
    /// `ipvsadm -L -n --stats` at the current simulation time.
    std::string GetIpvsadmStats();

    // ---- Ipv4RoutingProtocol ------------------------------------------------
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

    typedef void (*ScheduledCallback)(const LvsScheduledConnection& conn);
    typedef void (*RewrittenCallback)(lvs::Side ingress,
                                      const Ipv4Header& before,
                                      const Ipv4Header& after,
                                      Ptr<const Packet> packet);
    typedef void (*DropCallback)(const std::string& reason, Ptr<const Packet> packet);

  protected:
    void DoDispose() override;

  private:
    /// A packet on its way through the engine (kept while it waits for a core).
    struct Pending
    {
        Ptr<const Packet> packet;
        Ipv4Header header;
        Ptr<const NetDevice> idev;
        uint32_t iif = 0;
        lvs::Side side = lvs::Side::kOutside;
        UnicastForwardCallback ucb;
        MulticastForwardCallback mcb;
        LocalDeliverCallback lcb;
        ErrorCallback ecb;
        // Filled by Serve:
        lvs::Verdict verdict;
        Ptr<Packet> out;  // kForward: the packet to send
        Ipv4Header outHeader;
        Ptr<Packet> icmp;  // kDrop with icmp_unreachable: the ICMP message to send back
        Ipv4Address icmpFrom;
        Ipv4Address icmpTo;
    };

    /// Runs the engine on the packet; returns whether it opened a connection.
    bool Serve(Pending& pkt);
    /// Acts on the verdict Serve recorded.
    void Finish(Pending& pkt);
    bool IsBroadcastOrMulticast(Ipv4Address destination, uint32_t iif) const;
    /// Serialises the IPv4 header and payload into m_wire; returns the datagram length.
    uint32_t ToWire(const Packet& p, const Ipv4Header& header);
    /// The packet to send after a rewrite: `original`'s tags and payload, the engine's headers.
    void Rebuild(Pending& pkt, uint32_t wireLen);
    /// Carries `from`'s byte tags over to `to` (whose first `headerLen` bytes
    /// are new) and re-addresses FlowMonitor's tags from `before` to `after`.
    static void CarryByteTags(const Packet& from,
                              Packet& to,
                              uint32_t headerLen,
                              const Ipv4Header& before,
                              const Ipv4Header& after);
    /// The inner protocol's route to `destination`; DR overrides its gateway with the real server.
    Ptr<Ipv4Route> RouteTo(Ipv4Address destination, bool viaRealServer);
    void BuildIcmpUnreachable(Pending& pkt, uint32_t wireLen);
    void SendIcmp(Pending& pkt);
    void Release(Pending& pkt);
    void DropPacket(const std::string& reason, Ptr<const Packet> p);
    void RefuseForward(Ptr<Ipv4Route> route, Ptr<const Packet> p, const Ipv4Header& header);

    Ptr<Ipv4> m_ipv4;
    Ptr<RouterCostModel> m_cost;
    std::unique_ptr<lvs::Engine> m_engine;
    uint32_t m_outsideIf = 1;
    uint32_t m_insideIf = 2;
    bool m_enabled = true;

    std::vector<uint8_t> m_wire;  // reused for every packet
    std::vector<uint8_t> m_icmp;
    Pending m_direct;             // reused when the cost model is free
    bool m_directInUse = false;

    uint64_t m_peakConns = 0;
    uint64_t m_icmpSent = 0;
    uint64_t m_noRoute = 0;
    uint64_t m_disabledDrops = 0;

    TracedCallback<const LvsScheduledConnection&> m_scheduledTrace;
    TracedCallback<lvs::Side, const Ipv4Header&, const Ipv4Header&, Ptr<const Packet>>
        m_rewrittenTrace;
    TracedCallback<const std::string&, Ptr<const Packet>> m_dropTrace;
};

} // namespace ns3

#endif // LVS_NAT_ROUTING_H
