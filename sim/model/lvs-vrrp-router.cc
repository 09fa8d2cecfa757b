#include "lvs-vrrp-router.h"

#include "ns3/arp-header.h"
#include "ns3/arp-l3-protocol.h"
#include "ns3/inet-socket-address.h"
#include "ns3/ipv4-header.h"
#include "ns3/ipv4-raw-socket-factory.h"
#include "ns3/ipv4.h"
#include "ns3/log.h"
#include "ns3/mac48-address.h"
#include "ns3/net-device.h"
#include "ns3/node.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/socket.h"
#include "ns3/trace-source-accessor.h"
#include "ns3/uinteger.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LvsVrrpRouter");
NS_OBJECT_ENSURE_REGISTERED(LvsVrrpRouter);

namespace
{

lvs::Time
EngineNow()
{
    return lvs::Time(Simulator::Now().GetNanoSeconds());
}

Time
ToNs3(lvs::Time t)
{
    return NanoSeconds(t.count());
}

Mac48Address
VirtualMac(uint8_t vrid)
{
    const auto mac = lvs::vrrp_virtual_mac(vrid);
    Mac48Address out;
    out.CopyFrom(mac.data());
    return out;
}

} // namespace

TypeId
LvsVrrpRouter::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::LvsVrrpRouter")
            .SetParent<Application>()
            .SetGroupName("Lvs")
            .AddConstructor<LvsVrrpRouter>()
            .AddTraceSource("Transition",
                            "a VRRP instance changed state: instance, from, to, reason",
                            MakeTraceSourceAccessor(&LvsVrrpRouter::m_transitionTrace),
                            "ns3::LvsVrrpRouter::TransitionCallback")
            .AddTraceSource("MasterChanged",
                            "the sync group became master (true) or stopped being master (false)",
                            MakeTraceSourceAccessor(&LvsVrrpRouter::m_masterTrace),
                            "ns3::LvsVrrpRouter::MasterChangedCallback")
            .AddTraceSource("AdvertTx",
                            "a VRRP advertisement sent (the VRRP message)",
                            MakeTraceSourceAccessor(&LvsVrrpRouter::m_advertTxTrace),
                            "ns3::Packet::TracedCallback")
            .AddTraceSource("AdvertRx",
                            "a valid VRRP advertisement received: sender, priority",
                            MakeTraceSourceAccessor(&LvsVrrpRouter::m_advertRxTrace),
                            "ns3::LvsVrrpRouter::AdvertRxCallback");
    return tid;
}

LvsVrrpRouter::LvsVrrpRouter() = default;
LvsVrrpRouter::~LvsVrrpRouter() = default;

void
LvsVrrpRouter::AddInstance(uint32_t interface, const lvs::VrrpConfig& config)
{
    NS_ABORT_MSG_IF(!lvs::vrrp_config_error(config).empty(),
                    "vrrp_instance " << config.name << ": " << lvs::vrrp_config_error(config));
    Instance in;
    in.interface = interface;
    in.config = config;
    m_instances.push_back(in);
}

void
LvsVrrpRouter::DoDispose()
{
    // No traces from here: whoever listens may be gone already.
    Simulator::Cancel(m_timer);
    CloseSockets();
    m_group.reset();
    m_master = false;
    m_instances.clear();
    Application::DoDispose();
}

void
LvsVrrpRouter::StartApplication()
{
    Begin();
}

void
LvsVrrpRouter::StopApplication()
{
    Halt();
}

void
LvsVrrpRouter::Begin()
{
    NS_LOG_FUNCTION(this);
    if (m_group || m_instances.empty())
    {
        return;
    }
    Ptr<Ipv4> ipv4 = GetNode()->GetObject<Ipv4>();
    std::vector<lvs::VrrpConfig> configs;
    for (Instance& in : m_instances)
    {
        in.device = ipv4->GetNetDevice(in.interface);
        if (in.ownMac.IsInvalid())
        {
            in.ownMac = in.device->GetAddress();
        }
        configs.push_back(in.config);
    }
    m_group = std::make_unique<lvs::VrrpSyncGroup>(std::move(configs));
    OpenSockets();
    Apply(m_group->start(EngineNow()));
}

