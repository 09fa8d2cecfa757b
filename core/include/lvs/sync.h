#pragma once
// Connection synchronisation between directors, as IPVS's sync daemon
// (net/netfilter/ipvs/ip_vs_sync.c, Linux 6.1): the master multicasts
// connection entries in the kernel's version 1 wire format, the backup
// installs them so that it can take the connections over. All I/O-free: the
// master hands out datagrams to send, the backup is handed datagrams received.
//
//   Engine (master role)                 SyncMaster                adapter
//   packet -> ip_vs_sync_conn_needed -> on_conn_changed -> buffer -> collect(now) -> UDP
//   adapter -> SyncBackup::receive -> decode -> Engine::apply_sync_conn (ip_vs_proc_conn)

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lvs/types.h"

namespace lvs {

class Engine;
namespace config {
struct ClusterConfig;
}  // namespace config

// ---- wire format ------------------------------------------------------------

constexpr Ip4 kSyncMcastGroup = 0xe0000051u;  // 224.0.0.81, IP_VS_SYNC_GROUP
constexpr std::uint16_t kSyncMcastPort = 8848;  // IP_VS_SYNC_PORT
constexpr std::uint8_t kSyncProtoVersion = 1;   // SYNC_PROTO_VER
constexpr std::size_t kSyncMesgHeaderSize = 8;  // struct ip_vs_sync_mesg
constexpr std::size_t kSyncMesgV0HeaderSize = 4;  // struct ip_vs_sync_mesg_v0
constexpr std::size_t kSyncConnV4Size = 36;     // struct ip_vs_sync_v4
constexpr std::size_t kSyncConnV6Size = 72;     // struct ip_vs_sync_v6
constexpr std::size_t kSyncConnV0Size = 24;     // struct ip_vs_sync_conn_v0
constexpr std::size_t kSyncSeqOptionsSize = 24;  // struct ip_vs_sync_conn_options
constexpr std::size_t kSyncIpUdpHeaders = 28;   // IPv4 + UDP header

// IP_VS_CONN_F_* as they travel on the wire (the engine's ConnFlag bits differ).
enum KernelConnFlag : std::uint32_t {
  kKFwdMask = 0x0007,
  kKSync = 0x0020,
  kKHashed = 0x0040,
  kKNoOutput = 0x0080,
  kKInactive = 0x0100,
  kKSeqMask = 0x0600,
  kKNoCport = 0x0800,
  kKTemplate = 0x1000,
  kKOnePacket = 0x2000,
  // IP_VS_CONN_F_BACKUP_MASK: the bits a backup accepts from a message.
  kKBackupMask = kKFwdMask | kKNoOutput | kKInactive | kKSeqMask | kKNoCport | kKTemplate,
  // IP_VS_CONN_F_BACKUP_UPD_MASK: the bits an update may change on an existing entry.
  kKBackupUpdMask = kKInactive | kKSeqMask,
};
std::uint32_t kernel_conn_flags(std::uint16_t conn_flags);
std::uint16_t conn_flags_from_kernel(std::uint32_t kflags);

// One connection entry of a sync message (struct ip_vs_sync_v4), host order.
struct SyncConn {
  std::uint8_t protocol = 6;  // IPPROTO_*; 0 for a non-port-specific template
  std::uint32_t flags = 0;    // KernelConnFlag bits
  std::uint16_t state = 0;    // IP_VS_TCP_S_* (TcpState), 0 for UDP
  std::uint16_t cport = 0, vport = 0, dport = 0;
  std::uint32_t fwmark = 0;
  std::uint32_t timeout_s = 0;  // the connection's timeout, in seconds
  Ip4 caddr = 0, vaddr = 0, daddr = 0;

