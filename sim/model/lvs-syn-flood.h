#ifndef LVS_SYN_FLOOD_H
#define LVS_SYN_FLOOD_H

#include "ns3/application.h"
#include "ns3/event-id.h"
#include "ns3/ipv4-address.h"
#include "ns3/random-variable-stream.h"

#include <cstdint>

namespace ns3
{

class Socket;

/**
 * A SYN flood: TCP SYNs at a fixed rate to one virtual service, each from a
 * random spoofed address of a source prefix (198.18.0.0/15 by default, the
 * benchmarking range) and a random port, so every SYN is a new connection
 * to the director and nobody ever completes a handshake. The SYN-ACKs the
 * real servers send go to addresses nobody has.
 *
 * Sent through a raw IPv4 socket with the header included, from the node
 * it is installed on (the runner uses the Internet-side gateway).
 */
class LvsSynFlood : public Application
{
  public:
    static TypeId GetTypeId();
    LvsSynFlood();
    ~LvsSynFlood() override;

    void SetTarget(Ipv4Address vip, uint16_t port);
    /// SYNs per second; 0 stops the flood.
    void SetRate(double rate);
    uint64_t GetSent() const;
    int64_t AssignStreams(int64_t stream);

  private:
    void StartApplication() override;
    void StopApplication() override;
    void DoDispose() override;
    void SendOne();
    void Reschedule();

    Ipv4Address m_vip;
    uint16_t m_port = 80;
    double m_rate = 0;
    Ipv4Address m_sourceNet;
    uint32_t m_sourcePrefix = 15;
    Ptr<Socket> m_socket;
    Ptr<UniformRandomVariable> m_random;
    EventId m_event;
    uint64_t m_sent = 0;
    bool m_running = false;
};

} // namespace ns3

#endif
