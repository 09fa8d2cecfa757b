#include "lvs-sync-daemon.h"

#include "ns3/inet-socket-address.h"
#include "ns3/ipv4.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/socket.h"
#include "ns3/tag.h"
#include "ns3/trace-source-accessor.h"
#include "ns3/udp-socket-factory.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LvsSyncDaemon");
NS_OBJECT_ENSURE_REGISTERED(LvsSyncDaemon);

namespace
{

lvs::Time
EngineNow()
{
    return lvs::Time(Simulator::Now().GetNanoSeconds());
}

// When the datagram's first entry was buffered on the master: measurement
// metadata riding with the packet, not part of the kernel's message.
class SyncLagTag : public Tag
{
  public:
    static TypeId GetTypeId()
    {
        static TypeId tid = TypeId("ns3::LvsSyncLagTag").SetParent<Tag>().AddConstructor<SyncLagTag>();
        return tid;
    }

    TypeId GetInstanceTypeId() const override
    {
        return GetTypeId();
    }

    uint32_t GetSerializedSize() const override
    {
        return 8;
    }

    void Serialize(TagBuffer i) const override
    {
        i.WriteU64(static_cast<uint64_t>(firstUseNs));
    }

    void Deserialize(TagBuffer i) override
    {
        firstUseNs = static_cast<int64_t>(i.ReadU64());
    }

    void Print(std::ostream& os) const override
    {
        os << "first_use=" << firstUseNs << "ns";
    }

    int64_t firstUseNs = 0;
};

void
Accumulate(lvs::SyncMasterStats& t, const lvs::SyncMasterStats& p)
{
    t.conns_queued += p.conns_queued;
    t.messages_sent += p.messages_sent;
    t.bytes_sent += p.bytes_sent;
    t.wire_bytes_sent += p.wire_bytes_sent;
    t.messages_dropped += p.messages_dropped;
}

void
Accumulate(lvs::SyncBackupStats& t, const lvs::SyncBackupStats& b)
{
    t.messages_received += b.messages_received;
    t.bytes_received += b.bytes_received;
    t.messages_ignored_syncid += b.messages_ignored_syncid;
    t.conns_received += b.conns_received;
    t.conns_created += b.conns_created;
    t.conns_updated += b.conns_updated;
    t.conns_unbound += b.conns_unbound;
    t.conns_stale += b.conns_stale;
    t.conns_failed += b.conns_failed;
    for (std::size_t i = 0; i < b.errors.size(); ++i)
    {
        t.errors[i] += b.errors[i];
    }
    for (std::size_t i = 0; i < b.skipped.size(); ++i)
    {
        t.skipped[i] += b.skipped[i];
    }
}

} // namespace

TypeId
LvsSyncDaemon::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::LvsSyncDaemon")
            .SetParent<Application>()
            .SetGroupName("Lvs")
            .AddConstructor<LvsSyncDaemon>()
            .AddAttribute("PollInterval",
                          "How often an idle master looks for newly buffered entries "
                          "(the kernel's timers are 20 ms and coarser)",
                          TimeValue(MilliSeconds(1)),
                          MakeTimeAccessor(&LvsSyncDaemon::m_poll),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddTraceSource("Received",
                            "a sync message installed on the backup: entries, lag since the "
                            "first one was buffered on the master",
                            MakeTraceSourceAccessor(&LvsSyncDaemon::m_receivedTrace),
                            "ns3::LvsSyncDaemon::ReceivedCallback");
    return tid;
}

LvsSyncDaemon::LvsSyncDaemon() = default;
LvsSyncDaemon::~LvsSyncDaemon() = default;

void
LvsSyncDaemon::Setup(const lvs::SyncDaemonConfig& config, Ptr<LvsNatRouting> director, uint32_t interface)
{
    m_config = config;
    m_director = director;
    m_interface = interface;
}

void
LvsSyncDaemon::DoDispose()
{
    Close();
    m_director = nullptr;
    Application::DoDispose();
}

void
LvsSyncDaemon::StartApplication()
{
    Open();
}

void
LvsSyncDaemon::StopApplication()
{
    Close();
}

void
LvsSyncDaemon::Open()
{
    if (m_running)
    {
        return;
    }
    m_running = true;
    Ptr<Ipv4> ipv4 = GetNode()->GetObject<Ipv4>();
    Ptr<NetDevice> dev = ipv4->GetNetDevice(m_interface);
    const Ipv4Address self = ipv4->GetAddress(m_interface, 0).GetLocal();
    m_tx = Socket::CreateSocket(GetNode(), UdpSocketFactory::GetTypeId());
    m_tx->Bind(InetSocketAddress(self, 0));
    m_tx->BindToNetDevice(dev);
    m_tx->SetAttribute("IpMulticastTtl", UintegerValue(m_config.mcast_ttl));
    m_rx = Socket::CreateSocket(GetNode(), UdpSocketFactory::GetTypeId());
    m_rx->Bind(InetSocketAddress(Ipv4Address::GetAny(), m_config.mcast_port));
    m_rx->BindToNetDevice(dev);
    m_rx->SetRecvCallback(MakeCallback(&LvsSyncDaemon::Receive, this));
    SetMaster(m_master);
}

