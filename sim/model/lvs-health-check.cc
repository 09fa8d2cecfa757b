#include "lvs-health-check.h"

#include "lvs-request-header.h"

#include "ns3/inet-socket-address.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/socket.h"
#include "ns3/tcp-socket-factory.h"
#include "ns3/trace-source-accessor.h"

#include "lvs/engine.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LvsHealthCheck");
NS_OBJECT_ENSURE_REGISTERED(LvsHealthCheck);

namespace
{

lvs::Time
EngineNow()
{
    return lvs::Time(Simulator::Now().GetNanoSeconds());
}

// What an HTTP_GET probe asks for: a small page, and the server closes.
constexpr uint32_t kProbeRequestBytes = 100;
constexpr uint32_t kProbeResponseBytes = 500;

} // namespace

TypeId
LvsHealthCheck::GetTypeId()
{
    static TypeId tid = TypeId("ns3::LvsHealthCheck")
                            .SetParent<Application>()
                            .SetGroupName("Lvs")
                            .AddConstructor<LvsHealthCheck>()
                            .AddTraceSource("Event",
                                            "a real server went down or up, quorum was lost or "
                                            "gained, the sorry server went in or out",
                                            MakeTraceSourceAccessor(&LvsHealthCheck::m_eventTrace),
                                            "ns3::LvsHealthCheck::EventCallback");
    return tid;
}

LvsHealthCheck::LvsHealthCheck() = default;
LvsHealthCheck::~LvsHealthCheck() = default;

void
LvsHealthCheck::Setup(const lvs::HealthConfig& config, Ptr<LvsNatRouting> director, Ipv4Address source)
{
    m_config = config;
    m_director = director;
    m_source = source;
}

void
LvsHealthCheck::SetMiscSchedule(lvs::CheckerId id, const lvs::MiscSchedule& schedule)
{
    m_misc.erase(id);
    m_misc.emplace(id, schedule);
}

const lvs::HealthChecker*
LvsHealthCheck::GetChecker() const
{
    return m_checker.get();
}

uint64_t
LvsHealthCheck::GetProbes() const
{
    return m_probeCount;
}

void
LvsHealthCheck::DoDispose()
{
    StopApplication();
    m_director = nullptr;
    Application::DoDispose();
}

void
LvsHealthCheck::StartApplication()
{
    // keepalived programs the real servers it checks itself: whatever the
    // table had for them goes, and the checker's start-up actions put in
    // the ones it starts with (all of them, or none with alpha).
    lvs::Engine& engine = m_director->GetEngine();
    engine.advance(EngineNow()); // control operations happen at the engine's time
    for (const lvs::VirtualServiceHealthConfig& vs : m_config.services)
    {
        for (const lvs::ServiceKey& key : vs.keys)
        {
            for (const lvs::RealServerHealthConfig& rs : vs.real_servers)
            {
                engine.del_dest(key, rs.dest.addr, rs.dest.port);
            }
        }
    }
    m_eventsSeen = 0;
    m_checker = std::make_unique<lvs::HealthChecker>(m_config, EngineNow());
    Flush();
    Reschedule();
}

void
LvsHealthCheck::Crash()
{
    StopApplication();
    m_checker.reset();
}

void
LvsHealthCheck::Recover()
{
    if (!m_checker)
    {
        StartApplication();
    }
}

void
LvsHealthCheck::StopApplication()
{
    Simulator::Cancel(m_timer);
    // Closing a socket can call back into Finish(), which erases from
    // m_probes: take them out first.
    std::map<lvs::CheckerId, Probe> probes;
    probes.swap(m_probes);
    for (auto& [id, probe] : probes)
    {
        Simulator::Cancel(probe.timeout);
        if (probe.socket)
        {
            probe.socket->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
            probe.socket->SetConnectCallback(MakeNullCallback<void, Ptr<Socket>>(),
                                             MakeNullCallback<void, Ptr<Socket>>());
            probe.socket->SetCloseCallbacks(MakeNullCallback<void, Ptr<Socket>>(),
                                            MakeNullCallback<void, Ptr<Socket>>());
            probe.socket->Close();
        }
    }
}

void
LvsHealthCheck::Reschedule()
{
    Simulator::Cancel(m_timer);
    if (!m_checker)
    {
        return;
    }
    const lvs::Time due = m_checker->next_due();
    if (due == lvs::Time::max())
    {
        return;
    }
    const Time at = std::max(NanoSeconds(due.count()), Simulator::Now());
    m_timer = Simulator::Schedule(at - Simulator::Now(), &LvsHealthCheck::OnTimer, this);
}

void
LvsHealthCheck::OnTimer()
{
    for (const lvs::ProbeRequest& r : m_checker->on_timer(EngineNow()))
    {
        StartProbe(r);
    }
    Flush();
    Reschedule();
}