void
LvsVrrpRouter::Halt()
{
    Simulator::Cancel(m_timer);
    CloseSockets();
    m_group.reset();
    if (m_master)
    {
        m_master = false;
        m_masterTrace(false);
    }
}

void
LvsVrrpRouter::Crash()
{
    NS_LOG_FUNCTION(this);
    // The addresses stay where they were: nobody can reach a detached node,
    // and a rebooted keepalived starts from a clean interface (Recover).
    Halt();
}

void
LvsVrrpRouter::Recover()
{
    NS_LOG_FUNCTION(this);
    if (m_group)
    {
        return;
    }
    for (Instance& in : m_instances)
    {
        // A reboot comes back without the virtual IPs or the virtual MAC.
        SetVips(in, in.config.vips, false, in.config.use_vmac);
    }
    Begin();
}

void
LvsVrrpRouter::Shutdown()
{
    NS_LOG_FUNCTION(this);
    if (!m_group)
    {
        return;
    }
    Apply(m_group->shutdown(EngineNow()));
    Halt();
}

bool
LvsVrrpRouter::IsRunning() const
{
    return m_group != nullptr;
}

lvs::VrrpState
LvsVrrpRouter::GetState() const
{
    return m_group ? m_group->state() : lvs::VrrpState::kInit;
}

const lvs::VrrpSyncGroup*
LvsVrrpRouter::GetGroup() const
{
    return m_group.get();
}

uint64_t
LvsVrrpRouter::GetAdvertsSent() const
{
    return m_sent;
}

uint64_t
LvsVrrpRouter::GetAdvertsReceived() const
{
    return m_received;
}

uint64_t
LvsVrrpRouter::GetBadAdverts() const
{
    return m_bad;
}

void
LvsVrrpRouter::OpenSockets()
{
    for (Instance& in : m_instances)
    {
        in.socket = Socket::CreateSocket(GetNode(), Ipv4RawSocketFactory::GetTypeId());
        in.socket->SetAttribute("Protocol", UintegerValue(lvs::kVrrpProto));
        in.socket->BindToNetDevice(in.device);
        in.socket->SetRecvCallback(MakeCallback(&LvsVrrpRouter::Receive, this));
    }
}

void
LvsVrrpRouter::CloseSockets()
{
    for (Instance& in : m_instances)
    {
        if (in.socket)
        {
            in.socket->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
            in.socket->Close();
            in.socket = nullptr;
        }
    }
}

void
LvsVrrpRouter::Receive(Ptr<Socket> socket)
{
    std::size_t member = 0;
    while (member < m_instances.size() && m_instances[member].socket != socket)
    {
        ++member;
    }
    Ptr<Packet> p;
    Address from;
    while ((p = socket->RecvFrom(from)))
    {
        if (!m_group || member == m_instances.size())
        {
            continue;
        }
        // ns-3 raw sockets hand up the packet with its IPv4 header.
        Ipv4Header ip;
        p->RemoveHeader(ip);
        std::vector<uint8_t> bytes(p->GetSize());
        p->CopyData(bytes.data(), bytes.size());
        const lvs::VrrpDecoded d = lvs::decode_vrrp(bytes.data(),
                                                    bytes.size(),
                                                    ip.GetSource().Get(),
                                                    ip.GetDestination().Get(),
                                                    ip.GetTtl());
        if (!d.ok())
        {
            ++m_bad;
            NS_LOG_INFO("bad advert from " << ip.GetSource() << ": "
                                           << lvs::vrrp_decode_error_name(d.error));
            continue;
        }
        ++m_received;
        m_advertRxTrace(ip.GetSource(), d.advert.priority);
        Apply(m_group->on_advert(member, d.advert, ip.GetSource().Get(), EngineNow()));
    }
}

void
LvsVrrpRouter::OnTimer()
{
    if (m_group)
    {
        Apply(m_group->on_timer(EngineNow()));
    }
}

void
LvsVrrpRouter::Reschedule()
{
    Simulator::Cancel(m_timer);
    if (!m_group)
    {
        return;
    }
    if (const auto next = m_group->next_timer())
    {
        const Time at = std::max(ToNs3(*next), Simulator::Now());
        m_timer = Simulator::Schedule(at - Simulator::Now(), &LvsVrrpRouter::OnTimer, this);
    }
}

