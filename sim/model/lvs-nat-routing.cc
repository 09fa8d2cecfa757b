#include "lvs-nat-routing.h"

#include "lvs-wire-header.h"

#include "ns3/boolean.h"
#include "ns3/icmpv4-l4-protocol.h"
#include "ns3/ipv4-route.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/packet.h"
#include "ns3/pointer.h"
#include "ns3/simulator.h"
#include "ns3/tag-buffer.h"
#include "ns3/tcp-header.h"
#include "ns3/udp-header.h"
#include "ns3/uinteger.h"

#include "lvs/packet.h"

#include <algorithm>
#include <vector>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LvsNatRouting");
NS_OBJECT_ENSURE_REGISTERED(LvsNatRouting);

namespace
{

constexpr uint32_t kIpv4HeaderLen = 20;  // ns-3's Ipv4Header carries no options
constexpr uint8_t kTcp = 6;
constexpr uint8_t kUdp = 17;

lvs::Time
EngineNow()
{
    return lvs::Time(Simulator::Now().GetNanoSeconds());
}

} // namespace

TypeId
LvsNatRouting::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::LvsNatRouting")
            .SetParent<LvsWrappingRouting>()
            .SetGroupName("Lvs")
            .AddConstructor<LvsNatRouting>()
            .AddAttribute("OutsideInterface",
                          "Ipv4 interface index of eth0, facing the clients",
                          UintegerValue(1),
                          MakeUintegerAccessor(&LvsNatRouting::m_outsideIf),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("InsideInterface",
                          "Ipv4 interface index of eth1, facing the real servers",
                          UintegerValue(2),
                          MakeUintegerAccessor(&LvsNatRouting::m_insideIf),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("Enabled",
                          "false: a backup director that forwards nothing and leaves its "
                          "engine untouched (packets for its own addresses are still delivered)",
                          BooleanValue(true),
                          MakeBooleanAccessor(&LvsNatRouting::SetEnabled,
                                              &LvsNatRouting::IsEnabled),
                          MakeBooleanChecker())
            .AddAttribute("CostModel",
                          "the router CPU packets wait for (null or free: no CPU limit)",
                          PointerValue(),
                          MakePointerAccessor(&LvsNatRouting::SetCostModel,
                                              &LvsNatRouting::GetCostModel),
                          MakePointerChecker<RouterCostModel>())
            .AddTraceSource("Scheduled",
                            "the engine scheduled a new connection to a real server",
                            MakeTraceSourceAccessor(&LvsNatRouting::m_scheduledTrace),
                            "ns3::LvsNatRouting::ScheduledCallback")
            .AddTraceSource("Rewritten",
                            "a packet the engine rewrote: ingress side, IPv4 header before "
                            "and after, the packet (L4 header included) as it leaves",
                            MakeTraceSourceAccessor(&LvsNatRouting::m_rewrittenTrace),
                            "ns3::LvsNatRouting::RewrittenCallback")
            .AddTraceSource("Drop",
                            "a packet dropped: the engine's reason (lvs::drop_reason_name) or "
                            "queue-full, no-route, disabled",
                            MakeTraceSourceAccessor(&LvsNatRouting::m_dropTrace),
                            "ns3::LvsNatRouting::DropCallback");
    return tid;
}

LvsNatRouting::LvsNatRouting()
    : m_engine(std::make_unique<lvs::Engine>()),
      m_wire(2048)
{
    NS_LOG_FUNCTION(this);
}

LvsNatRouting::~LvsNatRouting() = default;

void
LvsNatRouting::SetInnerRouting(Ptr<Ipv4RoutingProtocol> inner)
{
    NS_LOG_FUNCTION(this << inner);
    LvsWrappingRouting::SetInnerRouting(inner);
    if (m_ipv4)
    {
        m_inner->SetIpv4(m_ipv4);
    }
}

void
LvsNatRouting::SetEngineConfig(const lvs::EngineConfig& cfg)
{
    NS_LOG_FUNCTION(this);
    m_engine = std::make_unique<lvs::Engine>(cfg);
    m_peakConns = 0;
}

lvs::Engine&
LvsNatRouting::GetEngine()
{
    return *m_engine;
}

const lvs::Engine&
LvsNatRouting::GetEngine() const
{
    return *m_engine;
}

void
LvsNatRouting::SetOutsideInterface(uint32_t interface)
{
    m_outsideIf = interface;
}

void
LvsNatRouting::SetInsideInterface(uint32_t interface)
{
    m_insideIf = interface;
}

uint32_t
LvsNatRouting::GetOutsideInterface() const
{
    return m_outsideIf;
}

uint32_t
LvsNatRouting::GetInsideInterface() const
{
    return m_insideIf;
}

void
LvsNatRouting::SetCostModel(Ptr<RouterCostModel> model)
{
    m_cost = model;
}

Ptr<RouterCostModel>
LvsNatRouting::GetCostModel() const
{
    return m_cost;
}

void
LvsNatRouting::SetEnabled(bool enabled)
{
    NS_LOG_FUNCTION(this << enabled);
    m_enabled = enabled;
}

bool
LvsNatRouting::IsEnabled() const
{
    return m_enabled;
}

// ---- counters -----------------------------------------------------------------

uint64_t
LvsNatRouting::GetForwarded() const
{
    return m_engine->forwarded();
}

uint64_t
LvsNatRouting::GetEngineDrops(lvs::DropReason reason) const
{
    return m_engine->drops(reason);
}

uint64_t
LvsNatRouting::GetEngineDropsTotal() const
{
    uint64_t total = 0;
    for (std::size_t r = 1; r < static_cast<std::size_t>(lvs::DropReason::kCount); ++r)
    {
        total += m_engine->drops(static_cast<lvs::DropReason>(r));
    }
    return total;
}

uint64_t
LvsNatRouting::GetConnectionCount()
{
    m_engine->advance(EngineNow());
    return m_engine->conns().size();
}

uint64_t
LvsNatRouting::GetPeakConnections() const
{
    return m_peakConns;
}

uint64_t
LvsNatRouting::GetIcmpUnreachableSent() const
{
    return m_icmpSent;
}

uint64_t
LvsNatRouting::GetNoRouteDrops() const
{
    return m_noRoute;
}

uint64_t
LvsNatRouting::GetDisabledDrops() const
{
    return m_disabledDrops;
}

uint64_t
LvsNatRouting::GetQueueDrops() const
{
    return m_cost ? m_cost->GetQueueDrops() : 0;
}

std::string
LvsNatRouting::GetIpvsadmStats()
{
    const lvs::Time now = EngineNow();
    m_engine->advance(now);
    lvs::ListOptions options;
    options.view = lvs::ListView::kStats;
    return lvs::format_service_list(m_engine->listing(now), options);
}

// ---- Ipv4RoutingProtocol --------------------------------------------------------

Ptr<Ipv4Route>
LvsNatRouting::RouteOutput(Ptr<Packet> p,
                           const Ipv4Header& header,
                           Ptr<NetDevice> oif,
                           Socket::SocketErrno& sockerr)
{
    return m_inner->RouteOutput(p, header, oif, sockerr);
}

bool
LvsNatRouting::RouteInput(Ptr<const Packet> p,
                          const Ipv4Header& header,
                          Ptr<const NetDevice> idev,
                          UnicastForwardCallback ucb,
                          MulticastForwardCallback mcb,
                          LocalDeliverCallback lcb,
                          ErrorCallback ecb)
{
    NS_LOG_FUNCTION(this << p << header << idev);
    const int32_t iif = m_ipv4->GetInterfaceForDevice(idev);
    const bool outside = iif == static_cast<int32_t>(m_outsideIf);
    if ((!outside && iif != static_cast<int32_t>(m_insideIf)) ||
        IsBroadcastOrMulticast(header.GetDestination(), static_cast<uint32_t>(iif)))
    {
        // Multicast and broadcast (VRRP adverts, sync messages, ...) are never
        // forwarded, so IPVS and the masquerade never see them. Ipv4StaticRouting
        // leaves local delivery of multicast to Ipv4ListRouting, which this
        // protocol replaces at the top, so do what ListRouting does: deliver a
        // copy here (ns-3 keeps no group membership), then let the inner
        // protocol handle any multicast route.
        if (header.GetDestination().IsMulticast() && iif >= 0 && !lcb.IsNull())
        {
            lcb(p->Copy(), header, static_cast<uint32_t>(iif));
            m_inner->RouteInput(p, header, idev, ucb, mcb, lcb, ecb);
            return true;
        }
        return m_inner->RouteInput(p, header, idev, ucb, mcb, lcb, ecb);
    }
    if (!m_enabled)
    {
        // Local delivery (VRRP, health checks) still works; forwarding does not.
        return m_inner->RouteInput(p,
                                   header,
                                   idev,
                                   MakeCallback(&LvsNatRouting::RefuseForward, this),
                                   mcb,
                                   lcb,
                                   ecb);
    }

    const bool queued = m_cost && !m_cost->IsFree();
    // m_direct is reused packet after packet; a nested RouteInput (should a
    // callback ever deliver synchronously) gets its own.
    const bool direct = !queued && !m_directInUse;
    std::shared_ptr<Pending> held;
    Pending& pkt = direct ? m_direct : *(held = std::make_shared<Pending>());
    pkt.packet = p;
    pkt.header = header;
    pkt.idev = idev;
    pkt.iif = static_cast<uint32_t>(iif);
    pkt.side = outside ? lvs::Side::kOutside : lvs::Side::kInside;
    pkt.ucb = ucb;
    pkt.mcb = mcb;
    pkt.lcb = lcb;
    pkt.ecb = ecb;
    if (!queued)
    {
        m_directInUse = direct || m_directInUse;
        Serve(pkt);
        Finish(pkt);
        Release(pkt);
        if (direct)
        {
            m_directInUse = false;
        }
        return true;
    }
    RouterCostModel::Job job;
    job.bytes = header.GetPayloadSize() + kIpv4HeaderLen;
    job.serve = [this, held]() { return Serve(*held); };
    job.finish = [this, held]() { Finish(*held); };
    if (!m_cost->Submit(std::move(job)))
    {
        DropPacket("queue-full", p);
    }
    return true;
}

bool
LvsNatRouting::IsBroadcastOrMulticast(Ipv4Address destination, uint32_t iif) const
{
    if (destination.IsMulticast() || destination.IsBroadcast())
    {
        return true;
    }
    for (uint32_t i = 0; i < m_ipv4->GetNAddresses(iif); ++i)
    {
        const Ipv4InterfaceAddress a = m_ipv4->GetAddress(iif, i);
        if (destination.IsSubnetDirectedBroadcast(a.GetMask()) &&
            destination.CombineMask(a.GetMask()) == a.GetLocal().CombineMask(a.GetMask()))
        {
            return true;
        }
    }
    return false;
}

uint32_t
LvsNatRouting::ToWire(const Packet& p, const Ipv4Header& header)
{
    const uint32_t payload = p.GetSize();
    const uint32_t len = kIpv4HeaderLen + payload;
    if (m_wire.size() < len)
    {
        m_wire.resize(len);
    }
    uint8_t* b = m_wire.data();
    b[0] = 0x45;
    b[1] = header.GetTos();
    lvs::store16(b + 2, static_cast<uint16_t>(len));
    lvs::store16(b + 4, header.GetIdentification());
    uint16_t frag = header.GetFragmentOffset() / 8;
    frag |= header.IsDontFragment() ? 0x4000 : 0;
    frag |= header.IsLastFragment() ? 0 : 0x2000;
    lvs::store16(b + 6, frag);
    b[8] = header.GetTtl();
    b[9] = header.GetProtocol();
    lvs::store16(b + 10, 0);
    lvs::store32(b + 12, header.GetSource().Get());
    lvs::store32(b + 16, header.GetDestination().Get());
    // What the wire carried (ns-3 writes 0 with checksums off). The header that
    // leaves is an Ipv4Header ns-3 checksums itself; this one matters where the
    // engine quotes the datagram (ICMP errors).
    if (Node::ChecksumEnabled())
    {
        lvs::store16(b + 10, lvs::csum_compute(b, kIpv4HeaderLen));
    }
    p.CopyData(b + kIpv4HeaderLen, payload);
    return len;
}

bool
LvsNatRouting::Serve(Pending& pkt)
{
    const uint32_t len = ToWire(*pkt.packet, pkt.header);
    const uint8_t proto = pkt.header.GetProtocol();
    const bool ports = (proto == kTcp || proto == kUdp) && len >= kIpv4HeaderLen + 4;
    const uint8_t* l4 = m_wire.data() + kIpv4HeaderLen;
    const uint16_t sport = ports ? lvs::load16(l4) : 0;
    const uint16_t dport = ports ? lvs::load16(l4 + 2) : 0;
    pkt.verdict = m_engine->process(m_wire.data(), len, pkt.side, EngineNow());

    m_peakConns = std::max<uint64_t>(m_peakConns, m_engine->conns().size());
    const bool opened = pkt.verdict.new_conn;
    const lvs::Verdict& v = pkt.verdict;
    NS_LOG_LOGIC("verdict " << static_cast<int>(v.action) << " out "
                            << static_cast<int>(v.out) << " reason "
                            << lvs::drop_reason_name(v.reason));
    switch (v.action)
    {
    case lvs::Action::kForward:
        if (v.out == lvs::Side::kInside && v.method != lvs::ForwardMethod::kMasq)
        {
            // DR (and anything else not NAT): the packet leaves as it came.
            pkt.out = pkt.packet->Copy();
            pkt.outHeader = pkt.header;
        }
        else
        {
            Rebuild(pkt, len);
            m_rewrittenTrace(pkt.side, pkt.header, pkt.outHeader, pkt.out);
        }
        break;
    case lvs::Action::kDrop:
        if (v.icmp_unreachable)
        {
            BuildIcmpUnreachable(pkt, len);
        }
        break;
    case lvs::Action::kLocal:
    case lvs::Action::kPass:
        break;
    }
    if (opened && ports)
    {
        LvsScheduledConnection c;
        c.client = pkt.header.GetSource();
        c.clientPort = sport;
        c.vip = pkt.header.GetDestination();
        c.vipPort = dport;
        c.realServer = Ipv4Address(lvs::load32(m_wire.data() + 16));
        c.realServerPort = lvs::load16(l4 + 2);
        if (v.method != lvs::ForwardMethod::kMasq)
        {
            c.realServer = Ipv4Address(v.next_hop);
        }
        NS_LOG_LOGIC("scheduled " << c.client << ":" << c.clientPort << " -> " << c.vip << ":"
                                  << c.vipPort << " => " << c.realServer << ":"
                                  << c.realServerPort);
        m_scheduledTrace(c);
    }
    return opened;
}

void
LvsNatRouting::Rebuild(Pending& pkt, uint32_t wireLen)
{
    static const TypeId tcpType = TcpHeader::GetTypeId();
    static const TypeId udpType = UdpHeader::GetTypeId();
    const uint8_t* b = m_wire.data();
    pkt.outHeader = pkt.header;
    pkt.outHeader.SetSource(Ipv4Address(lvs::load32(b + 12)));
    pkt.outHeader.SetDestination(Ipv4Address(lvs::load32(b + 16)));

    // Keep the original packet (its packet tags, byte tags and payload) and swap
    // only the bytes the engine may have rewritten.
    Ptr<Packet> q = pkt.packet->Copy();
    const uint8_t* l4 = b + kIpv4HeaderLen;
    const uint32_t l4Avail = wireLen - kIpv4HeaderLen;
    const uint8_t proto = pkt.header.GetProtocol();
    uint32_t l4Len = 0;
    if (proto == kTcp && l4Avail >= 20)
    {
        l4Len = std::min<uint32_t>((l4[12] >> 4) * 4u, l4Avail);
        q->RemoveAtStart(l4Len);
        q->AddHeader(LvsWireHeader(tcpType, l4, l4Len));
    }
    else if (proto == kUdp && l4Avail >= 8)
    {
        l4Len = 8;
        q->RemoveAtStart(l4Len);
        q->AddHeader(LvsWireHeader(udpType, l4, l4Len));
    }
    else
    {
        // ICMP (errors carry a rewritten quote in their body): the whole message.
        l4Len = l4Avail;
        q->RemoveAtStart(l4Avail);
        q->AddAtEnd(Create<Packet>(l4, l4Avail));
    }
    CarryByteTags(*pkt.packet, *q, l4Len, pkt.header, pkt.outHeader);
    pkt.out = q;
}

namespace
{

struct HeldByteTag
{
    TypeId type;
    std::vector<uint8_t> bytes; ///< the tag as Tag::Serialize wrote it
    uint32_t start;
    uint32_t end;
};

HeldByteTag
Hold(const ByteTagIterator::Item& item)
{
    ObjectBase* instance = item.GetTypeId().GetConstructor()();
    Tag* tag = dynamic_cast<Tag*>(instance);
    HeldByteTag held{item.GetTypeId(), {}, item.GetStart(), item.GetEnd()};
    if (tag)
    {
        item.GetTag(*tag);
        held.bytes.resize(tag->GetSerializedSize());
        tag->Serialize(TagBuffer(held.bytes.data(), held.bytes.data() + held.bytes.size()));
    }
    delete instance;
    return held;
}

void
Attach(HeldByteTag& held, Packet& to)
{
    ObjectBase* instance = held.type.GetConstructor()();
    Tag* tag = dynamic_cast<Tag*>(instance);
    if (tag && tag->GetSerializedSize() == held.bytes.size())
    {
        tag->Deserialize(TagBuffer(held.bytes.data(), held.bytes.data() + held.bytes.size()));
        to.AddByteTag(*tag, held.start, held.end);
    }
    delete instance;
}

// FlowMonitor's Ipv4FlowProbeTag (private to ns-3's flow-monitor module)
// serializes as flow id, packet id, size (3 x u32), then the source and
// destination addresses in network byte order; its probes ignore a tag whose
// addresses differ from the packet's, as they do for tunnelled packets. A
// NAT rewrite therefore makes every flow look undelivered unless the tag
// follows the header. The flow keeps the id its sender's node classified it by.
//
// The tag's TypeId exists once a FlowMonitor probe has first used it (ns-3
// registers it lazily), so it is looked up until found.
bool
FlowProbeTagId(TypeId& out)
{
    static TypeId tid;
    static bool known = false;
    if (!known)
    {
        known = TypeId::LookupByNameFailSafe("ns3::Ipv4FlowProbeTag", &tid);
    }
    out = tid;
    return known;
}

bool
CarriesFlowProbeTag(const Packet& p)
{
    ByteTagIterator it = p.GetByteTagIterator();
    TypeId flowTag;
    // Most packets carry no byte tag at all: no TypeId lookup for them.
    if (!it.HasNext() || !FlowProbeTagId(flowTag))
    {
        return false;
    }
    while (it.HasNext())
    {
        if (it.Next().GetTypeId() == flowTag)
        {
            return true;
        }
    }
    return false;
}

void
Readdress(HeldByteTag& held, const Ipv4Header& before, const Ipv4Header& after)
{
    TypeId flowTag;
    if (!FlowProbeTagId(flowTag) || held.type != flowTag || held.bytes.size() != 20)
    {
        return;
    }
    uint8_t src[4];
    uint8_t dst[4];
    before.GetSource().Serialize(src);
    before.GetDestination().Serialize(dst);
    if (!std::equal(src, src + 4, held.bytes.begin() + 12) ||
        !std::equal(dst, dst + 4, held.bytes.begin() + 16))
    {
        return; // not this packet's own tag (e.g. an inner, tunnelled one)
    }
    after.GetSource().Serialize(held.bytes.data() + 12);
    after.GetDestination().Serialize(held.bytes.data() + 16);
}

} // namespace

void
LvsNatRouting::CarryByteTags(const Packet& from,
                             Packet& to,
                             uint32_t headerLen,
                             const Ipv4Header& before,
                             const Ipv4Header& after)
{
    // Byte tags that covered only the replaced bytes (FlowMonitor's tag on a
    // pure ACK, say) would vanish with them: put them back on the new bytes.
    // Tags reaching into the payload survived in `to` by themselves.
    std::vector<HeldByteTag> tags;
    ByteTagIterator it = from.GetByteTagIterator();
    while (it.HasNext())
    {
        const ByteTagIterator::Item item = it.Next();
        if (item.GetEnd() <= headerLen)
        {
            tags.push_back(Hold(item));
        }
    }
    const bool moved = before.GetSource() != after.GetSource() ||
                       before.GetDestination() != after.GetDestination();
    if (moved && CarriesFlowProbeTag(to))
    {
        // Tags cannot be edited in place: take them all off and put them back.
        ByteTagIterator kept = to.GetByteTagIterator();
        while (kept.HasNext())
        {
            tags.push_back(Hold(kept.Next()));
        }
        to.RemoveAllByteTags();
    }
    for (HeldByteTag& held : tags)
    {
        if (moved)
        {
            Readdress(held, before, after);
        }
        Attach(held, to);
    }
}

Ptr<Ipv4Route>
LvsNatRouting::RouteTo(Ipv4Address destination, bool viaRealServer)
{
    Ipv4Header h;
    h.SetDestination(destination);
    Socket::SocketErrno err = Socket::ERROR_NOTERROR;
    Ptr<Ipv4Route> route = m_inner->RouteOutput(nullptr, h, nullptr, err);
    if (route && viaRealServer)
    {
        // DR: the datagram still says VIP; only the MAC is the real server's.
        route->SetGateway(destination);
    }
    return route;
}

void
LvsNatRouting::Finish(Pending& pkt)
{
    const lvs::Verdict& v = pkt.verdict;
    switch (v.action)
    {
    case lvs::Action::kForward: {
        const bool dr = v.out == lvs::Side::kInside && v.method == lvs::ForwardMethod::kDirectRoute;
        Ptr<Ipv4Route> route = RouteTo(Ipv4Address(v.next_hop), dr);
        if (!route)
        {
            ++m_noRoute;
            DropPacket("no-route", pkt.packet);
            pkt.ecb(pkt.packet, pkt.header, Socket::ERROR_NOROUTETOHOST);
            return;
        }
        pkt.ucb(route, pkt.out, pkt.outHeader);
        return;
    }
    case lvs::Action::kLocal:
        pkt.lcb(pkt.packet, pkt.header, pkt.iif);
        return;
    case lvs::Action::kPass:
        if (!m_inner->RouteInput(pkt.packet,
                                 pkt.header,
                                 pkt.idev,
                                 pkt.ucb,
                                 pkt.mcb,
                                 pkt.lcb,
                                 pkt.ecb))
        {
            pkt.ecb(pkt.packet, pkt.header, Socket::ERROR_NOROUTETOHOST);
        }
        return;
    case lvs::Action::kDrop:
        DropPacket(std::string(lvs::drop_reason_name(v.reason)), pkt.packet);
        if (pkt.icmp)
        {
            SendIcmp(pkt);
        }
        return;
    }
}

void
LvsNatRouting::Release(Pending& pkt)
{
    pkt.packet = nullptr;
    pkt.idev = nullptr;
    pkt.out = nullptr;
    pkt.icmp = nullptr;
}

void
LvsNatRouting::BuildIcmpUnreachable(Pending& pkt, uint32_t wireLen)
{
    lvs::PacketView offending;
    if (lvs::parse_ipv4(m_wire.data(), wireLen, offending) != lvs::ParseStatus::kOk)
    {
        return;
    }
    m_icmp.resize(kIpv4HeaderLen + 8 + 60 + 8);
    // As icmp_send() does for a packet to a local address: answer from that address.
    const std::size_t n = lvs::build_icmp_error(offending,
                                                offending.daddr,
                                                lvs::kIcmpDestUnreach,
                                                lvs::kIcmpPortUnreach,
                                                m_icmp.data(),
                                                m_icmp.size());
    if (n <= kIpv4HeaderLen)
    {
        return;
    }
    // The IPv4 header is ns-3's to add (Ipv4::Send); carry the ICMP message.
    pkt.icmp = Create<Packet>(m_icmp.data() + kIpv4HeaderLen,
                              static_cast<uint32_t>(n - kIpv4HeaderLen));
    pkt.icmpFrom = Ipv4Address(lvs::load32(m_icmp.data() + 12));
    pkt.icmpTo = Ipv4Address(lvs::load32(m_icmp.data() + 16));
}

void
LvsNatRouting::SendIcmp(Pending& pkt)
{
    Ptr<Ipv4Route> route = RouteTo(pkt.icmpTo, false);
    if (!route)
    {
        return;
    }
    route->SetSource(pkt.icmpFrom);
    ++m_icmpSent;
    NS_LOG_LOGIC("ICMP port unreachable " << pkt.icmpFrom << " -> " << pkt.icmpTo);
    m_ipv4->Send(pkt.icmp, pkt.icmpFrom, pkt.icmpTo, Icmpv4L4Protocol::PROT_NUMBER, route);
}

void
LvsNatRouting::DropPacket(const std::string& reason, Ptr<const Packet> p)
{
    NS_LOG_LOGIC("drop (" << reason << ") " << p);
    m_dropTrace(reason, p);
}

void
LvsNatRouting::RefuseForward(Ptr<Ipv4Route> /*route*/,
                             Ptr<const Packet> p,
                             const Ipv4Header& /*header*/)
{
    ++m_disabledDrops;
    DropPacket("disabled", p);
}

void
LvsNatRouting::SetIpv4(Ptr<Ipv4> ipv4)
{
    NS_LOG_FUNCTION(this << ipv4);
    m_ipv4 = ipv4;
    NS_ASSERT_MSG(m_inner, "LvsNatRouting: set the inner routing protocol before installing it");
    m_inner->SetIpv4(ipv4);
}

void
LvsNatRouting::PrintRoutingTable(Ptr<OutputStreamWrapper> stream, Time::Unit unit) const
{
    m_inner->PrintRoutingTable(stream, unit);
}

void
LvsNatRouting::DoDispose()
{
    NS_LOG_FUNCTION(this);
    if (m_cost)
    {
        m_cost->Dispose();
        m_cost = nullptr;
    }
    Release(m_direct);
    if (m_inner)
    {
        m_inner->Dispose();
    }
    m_ipv4 = nullptr;
    LvsWrappingRouting::DoDispose();
}

} // namespace ns3
