#pragma once
// TIME_WAIT of a node's TCP connections, held in a hash table instead of in
// ns-3's endpoint list.
//
// Why: ns-3 3.37 keeps a connection in TIME_WAIT as a socket that owns an
// Ipv4EndPoint for 2 x MSL, and Ipv4EndPointDemux::Lookup walks the node's
// whole endpoint list for every segment the node receives. A server that
// closes first holds (connections/s x TIME_WAIT) of them: 3,000 at 50 conn/s
// and Linux's 60 s, and walking them became most of a large run's time.
// (Linux hashes its TIME_WAIT sockets; the lookup cost there is constant.)
//
// How: sockets that register here (Watch) get MSL 0, so ns-3 frees them as
// soon as they enter TIME_WAIT. This table then holds their connection
// (local address and port, peer address and port) for the TIME_WAIT they
// were meant to have, and drops every segment of that connection meanwhile.
// That is what ns-3 does with them (TcpSocketBase::DoForwardUp ignores
// segments in TIME_WAIT, a SYN reusing the 4-tuple included). The one thing
// not reproduced: an ns-3 TIME_WAIT socket answers a retransmitted data
// segment that falls outside its window with an ACK.
//
// It sits between IPv4 and TCP: Install() puts it in Ipv4L3Protocol's place
// for protocol 6 and it hands every other segment and ICMP error to the
// node's TcpL4Protocol. Expired entries are purged as segments arrive, so it
// schedules no events.

#include <ns3/ip-l4-protocol.h>
#include <ns3/nstime.h>
#include <ns3/ptr.h>
#include <ns3/socket.h>
#include <ns3/tcp-socket.h>

#include <cstdint>
#include <deque>
#include <unordered_map>

namespace ns3 {

class Node;
class TcpL4Protocol;

class LvsTimeWaitTable : public IpL4Protocol
{
  public:
    static TypeId GetTypeId();

    // The node's table, created and put in front of its TCP on first use.
    static Ptr<LvsTimeWaitTable> Install(Ptr<Node> node);

    // `socket` (connected, TCP) keeps its connection in this table for
    // `timeWait` once it enters TIME_WAIT, instead of in its own endpoint.
    void Watch(Ptr<Socket> socket, Time timeWait);

    uint32_t GetSize(); //!< connections in TIME_WAIT now
    uint64_t GetDropped() const; //!< segments dropped because their connection was in TIME_WAIT

    // IpL4Protocol
    int GetProtocolNumber() const override;
    RxStatus Receive(Ptr<Packet> p,
                     const Ipv4Header& header,
                     Ptr<Ipv4Interface> incomingInterface) override;
    RxStatus Receive(Ptr<Packet> p,
                     const Ipv6Header& header,
                     Ptr<Ipv6Interface> incomingInterface) override;
    void ReceiveIcmp(Ipv4Address icmpSource,
                     uint8_t icmpTtl,
                     uint8_t icmpType,
                     uint8_t icmpCode,
                     uint32_t icmpInfo,
                     Ipv4Address payloadSource,
                     Ipv4Address payloadDestination,
                     const uint8_t payload[8]) override;
    void ReceiveIcmp(Ipv6Address icmpSource,
                     uint8_t icmpTtl,
                     uint8_t icmpType,
                     uint8_t icmpCode,
                     uint32_t icmpInfo,
                     Ipv6Address payloadSource,
                     Ipv6Address payloadDestination,
                     const uint8_t payload[8]) override;
    void SetDownTarget(DownTargetCallback cb) override;
    void SetDownTarget6(DownTargetCallback6 cb) override;
    DownTargetCallback GetDownTarget() const override;
    DownTargetCallback6 GetDownTarget6() const override;

  protected:
    void DoDispose() override;

  private:
    struct Key
    {
        uint32_t local{0};
        uint32_t peer{0};
        uint16_t localPort{0};
        uint16_t peerPort{0};

        bool operator==(const Key& o) const
        {
            return local == o.local && peer == o.peer && localPort == o.localPort &&
                   peerPort == o.peerPort;
        }
    };

    struct KeyHash
    {
        std::size_t operator()(const Key& k) const;
    };

    // Bound into each watched socket's "State" trace (callback arguments
    // must be comparable, hence the key in two integers).
    static void StateChanged(LvsTimeWaitTable* table,
                             uint64_t addresses,
                             uint32_t ports,
                             int64_t timeWaitNs,
                             TcpSocket::TcpStates_t from,
                             TcpSocket::TcpStates_t to);
    void Enter(const Key& key, Time timeWait);
    void Purge();

    Ptr<TcpL4Protocol> m_tcp;
    std::unordered_map<Key, int64_t, KeyHash> m_until; //!< connection -> end of TIME_WAIT (ns)
    std::deque<std::pair<int64_t, Key>> m_expiry;       //!< in entry order, for purging
    uint64_t m_dropped{0};
};

} // namespace ns3
