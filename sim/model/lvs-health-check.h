#ifndef LVS_HEALTH_CHECK_H
#define LVS_HEALTH_CHECK_H

#include "lvs-nat-routing.h"

#include "ns3/application.h"
#include "ns3/event-id.h"
#include "ns3/ipv4-address.h"
#include "ns3/traced-callback.h"

#include "lvs/health.h"

#include <map>
#include <memory>
#include <vector>

namespace ns3
{

class Socket;

/**
 * keepalived's checkers on an LVS router: the core lvs::HealthChecker decides
 * when to probe and what the outcomes mean; this application performs the
 * probes over real simulated TCP connections from the router's private
 * address and applies the resulting IPVS changes to the router's director.
 *
 *  - TCP_CHECK: a TCP connect; established = up, refused = failed, no answer
 *    within connect_timeout = timeout.
 *  - HTTP_GET / SSL_GET: connect, send one request (the LvsRequestHeader
 *    protocol the simulated real servers speak), and wait for the whole
 *    response; a complete response counts as status 200. A server that
 *    accepts but never answers (a hung server) times out.
 *  - MISC_CHECK: the exit code the scripted schedule gives at that time.
 *
 * Like keepalived, the checkers run on every router whatever its VRRP state,
 * and each router programs its own IPVS table.
 */
class LvsHealthCheck : public Application
{
  public:
    static TypeId GetTypeId();
    LvsHealthCheck();
    ~LvsHealthCheck() override;

    /// The checker configuration, the director to program, the probes' source address.
    void Setup(const lvs::HealthConfig& config, Ptr<LvsNatRouting> director, Ipv4Address source);
    /// The MISC_CHECK schedule of checker `id` (the checker numbering of HealthChecker).
    void SetMiscSchedule(lvs::CheckerId id, const lvs::MiscSchedule& schedule);

    /// The router died: probes stop, the checker's state is gone.
    void Crash();
    /// Rebooted: a fresh checker reprograms the (fresh) table, as keepalived
    /// does when it starts.
    void Recover();

    const lvs::HealthChecker* GetChecker() const;
    uint64_t GetProbes() const;

    typedef void (*EventCallback)(const lvs::HealthEvent& event);

  protected:
    void DoDispose() override;

  private:
    struct Probe
    {
        lvs::ProbeRequest request;
        Ptr<Socket> socket;
        EventId timeout;
        uint32_t received = 0;
        uint32_t expected = 0;
    };

    void StartApplication() override;
    void StopApplication() override;
    void OnTimer();
    void StartProbe(const lvs::ProbeRequest& request);
    void Finish(lvs::CheckerId id, const lvs::ProbeOutcome& outcome);
    void Connected(lvs::CheckerId id, Ptr<Socket> socket);
    void ConnectFailed(lvs::CheckerId id, Ptr<Socket> socket);
    void Received(lvs::CheckerId id, Ptr<Socket> socket);
    void Closed(lvs::CheckerId id, Ptr<Socket> socket);
    void Flush();
    void Reschedule();

    lvs::HealthConfig m_config;
    std::unique_ptr<lvs::HealthChecker> m_checker;
    Ptr<LvsNatRouting> m_director;
    Ipv4Address m_source;
    std::map<lvs::CheckerId, lvs::MiscSchedule> m_misc;
    std::map<lvs::CheckerId, Probe> m_probes;
    std::size_t m_eventsSeen = 0;
    uint64_t m_probeCount = 0;
    uint64_t m_requestId = 0;
    EventId m_timer;
    TracedCallback<const lvs::HealthEvent&> m_eventTrace;
};

} // namespace ns3

#endif