  friend bool operator==(const SyncConn& a, const SyncConn& b);
};

// Why the rest of a message was dropped (the kernel's "Dropping buffer" paths).
enum class SyncMessageError : std::uint8_t {
  kNone = 0,
  kHeaderTooShort,   // shorter than the v0 header
  kBadSize,          // header size != datagram length (also: longer than the receive buffer)
  kConnTruncated,    // an entry header runs past the datagram
  kConnPastEnd,      // an entry's size runs past the datagram
  kBadConnVersion,   // ver_size carries a version other than 0
  kBadConnType,      // type has bits other than the IPv6 one (-10)
  kConnTooSmall,     // entry size smaller than its fixed part (-20)
  kOptionTruncated,  // option header past the entry (-30)
  kBadOptionLength,  // option length zero or past the entry (-40)
  kBadSeqOption,     // sequence option of the wrong size, or twice (-50)
  kBadPeData,        // persistence-engine data too long, or twice (-60)
  kBadPeName,        // persistence-engine name too long, or twice (-70)
  kCount
};
std::string_view sync_message_error_name(SyncMessageError e);

// Why one entry was skipped while the rest of the message was kept.
enum class SyncConnSkip : std::uint8_t {
  kUnknownMandatoryOption = 0,  // retc 20
  kUnsupportedProtocol,         // retc 30 (also SCTP/AH/ESP: not modelled)
  kBadState,                    // retc 40
  kPersistenceEngine,           // retc 50: PE data (sip) is not modelled
  kIpv6,                        // IPv6 entries: the engine is IPv4 only
  kCount
};
std::string_view sync_conn_skip_name(SyncConnSkip s);

struct SyncDecoded {
  SyncMessageError error = SyncMessageError::kNone;
  std::uint8_t syncid = 0;
  std::uint8_t version = 0;      // 1, or 0 for the old format
  std::vector<SyncConn> conns;   // entries decoded before any error, in order
  std::array<std::uint32_t, static_cast<std::size_t>(SyncConnSkip::kCount)> skipped{};
};

// Never reads outside [data, data + len).
SyncDecoded decode_sync_message(const std::uint8_t* data, std::size_t len);
// A complete version 1 message (header + entries), as the master builds it.
std::vector<std::uint8_t> encode_sync_message(std::uint8_t syncid,
                                              const std::vector<SyncConn>& conns);
void append_sync_conn(std::vector<std::uint8_t>& msg, const SyncConn& c);

// ---- configuration ----------------------------------------------------------

// net.ipv4.vs.sync_* (Documentation/networking/ipvs-sysctl.rst).
struct SyncSysctls {
  std::uint32_t sync_threshold = 3;  // sync_threshold "3 50"
  std::uint32_t sync_period = 50;
  Duration sync_refresh_period{0};   // 0: sync on the threshold/period only
  std::uint32_t sync_retries = 0;    // 0..3
  bool sync_persist_mode = false;    // don't sync connections controlled by persistence
  // Buffers waiting for the master thread; the kernel default is
  // nr_free_buffer_pages() / 32, i.e. memory-dependent (16384 for 2 GB).
  std::uint32_t sync_qlen_max = 16384;
};

// ipvsadm --start-daemon / keepalived lvs_sync_daemon.
struct SyncDaemonConfig {
  std::string mcast_ifn;
  std::uint8_t syncid = 0;         // backup: 0 accepts every syncid
  std::uint32_t sync_maxlen = 0;   // 0: MTU - 28 (the master uses 1500, the backup the interface MTU)
  std::uint32_t ifmtu = 1500;      // the sync interface's MTU
  Ip4 mcast_group = kSyncMcastGroup;
  std::uint16_t mcast_port = kSyncMcastPort;
  std::uint8_t mcast_ttl = 1;
};

// The message size limit start_sync_thread() derives for each role.
std::size_t sync_master_maxlen(const SyncDaemonConfig& c);
std::size_t sync_backup_maxlen(const SyncDaemonConfig& c);

// keepalived's lvs_sync_daemon (or the deprecated per-instance
// lvs_sync_daemon_interface); sync id 0 is the VRRP instance's vrid.
std::optional<SyncDaemonConfig> sync_daemon_config(const config::ClusterConfig& cfg);

// ---- master -----------------------------------------------------------------

// Timing of the master thread (include/net/ip_vs.h).
constexpr Duration kSyncFlushTime = seconds(2);        // IPVS_SYNC_FLUSH_TIME
constexpr Duration kSyncSendDelay = milliseconds(20);  // IPVS_SYNC_SEND_DELAY (HZ/50)
constexpr Duration kSyncCheckPeriod = seconds(1);      // IPVS_SYNC_CHECK_PERIOD
constexpr std::uint32_t kSyncWakeupRate = 8;           // IPVS_SYNC_WAKEUP_RATE

struct SyncDatagram {
  std::vector<std::uint8_t> bytes;  // UDP payload
  Ip4 group = kSyncMcastGroup;
  std::uint16_t port = kSyncMcastPort;
  std::uint8_t ttl = 1;
  std::uint32_t nr_conns = 0;
  Time first_use{0};  // when its first entry was added: send - first_use is the buffering lag
  Time sent_at{0};    // when the master thread sends it
};

struct SyncMasterStats {
  std::uint64_t conns_queued = 0;     // entries put into messages
  std::uint64_t messages_sent = 0;
  std::uint64_t bytes_sent = 0;       // UDP payload bytes
  std::uint64_t wire_bytes_sent = 0;  // with IPv4 + UDP headers
  std::uint64_t messages_dropped = 0; // queue at sync_qlen_max, or stopped
  std::uint64_t conns_dropped = 0;
};

// The master daemon's buffers and thread: entries go into a buffer sized to
// the sync MTU; a full buffer is queued and sent by the thread within
// IPVS_SYNC_SEND_DELAY (at once when IPVS_SYNC_WAKEUP_RATE buffers wait); a
// partial buffer is sent by the thread's once-a-second check when it is
// IPVS_SYNC_FLUSH_TIME old.
class SyncMaster {
 public:
  // `started`: when the master thread starts (its once-a-second checks count
  // from here). `qlen_max` is net.ipv4.vs.sync_qlen_max; the engine's
  // SyncSysctls decide which connections are synced.
  SyncMaster(SyncDaemonConfig cfg, Time started,
             std::uint32_t qlen_max = SyncSysctls{}.sync_qlen_max);