void
LvsVrrpRouter::Apply(const lvs::VrrpActions& actions)
{
    for (const lvs::VrrpAction& a : actions)
    {
        Instance& in = m_instances.at(a.member);
        switch (a.kind)
        {
        case lvs::VrrpAction::Kind::kTransition:
            NS_LOG_INFO(Simulator::Now().As(Time::S)
                        << " node " << GetNode()->GetId() << " " << in.config.name << ": "
                        << lvs::vrrp_state_name(a.transition.from) << " -> "
                        << lvs::vrrp_state_name(a.transition.to) << " ("
                        << lvs::vrrp_reason_name(a.transition.reason) << ")");
            m_transitionTrace(in.config.name, a.transition.from, a.transition.to, a.transition.reason);
            break;
        case lvs::VrrpAction::Kind::kSendAdvert:
            SendAdvert(in, a);
            break;
        case lvs::VrrpAction::Kind::kBecomeMaster:
            SetVips(in, a.vips, true, a.use_vmac);
            break;
        case lvs::VrrpAction::Kind::kLeaveMaster:
            SetVips(in, a.vips, false, a.use_vmac);
            break;
        case lvs::VrrpAction::Kind::kGratuitousArp:
            SendGratuitousArp(in, a.ip);
            break;
        }
    }
    const bool master = m_group && m_group->state() == lvs::VrrpState::kMaster;
    if (master != m_master)
    {
        m_master = master;
        m_masterTrace(master);
    }
    Reschedule();
}

void
LvsVrrpRouter::SendAdvert(Instance& in, const lvs::VrrpAction& a)
{
    if (!in.socket)
    {
        return;
    }
    const std::vector<uint8_t> msg = lvs::encode_vrrp(a.advert, a.src, a.dst);
    Ptr<Packet> p = Create<Packet>(msg.data(), msg.size());
    m_advertTxTrace(p);
    // RFC 3768 5.2.3 / RFC 5798 5.1.1.3: TTL 255; keepalived sends TOS 0xc0.
    SocketIpTtlTag ttl;
    ttl.SetTtl(lvs::kVrrpTtl);
    p->AddPacketTag(ttl);
    SocketIpTosTag tos;
    tos.SetTos(0xc0);
    p->AddPacketTag(tos);
    in.socket->SendTo(p, 0, InetSocketAddress(Ipv4Address(a.dst), 0));
    ++m_sent;
}

void
LvsVrrpRouter::SendGratuitousArp(Instance& in, lvs::Ip4 ip)
{
    // An ARP request for our own address, broadcast (what keepalived sends).
    ArpHeader arp;
    const Address mac = in.device->GetAddress();
    arp.SetRequest(mac, Ipv4Address(ip), Mac48Address::GetBroadcast(), Ipv4Address(ip));
    Ptr<Packet> p = Create<Packet>();
    p->AddHeader(arp);
    in.device->Send(p, in.device->GetBroadcast(), ArpL3Protocol::PROT_NUMBER);
}

void
LvsVrrpRouter::SetVips(Instance& in, const std::vector<lvs::Ip4>& vips, bool add, bool vmac)
{
    Ptr<Ipv4> ipv4 = GetNode()->GetObject<Ipv4>();
    // The virtual IPs are host addresses (/32). With the subnet's prefix,
    // ns-3's static routing would delete the subnet route when one is
    // removed (NotifyRemoveAddress), cutting the router off its own LAN;
    // Linux keeps it for the primary address. The subnet route is there for
    // the primary address anyway.
    const Ipv4Mask mask = Ipv4Mask::GetOnes();
    for (const lvs::Ip4 vip : vips)
    {
        const Ipv4Address a(vip);
        int32_t index = -1;
        for (uint32_t i = 0; i < ipv4->GetNAddresses(in.interface); ++i)
        {
            if (ipv4->GetAddress(in.interface, i).GetLocal() == a)
            {
                index = static_cast<int32_t>(i);
            }
        }
        if (add && index < 0)
        {
            ipv4->AddAddress(in.interface, Ipv4InterfaceAddress(a, mask));
        }
        else if (!add && index >= 0)
        {
            ipv4->RemoveAddress(in.interface, static_cast<uint32_t>(index));
        }
    }
    if (vmac && in.device)
    {
        in.device->SetAddress(add ? Address(VirtualMac(in.config.vrid)) : in.ownMac);
    }
}

} // namespace ns3
