#include "router-cost-model.h"

#include <algorithm>

#include "ns3/abort.h"
#include "ns3/double.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("RouterCostModel");
NS_OBJECT_ENSURE_REGISTERED(RouterCostModel);

const std::vector<RouterCostModel::Profile>&
RouterCostModel::Profiles()
{
    // Sources:
    // - ipvs-nat: Hoiland-Jorgensen et al., "The eXpress Data Path: Fast
    //   Programmable Packet Processing in the Operating System Kernel",
    //   CoNEXT 2018, load-balancer evaluation (Table 1): Linux IPVS forwards
    //   about 1.2 Mpps on one core (1 / 1.2e6 s = 833 ns per packet). The paper
    //   gives no per-byte or per-connection figure, so both are 0 here. The
    //   queue is Linux's default net.core.netdev_max_backlog (1000 packets).
    // - none: no CPU limit at all; only the links limit the router.
    // - custom: starts from zero cost; set every value through the attributes.
    static const std::vector<Profile> profiles = {
        {"ipvs-nat",
         NanoSeconds(833),
         0.0,
         Time(0),
         1,
         1000,
         "Hoiland-Jorgensen et al., The eXpress Data Path, CoNEXT 2018, Table 1: Linux IPVS "
         "~1.2 Mpps per core; queue = net.core.netdev_max_backlog default (1000)"},
        {"none", Time(0), 0.0, Time(0), 1, 1000, "no CPU cost: only the links limit the router"},
        {"custom", Time(0), 0.0, Time(0), 1, 1000, "user-set values (attributes)"},
    };
    return profiles;
}

