#ifndef LVS_SYNC_DAEMON_H
#define LVS_SYNC_DAEMON_H

#include "lvs-nat-routing.h"

#include "ns3/application.h"
#include "ns3/event-id.h"
#include "ns3/ipv4-address.h"
#include "ns3/nstime.h"
#include "ns3/traced-callback.h"

#include "lvs/sync.h"

#include <memory>

namespace ns3
{

class NetDevice;
class Socket;

/**
 * The IPVS connection sync daemon of one LVS router (ipvsadm --start-daemon
 * master|backup, as keepalived's lvs_sync_daemon runs it): the core
 * lvs::SyncMaster / lvs::SyncBackup with real UDP multicast on the private
 * LAN (224.0.0.81:8848, TTL 1).
 *
 *  - master role: the director's engine hands the connections that need
 *    syncing to the SyncMaster; this application sends its datagrams when
 *    they are due (the kernel's send delay and flush time included);
 *  - backup role: received datagrams are installed into the engine, so the
 *    router can carry those connections on when it takes over.
 *
 * keepalived switches roles with VRRP: SetMaster(true) on becoming master,
 * SetMaster(false) on leaving it. Both directions work, so after a failback
 * the connections the backup made while it was master go back.
 *
 * Sync lag is measured per datagram from when its first entry was buffered
 * on the master to when the backup received it (carried in a packet tag,
 * simulation metadata that is not on the wire).
 */
class LvsSyncDaemon : public Application
{
  public:
    static TypeId GetTypeId();
    LvsSyncDaemon();
    ~LvsSyncDaemon() override;

    /// `interface` is the private LAN's Ipv4 interface of the router.
    void Setup(const lvs::SyncDaemonConfig& config, Ptr<LvsNatRouting> director, uint32_t interface);
    void SetMaster(bool master);
    bool IsMaster() const;
    /// A crash: both roles stop, whatever was buffered is lost.
    void Crash();
    void Recover();

    /// Over every period in the role, the current one included.
    lvs::SyncMasterStats GetMasterStats() const;
    lvs::SyncBackupStats GetBackupStats() const;
    /// Received datagrams and their summed lag (first buffered -> received).
    uint64_t GetLagSamples() const;
    Time GetLagSum() const;
    Time GetLagMax() const;

    typedef void (*ReceivedCallback)(uint32_t conns, Time lag);

  protected:
    void DoDispose() override;

  private:
    void StartApplication() override;
    void StopApplication() override;
    void Open();
    void Close();
    void StopMasterRole();
    void StopBackupRole();
    void Poll();
    void Receive(Ptr<Socket> socket);

    lvs::SyncDaemonConfig m_config;
    Ptr<LvsNatRouting> m_director;
    uint32_t m_interface = 0;
    Time m_poll;
    bool m_running = false;
    bool m_master = false;
    std::unique_ptr<lvs::SyncMaster> m_syncMaster;
    std::unique_ptr<lvs::SyncBackup> m_syncBackup;
    lvs::SyncMasterStats m_masterStats;  // over every master period
    lvs::SyncBackupStats m_backupStats;  // over every backup period
    Ptr<Socket> m_tx;
    Ptr<Socket> m_rx;
    EventId m_event;
    uint64_t m_lagSamples = 0;
    Time m_lagSum;
    Time m_lagMax;
    TracedCallback<uint32_t, Time> m_receivedTrace;
};

} // namespace ns3

#endif
