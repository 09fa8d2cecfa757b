#pragma once
// The configuration model shared by the keepalived.conf, `ipvsadm -S` and
// piranha lvs.cf readers: IPVS services (lvs::ServiceConfig /
// lvs::RealServerConfig) plus what keepalived and piranha add around them
// (health checkers, VRRP instances, global defaults).
//
// Defaults follow keepalived 2.2.7 unless noted.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lvs/config/diagnostics.h"
#include "lvs/service.h"
#include "lvs/types.h"

namespace lvs::config {

enum class CheckerKind : std::uint8_t {
  kHttpGet,
  kSslGet,
  kTcpCheck,
  kMiscCheck,
  kUdpCheck,
  kPingCheck,
  kDnsCheck,
  kSmtpCheck,
};
// The keepalived block keyword ("HTTP_GET", "TCP_CHECK", ...).
const char* checker_keyword(CheckerKind kind);
// keepalived 2.2's values when neither the checker, its real_server nor its
// virtual_server sets them: queue_checker's retry 1 and delay_before_retry 1 s,
// overridden by the MISC_CHECK (retry 0), HTTP_GET / SSL_GET (3 s) and
// DNS_CHECK (retry 3, delay_loop) block handlers. Unset warmup is delay_loop.
unsigned checker_default_retry(CheckerKind kind);
Duration checker_default_delay_before_retry(CheckerKind kind, Duration delay_loop);

// Timing keys that keepalived lets a virtual_server or real_server set as
// defaults for the checkers below it. Unset means "inherit".
struct CheckTimingDefaults {
  std::optional<Duration> connect_timeout;
  std::optional<unsigned> retry;
  std::optional<Duration> delay_before_retry;
  std::optional<Duration> warmup;
  std::optional<Duration> delay_loop;
};

struct StatusRange {
  int low = 200;
  int high = 299;
  friend bool operator==(const StatusRange& a, const StatusRange& b) {
    return a.low == b.low && a.high == b.high;
  }
};

struct UrlCheck {
  std::string path;
  std::string digest;                     // MD5 hex of the body; "" = not checked
  std::vector<StatusRange> status_codes;  // empty = keepalived's default 200-299
  std::string virtualhost;
};

struct SmtpHost {
  Ip4 connect_ip = 0;
  std::uint16_t connect_port = 0;
  Ip4 bindto = 0;
};

struct CheckerConfig {
  CheckerKind kind = CheckerKind::kTcpCheck;
  SourcePos pos;
  // Resolved values: explicit, else inherited from real_server, then
  // virtual_server, then keepalived's default for the kind (see above).
  Ip4 connect_ip = 0;              // 0 = the real server's address
  std::uint16_t connect_port = 0;  // 0 = the real server's port
  Ip4 bindto = 0;
  std::uint16_t bind_port = 0;
  Duration connect_timeout = seconds(5);
  unsigned retry = 1;  // "retry", alias "nb_get_retry"
  Duration delay_before_retry = seconds(1);
  Duration warmup{0};
  Duration delay_loop = seconds(60);
  CheckTimingDefaults explicit_timing;  // what the checker block itself set

  // HTTP_GET / SSL_GET
  std::vector<UrlCheck> urls;
  std::string virtualhost;
  // MISC_CHECK
  std::string misc_path;
  Duration misc_timeout{0};  // resolved: defaults to delay_loop
  bool misc_dynamic = false;
  // UDP_CHECK
  bool require_reply = false;
  // DNS_CHECK
  std::string dns_type = "SOA";
  std::string dns_name = ".";
  // SMTP_CHECK
  std::string helo_name;
  std::vector<SmtpHost> smtp_hosts;
};

struct RealServerEntry {
  RealServerConfig rs;  // fwd comes from lb_kind unless the real server overrides it
  SourcePos pos;
  bool inhibit_on_failure = false;
  std::string notify_up;
  std::string notify_down;
  CheckTimingDefaults check_defaults;
  std::vector<CheckerConfig> checkers;
};

struct VirtualServerConfig {
  SourcePos pos;
  // key / scheduler / flags / persistence. For `virtual_server group NAME`,
  // service.key only carries the protocol; addresses come from the group.
  ServiceConfig service;
  std::string group;
  ForwardMethod method = ForwardMethod::kMasq;  // lb_kind / lvs_method
  Duration delay_loop = seconds(60);
  std::uint32_t quorum = 1;
  std::uint32_t hysteresis = 0;
  std::string quorum_up;
  std::string quorum_down;
  bool alpha = false;
  bool omega = false;
  bool ha_suspend = false;
  bool inhibit_on_failure = false;
  std::optional<RealServerConfig> sorry_server;
  bool sorry_server_inhibit = false;
  std::string virtualhost;
  CheckTimingDefaults check_defaults;
  std::vector<RealServerEntry> real_servers;

