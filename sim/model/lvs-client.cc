#include "lvs-client.h"

#include <ns3/boolean.h>
#include <ns3/double.h>
#include <ns3/enum.h>
#include <ns3/inet-socket-address.h>
#include <ns3/ipv4.h>
#include <ns3/log.h>
#include <ns3/node.h>
#include <ns3/pointer.h>
#include <ns3/simulator.h>
#include <ns3/string.h>
#include <ns3/tcp-socket-base.h>
#include <ns3/tcp-socket-factory.h>
#include <ns3/trace-source-accessor.h>
#include <ns3/udp-socket-factory.h>
#include <ns3/uinteger.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ns3 {

NS_LOG_COMPONENT_DEFINE("LvsClient");
NS_OBJECT_ENSURE_REGISTERED(LvsClient);

namespace {
constexpr uint32_t kFirstPort = 1024;
constexpr uint32_t kPorts = 65536 - kFirstPort;
constexpr int kBindAttempts = 8;
constexpr uint32_t kMaxUdpMessage = 65507;

uint32_t
DrawSize(const Ptr<RandomVariableStream>& v)
{
    double x = std::round(v->GetValue());
    x = std::clamp(x, double(LvsRequestHeader::kSize), 4e9);
    return static_cast<uint32_t>(x);
}
} // namespace

