#include "lvs-time-wait-table.h"

#include <ns3/abort.h>
#include <ns3/inet-socket-address.h>
#include <ns3/ipv4-header.h>
#include <ns3/ipv4-l3-protocol.h>
#include <ns3/log.h>
#include <ns3/node.h>
#include <ns3/packet.h>
#include <ns3/simulator.h>
#include <ns3/tcp-l4-protocol.h>

namespace ns3 {

NS_LOG_COMPONENT_DEFINE("LvsTimeWaitTable");
NS_OBJECT_ENSURE_REGISTERED(LvsTimeWaitTable);

TypeId
LvsTimeWaitTable::GetTypeId()
{
    static TypeId tid = TypeId("ns3::LvsTimeWaitTable")
                            .SetParent<IpL4Protocol>()
                            .SetGroupName("Lvs")
                            .AddConstructor<LvsTimeWaitTable>();
    return tid;
}

std::size_t
LvsTimeWaitTable::KeyHash::operator()(const Key& k) const
{
    uint64_t a = (uint64_t(k.local) << 32) | k.peer;
    uint64_t b = (uint64_t(k.localPort) << 16) | k.peerPort;
    a ^= b * 0x9e3779b97f4a7c15ULL;
    a ^= a >> 29;
    a *= 0xbf58476d1ce4e5b9ULL;
    return std::size_t(a ^ (a >> 32));
}

Ptr<LvsTimeWaitTable>
LvsTimeWaitTable::Install(Ptr<Node> node)
{
    if (Ptr<LvsTimeWaitTable> existing = node->GetObject<LvsTimeWaitTable>())
    {
        return existing;
    }
    Ptr<Ipv4L3Protocol> ipv4 = node->GetObject<Ipv4L3Protocol>();
    Ptr<TcpL4Protocol> tcp = node->GetObject<TcpL4Protocol>();
    NS_ABORT_MSG_UNLESS(ipv4 && tcp,
                        "LvsTimeWaitTable: node " << node->GetId() << " has no IPv4 TCP stack");
    Ptr<LvsTimeWaitTable> table = CreateObject<LvsTimeWaitTable>();
    table->m_tcp = tcp;
    ipv4->Insert(table); // takes TCP's place as protocol 6 on every interface
    node->AggregateObject(table);
    return table;
}

void
LvsTimeWaitTable::Watch(Ptr<Socket> socket, Time timeWait)
{
    Address local;
    Address peer;
    if (timeWait.IsZero() || socket->GetSockName(local) != 0 || socket->GetPeerName(peer) != 0 ||
        !InetSocketAddress::IsMatchingType(local) || !InetSocketAddress::IsMatchingType(peer))
    {
        return;
    }
    const InetSocketAddress l = InetSocketAddress::ConvertFrom(local);
    const InetSocketAddress r = InetSocketAddress::ConvertFrom(peer);
    const uint64_t addresses = (uint64_t(l.GetIpv4().Get()) << 32) | r.GetIpv4().Get();
    const uint32_t ports = (uint32_t(l.GetPort()) << 16) | r.GetPort();
    socket->TraceConnectWithoutContext("State",
                                       MakeBoundCallback(&LvsTimeWaitTable::StateChanged,
                                                         this,
                                                         addresses,
                                                         ports,
                                                         timeWait.GetTimeStep()));
}

void
LvsTimeWaitTable::StateChanged(LvsTimeWaitTable* table,
                               uint64_t addresses,
                               uint32_t ports,
                               int64_t timeWaitNs,
                               TcpSocket::TcpStates_t,
                               TcpSocket::TcpStates_t to)
{
    if (to == TcpSocket::TIME_WAIT)
    {
        const Key key{uint32_t(addresses >> 32),
                      uint32_t(addresses),
                      uint16_t(ports >> 16),
                      uint16_t(ports)};
        table->Enter(key, TimeStep(timeWaitNs));
    }
}

void
LvsTimeWaitTable::Enter(const Key& key, Time timeWait)
{
    Purge();
    const int64_t until = (Simulator::Now() + timeWait).GetTimeStep();
    m_until[key] = until;
    m_expiry.emplace_back(until, key);
}

void
LvsTimeWaitTable::Purge()
{
    const int64_t now = Simulator::Now().GetTimeStep();
    while (!m_expiry.empty() && m_expiry.front().first <= now)
    {
        auto it = m_until.find(m_expiry.front().second);
        if (it != m_until.end() && it->second <= now) // not re-entered since
        {
            m_until.erase(it);
        }
        m_expiry.pop_front();
    }
}

uint32_t
LvsTimeWaitTable::GetSize()
{
    Purge();
    return static_cast<uint32_t>(m_until.size());
}

uint64_t
LvsTimeWaitTable::GetDropped() const
{
    return m_dropped;
}

int
LvsTimeWaitTable::GetProtocolNumber() const
{
    return TcpL4Protocol::PROT_NUMBER;
}

IpL4Protocol::RxStatus
LvsTimeWaitTable::Receive(Ptr<Packet> p, const Ipv4Header& header, Ptr<Ipv4Interface> incomingInterface)
{
    if (!m_until.empty())
    {
        Purge();
        uint8_t ports[4];
        if (p->CopyData(ports, sizeof ports) == sizeof ports)
        {
            const Key key{header.GetDestination().Get(),
                          header.GetSource().Get(),
                          uint16_t(ports[2] << 8 | ports[3]),
                          uint16_t(ports[0] << 8 | ports[1])};
            auto it = m_until.find(key);
            if (it != m_until.end() && it->second > Simulator::Now().GetTimeStep())
            {
                NS_LOG_LOGIC("segment " << header.GetSource() << ":" << key.peerPort << " -> "
                                        << header.GetDestination() << ":" << key.localPort
                                        << " dropped in TIME_WAIT");
                ++m_dropped;
                return RX_OK;
            }
        }
    }
    return m_tcp->Receive(p, header, incomingInterface);
}

IpL4Protocol::RxStatus
LvsTimeWaitTable::Receive(Ptr<Packet> p, const Ipv6Header& header, Ptr<Ipv6Interface> incomingInterface)
{
    return m_tcp->Receive(p, header, incomingInterface);
}

void
LvsTimeWaitTable::ReceiveIcmp(Ipv4Address icmpSource,
                              uint8_t icmpTtl,
                              uint8_t icmpType,
                              uint8_t icmpCode,
                              uint32_t icmpInfo,
                              Ipv4Address payloadSource,
                              Ipv4Address payloadDestination,
                              const uint8_t payload[8])
{
    m_tcp->ReceiveIcmp(icmpSource,
                       icmpTtl,
                       icmpType,
                       icmpCode,
                       icmpInfo,
                       payloadSource,
                       payloadDestination,
                       payload);
}

void
LvsTimeWaitTable::ReceiveIcmp(Ipv6Address icmpSource,
                              uint8_t icmpTtl,
                              uint8_t icmpType,
                              uint8_t icmpCode,
                              uint32_t icmpInfo,
                              Ipv6Address payloadSource,
                              Ipv6Address payloadDestination,
                              const uint8_t payload[8])
{
    m_tcp->ReceiveIcmp(icmpSource,
                       icmpTtl,
                       icmpType,
                       icmpCode,
                       icmpInfo,
                       payloadSource,
                       payloadDestination,
                       payload);
}

void
LvsTimeWaitTable::SetDownTarget(DownTargetCallback cb)
{
    m_tcp->SetDownTarget(cb);
}

void
LvsTimeWaitTable::SetDownTarget6(DownTargetCallback6 cb)
{
    m_tcp->SetDownTarget6(cb);
}

IpL4Protocol::DownTargetCallback
LvsTimeWaitTable::GetDownTarget() const
{
    return m_tcp->GetDownTarget();
}

IpL4Protocol::DownTargetCallback6
LvsTimeWaitTable::GetDownTarget6() const
{
    return m_tcp->GetDownTarget6();
}

void
LvsTimeWaitTable::DoDispose()
{
    m_until.clear();
    m_expiry.clear();
    m_tcp = nullptr;
    IpL4Protocol::DoDispose();
}

} // namespace ns3
