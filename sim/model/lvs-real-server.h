#pragma once
// A real server behind the director: it answers LvsRequestHeader requests
// (lvs-request-header.h) on a TCP and/or UDP port.
//
// Service model: `Workers` requests are served at once; each takes a draw of
// `ServiceTime` divided by `Speed`; requests beyond the workers wait in one
// FIFO shared by all connections (an event-driven server with a worker pool).
// A response of the size the request asks for is sent when its service ends.
// After answering a request flagged kLast the server closes the connection,
// so the server is the active closer and holds TIME_WAIT (as HTTP/1.0
// servers do); `MaxSegLifetime` sets how long (2 × MSL). With
// `TimeWaitTable` (the default) the node's LvsTimeWaitTable holds those
// connections instead of ns-3's endpoint list, which every received segment
// walks (lvs-time-wait-table.h); segments for them are dropped either way.
//
// Listen backlog: ns-3's TcpSocketBase has no accept queue limit (Listen()
// takes no backlog; every SYN is forked at once). The server emulates it: a
// SYN that arrives while `Backlog` or more requests wait in the FIFO is
// ignored, as Linux drops SYNs on accept-queue overflow with the default
// tcp_abort_on_overflow = 0; the client retransmits the SYN (ns-3
// ConnTimeout, SynRetries) and sees a timeout if the overload lasts. UDP
// datagrams arriving then are dropped (a full receive buffer). Both are
// counted (`Dropped`).
//
// TCP variant: `TcpVariant` (e.g. "TcpCubic") sets the node's
// TcpL4Protocol SocketType when the application starts, before its listening
// socket exists, so it applies to every connection this server accepts.

#include "lvs-request-header.h"
#include "lvs-time-wait-table.h"

#include <ns3/application.h>
#include <ns3/event-id.h>
#include <ns3/inet-socket-address.h>
#include <ns3/random-variable-stream.h>
#include <ns3/socket.h>
#include <ns3/traced-callback.h>
#include <ns3/traced-value.h>

#include <deque>
#include <unordered_map>

namespace ns3 {

class LvsRealServer : public Application
{
  public:
    static TypeId GetTypeId();
    LvsRealServer();
    ~LvsRealServer() override;

    uint64_t GetRequestsReceived() const;
    uint64_t GetRequestsServed() const; //!< service finished (response handed to the socket)
    uint64_t GetConnectionsAccepted() const;
    uint64_t GetDropped() const;        //!< SYNs ignored and datagrams dropped on overload
    uint32_t GetQueueLength() const;    //!< requests waiting for a worker
    uint32_t GetBusyWorkers() const;
    double GetBusyWorkerSeconds() const; //!< ∫ busy workers dt, up to now
    // Busy worker-seconds / (Workers × elapsed) since `since`.
    double GetUtilisation(Time since, double busyWorkerSecondsAtSince = 0) const;

    // A hang: connections are still accepted and requests read, but none is
    // served until SetHung(false) (scenario fault `hang`, ended by `up`).
    void SetHung(bool hung);
    bool IsHung() const;

    // Streams for the service-time variable; returns how many were used.
    int64_t AssignStreams(int64_t stream);

    // Traced: (request header, client address) when a request is complete.
    typedef void (*RequestTracedCallback)(const LvsRequestHeader& request, const Address& from);
    // Traced: (request header, time queued, service time) when service ends.
    typedef void (*ServedTracedCallback)(const LvsRequestHeader& request, Time waited, Time served);

  protected:
    void DoDispose() override;

  private:
    struct Connection
    {
        Ptr<Socket> socket;
        Address peer;
        LvsMessageReader reader;
        uint32_t outstanding{0}; //!< requests queued or in service
        uint32_t toSend{0};      //!< response bytes not yet accepted by the socket
        std::deque<Ptr<Packet>> sendQueue;
        bool closeWhenDone{false};
    };

    struct Job
    {
        uint64_t connection; //!< 0 for UDP
        LvsRequestHeader request;
        Address from;        //!< UDP: where to answer
        Time queuedAt;
    };

    void StartApplication() override;
    void StopApplication() override;

    bool HandleConnectionRequest(Ptr<Socket> listener, const Address& from);
    void HandleAccept(Ptr<Socket> socket, const Address& from);
    void HandleTcpRead(Ptr<Socket> socket);
    void HandleUdpRead(Ptr<Socket> socket);
    void HandleSend(Ptr<Socket> socket, uint32_t available);
    void HandlePeerClose(Ptr<Socket> socket);
    void HandleError(Ptr<Socket> socket);

    void Enqueue(Job job);
    void StartService();
    void FinishService(Job job, Time served);
    void Respond(const Job& job);
    void PushTcp(uint64_t id, Connection& c);
    void ForgetConnection(uint64_t id);
    void AccountBusy();

    // Attributes
    uint16_t m_port;
    bool m_tcp;
    bool m_udp;
    uint32_t m_workers;
    Ptr<RandomVariableStream> m_serviceTime;
    double m_speed;
    bool m_hung{false};
    uint32_t m_backlog;
    std::string m_tcpVariant;
    double m_msl;
    bool m_useTimeWaitTable;

    Ptr<LvsTimeWaitTable> m_timeWait; //!< null when sockets hold their own TIME_WAIT
    Ptr<Socket> m_tcpListener;
    Ptr<Socket> m_udpSocket;
    std::unordered_map<uint64_t, Connection> m_connections;
    std::unordered_map<Socket*, uint64_t> m_connectionOf;
    uint64_t m_nextConnection{1};
    std::deque<Job> m_queue;
    std::unordered_map<uint64_t, EventId> m_inService; //!< service events, to cancel on stop
    uint64_t m_nextJob{1};

    TracedValue<uint32_t> m_queueLength;
    TracedValue<uint32_t> m_busy;
    uint64_t m_received{0};
    uint64_t m_served{0};
    uint64_t m_accepted{0};
    uint64_t m_dropped{0};
    double m_busyIntegral{0};
    Time m_busySince;

    TracedCallback<const LvsRequestHeader&, const Address&> m_requestTrace;
    TracedCallback<const LvsRequestHeader&, Time, Time> m_servedTrace;
    TracedCallback<const Address&> m_acceptTrace;
    TracedCallback<const Address&> m_dropTrace;
};

} // namespace ns3