TypeId
RouterCostModel::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::RouterCostModel")
            .SetParent<Object>()
            .SetGroupName("Lvs")
            .AddConstructor<RouterCostModel>()
            .AddAttribute("PerPacket",
                          "CPU time each packet costs",
                          TimeValue(Time(0)),
                          MakeTimeAccessor(&RouterCostModel::m_perPacket),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("PerByte",
                          "CPU seconds each byte of the IPv4 datagram costs",
                          DoubleValue(0.0),
                          MakeDoubleAccessor(&RouterCostModel::m_perByteSeconds),
                          MakeDoubleChecker<double>(0.0))
            .AddAttribute("PerConnection",
                          "extra CPU time of a packet that opens a new connection",
                          TimeValue(Time(0)),
                          MakeTimeAccessor(&RouterCostModel::m_perConnection),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("Cores",
                          "packets served in parallel",
                          UintegerValue(1),
                          MakeUintegerAccessor(&RouterCostModel::m_cores),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("QueueLimit",
                          "packets that may wait for a core; more are dropped",
                          UintegerValue(1000),
                          MakeUintegerAccessor(&RouterCostModel::m_queueLimit),
                          MakeUintegerChecker<uint32_t>())
            .AddTraceSource("QueueDrop",
                            "a packet dropped because the input queue was full (its bytes)",
                            MakeTraceSourceAccessor(&RouterCostModel::m_queueDropTrace),
                            "ns3::TracedValueCallback::Uint32");
    return tid;
}

RouterCostModel::RouterCostModel()
{
    NS_LOG_FUNCTION(this);
    ApplyProfile("none");
}

bool
RouterCostModel::ApplyProfile(const std::string& name)
{
    NS_LOG_FUNCTION(this << name);
    for (const Profile& p : Profiles())
    {
        if (p.name == name)
        {
            m_profile = p.name;
            m_perPacket = p.perPacket;
            m_perByteSeconds = p.perByteSeconds;
            m_perConnection = p.perConnection;
            m_cores = p.cores;
            m_queueLimit = p.queueLimit;
            return true;
        }
    }
    return false;
}

std::string
RouterCostModel::GetProfileName() const
{
    return m_profile;
}

bool
RouterCostModel::IsFree() const
{
    return m_perPacket.IsZero() && m_perByteSeconds == 0.0 && m_perConnection.IsZero();
}

Time
RouterCostModel::Cost(uint32_t bytes, bool newConnection) const
{
    Time t = m_perPacket;
    if (m_perByteSeconds > 0.0)
    {
        t += Seconds(m_perByteSeconds * bytes);
    }
    if (newConnection)
    {
        t += m_perConnection;
    }
    return t;
}

void
RouterCostModel::EnsureCores()
{
    if (m_core.size() != m_cores)
    {
        NS_ABORT_MSG_IF(m_core.size() > m_cores &&
                            std::any_of(m_core.begin() + m_cores,
                                        m_core.end(),
                                        [](const Core& c) { return c.busy; }),
                        "RouterCostModel: Cores lowered while those cores are busy");
        m_core.resize(m_cores);
    }
}

bool
RouterCostModel::Submit(Job job)
{
    NS_LOG_FUNCTION(this << job.bytes);
    EnsureCores();
    for (uint32_t i = 0; i < m_core.size(); ++i)
    {
        if (!m_core[i].busy)
        {
            NS_ASSERT(m_queue.empty());
            Start(i, std::move(job));
            return true;
        }
    }
    if (m_queue.size() >= m_queueLimit)
    {
        ++m_queueDrops;
        NS_LOG_LOGIC("queue full (" << m_queue.size() << "): drop " << job.bytes << " bytes");
        m_queueDropTrace(job.bytes);
        return false;
    }
    m_queue.push_back(std::move(job));
    m_peakQueue = std::max<uint32_t>(m_peakQueue, static_cast<uint32_t>(m_queue.size()));
    return true;
}

void
RouterCostModel::Start(uint32_t core, Job job)
{
    Core& c = m_core[core];
    const bool newConnection = job.serve();
    c.busy = true;
    c.since = Simulator::Now();
    c.cost = Cost(job.bytes, newConnection);
    c.finish = std::move(job.finish);
    NS_LOG_LOGIC("core " << core << " busy for " << c.cost.As(Time::NS)
                         << (newConnection ? " (new connection)" : ""));
    c.done = Simulator::Schedule(c.cost, &RouterCostModel::Done, this, core);
}

void
RouterCostModel::Done(uint32_t core)
{
    Core& c = m_core[core];
    c.busy = false;
    m_busyDone += c.cost;
    ++m_served;
    std::function<void()> finish = std::move(c.finish);
    c.finish = nullptr;
    if (!m_queue.empty())
    {
        Job next = std::move(m_queue.front());
        m_queue.pop_front();
        Start(core, std::move(next));
    }
    finish();
}

uint64_t
RouterCostModel::GetServed() const
{
    return m_served;
}

uint64_t
RouterCostModel::GetQueueDrops() const
{
    return m_queueDrops;
}

uint32_t
RouterCostModel::GetQueueLength() const
{
    return static_cast<uint32_t>(m_queue.size());
}

uint32_t
RouterCostModel::GetPeakQueueLength() const
{
    return m_peakQueue;
}

Time
RouterCostModel::GetBusyTime() const
{
    Time busy = m_busyDone;
    const Time now = Simulator::Now();
    for (const Core& c : m_core)
    {
        if (c.busy)
        {
            busy += now - c.since;  // ResetStats subtracted the part before the window
        }
    }
    return busy;
}

double
RouterCostModel::GetUtilisation() const
{
    const Time elapsed = Simulator::Now() - m_windowStart;
    if (!elapsed.IsStrictlyPositive())
    {
        return 0.0;
    }
    return GetBusyTime().GetSeconds() / (m_cores * elapsed.GetSeconds());
}

void
RouterCostModel::ResetStats()
{
    NS_LOG_FUNCTION(this);
    m_windowStart = Simulator::Now();
    m_busyDone = Time(0);
    // Packets still on a core count from the window start (GetBusyTime) and,
    // when they finish, only for their part inside the window.
    for (Core& c : m_core)
    {
        if (c.busy)
        {
            m_busyDone -= m_windowStart - c.since;
        }
    }
    m_served = 0;
    m_queueDrops = 0;
    m_peakQueue = static_cast<uint32_t>(m_queue.size());
}

void
RouterCostModel::DoDispose()
{
    NS_LOG_FUNCTION(this);
    for (Core& c : m_core)
    {
        c.done.Cancel();
        c.finish = nullptr;
    }
    m_core.clear();
    m_queue.clear();
    Object::DoDispose();
}

} // namespace ns3