  bool is_group() const { return !group.empty(); }
};

struct VirtualServerGroupEntry {
  SourcePos pos;
  Ip4 first = 0;  // address range first..last (same /24, "a.b.c.d-e")
  Ip4 last = 0;
  std::uint16_t port = 0;
  std::uint32_t fwmark = 0;  // non-zero: a "fwmark N" entry
};

struct VirtualServerGroup {
  std::string name;
  SourcePos pos;
  std::vector<VirtualServerGroupEntry> entries;
};

struct VirtualIpAddress {
  Ip4 addr = 0;
  unsigned prefix = 32;
  std::string dev;    // "" = the instance's interface
  std::string label;  // e.g. "eth0:1"
  bool excluded = false;  // from virtual_ipaddress_excluded
};

struct TrackedInterface {
  std::string name;
  int weight = 0;  // 0 = fault when down
};

enum class VrrpState : std::uint8_t { kBackup, kMaster };

struct VrrpInstance {
  std::string name;
  SourcePos pos;
  VrrpState state = VrrpState::kBackup;
  std::string interface;
  unsigned virtual_router_id = 0;
  unsigned priority = 100;
  Duration advert_int = seconds(1);
  unsigned version = 2;  // resolved from global vrrp_version when unset
  bool nopreempt = false;
  Duration preempt_delay{0};
  bool use_vmac = false;
  std::string vmac_name;
  Ip4 unicast_src_ip = 0;
  std::vector<Ip4> unicast_peers;
  std::string auth_type;  // "PASS", "AH" or ""
  std::string auth_pass;
  std::vector<VirtualIpAddress> virtual_ipaddresses;
  std::vector<TrackedInterface> track_interfaces;
  Duration garp_master_delay = seconds(5);  // resolved from global_defs when unset
  unsigned garp_master_repeat = 5;
  Duration garp_master_refresh{0};
  std::string lvs_sync_daemon_interface;  // deprecated per-instance form
};

struct VrrpSyncGroup {
  std::string name;
  SourcePos pos;
  std::vector<std::string> group;
};

struct LvsTimeouts {
  Duration tcp{0};  // 0 = leave the kernel's value
  Duration tcpfin{0};
  Duration udp{0};
};

struct LvsSyncDaemon {
  std::string interface;
  std::string instance;
  std::uint32_t sync_id = 0;  // 0 = derived from the VRRP instance's vrid
  std::uint32_t maxlen = 0;   // 0 = kernel default
  std::uint16_t port = 8848;
  unsigned ttl = 1;
  Ip4 group = 0xe0000051u;  // 224.0.0.81
};

struct GlobalDefs {
  std::string router_id;
  LvsTimeouts lvs_timeouts;
  std::optional<LvsSyncDaemon> lvs_sync_daemon;
  Duration vrrp_garp_master_delay = seconds(5);
  unsigned vrrp_garp_master_repeat = 5;
  Duration vrrp_garp_master_refresh{0};
  unsigned vrrp_garp_master_refresh_repeat = 1;
  Duration vrrp_garp_interval{0};
  Duration vrrp_gna_interval{0};
  unsigned vrrp_version = 2;
  Ip4 vrrp_mcast_group4 = 0xe0000012u;  // 224.0.0.18
  bool vrrp_strict = false;
};

// Red Hat piranha (pulse/nanny) lvs.cf. See lvs/config/lvs_cf.h.
struct PiranhaServer {
  std::string name;
  SourcePos pos;
  Ip4 address = 0;
  std::uint16_t port = 0;  // 0 = the virtual server's port
  bool active = true;
  std::int32_t weight = 1;
};

struct PiranhaVirtual {
  std::string name;
  SourcePos pos;
  bool active = true;
  Ip4 address = 0;
  std::string device;  // "eth0:1" after the address
  Ip4 vip_nmask = 0xffffffffu;
  std::uint16_t port = 80;
  std::uint32_t fwmark = 0;
  Proto protocol = Proto::kTcp;
  std::string scheduler = "wlc";
  std::uint32_t persistent = 0;  // seconds, 0 = none
  Ip4 pmask = 0xffffffffu;
  std::string send;
  std::string expect;
  bool use_regex = false;
  std::string load_monitor = "none";
  unsigned timeout = 6;   // seconds a server may stay silent before removal
  unsigned reentry = 15;  // seconds a server must answer before re-adding
  bool quiesce_server = false;
  Ip4 sorry_server = 0;
  std::vector<PiranhaServer> servers;
};

struct PiranhaGlobals {
  unsigned serial_no = 0;
  Ip4 primary = 0;
  Ip4 primary_private = 0;
  std::string service = "lvs";
  bool backup_active = false;
  Ip4 backup = 0;
  Ip4 backup_private = 0;
  bool heartbeat = true;
  std::uint16_t heartbeat_port = 539;
  unsigned keepalive = 6;
  unsigned deadtime = 18;
  std::string network = "nat";  // nat | direct | tunnel
  Ip4 nat_router = 0;
  std::string nat_router_dev;
  Ip4 nat_nmask = 0xffffffffu;
  std::string debug_level;
  bool monitor_links = false;
  bool syncdaemon = false;
};

struct PiranhaConfig {
  PiranhaGlobals globals;
  std::vector<PiranhaVirtual> virtuals;
};

struct ClusterConfig {
  GlobalDefs global;
  std::vector<VirtualServerGroup> groups;
  std::vector<VirtualServerConfig> virtual_servers;
  std::vector<VrrpInstance> vrrp_instances;
  std::vector<VrrpSyncGroup> sync_groups;
  std::optional<PiranhaConfig> piranha;  // set when read from lvs.cf
  std::vector<Warning> warnings;
  std::vector<UnmodelledKeyword> unmodelled;

  const VirtualServerGroup* find_group(const std::string& name) const;
};

// One IPVS service as `ipvsadm -S` would list it.
struct IpvsService {
  ServiceConfig svc;
  std::vector<RealServerConfig> dests;
};

// Field-by-field equality on everything ipvsadm can express.
bool same_ipvs_fields(const ServiceConfig& a, const ServiceConfig& b);
bool same_ipvs_fields(const RealServerConfig& a, const RealServerConfig& b);
bool same_ipvs_fields(const IpvsService& a, const IpvsService& b);

// The IPVS table keepalived (or pulse) would program when every real server
// passes its checks: groups expanded, real servers with their configured
// weights and forwarding methods. Real servers without a port take the
// service's port (fwmark services: 0), as ipvsadm does.
std::vector<IpvsService> ipvs_services(const ClusterConfig& cfg);

}  // namespace lvs::config
