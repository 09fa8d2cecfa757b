#ifndef LVS_VRRP_ROUTER_H
#define LVS_VRRP_ROUTER_H

#include "ns3/application.h"
#include "ns3/event-id.h"
#include "ns3/ipv4-address.h"
#include "ns3/traced-callback.h"

#include "lvs/vrrp.h"

#include <memory>
#include <string>
#include <vector>

namespace ns3
{

class Address;
class NetDevice;
class Packet;
class Socket;

/**
 * keepalived's VRRP on an LVS router: the core lvs::VrrpSyncGroup (one
 * vrrp_instance per interface, moving together) driven by ns-3 time, with
 * real advertisements on the wire.
 *
 * The agent decides; this application carries out what it returns:
 *  - adverts are IPv4 protocol 112 packets (raw socket bound to the
 *    instance's device, TTL 255, to 224.0.0.18 or each unicast peer);
 *  - becoming master adds the instance's virtual IPs to its interface (and
 *    with use_vmac gives the device the 00:00:5e:00:01:<vrid> address),
 *    leaving master removes them (and restores the device's own MAC);
 *  - gratuitous ARPs are broadcast on the device (hosts learn from them with
 *    LvsArpLearning: stock ns-3 ARP ignores them).
 *  - "MasterChanged" fires when the whole group becomes or stops being
 *    master: the runner turns the director on and off with it.
 *
 * Crash() stops everything at once with no goodbye (the node's devices are
 * detached from their channels by the caller); Recover() starts a fresh agent,
 * as a rebooted keepalived does. Shutdown() is a clean keepalived stop: the
 * master sends priority 0 so the backup takes over after its skew time.
 */
class LvsVrrpRouter : public Application
{
  public:
    static TypeId GetTypeId();
    LvsVrrpRouter();
    ~LvsVrrpRouter() override;

    /// One vrrp_instance on Ipv4 interface `interface`; call before the start time.
    void AddInstance(uint32_t interface, const lvs::VrrpConfig& config);

    void Crash();
    void Recover();
    void Shutdown();

    bool IsRunning() const;
    /// The group's state (kInit when not running).
    lvs::VrrpState GetState() const;
    const lvs::VrrpSyncGroup* GetGroup() const;
    uint64_t GetAdvertsSent() const;
    uint64_t GetAdvertsReceived() const;
    uint64_t GetBadAdverts() const;

    /// (instance name, from, to, reason) on every transition.
    typedef void (*TransitionCallback)(std::string instance,
                                       lvs::VrrpState from,
                                       lvs::VrrpState to,
                                       lvs::VrrpReason reason);
    /// true when the group became master, false when it stopped being master.
    typedef void (*MasterChangedCallback)(bool master);
    /// A valid advertisement received: sender, priority.
    typedef void (*AdvertRxCallback)(Ipv4Address from, uint8_t priority);

  protected:
    void DoDispose() override;

  private:
    struct Instance
    {
        uint32_t interface = 0;
        lvs::VrrpConfig config;
        Ptr<NetDevice> device;
        Address ownMac;
        Ptr<Socket> socket;
    };

    void StartApplication() override;
    void StopApplication() override;
    void Begin();
    void Halt();
    void OpenSockets();
    void CloseSockets();
    void Receive(Ptr<Socket> socket);
    void OnTimer();
    void Apply(const lvs::VrrpActions& actions);
    void SendAdvert(Instance& in, const lvs::VrrpAction& a);
    void SendGratuitousArp(Instance& in, lvs::Ip4 ip);
    void SetVips(Instance& in, const std::vector<lvs::Ip4>& vips, bool add, bool vmac);
    void Reschedule();

    std::vector<Instance> m_instances;
    std::unique_ptr<lvs::VrrpSyncGroup> m_group;
    EventId m_timer;
    bool m_master = false;
    uint64_t m_sent = 0;
    uint64_t m_received = 0;
    uint64_t m_bad = 0;

    TracedCallback<std::string, lvs::VrrpState, lvs::VrrpState, lvs::VrrpReason> m_transitionTrace;
    TracedCallback<bool> m_masterTrace;
    TracedCallback<Ptr<const Packet>> m_advertTxTrace;
    TracedCallback<Ipv4Address, uint8_t> m_advertRxTrace;
};

} // namespace ns3

#endif
