#pragma once
// The control-plane model: virtual services and their real servers, as IPVS
// keeps them (struct ip_vs_service / struct ip_vs_dest).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lvs/stats.h"
#include "lvs/types.h"

namespace lvs {

// Values match IPVS's IP_VS_CONN_F_FWD_MASK codes (and ipvsadm -m/-i/-g).
enum class ForwardMethod : std::uint8_t {
  kMasq = 0,         // -m: NAT
  kLocalNode = 1,
  kTunnel = 2,       // -i: IPIP
  kDirectRoute = 3,  // -g: DR (ipvsadm's default)
  kBypass = 4,
};

// Service flags, IPVS IP_VS_SVC_F_* values.
enum ServiceFlag : std::uint32_t {
  kSvcPersistent = 0x0001,
  kSvcOnePacket = 0x0004,  // -o: schedule each UDP datagram on its own
  kSvcSched1 = 0x0008,     // sh-fallback / mh-fallback
  kSvcSched2 = 0x0010,     // sh-port / mh-port
  kSvcSched3 = 0x0020,
};

// A service is keyed by proto+VIP+port, or by firewall mark when fwmark != 0.
struct ServiceKey {
  Proto proto = Proto::kTcp;
  Ip4 addr = 0;
  std::uint16_t port = 0;
  std::uint32_t fwmark = 0;

  bool is_fwmark() const { return fwmark != 0; }
  friend bool operator==(const ServiceKey& a, const ServiceKey& b) {
    return a.fwmark == b.fwmark &&
           (a.fwmark != 0 || (a.proto == b.proto && a.addr == b.addr && a.port == b.port));
  }
  friend bool operator!=(const ServiceKey& a, const ServiceKey& b) { return !(a == b); }
};

struct ServiceConfig {
  ServiceKey key;
  std::string scheduler = "wlc";  // ipvsadm's default
  std::uint32_t flags = 0;        // ServiceFlag bits
  Duration timeout = seconds(300);  // persistence timeout when kSvcPersistent is set
  Ip4 netmask = 0xffffffffu;        // persistence granularity (-M)
  std::string pe_name;              // persistence engine (--pe); kept, not modelled

  bool persistent() const { return (flags & kSvcPersistent) != 0; }
};

struct RealServerConfig {
  Ip4 addr = 0;
  std::uint16_t port = 0;
  std::int32_t weight = 1;
  std::uint32_t u_threshold = 0;  // -x: 0 = no limit
  std::uint32_t l_threshold = 0;  // -y: 0 = 3/4 of u_threshold
  ForwardMethod fwd = ForwardMethod::kDirectRoute;
};

// IP_VS_DEST_F_* flags.
enum DestFlag : std::uint32_t {
  kDestAvailable = 0x0001,  // in the service's list (cleared when deleted)
  kDestOverload = 0x0002,   // upper threshold reached
};

class Scheduler;
struct VirtualService;

// A real server as the kernel keeps it: configuration plus live counts.
struct RealServer {
  RealServerConfig cfg;
  // ip_vs_dest.last_weight: the weight set when the server was added (even
  // 0), then the latest non-zero weight an edit set (__ip_vs_update_dest), so
  // that a quiesced server keeps its place in mh's table.
  std::int32_t last_weight = 0;
  std::uint32_t flags = 0;
  std::int32_t active_conns = 0;    // TCP connections in a tcp_state_active() state
  std::int32_t inactive_conns = 0;  // every other TCP state, and every UDP connection
  std::int32_t persist_conns = 0;   // persistence templates pointing here
  std::uint32_t id = 0;             // engine-wide handle, stored in connections
  std::uint32_t sched_slot = 0;     // free for the scheduler's own indexing
  VirtualService* svc = nullptr;
  // Last, so that what a scheduler reads on a count change shares one line.
  // The packet path counts packets and bytes here only; the engine passes
  // them on to the service and the totals when those are read
  // (Engine::fold_stats), and `folded` is how far it has.
  Stats stats;
  StatsCounters folded;

  std::int32_t weight() const { return cfg.weight; }
  bool available() const { return (flags & kDestAvailable) != 0; }
  bool overloaded() const { return (flags & kDestOverload) != 0; }
  // The kernel's ip_vs_dest_totalconns(): what thresholds are compared with.
  std::int32_t total_conns() const { return active_conns + inactive_conns; }
};

struct VirtualService {
  ServiceConfig cfg;
  // In IPVS list order: a newly added real server goes to the head (list_add_rcu),
  // so dests.front() is the most recently added one. Schedulers iterate this.
  std::vector<RealServer*> dests;
  std::unique_ptr<Scheduler> sched;
  Stats stats;
  std::uint32_t id = 0;
};

}  // namespace lvs