void
LvsSyncDaemon::Close()
{
    StopMasterRole();
    StopBackupRole();
    for (Ptr<Socket>* s : {&m_tx, &m_rx})
    {
        if (*s)
        {
            (*s)->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
            (*s)->Close();
            *s = nullptr;
        }
    }
    m_running = false;
}

void
LvsSyncDaemon::StopMasterRole()
{
    Simulator::Cancel(m_event);
    if (!m_syncMaster)
    {
        return;
    }
    m_director->GetEngine().set_sync_master(nullptr);
    m_syncMaster->stop();
    Accumulate(m_masterStats, m_syncMaster->stats());
    m_syncMaster.reset();
}

void
LvsSyncDaemon::StopBackupRole()
{
    if (!m_syncBackup)
    {
        return;
    }
    Accumulate(m_backupStats, m_syncBackup->stats());
    m_syncBackup.reset();
}

void
LvsSyncDaemon::SetMaster(bool master)
{
    m_master = master;
    if (!m_running)
    {
        return;
    }
    // keepalived: the master daemon while VRRP master, the backup daemon otherwise.
    if (master)
    {
        StopBackupRole();
        if (!m_syncMaster)
        {
            lvs::Engine& engine = m_director->GetEngine();
            m_syncMaster = std::make_unique<lvs::SyncMaster>(m_config,
                                                             EngineNow(),
                                                             engine.sync_sysctls().sync_qlen_max);
            engine.set_sync_master(m_syncMaster.get());
            m_event = Simulator::ScheduleNow(&LvsSyncDaemon::Poll, this);
        }
    }
    else
    {
        StopMasterRole();
        if (!m_syncBackup)
        {
            m_syncBackup = std::make_unique<lvs::SyncBackup>(m_config);
        }
    }
}

bool
LvsSyncDaemon::IsMaster() const
{
    return m_master;
}

void
LvsSyncDaemon::Crash()
{
    Close();
}

void
LvsSyncDaemon::Recover()
{
    m_master = false;
    Open();
}

void
LvsSyncDaemon::Poll()
{
    if (!m_syncMaster)
    {
        return;
    }
    const lvs::Time now = EngineNow();
    for (lvs::SyncDatagram& d : m_syncMaster->collect(now))
    {
        Ptr<Packet> p = Create<Packet>(d.bytes.data(), d.bytes.size());
        SyncLagTag tag;
        tag.firstUseNs = d.first_use.count();
        p->AddPacketTag(tag);
        m_tx->SendTo(p, 0, InetSocketAddress(Ipv4Address(d.group), d.port));
    }
    // Entries the engine buffers between two looks are picked up at the next.
    Time next = m_poll;
    if (const auto due = m_syncMaster->next_due())
    {
        next = std::min(next, std::max(NanoSeconds(due->count()) - Simulator::Now(), Time(0)));
    }
    m_event = Simulator::Schedule(next, &LvsSyncDaemon::Poll, this);
}

void
LvsSyncDaemon::Receive(Ptr<Socket> socket)
{
    Ptr<Packet> p;
    Address from;
    while ((p = socket->RecvFrom(from)))
    {
        if (!m_syncBackup)
        {
            continue; // the master role ignores sync traffic
        }
        std::vector<uint8_t> bytes(p->GetSize());
        p->CopyData(bytes.data(), bytes.size());
        const uint64_t before = m_syncBackup->stats().conns_received;
        m_syncBackup->receive(bytes.data(), bytes.size(), EngineNow(), m_director->GetEngine());
        SyncLagTag tag;
        if (p->PeekPacketTag(tag))
        {
            const Time lag = Simulator::Now() - NanoSeconds(tag.firstUseNs);
            ++m_lagSamples;
            m_lagSum += lag;
            m_lagMax = std::max(m_lagMax, lag);
            m_receivedTrace(static_cast<uint32_t>(m_syncBackup->stats().conns_received - before), lag);
        }
    }
}

lvs::SyncMasterStats
LvsSyncDaemon::GetMasterStats() const
{
    lvs::SyncMasterStats total = m_masterStats;
    if (m_syncMaster)
    {
        Accumulate(total, m_syncMaster->stats());
    }
    return total;
}

lvs::SyncBackupStats
LvsSyncDaemon::GetBackupStats() const
{
    lvs::SyncBackupStats total = m_backupStats;
    if (m_syncBackup)
    {
        Accumulate(total, m_syncBackup->stats());
    }
    return total;
}

uint64_t
LvsSyncDaemon::GetLagSamples() const
{
    return m_lagSamples;
}

Time
LvsSyncDaemon::GetLagSum() const
{
    return m_lagSum;
}

Time
LvsSyncDaemon::GetLagMax() const
{
    return m_lagMax;
}

} // namespace ns3
