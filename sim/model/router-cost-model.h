#ifndef ROUTER_COST_MODEL_H
#define ROUTER_COST_MODEL_H

#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/object.h"
#include "ns3/traced-callback.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace ns3
{

/**
 * The router's CPU: `Cores` parallel servers in front of a bounded FIFO input
 * queue (`QueueLimit` packets waiting, not counting those on a core). Each
 * packet keeps one core busy for
 *   PerPacket + PerByte x bytes + (opened a connection ? PerConnection : 0).
 * A packet that finds every core busy and the queue full is dropped.
 *
 * The NIC rate is not modelled here: it comes from the links.
 */
class RouterCostModel : public Object
{
  public:
    /// A named set of costs, with where its numbers come from.
    struct Profile
    {
        std::string name;
        Time perPacket;
        double perByteSeconds;
        Time perConnection;
        uint32_t cores;
        uint32_t queueLimit;
        std::string source;
    };

    /// The built-in profiles: "ipvs-nat", "none", "custom".
    static const std::vector<Profile>& Profiles();

    /**
     * What the director does with a packet once a core takes it (Serve:
     * returns whether the packet opened a new connection, which decides the
     * per-connection cost) and once that core has spent the packet's cost
     * (Finish).
     */
    struct Job
    {
        uint32_t bytes = 0;
        std::function<bool()> serve;
        std::function<void()> finish;
    };

    static TypeId GetTypeId();
    RouterCostModel();

    /// Sets every cost from a built-in profile; false if there is no such profile.
    bool ApplyProfile(const std::string& name);
    std::string GetProfileName() const;

    /// Zero cost: packets bypass the queue and are served on the spot.
    bool IsFree() const;

    /**
     * Hands a packet to the CPU. Returns false, counts and traces a queue drop
     * when the queue is full (the job is then never run).
     */
    bool Submit(Job job);

    /// The CPU time a packet of `bytes` costs.
    Time Cost(uint32_t bytes, bool newConnection) const;

    /// Packets whose Finish ran.
    uint64_t GetServed() const;
    uint64_t GetQueueDrops() const;
    uint32_t GetQueueLength() const;
    uint32_t GetPeakQueueLength() const;
    /// Busy core-seconds up to now (the busy part of packets still on a core included).
    Time GetBusyTime() const;
    /// Busy core-seconds / (cores x time since the start or the last ResetStats).
    double GetUtilisation() const;
    /// Restarts the utilisation window and the counters.
    void ResetStats();

  protected:
    void DoDispose() override;

  private:
    struct Core
    {
        bool busy = false;
        Time since;  // when the current packet took the core
        Time cost;
        EventId done;
        std::function<void()> finish;
    };

    void Start(uint32_t core, Job job);
    void Done(uint32_t core);
    void EnsureCores();

    std::string m_profile;
    Time m_perPacket;
    double m_perByteSeconds = 0;
    Time m_perConnection;
    uint32_t m_cores = 1;
    uint32_t m_queueLimit = 1000;

    std::vector<Core> m_core;
    std::deque<Job> m_queue;
    Time m_windowStart;
    Time m_busyDone;  // busy time of finished packets in the window
    uint64_t m_served = 0;
    uint64_t m_queueDrops = 0;
    uint32_t m_peakQueue = 0;

    TracedCallback<uint32_t> m_queueDropTrace;  // bytes of the dropped packet
};

} // namespace ns3

#endif // ROUTER_COST_MODEL_H
