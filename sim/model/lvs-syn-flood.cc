#include "lvs-syn-flood.h"

#include "ns3/inet-socket-address.h"
#include "ns3/ipv4-header.h"
#include "ns3/ipv4-raw-socket-factory.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/socket.h"
#include "ns3/tcp-header.h"
#include "ns3/uinteger.h"
#include "ns3/boolean.h"
#include "ns3/ipv4-address.h"
#include "ns3/ipv4.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LvsSynFlood");
NS_OBJECT_ENSURE_REGISTERED(LvsSynFlood);

TypeId
LvsSynFlood::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::LvsSynFlood")
            .SetParent<Application>()
            .SetGroupName("Lvs")
            .AddConstructor<LvsSynFlood>()
            .AddAttribute("SourceNetwork",
                          "Where the spoofed source addresses come from",
                          Ipv4AddressValue("198.18.0.0"),
                          MakeIpv4AddressAccessor(&LvsSynFlood::m_sourceNet),
                          MakeIpv4AddressChecker())
            .AddAttribute("SourcePrefixLength",
                          "Prefix length of SourceNetwork",
                          UintegerValue(15),
                          MakeUintegerAccessor(&LvsSynFlood::m_sourcePrefix),
                          MakeUintegerChecker<uint32_t>(8, 32));
    return tid;
}

LvsSynFlood::LvsSynFlood()
    : m_random(CreateObject<UniformRandomVariable>())
{
}

LvsSynFlood::~LvsSynFlood() = default;

void
LvsSynFlood::SetTarget(Ipv4Address vip, uint16_t port)
{
    m_vip = vip;
    m_port = port;
}

void
LvsSynFlood::SetRate(double rate)
{
    m_rate = rate;
    Reschedule();
}

uint64_t
LvsSynFlood::GetSent() const
{
    return m_sent;
}

int64_t
LvsSynFlood::AssignStreams(int64_t stream)
{
    m_random->SetStream(stream);
    return 1;
}

void
LvsSynFlood::StartApplication()
{
    m_running = true;
    m_socket = Socket::CreateSocket(GetNode(), Ipv4RawSocketFactory::GetTypeId());
    m_socket->SetAttribute("Protocol", UintegerValue(6));
    m_socket->SetAttribute("IpHeaderInclude", BooleanValue(true));
    // Spoofed sources are none of ours, so the socket must name its device:
    // the one on the VIP's network.
    Ptr<Ipv4> ipv4 = GetNode()->GetObject<Ipv4>();
    for (uint32_t i = 0; i < ipv4->GetNInterfaces(); ++i)
    {
        for (uint32_t a = 0; a < ipv4->GetNAddresses(i); ++a)
        {
            const Ipv4InterfaceAddress addr = ipv4->GetAddress(i, a);
            if (addr.GetMask() != Ipv4Mask::GetOnes() &&
                addr.GetLocal().CombineMask(addr.GetMask()) == m_vip.CombineMask(addr.GetMask()))
            {
                m_socket->BindToNetDevice(ipv4->GetNetDevice(i));
            }
        }
    }
    NS_ABORT_MSG_IF(!m_socket->GetBoundNetDevice(), "LvsSynFlood: no interface on the network of " << m_vip);
    Reschedule();
}

void
LvsSynFlood::StopApplication()
{
    m_running = false;
    Simulator::Cancel(m_event);
    if (m_socket)
    {
        m_socket->Close();
        m_socket = nullptr;
    }
}

void
LvsSynFlood::DoDispose()
{
    StopApplication();
    Application::DoDispose();
}

void
LvsSynFlood::Reschedule()
{
    Simulator::Cancel(m_event);
    if (m_running && m_rate > 0)
    {
        m_event = Simulator::Schedule(Seconds(1.0 / m_rate), &LvsSynFlood::SendOne, this);
    }
}

void
LvsSynFlood::SendOne()
{
    const uint32_t hosts = m_sourcePrefix >= 32 ? 1u : (1u << (32 - m_sourcePrefix));
    const uint32_t offset = m_random->GetInteger(0, hosts - 1);
    const Ipv4Address src(m_sourceNet.Get() + offset);
    const auto sport = static_cast<uint16_t>(m_random->GetInteger(1024, 65535));

    TcpHeader tcp;
    tcp.SetSourcePort(sport);
    tcp.SetDestinationPort(m_port);
    tcp.SetSequenceNumber(SequenceNumber32(m_random->GetInteger(0, 0xffffffffu)));
    tcp.SetFlags(TcpHeader::SYN);
    tcp.SetWindowSize(65535);
    if (Node::ChecksumEnabled())
    {
        tcp.EnableChecksums();
        tcp.InitializeChecksum(src, m_vip, 6);
    }
    Ptr<Packet> p = Create<Packet>();
    p->AddHeader(tcp);
    Ipv4Header ip;
    ip.SetSource(src);
    ip.SetDestination(m_vip);
    ip.SetProtocol(6);
    ip.SetTtl(64);
    ip.SetPayloadSize(p->GetSize());
    ip.SetIdentification(static_cast<uint16_t>(m_sent));
    if (Node::ChecksumEnabled())
    {
        ip.EnableChecksum();
    }
    p->AddHeader(ip);
    m_socket->SendTo(p, 0, InetSocketAddress(m_vip, 0));
    ++m_sent;
    Reschedule();
}

} // namespace ns3