void
LvsHealthCheck::StartProbe(const lvs::ProbeRequest& r)
{
    ++m_probeCount;
    if (r.kind == lvs::CheckKind::kMisc)
    {
        auto it = m_misc.find(r.id);
        const lvs::ProbeOutcome outcome =
            it == m_misc.end() ? lvs::ProbeOutcome::misc_exit(0) : it->second.outcome(EngineNow());
        // The script's answer comes back from the event loop, as a child's exit would.
        Simulator::ScheduleNow(&LvsHealthCheck::Finish, this, r.id, outcome);
        return;
    }
    Probe& p = m_probes[r.id];
    p.request = r;
    p.socket = Socket::CreateSocket(GetNode(), TcpSocketFactory::GetTypeId());
    p.socket->Bind(InetSocketAddress(m_source, 0));
    p.socket->SetConnectCallback(MakeCallback(&LvsHealthCheck::Connected, this).Bind(r.id),
                                 MakeCallback(&LvsHealthCheck::ConnectFailed, this).Bind(r.id));
    p.socket->SetCloseCallbacks(MakeCallback(&LvsHealthCheck::Closed, this).Bind(r.id),
                                MakeCallback(&LvsHealthCheck::Closed, this).Bind(r.id));
    p.socket->SetRecvCallback(MakeCallback(&LvsHealthCheck::Received, this).Bind(r.id));
    p.timeout = Simulator::Schedule(NanoSeconds(r.timeout.count()),
                                    &LvsHealthCheck::Finish,
                                    this,
                                    r.id,
                                    lvs::ProbeOutcome::timeout());
    p.socket->Connect(InetSocketAddress(Ipv4Address(r.addr), r.port));
}

void
LvsHealthCheck::Connected(lvs::CheckerId id, Ptr<Socket> socket)
{
    auto it = m_probes.find(id);
    if (it == m_probes.end())
    {
        return;
    }
    Probe& p = it->second;
    if (p.request.kind == lvs::CheckKind::kTcp)
    {
        Finish(id, lvs::ProbeOutcome::ok());
        return;
    }
    LvsRequestHeader h;
    h.requestId = ++m_requestId;
    h.flags = LvsRequestHeader::kLast;
    h.messageSize = kProbeRequestBytes;
    h.responseSize = kProbeResponseBytes;
    h.sentAt = Simulator::Now();
    p.expected = kProbeResponseBytes;
    socket->Send(MakeLvsMessage(h));
}

void
LvsHealthCheck::ConnectFailed(lvs::CheckerId id, Ptr<Socket>)
{
    Finish(id, lvs::ProbeOutcome::connect_failed());
}

void
LvsHealthCheck::Received(lvs::CheckerId id, Ptr<Socket> socket)
{
    auto it = m_probes.find(id);
    Ptr<Packet> packet;
    while ((packet = socket->Recv()))
    {
        if (it != m_probes.end())
        {
            it->second.received += packet->GetSize();
        }
    }
    if (it != m_probes.end() && it->second.expected > 0 && it->second.received >= it->second.expected)
    {
        Finish(id, lvs::ProbeOutcome::http_status(200));
    }
}

void
LvsHealthCheck::Closed(lvs::CheckerId id, Ptr<Socket>)
{
    // Closed or reset before the response was complete.
    if (m_probes.count(id))
    {
        Finish(id, lvs::ProbeOutcome::connect_failed());
    }
}

void
LvsHealthCheck::Finish(lvs::CheckerId id, const lvs::ProbeOutcome& outcome)
{
    auto it = m_probes.find(id);
    if (it != m_probes.end())
    {
        Probe& p = it->second;
        Simulator::Cancel(p.timeout);
        if (p.socket)
        {
            p.socket->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
            p.socket->SetConnectCallback(MakeNullCallback<void, Ptr<Socket>>(),
                                         MakeNullCallback<void, Ptr<Socket>>());
            p.socket->SetCloseCallbacks(MakeNullCallback<void, Ptr<Socket>>(),
                                        MakeNullCallback<void, Ptr<Socket>>());
            Ptr<Socket> socket = p.socket;
            m_probes.erase(it);
            socket->Close();
        }
        else
        {
            m_probes.erase(it);
        }
    }
    if (!m_checker)
    {
        return;
    }
    NS_LOG_INFO(Simulator::Now().As(Time::S) << " probe " << id << ": " << lvs::describe(outcome));
    m_checker->on_probe_result(id, outcome, EngineNow());
    Flush();
    Reschedule();
}

void
LvsHealthCheck::Flush()
{
    std::vector<lvs::HealthAction> actions = m_checker->take_actions();
    if (!actions.empty())
    {
        m_director->GetEngine().advance(EngineNow()); // the changes happen now
    }
    for (const lvs::HealthAction& a : actions)
    {
        const lvs::ControlResult r = lvs::apply(m_director->GetEngine(), a);
        NS_LOG_INFO(Simulator::Now().As(Time::S)
                    << " " << lvs::action_kind_name(a.kind) << " " << lvs::format_ip4(a.dest.addr)
                    << ":" << a.dest.port << (r ? "" : " (failed)"));
    }
    const auto& events = m_checker->events();
    for (; m_eventsSeen < events.size(); ++m_eventsSeen)
    {
        m_eventTrace(events[m_eventsSeen]);
    }
}

} // namespace ns3