TypeId
LvsClient::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::LvsClient")
            .SetParent<Application>()
            .SetGroupName("Lvs")
            .AddConstructor<LvsClient>()
            .AddAttribute("Remote",
                          "Service address (the VIP, or a server).",
                          Ipv4AddressValue(),
                          MakeIpv4AddressAccessor(&LvsClient::m_remote),
                          MakeIpv4AddressChecker())
            .AddAttribute("RemotePort",
                          "Service port.",
                          UintegerValue(80),
                          MakeUintegerAccessor(&LvsClient::m_remotePort),
                          MakeUintegerChecker<uint16_t>())
            .AddAttribute("UseUdp",
                          "One UDP datagram each way instead of TCP.",
                          BooleanValue(false),
                          MakeBooleanAccessor(&LvsClient::m_udp),
                          MakeBooleanChecker())
            .AddAttribute("FirstAddress",
                          "First client address of this node's block (LvsClientAddressRouting).",
                          Ipv4AddressValue(Ipv4Address::GetAny()),
                          MakeIpv4AddressAccessor(&LvsClient::m_firstAddress),
                          MakeIpv4AddressChecker())
            .AddAttribute("AddressCount",
                          "Client addresses in the block; 0 uses the node's own address "
                          "and ephemeral ports.",
                          UintegerValue(0),
                          MakeUintegerAccessor(&LvsClient::m_addressCount),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("Workload",
                          "Arrival process.",
                          EnumValue(OPEN_LOOP),
                          MakeEnumAccessor(&LvsClient::m_workload),
                          MakeEnumChecker(OPEN_LOOP,
                                          "OpenLoop",
                                          CLOSED_LOOP,
                                          "ClosedLoop",
                                          FLASH_CROWD,
                                          "FlashCrowd"))
            .AddAttribute("Rate",
                          "Open loop / flash crowd base rate, requests/s.",
                          DoubleValue(10),
                          MakeDoubleAccessor(&LvsClient::m_rate),
                          MakeDoubleChecker<double>(0))
            .AddAttribute("Ramp",
                          "Interpolate linearly between rate schedule points.",
                          BooleanValue(false),
                          MakeBooleanAccessor(&LvsClient::m_ramp),
                          MakeBooleanChecker())
            .AddAttribute("Users",
                          "Closed loop users on this node.",
                          UintegerValue(10),
                          MakeUintegerAccessor(&LvsClient::m_users),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("ThinkTime",
                          "Closed loop think time, seconds.",
                          StringValue("ns3::ConstantRandomVariable[Constant=1]"),
                          MakePointerAccessor(&LvsClient::m_thinkTime),
                          MakePointerChecker<RandomVariableStream>())
            .AddAttribute("FlashStart",
                          "When the flash crowd starts.",
                          TimeValue(Seconds(0)),
                          MakeTimeAccessor(&LvsClient::m_flashStart),
                          MakeTimeChecker())
            .AddAttribute("FlashPeak",
                          "Flash crowd rate, requests/s.",
                          DoubleValue(0),
                          MakeDoubleAccessor(&LvsClient::m_flashPeak),
                          MakeDoubleChecker<double>(0))
            .AddAttribute("FlashDuration",
                          "How long the flash crowd lasts.",
                          TimeValue(Seconds(0)),
                          MakeTimeAccessor(&LvsClient::m_flashDuration),
                          MakeTimeChecker())
            .AddAttribute("RequestSize",
                          "Request bytes (header included; at least the header).",
                          StringValue("ns3::ConstantRandomVariable[Constant=100]"),
                          MakePointerAccessor(&LvsClient::m_requestSize),
                          MakePointerChecker<RandomVariableStream>())
            .AddAttribute("ResponseSize",
                          "Response bytes (header included; at least the header).",
                          StringValue("ns3::ConstantRandomVariable[Constant=1000]"),
                          MakePointerAccessor(&LvsClient::m_responseSize),
                          MakePointerChecker<RandomVariableStream>())
            .AddAttribute("RequestsPerConnection",
                          "Keep-alive: requests carried by one TCP connection.",
                          UintegerValue(1),
                          MakeUintegerAccessor(&LvsClient::m_perConnection),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("Timeout",
                          "A request without a full response by then is a timeout.",
                          TimeValue(Seconds(10)),
                          MakeTimeAccessor(&LvsClient::m_timeout),
                          MakeTimeChecker())
            .AddAttribute("IssueStop",
                          "No new requests from then on (0: until the application stops).",
                          TimeValue(Seconds(0)),
                          MakeTimeAccessor(&LvsClient::m_issueStop),
                          MakeTimeChecker())
            .AddAttribute("MaxSegLifetime",
                          "MSL of the client's TCP sockets, seconds (TIME_WAIT = 2 x MSL).",
                          DoubleValue(120),
                          MakeDoubleAccessor(&LvsClient::m_msl),
                          MakeDoubleChecker<double>(0))
            .AddAttribute("RequestLog",
                          "Where records go; shared by a population. Created when null.",
                          PointerValue(),
                          MakePointerAccessor(&LvsClient::m_log),
                          MakePointerChecker<LvsRequestLog>())
            .AddTraceSource("RequestDone",
                            "A request ended (any outcome).",
                            MakeTraceSourceAccessor(&LvsClient::m_requestDone),
                            "ns3::LvsClient::RequestDoneCallback")
            .AddTraceSource("Outstanding",
                            "Requests issued and not yet ended.",
                            MakeTraceSourceAccessor(&LvsClient::m_outstanding),
                            "ns3::TracedValueCallback::Uint32");
    return tid;
}

LvsClient::LvsClient()
    : m_gap(CreateObject<ExponentialRandomVariable>()),
      m_accept(CreateObject<UniformRandomVariable>())
{
    m_gap->SetAttribute("Mean", DoubleValue(1.0));
}

LvsClient::~LvsClient() = default;

void
LvsClient::SetRateSchedule(std::vector<std::pair<double, double>> points)
{
    std::sort(points.begin(), points.end());
    m_schedule = std::move(points);
}

Ptr<LvsRequestLog>
LvsClient::GetRequestLog() const
{
    return m_log;
}

uint64_t
LvsClient::GetRequestsIssued() const
{
    return m_nextRequest - 1;
}

uint64_t
LvsClient::GetConnectionsOpened() const
{
    return m_nextConnection - 1;
}

uint32_t
LvsClient::GetOutstanding() const
{
    return m_outstanding;
}

uint64_t
LvsClient::GetBindFailures() const
{
    return m_bindFailures;
}

int64_t
LvsClient::AssignStreams(int64_t stream)
{
    m_gap->SetStream(stream);
    m_accept->SetStream(stream + 1);
    m_thinkTime->SetStream(stream + 2);
    m_requestSize->SetStream(stream + 3);
    m_responseSize->SetStream(stream + 4);
    return 5;
}

void
LvsClient::DoDispose()
{
    m_requests.clear();
    m_connections.clear();
    m_connectionOf.clear();
    m_routing = nullptr;
    m_tcpTemplate = nullptr;
    m_log = nullptr;
    Application::DoDispose();
}

double
LvsClient::RateAt(Time t) const
{
    const double s = t.GetSeconds();
    if (m_workload == FLASH_CROWD)
    {
        bool inFlash = t >= m_flashStart && t < m_flashStart + m_flashDuration;
        return inFlash ? m_flashPeak : m_rate;
    }
    if (m_schedule.empty() || s < m_schedule.front().first)
    {
        return m_rate;
    }
    auto next = std::upper_bound(m_schedule.begin(),
                                 m_schedule.end(),
                                 std::make_pair(s, std::numeric_limits<double>::infinity()));
    auto prev = std::prev(next);
    if (!m_ramp || next == m_schedule.end())
    {
        return prev->second;
    }
    double f = (s - prev->first) / (next->first - prev->first);
    return prev->second + f * (next->second - prev->second);
}

double
LvsClient::PeakRate() const
{
    double peak = m_rate;
    if (m_workload == FLASH_CROWD)
    {
        return std::max(peak, m_flashPeak);
    }
    for (const auto& [t, r] : m_schedule)
    {
        peak = std::max(peak, r);
    }
    return peak;
}

bool
LvsClient::Issuing() const
{
    return m_running && (m_issueStop.IsZero() || Simulator::Now() < m_issueStop);
}

void
LvsClient::StartApplication()
{
    NS_LOG_FUNCTION(this);
    m_running = true;
    if (!m_log)
    {
        m_log = CreateObject<LvsRequestLog>();
    }
    if (m_addressCount > 0)
    {
        Ptr<Ipv4> ipv4 = GetNode()->GetObject<Ipv4>();
        m_routing = DynamicCast<LvsClientAddressRouting>(ipv4->GetRoutingProtocol());
        NS_ABORT_MSG_UNLESS(m_routing && m_routing->Contains(m_firstAddress) &&
                                m_routing->Contains(Ipv4Address(m_firstAddress.Get() +
                                                                m_addressCount - 1)),
                            "LvsClient on node " << GetNode()->GetId()
                                                 << ": the address block is not routed to the "
                                                    "node (LvsClientHelper::AssignAddresses)");
    }
    if (m_workload == CLOSED_LOOP)
    {
        m_userEvents.assign(m_users, EventId());
        m_userConnection.assign(m_users, 0);
        for (uint32_t u = 0; u < m_users; ++u)
        {
            // Users start after one think time, so they do not all fire at once.
            m_userEvents[u] = Simulator::Schedule(Seconds(std::max(0.0, m_thinkTime->GetValue())),
                                                  &LvsClient::UserNext,
                                                  this,
                                                  u);
        }
    }
    else
    {
        ScheduleNextArrival();
    }
}

void
LvsClient::StopApplication()
{
    NS_LOG_FUNCTION(this);
    m_running = false;
    m_arrivalEvent.Cancel();
    for (auto& e : m_userEvents)
    {
        e.Cancel();
    }
    for (auto& [id, r] : m_requests)
    {
        r.timeout.Cancel();
    }
    std::vector<uint64_t> ids;
    for (const auto& [id, c] : m_connections)
    {
        ids.push_back(id);
    }
    for (uint64_t id : ids)
    {
        ForgetConnection(id, true);
    }
    m_idle.clear();
}

void
LvsClient::ScheduleNextArrival()
{
    const double peak = PeakRate();
    if (peak <= 0)
    {
        return;
    }
    // Thinning: candidates at the peak rate, each kept with probability rate(t)/peak.
    Time t = Simulator::Now();
    for (;;)
    {
        t += Seconds(m_gap->GetValue() / peak);
        if (!m_issueStop.IsZero() && t >= m_issueStop)
        {
            return;
        }
        if (m_accept->GetValue() * peak < RateAt(t))
        {
            break;
        }
    }
    m_arrivalEvent = Simulator::Schedule(t - Simulator::Now(), &LvsClient::Arrival, this);
}

void
LvsClient::Arrival()
{
    if (!Issuing())
    {
        return;
    }
    Issue(kNoUser);
    ScheduleNextArrival();
}

void
LvsClient::UserNext(uint32_t user)
{
    if (Issuing())
    {
        Issue(user);
    }
}

void
LvsClient::Issue(uint32_t user)
{
    Request r;
    r.id = (uint64_t(GetNode()->GetId()) << 40) | m_nextRequest++;
    r.startNs = Simulator::Now().GetTimeStep();
    r.requestBytes = DrawSize(m_requestSize);
    r.responseBytes = DrawSize(m_responseSize);
    r.user = user;
    if (m_udp)
    {
        r.requestBytes = std::min(r.requestBytes, kMaxUdpMessage);
        r.responseBytes = std::min(r.responseBytes, kMaxUdpMessage);
    }

    uint64_t conn = 0;
    if (!m_udp && user != kNoUser && m_userConnection[user] != 0)
    {
        conn = m_userConnection[user];
    }
    else if (!m_udp && user == kNoUser && !m_idle.empty())
    {
        conn = m_idle.back();
        m_idle.pop_back();
    }
    if (conn == 0)
    {
        conn = OpenConnection(user, m_udp);
    }
    m_outstanding = m_outstanding + 1;
    r.timeout = Simulator::Schedule(m_timeout, &LvsClient::Timeout, this, r.id);
    if (conn == 0)
    {
        m_requests.emplace(r.id, r);
        Complete(r.id, LvsRequestOutcome::kRefused, 0);
        return;
    }
    r.connection = conn;
    r.address = m_connections[conn].address;
    auto& stored = m_requests.emplace(r.id, r).first->second;
    Send(conn, stored);
}

uint64_t
LvsClient::OpenConnection(uint32_t user, bool udp)
{
    Ptr<Socket> s = NewSocket(udp);
    const uint64_t id = m_nextConnection++;
    Ipv4Address address = Ipv4Address::GetAny();
    int rc = -1;
    if (m_addressCount == 0)
    {
        rc = s->Bind();
    }
    for (int attempt = 0; m_addressCount > 0 && attempt < kBindAttempts && rc != 0; ++attempt)
    {
        uint64_t serial = m_bindSerial++;
        address = Ipv4Address(m_firstAddress.Get() + uint32_t(serial % m_addressCount));
        auto port = uint16_t(kFirstPort + (serial / m_addressCount) % kPorts);
        rc = s->Bind(InetSocketAddress(address, port));
        m_bindFailures += rc != 0;
    }
    if (rc != 0)
    {
        NS_LOG_WARN("no free (address, port) to bind");
        s->Close();
        return 0;
    }
    Connection& c = m_connections[id];
    c.socket = s;
    c.address = address.Get();
    c.quota = udp ? 1 : m_perConnection;
    c.user = user;
    c.udp = udp;
    m_connectionOf[PeekPointer(s)] = id;
    if (user != kNoUser && !udp)
    {
        m_userConnection[user] = id;
    }
    s->SetRecvCallback(MakeCallback(&LvsClient::HandleRead, this));
    if (udp)
    {
        s->SetAttribute("IcmpCallback",
                        CallbackValue(MakeBoundCallback(&LvsClient::HandleIcmp, this, id)));
        c.connected = true;
    }
    else
    {
        // ns-3 3.37 drops an RST without a timestamp option when timestamps
        // are on (TcpSocketBase::DoForwardUp), and the RST TcpL4Protocol sends
        // for a port without a listener has none: watch for it here.
        s->TraceConnectWithoutContext("Rx", MakeBoundCallback(&LvsClient::HandleRst, this, id));
        s->SetConnectCallback(MakeCallback(&LvsClient::HandleConnected, this),
                              MakeCallback(&LvsClient::HandleConnectFailed, this));
        s->SetSendCallback(MakeCallback(&LvsClient::HandleSend, this));
        s->SetCloseCallbacks(MakeCallback(&LvsClient::HandleNormalClose, this),
                             MakeCallback(&LvsClient::HandleErrorClose, this));
    }
    if (m_routing)
    {
        // ns-3's TcpSocketBase::Connect replaces the bound address by the
        // route's source; the routing hands the bound one back.
        m_routing->SetNextSource(address);
    }
    if (!udp && s->Connect(InetSocketAddress(m_remote, m_remotePort)) != 0)
    {
        NS_LOG_WARN("connect to " << m_remote << " failed at once");
        ForgetConnection(id, true);
        return 0;
    }
    return id;
}

Ptr<Socket>
LvsClient::NewSocket(bool udp)
{
    if (udp)
    {
        return Socket::CreateSocket(GetNode(), UdpSocketFactory::GetTypeId());
    }
    // A TCP socket made by the node's factory costs ~8 attribute-built
    // objects (ns-3 3.37 serialises every attribute's value to a string while
    // constructing it); a copy of a fresh one is the same socket for a
    // fraction of that, and it is how ns-3 itself makes every accepted socket
    // (TcpSocketBase::Fork). The copy joins TCP's socket list when bound.
    if (!m_tcpTemplate)
    {
        m_tcpTemplate = DynamicCast<TcpSocketBase>(
            Socket::CreateSocket(GetNode(), TcpSocketFactory::GetTypeId()));
        NS_ABORT_MSG_UNLESS(m_tcpTemplate, "LvsClient: the node's TCP sockets are not TcpSocketBase");
        m_tcpTemplate->SetAttribute("MaxSegLifetime", DoubleValue(m_msl));
    }
    return CopyObject<TcpSocketBase>(m_tcpTemplate);
}

void
LvsClient::Send(uint64_t connectionId, Request& r)
{
    Connection& c = m_connections[connectionId];
    LvsRequestHeader h;
    h.requestId = r.id;
    h.messageSize = r.requestBytes;
    h.responseSize = r.responseBytes;
    h.sentAt = Simulator::Now();
    c.quota -= 1;
    h.flags = c.quota == 0 ? LvsRequestHeader::kLast : 0;
    c.current = r.id;
    if (c.udp)
    {
        if (m_routing)
        {
            m_routing->SetNextSource(Ipv4Address(c.address));
        }
        if (c.socket->SendTo(MakeLvsMessage(h), 0, InetSocketAddress(m_remote, m_remotePort)) < 0)
        {
            FailConnection(connectionId, LvsRequestOutcome::kRefused);
        }
        return;
    }
    c.sendQueue.push_back(MakeLvsMessage(h));
    if (c.connected)
    {
        Flush(c);
    }
}

void
LvsClient::Flush(Connection& c)
{
    while (!c.sendQueue.empty())
    {
        uint32_t room = c.socket->GetTxAvailable();
        if (room == 0)
        {
            return;
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
}

uint64_t
LvsClient::ConnectionOf(Ptr<Socket> socket) const
{
    auto it = m_connectionOf.find(PeekPointer(socket));
    return it == m_connectionOf.end() ? 0 : it->second;
}

void
LvsClient::HandleConnected(Ptr<Socket> socket)
{
    uint64_t id = ConnectionOf(socket);
    if (id == 0)
    {
        return;
    }
    Connection& c = m_connections[id];
    c.connected = true;
    Flush(c);
}

void
LvsClient::HandleConnectFailed(Ptr<Socket> socket)
{
    if (uint64_t id = ConnectionOf(socket))
    {
        FailConnection(id, LvsRequestOutcome::kRefused);
    }
}

void
LvsClient::HandleSend(Ptr<Socket> socket, uint32_t)
{
    if (uint64_t id = ConnectionOf(socket))
    {
        Flush(m_connections[id]);
    }
}

void
LvsClient::HandleRead(Ptr<Socket> socket)
{
    uint64_t id = ConnectionOf(socket);
    if (id == 0)
    {
        return;
    }
    Ptr<Packet> p;
    while ((p = socket->Recv()) && p->GetSize() > 0)
    {
        auto it = m_connections.find(id);
        if (it == m_connections.end())
        {
            return; // a response completed and the connection went away
        }
        if (it->second.udp)
        {
            LvsRequestHeader h;
            if (p->GetSize() >= LvsRequestHeader::kSize && p->RemoveHeader(h) && h.valid)
            {
                HandleResponse(id, h);
            }
            continue;
        }
        bool ok = it->second.reader.Feed(p, [this, id](const LvsRequestHeader& h) {
            HandleResponse(id, h);
        });
        if (!ok)
        {
            FailConnection(id, LvsRequestOutcome::kReset);
            return;
        }
    }
}

void
LvsClient::HandleResponse(uint64_t connectionId, const LvsRequestHeader& h)
{
    auto it = m_connections.find(connectionId);
    if (it == m_connections.end() || !h.IsResponse() || h.requestId != it->second.current)
    {
        return; // a late answer to a request that already timed out
    }
    Connection& c = it->second;
    const uint32_t user = c.user;
    c.current = 0;
    if (c.udp)
    {
        ForgetConnection(connectionId, true);
    }
    else if (c.quota == 0)
    {
        // The server closes after the last response; HandleNormalClose then
        // closes this side (passive close: no TIME_WAIT here).
        if (user != kNoUser)
        {
            m_userConnection[user] = 0;
        }
    }
    else if (user == kNoUser)
    {
        m_idle.push_back(connectionId);
    }
    Complete(h.requestId, LvsRequestOutcome::kOk, h.messageSize);
}

void
LvsClient::HandleNormalClose(Ptr<Socket> socket)
{
    uint64_t id = ConnectionOf(socket);
    if (id == 0)
    {
        return;
    }
    Connection& c = m_connections[id];
    if (c.current != 0)
    {
        FailConnection(id, c.connected ? LvsRequestOutcome::kReset : LvsRequestOutcome::kRefused);
        return;
    }
    // The server closed after its last response (passive close). Called from
    // TcpSocketBase::DoPeerClose, ShutdownSend() has ns-3 send our FIN and
    // close; Close() would send the FIN followed by a duplicate ACK that no
    // real stack sends (one packet more per connection).
    Ptr<Socket> s = c.socket;
    ForgetConnection(id, false);
    s->ShutdownSend();
}

void
LvsClient::HandleErrorClose(Ptr<Socket> socket)
{
    uint64_t id = ConnectionOf(socket);
    if (id == 0)
    {
        return;
    }
    FailConnection(id,
                   m_connections[id].connected ? LvsRequestOutcome::kReset
                                               : LvsRequestOutcome::kRefused);
}

void
LvsClient::HandleIcmp(LvsClient* self,
                      uint64_t connectionId,
                      Ipv4Address,
                      uint8_t,
                      uint8_t type,
                      uint8_t,
                      uint32_t)
{
    if (type == 3) // destination unreachable
    {
        self->FailConnection(connectionId, LvsRequestOutcome::kRefused);
    }
}

void
LvsClient::HandleRst(LvsClient* self,
                     uint64_t connectionId,
                     Ptr<const Packet>,
                     const TcpHeader& header,
                     Ptr<const TcpSocketBase>)
{
    if (!(header.GetFlags() & TcpHeader::RST))
    {
        return;
    }
    auto it = self->m_connections.find(connectionId);
    if (it != self->m_connections.end())
    {
        self->FailConnection(connectionId,
                             it->second.connected ? LvsRequestOutcome::kReset
                                                  : LvsRequestOutcome::kRefused);
    }
}

void
LvsClient::FailConnection(uint64_t connectionId, LvsRequestOutcome outcome)
{
    auto it = m_connections.find(connectionId);
    if (it == m_connections.end())
    {
        return;
    }
    uint64_t current = it->second.current;
    ForgetConnection(connectionId, true);
    if (current != 0)
    {
        Complete(current, outcome, 0);
    }
}

void
LvsClient::Timeout(uint64_t requestId)
{
    auto it = m_requests.find(requestId);
    if (it == m_requests.end())
    {
        return;
    }
    uint64_t conn = it->second.connection;
    auto c = m_connections.find(conn);
    if (c != m_connections.end() && c->second.current == requestId)
    {
        ForgetConnection(conn, true);
    }
    Complete(requestId, LvsRequestOutcome::kTimeout, 0);
}

void
LvsClient::Complete(uint64_t requestId, LvsRequestOutcome outcome, uint32_t responseBytes)
{
    auto it = m_requests.find(requestId);
    if (it == m_requests.end())
    {
        return;
    }
    Request r = it->second;
    m_requests.erase(it);
    r.timeout.Cancel();
    m_outstanding = m_outstanding - 1;

    LvsRequestRecord rec;
    rec.id = r.id;
    rec.startNs = r.startNs;
    rec.endNs = Simulator::Now().GetTimeStep();
    rec.clientAddress = r.address;
    rec.requestBytes = r.requestBytes;
    rec.responseBytes = responseBytes;
    rec.outcome = outcome;
    m_log->Add(rec);
    m_requestDone(rec);

    if (r.user != kNoUser && m_running)
    {
        m_userEvents[r.user] = Simulator::Schedule(Seconds(std::max(0.0, m_thinkTime->GetValue())),
                                                   &LvsClient::UserNext,
                                                   this,
                                                   r.user);
    }
}

void
LvsClient::ForgetConnection(uint64_t connectionId, bool close)
{
    auto it = m_connections.find(connectionId);
    if (it == m_connections.end())
    {
        return;
    }
    Connection& c = it->second;
    Ptr<Socket> s = c.socket;
    if (c.user != kNoUser && c.user < m_userConnection.size() &&
        m_userConnection[c.user] == connectionId)
    {
        m_userConnection[c.user] = 0;
    }
    auto idle = std::find(m_idle.begin(), m_idle.end(), connectionId);
    if (idle != m_idle.end())
    {
        m_idle.erase(idle);
    }
    s->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
    if (!c.udp)
    {
        s->SetSendCallback(MakeNullCallback<void, Ptr<Socket>, uint32_t>());
        s->SetConnectCallback(MakeNullCallback<void, Ptr<Socket>>(),
                              MakeNullCallback<void, Ptr<Socket>>());
        s->SetCloseCallbacks(MakeNullCallback<void, Ptr<Socket>>(),
                             MakeNullCallback<void, Ptr<Socket>>());
    }
    m_connectionOf.erase(PeekPointer(s));
    m_connections.erase(it);
    if (close)
    {
        s->Close();
    }
}

} // namespace ns3
