#include "lvs-real-server.h"

#include <ns3/boolean.h>
#include <ns3/double.h>
#include <ns3/log.h>
#include <ns3/node.h>
#include <ns3/pointer.h>
#include <ns3/simulator.h>
#include <ns3/string.h>
#include <ns3/tcp-l4-protocol.h>
#include <ns3/tcp-socket-factory.h>
#include <ns3/trace-source-accessor.h>
#include <ns3/udp-socket-factory.h>
#include <ns3/uinteger.h>

#include <algorithm>

namespace ns3 {

NS_LOG_COMPONENT_DEFINE("LvsRealServer");
NS_OBJECT_ENSURE_REGISTERED(LvsRealServer);

namespace {
constexpr uint32_t kMaxUdpMessage = 65507; // largest UDP payload over IPv4
}

TypeId
LvsRealServer::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::LvsRealServer")
            .SetParent<Application>()
            .SetGroupName("Lvs")
            .AddConstructor<LvsRealServer>()
            .AddAttribute("Port",
                          "TCP and UDP port to listen on.",
                          UintegerValue(80),
                          MakeUintegerAccessor(&LvsRealServer::m_port),
                          MakeUintegerChecker<uint16_t>())
            .AddAttribute("EnableTcp",
                          "Serve requests over TCP.",
                          BooleanValue(true),
                          MakeBooleanAccessor(&LvsRealServer::m_tcp),
                          MakeBooleanChecker())
            .AddAttribute("EnableUdp",
                          "Serve requests over UDP (one datagram each way).",
                          BooleanValue(false),
                          MakeBooleanAccessor(&LvsRealServer::m_udp),
                          MakeBooleanChecker())
            .AddAttribute("Workers",
                          "Requests served at once; the rest wait in a FIFO.",
                          UintegerValue(8),
                          MakeUintegerAccessor(&LvsRealServer::m_workers),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("ServiceTime",
                          "Service time of one request at Speed 1, in seconds.",
                          StringValue("ns3::ConstantRandomVariable[Constant=0.001]"),
                          MakePointerAccessor(&LvsRealServer::m_serviceTime),
                          MakePointerChecker<RandomVariableStream>())
            .AddAttribute("Hung",
                          "A hung server still accepts connections and reads requests "
                          "but starts serving none (requests already in service finish); "
                          "set it false again and the queued requests are served.",
                          BooleanValue(false),
                          MakeBooleanAccessor(&LvsRealServer::SetHung, &LvsRealServer::IsHung),
                          MakeBooleanChecker())
            .AddAttribute("Speed",
                          "Service times are divided by this factor.",
                          DoubleValue(1.0),
                          MakeDoubleAccessor(&LvsRealServer::m_speed),
                          MakeDoubleChecker<double>(1e-9))
            .AddAttribute("Backlog",
                          "Requests waiting for a worker beyond which new connections' SYNs "
                          "and UDP requests are dropped (accept-queue overflow).",
                          UintegerValue(128),
                          MakeUintegerAccessor(&LvsRealServer::m_backlog),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("TcpVariant",
                          "Congestion control for this node's TCP (TcpNewReno, TcpCubic, ...); "
                          "empty keeps the node's setting.",
                          StringValue(""),
                          MakeStringAccessor(&LvsRealServer::m_tcpVariant),
                          MakeStringChecker())
            .AddAttribute("MaxSegLifetime",
                          "MSL of this server's TCP sockets, seconds; TIME_WAIT lasts 2 x MSL. "
                          "ns-3's default is 120.",
                          DoubleValue(120),
                          MakeDoubleAccessor(&LvsRealServer::m_msl),
                          MakeDoubleChecker<double>(0))
            .AddAttribute("TimeWaitTable",
                          "Hold TIME_WAIT in the node's LvsTimeWaitTable (hashed) rather than "
                          "in ns-3's per-node endpoint list; the same segments are dropped.",
                          BooleanValue(true),
                          MakeBooleanAccessor(&LvsRealServer::m_useTimeWaitTable),
                          MakeBooleanChecker())
            .AddTraceSource("QueueLength",
                            "Requests waiting for a worker.",
                            MakeTraceSourceAccessor(&LvsRealServer::m_queueLength),
                            "ns3::TracedValueCallback::Uint32")
            .AddTraceSource("BusyWorkers",
                            "Workers serving a request.",
                            MakeTraceSourceAccessor(&LvsRealServer::m_busy),
                            "ns3::TracedValueCallback::Uint32")
            .AddTraceSource("Request",
                            "A complete request arrived.",
                            MakeTraceSourceAccessor(&LvsRealServer::m_requestTrace),
                            "ns3::LvsRealServer::RequestTracedCallback")
            .AddTraceSource("Served",
                            "A request's service ended and its response was sent.",
                            MakeTraceSourceAccessor(&LvsRealServer::m_servedTrace),
                            "ns3::LvsRealServer::ServedTracedCallback")
            .AddTraceSource("Accept",
                            "A TCP connection was accepted (client address).",
                            MakeTraceSourceAccessor(&LvsRealServer::m_acceptTrace),
                            "ns3::Address::TracedCallback")
            .AddTraceSource("Drop",
                            "A SYN or UDP request was dropped on overload (client address).",
                            MakeTraceSourceAccessor(&LvsRealServer::m_dropTrace),
                            "ns3::Address::TracedCallback");
    return tid;
}

LvsRealServer::LvsRealServer()
{
    NS_LOG_FUNCTION(this);
}

LvsRealServer::~LvsRealServer() = default;

int64_t
LvsRealServer::AssignStreams(int64_t stream)
{
    m_serviceTime->SetStream(stream);
    return 1;
}

uint64_t
LvsRealServer::GetRequestsReceived() const
{
    return m_received;
}

uint64_t
LvsRealServer::GetRequestsServed() const
{
    return m_served;
}

uint64_t
LvsRealServer::GetConnectionsAccepted() const
{
    return m_accepted;
}

uint64_t
LvsRealServer::GetDropped() const
{
    return m_dropped;
}

uint32_t
LvsRealServer::GetQueueLength() const
{
    return m_queueLength;
}

uint32_t
LvsRealServer::GetBusyWorkers() const
{
    return m_busy;
}

double
LvsRealServer::GetBusyWorkerSeconds() const
{
    return m_busyIntegral + m_busy * (Simulator::Now() - m_busySince).GetSeconds();
}

double
LvsRealServer::GetUtilisation(Time since, double busyWorkerSecondsAtSince) const
{
    double span = (Simulator::Now() - since).GetSeconds();
    if (span <= 0)
    {
        return 0;
    }
    return (GetBusyWorkerSeconds() - busyWorkerSecondsAtSince) / (m_workers * span);
}

void
LvsRealServer::DoDispose()
{
    NS_LOG_FUNCTION(this);
    for (auto& [id, ev] : m_inService)
    {
        ev.Cancel();
    }
    m_inService.clear();
    m_queue.clear();
    m_connections.clear();
    m_connectionOf.clear();
    m_tcpListener = nullptr;
    m_udpSocket = nullptr;
    m_serviceTime = nullptr;
    m_timeWait = nullptr;
    Application::DoDispose();
}

void
LvsRealServer::StartApplication()
{
    NS_LOG_FUNCTION(this);
    m_busySince = Simulator::Now();
    if (m_tcp)
    {
        if (!m_tcpVariant.empty())
        {
            std::string name = m_tcpVariant.rfind("ns3::", 0) == 0 ? m_tcpVariant
                                                                   : "ns3::" + m_tcpVariant;
            TypeId variant;
            NS_ABORT_MSG_UNLESS(TypeId::LookupByNameFailSafe(name, &variant),
                                "unknown TCP variant " << m_tcpVariant);
            GetNode()->GetObject<TcpL4Protocol>()->SetAttribute("SocketType",
                                                                TypeIdValue(variant));
        }
        m_tcpListener = Socket::CreateSocket(GetNode(), TcpSocketFactory::GetTypeId());
        if (m_useTimeWaitTable && m_msl > 0)
        {
            m_timeWait = LvsTimeWaitTable::Install(GetNode());
        }
        // Accepted sockets inherit the listener's MSL; with the table they
        // leave TIME_WAIT (and ns-3's endpoint list) at once.
        m_tcpListener->SetAttribute("MaxSegLifetime", DoubleValue(m_timeWait ? 0.0 : m_msl));
        NS_ABORT_MSG_IF(m_tcpListener->Bind(InetSocketAddress(Ipv4Address::GetAny(), m_port)) != 0,
                        "LvsRealServer: cannot bind TCP port " << m_port);
        m_tcpListener->Listen();
        m_tcpListener->SetAcceptCallback(
            MakeCallback(&LvsRealServer::HandleConnectionRequest, this),
            MakeCallback(&LvsRealServer::HandleAccept, this));
    }
    if (m_udp)
    {
        m_udpSocket = Socket::CreateSocket(GetNode(), UdpSocketFactory::GetTypeId());
        NS_ABORT_MSG_IF(m_udpSocket->Bind(InetSocketAddress(Ipv4Address::GetAny(), m_port)) != 0,
                        "LvsRealServer: cannot bind UDP port " << m_port);
        m_udpSocket->SetRecvCallback(MakeCallback(&LvsRealServer::HandleUdpRead, this));
    }
}

void
LvsRealServer::StopApplication()
{
    NS_LOG_FUNCTION(this);
    if (m_tcpListener)
    {
        m_tcpListener->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                                         MakeNullCallback<void, Ptr<Socket>, const Address&>());
        m_tcpListener->Close();
        m_tcpListener = nullptr;
    }
    if (m_udpSocket)
    {
        m_udpSocket->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
        m_udpSocket->Close();
        m_udpSocket = nullptr;
    }
    std::vector<uint64_t> ids;
    for (const auto& [id, c] : m_connections)
    {
        ids.push_back(id);
    }
    for (uint64_t id : ids)
    {
        Ptr<Socket> s = m_connections[id].socket;
        ForgetConnection(id);
        s->Close();
    }
    AccountBusy();
    for (auto& [id, ev] : m_inService)
    {
        ev.Cancel();
    }
    m_inService.clear();
    m_busy = 0;
    m_queue.clear();
    m_queueLength = 0;
}

bool
LvsRealServer::HandleConnectionRequest(Ptr<Socket>, const Address& from)
{
    if (m_queue.size() >= m_backlog)
    {
        NS_LOG_INFO("backlog full (" << m_queue.size() << "): SYN from " << from << " dropped");
        ++m_dropped;
        m_dropTrace(from);
        return false;
    }
    return true;
}

void
LvsRealServer::HandleAccept(Ptr<Socket> socket, const Address& from)
{
    NS_LOG_FUNCTION(this << socket << from);
    uint64_t id = m_nextConnection++;
    Connection& c = m_connections[id];
    c.socket = socket;
    c.peer = from;
    m_connectionOf[PeekPointer(socket)] = id;
    ++m_accepted;
    m_acceptTrace(from);
    if (m_timeWait)
    {
        m_timeWait->Watch(socket, Seconds(2 * m_msl));
    }
    socket->SetRecvCallback(MakeCallback(&LvsRealServer::HandleTcpRead, this));
    socket->SetSendCallback(MakeCallback(&LvsRealServer::HandleSend, this));
    socket->SetCloseCallbacks(MakeCallback(&LvsRealServer::HandlePeerClose, this),
                              MakeCallback(&LvsRealServer::HandleError, this));
}

void
LvsRealServer::HandleTcpRead(Ptr<Socket> socket)
{
    auto it = m_connectionOf.find(PeekPointer(socket));
    if (it == m_connectionOf.end())
    {
        return;
    }
    const uint64_t id = it->second;
    Ptr<Packet> p;
    while ((p = socket->Recv()) && p->GetSize() > 0)
    {
        Connection& c = m_connections[id];
        bool ok = c.reader.Feed(p, [this, id, &c](const LvsRequestHeader& h) {
            if (h.IsResponse())
            {
                return;
            }
            ++m_received;
            ++c.outstanding;
            m_requestTrace(h, c.peer);
            Enqueue(Job{id, h, c.peer, Simulator::Now()});
        });
        if (!ok)
        {
            NS_LOG_WARN("not an LvsRequestHeader stream from " << c.peer << ": closing");
            ForgetConnection(id);
            socket->Close();
            return;
        }
    }
}

void
LvsRealServer::HandleUdpRead(Ptr<Socket> socket)
{
    Address from;
    Ptr<Packet> p;
    while ((p = socket->RecvFrom(from)) && p->GetSize() > 0)
    {
        if (p->GetSize() < LvsRequestHeader::kSize)
        {
            continue;
        }
        LvsRequestHeader h;
        p->RemoveHeader(h);
        if (!h.valid || h.IsResponse())
        {
            continue;
        }
        if (m_queue.size() >= m_backlog)
        {
            ++m_dropped;
            m_dropTrace(from);
            continue;
        }
        ++m_received;
        m_requestTrace(h, from);
        Enqueue(Job{0, h, from, Simulator::Now()});
    }
}

void
LvsRealServer::Enqueue(Job job)
{
    m_queue.push_back(std::move(job));
    m_queueLength = m_queue.size();
    StartService();
}

void
LvsRealServer::SetHung(bool hung)
{
    m_hung = hung;
    if (!hung)
    {
        StartService();
    }
}

bool
LvsRealServer::IsHung() const
{
    return m_hung;
}

void
LvsRealServer::StartService()
{
    while (!m_hung && m_busy < m_workers && !m_queue.empty())
    {
        Job job = std::move(m_queue.front());
        m_queue.pop_front();
        m_queueLength = m_queue.size();
        AccountBusy();
        m_busy = m_busy + 1;
        Time served = Seconds(std::max(0.0, m_serviceTime->GetValue()) / m_speed);
        uint64_t serial = m_nextJob++;
        m_inService[serial] = Simulator::Schedule(served, [this, serial, job, served]() {
            m_inService.erase(serial);
            FinishService(job, served);
        });
    }
}

void
LvsRealServer::FinishService(Job job, Time served)
{
    AccountBusy();
    m_busy = m_busy - 1;
    ++m_served;
    m_servedTrace(job.request, Simulator::Now() - served - job.queuedAt, served);
    Respond(job);
    StartService();
}

void
LvsRealServer::Respond(const Job& job)
{
    LvsRequestHeader r;
    r.requestId = job.request.requestId;
    r.flags = LvsRequestHeader::kResponse | (job.request.flags & LvsRequestHeader::kLast);
    r.messageSize = job.request.responseSize;
    r.responseSize = 0;
    r.sentAt = job.request.sentAt;
    if (job.connection == 0)
    {
        r.messageSize = std::min(r.messageSize, kMaxUdpMessage);
        if (m_udpSocket)
        {
            m_udpSocket->SendTo(MakeLvsMessage(r), 0, job.from);
        }
        return;
    }
    auto it = m_connections.find(job.connection);
    if (it == m_connections.end())
    {
        return; // the client went away while the request waited
    }
    Connection& c = it->second;
    --c.outstanding;
    c.sendQueue.push_back(MakeLvsMessage(r));
    c.closeWhenDone = c.closeWhenDone || job.request.IsLast();
    PushTcp(job.connection, c);
}

void
LvsRealServer::PushTcp(uint64_t id, Connection& c)
{
    while (!c.sendQueue.empty())
    {
        uint32_t room = c.socket->GetTxAvailable();
        if (room == 0)
        {
            return; // HandleSend continues
        }
        Ptr<Packet> p = c.sendQueue.front();
        if (p->GetSize() <= room)
        {
            c.socket->Send(p);
            c.sendQueue.pop_front();
        }
        else
        {
            c.socket->Send(p->CreateFragment(0, room));
            c.sendQueue.front() = p->CreateFragment(room, p->GetSize() - room);
        }
    }
    if (c.closeWhenDone && c.outstanding == 0)
    {
        Ptr<Socket> s = c.socket;
        ForgetConnection(id);
        s->Close(); // FIN after the queued bytes: this side holds TIME_WAIT
    }
}

void
LvsRealServer::HandleSend(Ptr<Socket> socket, uint32_t)
{
    auto it = m_connectionOf.find(PeekPointer(socket));
    if (it != m_connectionOf.end())
    {
        PushTcp(it->second, m_connections[it->second]);
    }
}

void
LvsRealServer::HandlePeerClose(Ptr<Socket> socket)
{
    auto it = m_connectionOf.find(PeekPointer(socket));
    if (it != m_connectionOf.end())
    {
        ForgetConnection(it->second);
    }
    socket->Close();
}

void
LvsRealServer::HandleError(Ptr<Socket> socket)
{
    auto it = m_connectionOf.find(PeekPointer(socket));
    if (it != m_connectionOf.end())
    {
        ForgetConnection(it->second);
    }
}

void
LvsRealServer::ForgetConnection(uint64_t id)
{
    auto it = m_connections.find(id);
    if (it == m_connections.end())
    {
        return;
    }
    Ptr<Socket> s = it->second.socket;
    s->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
    s->SetSendCallback(MakeNullCallback<void, Ptr<Socket>, uint32_t>());
    s->SetCloseCallbacks(MakeNullCallback<void, Ptr<Socket>>(),
                         MakeNullCallback<void, Ptr<Socket>>());
    m_connectionOf.erase(PeekPointer(s));
    m_connections.erase(it);
}

void
LvsRealServer::AccountBusy()
{
    Time now = Simulator::Now();
    m_busyIntegral += m_busy * (now - m_busySince).GetSeconds();
    m_busySince = now;
}

} // namespace ns3