  // ip_vs_sync_conn's buffer half: the engine has decided `c` needs syncing.
  void on_conn_changed(const SyncConn& c, Time now);
  // Datagrams the master thread has sent up to `now`, in order.
  std::vector<SyncDatagram> collect(Time now);
  // When collect() will next have something; nullopt when idle.
  std::optional<Time> next_due() const;
  // stop_sync_thread: queued and partial buffers are discarded.
  void stop();

  const SyncDaemonConfig& config() const { return cfg_; }
  const SyncMasterStats& stats() const { return stats_; }
  std::size_t maxlen() const { return maxlen_; }
  std::size_t queue_len() const { return queue_.size(); }

 private:
  void run_until(Time now);
  void thread_run(Time t);
  void queue_current(Time now);
  void send(SyncDatagram&& d, Time t);
  Time first_flush_check() const;

  SyncDaemonConfig cfg_;
  std::uint32_t qlen_max_;
  std::size_t maxlen_;
  std::optional<SyncDatagram> current_;
  std::deque<SyncDatagram> queue_;
  std::uint32_t queue_delay_ = 0;   // ms->sync_queue_delay
  std::optional<Time> work_at_;     // master_wakeup_work (IPVS_SYNC_SEND_DELAY after queueing)
  std::optional<Time> wake_now_;    // wake_up_process at IPVS_SYNC_WAKEUP_RATE buffers
  Time next_check_;                 // the thread's schedule_timeout(IPVS_SYNC_CHECK_PERIOD)
  std::vector<SyncDatagram> outbox_;
  SyncMasterStats stats_;
};

// ---- backup -----------------------------------------------------------------

// What Engine::apply_sync_conn did with one entry (ip_vs_proc_conn).
enum class SyncApply : std::uint8_t {
  kCreated,
  kUpdated,
  kStaleIgnored,  // an INACTIVE entry for a connection already replaced
  kTableFull,
  kNotIpvs,       // the key belongs to a masquerade entry or a template: left alone
  kUnsupported,   // protocol or state the engine does not model
};

struct SyncBackupStats {
  std::uint64_t messages_received = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t messages_ignored_syncid = 0;
  std::uint64_t conns_received = 0;   // entries decoded
  std::uint64_t conns_created = 0;
  std::uint64_t conns_updated = 0;
  std::uint64_t conns_unbound = 0;    // created without a matching real server
  std::uint64_t conns_stale = 0;
  std::uint64_t conns_failed = 0;     // table full, or a masquerade key
  std::array<std::uint64_t, static_cast<std::size_t>(SyncMessageError::kCount)> errors{};
  std::array<std::uint64_t, static_cast<std::size_t>(SyncConnSkip::kCount)> skipped{};
  std::uint64_t decode_errors() const;  // messages dropped (in part) as malformed
};

class SyncBackup {
 public:
  explicit SyncBackup(SyncDaemonConfig cfg);

  // ip_vs_process_message: validates, filters on syncid, and installs each
  // entry into `engine`. Entries before a malformed one stay installed.
  SyncMessageError receive(const std::uint8_t* data, std::size_t len, Time now, Engine& engine);

  const SyncDaemonConfig& config() const { return cfg_; }
  const SyncBackupStats& stats() const { return stats_; }
  std::size_t maxlen() const { return maxlen_; }

 private:
  SyncDaemonConfig cfg_;
  std::size_t maxlen_;
  SyncBackupStats stats_;
};

}  // namespace lvs
