#pragma once
// A client population on one node: many client addresses (a block routed to
// the node by LvsClientAddressRouting), issuing LvsRequestHeader requests to
// one service address (the VIP, or a real server directly) and recording
// every request's latency and outcome in an LvsRequestLog.
//
// Workloads:
//   OpenLoop    Poisson arrivals at `Rate`, or a rate schedule (SetRateSchedule)
//               of steps or, with `Ramp`, a piecewise-linear ramp
//   ClosedLoop  `Users` users, each: request → response (or failure) →
//               `ThinkTime` → next request
//   FlashCrowd  Poisson at `Rate`, jumping to `FlashPeak` during
//               [FlashStart, FlashStart + FlashDuration)
// Time-varying rates are drawn by thinning a Poisson process at the peak rate,
// so arrivals are an exact non-homogeneous Poisson process.
//
// Connections: one TCP connection per request, or keep-alive with
// `RequestsPerConnection` (K) requests each, one after another; the K-th
// request carries kLast and the server closes, so clients do not hold
// TIME_WAIT. Each new connection binds explicitly to (address, port): the
// address cycles through the block and the port advances by one each time the
// block has been cycled, so an (address, port) pair comes back only after
// AddressCount × 64512 connections and ephemeral ports never run out. UDP
// sends one datagram per request from its own socket.
//
// Outcomes: ok; timeout (no full response within `Timeout`); reset (RST, or
// the server closed before answering); refused (RST to the SYN, ICMP
// unreachable, no route). Requests still outstanding at StopApplication are
// not recorded (GetOutstanding() tells how many); stop issuing earlier with
// `IssueStop` to let them drain.

#include "lvs-client-address-routing.h"
#include "lvs-request-header.h"
#include "lvs-request-log.h"

#include <ns3/application.h>
#include <ns3/event-id.h>
#include <ns3/ipv4-address.h>
#include <ns3/random-variable-stream.h>
#include <ns3/socket.h>
#include <ns3/tcp-header.h>
#include <ns3/tcp-socket-base.h>
#include <ns3/traced-callback.h>
#include <ns3/traced-value.h>

#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ns3 {

class LvsClient : public Application
{
  public:
    enum Workload
    {
        OPEN_LOOP,
        CLOSED_LOOP,
        FLASH_CROWD,
    };

    static TypeId GetTypeId();
    LvsClient();
    ~LvsClient() override;

    // (time s, rate req/s) points for OpenLoop; steps unless `Ramp`.
    // Before the first point the rate is `Rate`.
    void SetRateSchedule(std::vector<std::pair<double, double>> points);
    double RateAt(Time t) const; //!< the arrival rate in force at t

    Ptr<LvsRequestLog> GetRequestLog() const;
    uint64_t GetRequestsIssued() const;
    uint64_t GetConnectionsOpened() const;
    uint32_t GetOutstanding() const;
    uint64_t GetBindFailures() const; //!< (address, port) pairs found in use

    int64_t AssignStreams(int64_t stream);

    typedef void (*RequestDoneCallback)(const LvsRequestRecord& record);

  protected:
    void DoDispose() override;

  private:
    struct Request
    {
        uint64_t id{0};
        int64_t startNs{0};
        uint32_t requestBytes{0};
        uint32_t responseBytes{0};
        uint32_t address{0};
        uint64_t connection{0};
        uint32_t user{kNoUser};
        EventId timeout;
    };

    struct Connection
    {
        Ptr<Socket> socket;
        uint32_t address{0};
        uint32_t quota{0};  //!< requests this connection may still carry
        uint64_t current{0}; //!< request in flight, 0 when idle
        uint32_t user{kNoUser};
        bool connected{false};
        bool udp{false};
        LvsMessageReader reader;
        std::deque<Ptr<Packet>> sendQueue;
    };

    static constexpr uint32_t kNoUser = UINT32_MAX;

    void StartApplication() override;
    void StopApplication() override;

    void ScheduleNextArrival();
    void Arrival();
    void UserNext(uint32_t user);
    double PeakRate() const;
    bool Issuing() const;

    void Issue(uint32_t user);
    uint64_t OpenConnection(uint32_t user, bool udp);
    Ptr<Socket> NewSocket(bool udp);
    void Send(uint64_t connectionId, Request& r);
    void Flush(Connection& c);

    void HandleConnected(Ptr<Socket> socket);
    void HandleConnectFailed(Ptr<Socket> socket);
    void HandleRead(Ptr<Socket> socket);
    void HandleSend(Ptr<Socket> socket, uint32_t available);
    void HandleNormalClose(Ptr<Socket> socket);
    void HandleErrorClose(Ptr<Socket> socket);
    static void HandleIcmp(LvsClient* self,
                           uint64_t connectionId,
                           Ipv4Address source,
                           uint8_t ttl,
                           uint8_t type,
                           uint8_t code,
                           uint32_t info);
    static void HandleRst(LvsClient* self,
                          uint64_t connectionId,
                          Ptr<const Packet> packet,
                          const TcpHeader& header,
                          Ptr<const TcpSocketBase> socket);
    void HandleResponse(uint64_t connectionId, const LvsRequestHeader& h);
    void FailConnection(uint64_t connectionId, LvsRequestOutcome outcome);
    void Timeout(uint64_t requestId);
    void Complete(uint64_t requestId, LvsRequestOutcome outcome, uint32_t responseBytes);
    void ForgetConnection(uint64_t connectionId, bool close);
    uint64_t ConnectionOf(Ptr<Socket> socket) const;

    // Attributes
    Ipv4Address m_remote;
    uint16_t m_remotePort;
    bool m_udp;
    Ipv4Address m_firstAddress;
    uint32_t m_addressCount;
    Workload m_workload;
    double m_rate;
    bool m_ramp;
    uint32_t m_users;
    Ptr<RandomVariableStream> m_thinkTime;
    Time m_flashStart;
    double m_flashPeak;
    Time m_flashDuration;
    Ptr<RandomVariableStream> m_requestSize;
    Ptr<RandomVariableStream> m_responseSize;
    uint32_t m_perConnection;
    Time m_timeout;
    Time m_issueStop;
    double m_msl;
    Ptr<LvsRequestLog> m_log;

    std::vector<std::pair<double, double>> m_schedule;
    Ptr<ExponentialRandomVariable> m_gap;
    Ptr<UniformRandomVariable> m_accept;
    Ptr<LvsClientAddressRouting> m_routing;
    // New TCP sockets are copies of this one (see NewSocket).
    Ptr<TcpSocketBase> m_tcpTemplate;
    EventId m_arrivalEvent;
    std::vector<EventId> m_userEvents;
    std::vector<uint64_t> m_userConnection; //!< closed loop: the user's keep-alive connection
    std::unordered_map<uint64_t, Request> m_requests;
    std::unordered_map<uint64_t, Connection> m_connections;
    std::unordered_map<Socket*, uint64_t> m_connectionOf;
    std::vector<uint64_t> m_idle; //!< open loop: keep-alive connections ready for a request
    uint64_t m_nextRequest{1};
    uint64_t m_nextConnection{1};
    uint64_t m_bindSerial{0};
    uint64_t m_bindFailures{0};
    bool m_running{false};

    TracedValue<uint32_t> m_outstanding;
    TracedCallback<const LvsRequestRecord&> m_requestDone;
};

} // namespace ns3
