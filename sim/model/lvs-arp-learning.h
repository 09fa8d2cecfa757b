#ifndef LVS_ARP_LEARNING_H
#define LVS_ARP_LEARNING_H

#include "ns3/object.h"
#include "ns3/ptr.h"
#include "ns3/traced-callback.h"

#include <cstdint>

namespace ns3
{

class Address;
class Ipv4Address;
class NetDevice;
class Node;
class Packet;

/**
 * Learns from gratuitous ARP, as a Linux host does with arp_accept for
 * entries it already has: when a floating address moves to the backup
 * router, keepalived announces it with gratuitous ARP, and neighbours that
 * had the address cached must update the MAC address they send to.
 *
 * Stock ns-3 ARP (ArpL3Protocol::Receive) ignores such packets: it only
 * learns from replies it waits for and from requests addressed to itself, so
 * a host would keep sending to the failed router until its cache entry
 * expires (AliveTimeout, 120 s by default). This object sits beside
 * ArpL3Protocol as a second ARP protocol handler on every device of its node
 * and, for a gratuitous ARP (sender IP == target IP, request or reply),
 * rewrites the MAC address of an existing cache entry for that IP on the
 * receiving interface and marks it fresh. Like Linux, it creates no entry for
 * an address the host had not cached, and leaves permanent entries alone.
 *
 * Install it with LvsArpLearning::Install(node) after the Internet stack and
 * the node's interfaces are in place.
 */
class LvsArpLearning : public Object
{
  public:
    static TypeId GetTypeId();
    LvsArpLearning();
    ~LvsArpLearning() override;

    /// Aggregates an LvsArpLearning to `node` (once) and hooks every device.
    static Ptr<LvsArpLearning> Install(Ptr<Node> node);

    /// Gratuitous ARPs that updated a cache entry so far.
    uint64_t GetUpdates() const;

  private:
    void Hook(Ptr<Node> node);
    void Receive(Ptr<NetDevice> device,
                 Ptr<const Packet> packet,
                 uint16_t protocol,
                 const Address& from,
                 const Address& to,
                 uint8_t packetType);

    Ptr<Node> m_node;
    uint64_t m_updates = 0;
    /// (ip, old MAC, new MAC) on every update.
    TracedCallback<Ipv4Address, const Address&, const Address&> m_learnTrace;
};

} // namespace ns3

#endif
