#ifndef LVS_FRAME_FILTER_H
#define LVS_FRAME_FILTER_H

#include "ns3/error-model.h"
#include "ns3/mac48-address.h"
#include "ns3/random-variable-stream.h"

#include <cstdint>
#include <set>

namespace ns3
{

/**
 * A receive error model for the faults a scenario injects on one device:
 * random packet loss at a rate, and (on Ethernet devices) dropping every frame
 * whose source MAC address is blocked. Blocking the other router's MAC
 * addresses on both routers cuts the path between them while each still
 * reaches the rest of the LAN through the switch: a partition, which with
 * VRRP ends in split brain.
 *
 * The devices of one LAN each get their own filter (ns-3 runs the receive
 * error model of the device a frame arrives at).
 */
class LvsFrameFilter : public ErrorModel
{
  public:
    static TypeId GetTypeId();
    LvsFrameFilter();
    ~LvsFrameFilter() override;

    /// Frames carry an Ethernet header (CSMA), so source MACs can be checked.
    void SetEthernet(bool ethernet);
    void SetLossRate(double rate);
    double GetLossRate() const;
    void Block(Mac48Address source);
    void Unblock(Mac48Address source);
    void UnblockAll();

    uint64_t GetLost() const;
    uint64_t GetBlocked() const;

    /// Streams for the loss draws; returns how many it used.
    int64_t AssignStreams(int64_t stream);

  private:
    bool DoCorrupt(Ptr<Packet> p) override;
    void DoReset() override;

    bool m_ethernet = false;
    double m_rate = 0;
    std::set<Mac48Address> m_blocked;
    Ptr<UniformRandomVariable> m_random;
    uint64_t m_lost = 0;
    uint64_t m_blockedCount = 0;
};

} // namespace ns3

#endif
