#pragma once
// The NAT-routing engine: IPVS's packet path, connection tracking and control
// plane as one value. It owns no clock and no I/O: callers hand it wire-format
// IPv4 packets, the side they arrived on and the current time, and act on the
// verdict it returns.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lvs/conn_state.h"
#include "lvs/conn_table.h"
#include "lvs/ipvsadm_format.h"
#include "lvs/packet.h"
#include "lvs/scheduler.h"
#include "lvs/service.h"
#include "lvs/stats.h"
#include "lvs/sync.h"
#include "lvs/types.h"

namespace lvs {

// The director's two NICs: eth0 faces the clients, eth1 the real servers.
enum class Side : std::uint8_t { kOutside = 0, kInside = 1 };

enum class Action : std::uint8_t {
  kForward,  // send out of `Verdict::out` towards `Verdict::next_hop`
  kLocal,    // for the director itself (VIP ping, health-check replies, VRRP, ...)
  kPass,     // not LVS traffic: route it as a plain router would
  kDrop,
};

// Every reason a packet is dropped; each has a counter (Engine::drops()).
enum class DropReason : std::uint8_t {
  kNone = 0,
  kTruncated,
  kBadVersion,
  kBadIhl,
  kBadLength,
  kFragment,
  kBadL4Header,
  kNoDestination,       // no usable real server; IPVS answers ICMP port unreachable
  kTableFull,           // connection table full: new connections only
  kDestUnavailable,     // real server deleted, expire_nodest_conn off: IPVS drops silently
  kToPrivateAddress,    // from outside straight to the private network
  kReplyWithoutConn,    // from a real server's service port, but no connection
  kMasqPortsExhausted,  // no free port to masquerade a real server's outbound flow
  kMasqUnsupported,     // outbound protocol the masquerade does not translate
  kBadIcmpChecksum,     // ICMP error about a tracked connection, failing its checksum
  kCount
};
std::string_view drop_reason_name(DropReason r);

// 16 bytes, so that it is returned in two registers (x86-64 and AArch64):
// returned in memory, a verdict was written field by field and then often
// copied with one 16-byte load, which no store can forward and which waited
// until every older store had reached the cache, a new entry's among them
// (tests/bench/README.md, session 16).
struct Verdict {
  Action action = Action::kPass;
  Side out = Side::kOutside;
  DropReason reason = DropReason::kNone;
  // With kDrop/kNoDestination: answer the sender with ICMP port unreachable
  // (build it with build_icmp_error), as IPVS's ip_vs_leave() does.
  bool icmp_unreachable = false;
  // kForward to the inside: kMasq means the packet was rewritten (NAT); kDirectRoute
  // and kTunnel leave it as it was, to be sent to next_hop's MAC (or encapsulated).
  ForwardMethod method = ForwardMethod::kMasq;
  bool new_conn = false;  // this packet was scheduled: a connection was created for it
  Ip4 next_hop = 0;       // kForward: the packet's destination, or the real server for DR
  ConnId conn = kNoConn;
};
static_assert(sizeof(Verdict) == 16, "a verdict fits two registers");

struct Prefix {
  Ip4 net = 0;
  Ip4 mask = 0;
  bool contains(Ip4 a) const { return (a & mask) == net; }
};

// IP_VS_DEST_TRASH_PERIOD: a deleted real server with no connections left is
// freed one to one and a half periods later (Engine's trash).
constexpr Duration kDestTrashPeriod = seconds(120);

struct EngineConfig {
  std::size_t max_conns = std::size_t{1} << 20;  // connections + templates
  Timeouts timeouts;
  std::vector<Ip4> local_addrs;       // the director's own addresses (incl. VIP, NAT gateway IP)
  std::vector<Prefix> inside_nets;    // the private network(s) behind eth1
  // Where traffic that real servers originate is masqueraded: the router's own
  // public address by default (iptables MASQUERADE), or the floating VIP so
  // that it survives failover. 0 disables masquerading (such packets pass).
  Ip4 masq_addr = 0;
  bool expire_nodest_conn = false;         // net.ipv4.vs.expire_nodest_conn
  bool expire_quiescent_template = false;  // net.ipv4.vs.expire_quiescent_template
  bool sloppy_tcp = false;                 // net.ipv4.vs.sloppy_tcp
  int conn_reuse_mode = 1;                 // net.ipv4.vs.conn_reuse_mode
  // net.ipv4.ip_unprivileged_port_start: a TCP packet for a VIP port with no
  // service of its own goes to the VIP's FTP (port 21) service when the port
  // is 20 or at least this (ip_vs_service_find's passive FTP data rule).
  std::uint16_t unprivileged_port_start = 1024;
  // Time between rate-estimator passes: 2 s, or estimator_period_for_hz()
  // for the period a real kernel's timer wheel gives (2.016 s at HZ=250).
  Duration estimator_period = kEstimatorPeriod;
  RandomSource rng;                        // twos and mh; a seeded default when empty
  // The established-flow shortcut (lvs/engine_fast_path.h): a packet of an
  // ESTABLISHED NAT connection that changes no state is forwarded without the
  // general path. Verdicts, rewrites, counters and timers are the same either
  // way; off only for tests that compare the two and for benchmarks.
  bool fast_path = true;
};

enum class ControlError : std::uint8_t {
  kOk = 0,
  kExists,          // EEXIST
  kNoService,       // ESRCH
  kNoSuchDest,      // ENOENT
  kBadScheduler,    // ENOENT from the scheduler lookup
  kInvalid,         // EINVAL
  kThresholdRange,  // ERANGE: l_threshold > u_threshold
  kNoMemory,        // ENOMEM: kMaxConnDests real servers already exist
};

// What a control operation changed, so adapters and logs can follow.
struct ControlChange {
  enum class Kind : std::uint8_t {
    kNone, kServiceAdded, kServiceEdited, kServiceDeleted, kDestAdded, kDestEdited, kDestDeleted
  };
  Kind kind = Kind::kNone;
  ServiceKey service;
  std::optional<ServiceConfig> service_before, service_after;
  std::optional<RealServerConfig> dest_before, dest_after;
  std::uint32_t dests_unlinked = 0;   // service deletion: real servers taken with it
  std::uint32_t conns_affected = 0;   // connections still bound to what changed
};

struct ControlResult {
  ControlError error = ControlError::kOk;
  std::string message;
  ControlChange change;
  explicit operator bool() const { return error == ControlError::kOk; }
};

// A packet handed to the batch entry point.
struct PacketRef {
  std::uint8_t* data = nullptr;
  std::size_t len = 0;
  Side side = Side::kOutside;
  std::uint32_t fwmark = 0;
};

struct PlainTcp;        // lvs/engine_fast_path.h
class MasqSourceIndex;  // engine/masq_source_index.h

class Engine {
 public:
  explicit Engine(EngineConfig cfg = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // ---- data plane -------------------------------------------------------
  // Rewrites `data` in place (length unchanged) and says what to do with it.
  // `fwmark` is the packet's netfilter mark, for firewall-mark services.
  // Inline, and so is the established-flow shortcut it tries first
  // (lvs/engine_fast_path.h): a caller's loop keeps its registers across
  // packets instead of a call saving and restoring them for each. Nothing of
  // the general path (its registers, its PacketView) costs a plain ACK
  // anything: it is a call of its own, made only when the shortcut declines.
  [[gnu::always_inline]] Verdict process(std::uint8_t* data, std::size_t len, Side side, Time now,
                                         std::uint32_t fwmark = 0) {
    if (now != last_advance_) advance(now);
    Verdict v;
    if (!shortcut(data, len, side, now, v)) v = process_general(data, len, side, now, fwmark);
    return v;
  }
  // Same decisions for up to kBatch packets at a time, lookups prefetched.
  // The best size depends on the machine (tests/bench/README.md, sessions 11
  // and 13, at 1M flows): on the Zen 3 VM 16 did best (20.7 Mpps, 32 18.3);
  // on the Zen 5 VM CI now runs on, whose memory is slower (164 against 111
  // ns) and which keeps more misses in flight, 32 does (22.3 Mpps, 24 21.7,
  // 16 19.1): the waits for a batch's entries are paid once per batch.
  static constexpr std::size_t kBatch = 32;
  void process_batch(PacketRef* pkts, Verdict* out, std::size_t n, Time now);
  // The same with a time of its own for every packet, `times[i]` for
  // `pkts[i]` (non-decreasing, as a capture's stamps): the timers due between
  // two packets fire between them, exactly as process() one packet at a time
  // would (lvsim replay).
  void process_batch(PacketRef* pkts, Verdict* out, std::size_t n, const Time* times);
  // The earliest `now` at which advance() has anything to do: the next timer
  // tick (every millisecond), estimator pass or trash run. Up to it only the
  // clock moves: no connection changes but by its own packets (or a control
  // operation). Time::min() before the clock has started.
  Time next_due() const { return clock_started_ ? quiet_until_ : Time::min(); }
  // Fires connection timers and rate-estimator samples due at `now`. process()
  // does this too; call it when time passes without packets. Between timer
  // ticks and estimator passes only the clock moves, without a call.
  void advance(Time now) {
    // quiet_until_ is Time::min() until the clock starts.
    if (now >= last_advance_ && now < quiet_until_) {
      last_advance_ = now;
      return;
    }
    advance_due(now);
  }

  // ---- control plane (ipvsadm -A/-E/-D/-a/-e/-d, --set) -----------------
  // An operation takes effect at the engine's current time, the latest `now`
  // it was given: a caller whose clock has moved on without packets calls
  // advance(now) first. (Timers a change starts, such as the real-server
  // trash's, run from that time.)
  ControlResult add_service(const ServiceConfig& cfg);
  ControlResult edit_service(const ServiceConfig& cfg);
  ControlResult del_service(const ServiceKey& key);
  ControlResult add_dest(const ServiceKey& key, const RealServerConfig& dest);
  ControlResult edit_dest(const ServiceKey& key, const RealServerConfig& dest);
  ControlResult del_dest(const ServiceKey& key, Ip4 addr, std::uint16_t port);
  void set_timeouts(const Timeouts& t) {
    cfg_.timeouts = t;
    expiry_from_ = Time::min();
  }
  // The director's own addresses change when floating addresses move (failover).
  void set_local_addrs(std::vector<Ip4> addrs) { cfg_.local_addrs = std::move(addrs); }
  void clear();  // ipvsadm -C

  // ---- observation -------------------------------------------------------
  const EngineConfig& config() const { return cfg_; }
  const VirtualService* find_service(const ServiceKey& key) const;
  const RealServer* find_dest(const ServiceKey& key, Ip4 addr, std::uint16_t port) const;
  // Services in creation order.
  std::vector<const VirtualService*> services() const;
  const RealServer* dest_by_id(std::uint32_t id) const;
  // Real servers waiting in the trash (deleted, or of a deleted service).
  std::size_t trash_size() const { return trash_.size(); }
  const ConnTable& conns() const { return *table_; }
  std::size_t peak_conns() const { return peak_conns_; }  // largest table size seen
  const StatsCounters& total_stats() const {
    fold_stats();
    return total_.counters;
  }
  std::uint64_t drops(DropReason r) const { return drops_[static_cast<std::size_t>(r)]; }
  std::uint64_t forwarded() const { return forwarded_; }
  // What ipvsadm -L -n (and -c) would be given at `now`; format it with
  // format_service_list / format_conn_list. Masquerade entries are netfilter's,
  // not IPVS connections, and are not listed.
  IpvsListing listing(Time now) const;
  // ipvsadm -Z: zero the counters of every service, real server and the totals.
  void zero_stats();

  // ---- connection sync (lvs/sync.h, engine/sync.cc) -----------------------
  // net.ipv4.vs.sync_*: which connections the master role syncs, and the
  // packet count a synced connection starts from on the backup.
  void set_sync_sysctls(const SyncSysctls& s) { sync_sysctls_ = s; }
  const SyncSysctls& sync_sysctls() const { return sync_sysctls_; }
  // The master role (IP_VS_STATE_MASTER): each packet from a client runs
  // ip_vs_sync_conn, and the connections that need syncing go to `master`.
  // nullptr stops it. Both roles may run at once.
  void set_sync_master(SyncMaster* master) {
    sync_master_ = master;
    shortcut_ = cfg_.fast_path && master == nullptr;
  }
  SyncMaster* sync_master() const { return sync_master_; }
  // The backup role: install or update one received entry (ip_vs_proc_conn).
  // `bound`: whether the connection has a real server afterwards.
  SyncApply apply_sync_conn(const SyncConn& s, Time now, bool* bound = nullptr);
  // The entry the master sends for connection `id` at `now` (timeout from its state).
  SyncConn sync_entry(ConnId id, Time now) const;
  // ---- end of connection sync ---------------------------------------------

 private:
  struct DestSlot {
    std::unique_ptr<RealServer> rs;
    std::uint32_t refs = 0;  // connections and templates bound to it
  };

  // datapath.cc
  // `probe`: the connection-index probe of the packet's client side, when the
  // batch path has computed it already.
  Verdict from_outside(PacketView& p, Time now, std::uint32_t fwmark,
                       const ConnTable::Probe* probe = nullptr);
  Verdict from_inside(PacketView& p, Time now, const ConnTable::Probe* probe = nullptr);
  Verdict forward_in(PacketView& p, ConnId id, Time now);
  // forward_in() after the state change and in_pkts: counting, the rewrite,
  // sync. `c` is entry `id`, or a copy of it that holds the same.
  Verdict deliver_in(PacketView& p, const Conn& c, ConnId id, Time now);
  Verdict forward_out(PacketView& p, ConnId id, Time now);
  Verdict icmp_from_outside(PacketView& p, bool& handled);
  Verdict icmp_from_inside(PacketView& p, bool& handled);
  Verdict drop(DropReason r);
  // engine_fast_path.h: the established-flow shortcut. Forwards `p`, a
  // plain ACK (plain_ack), as from_outside (kFromClient) or from_inside
  // would, when `candidate` (the index's first candidate for its client
  // side, a live entry) is its ESTABLISHED NAT connection: the state stays,
  // the timer is re-armed to `expires` (established_expiry), counters and
  // addresses change as the general path would change them. False, with
  // nothing changed, otherwise.
  template <bool kFromClient>
  bool forward_established(const PlainTcp& p, ConnId candidate, std::uint32_t expires, Verdict& v);
  // process()'s first try, after advance(now): a plain ACK of an ESTABLISHED
  // NAT connection. False, with nothing else changed, for anything else.
  bool shortcut(std::uint8_t* data, std::size_t len, Side side, Time now, Verdict& v);
  Verdict process_general(std::uint8_t* data, std::size_t len, Side side, Time now,
                          std::uint32_t fwmark);
  // batch.cc: both process_batch()es; `times`, when not null, gives each
  // packet's time.
  void run_batch(PacketRef* pkts, Verdict* out, std::size_t n, Time now, const Time* times);
  bool fast_path_on() const;
  std::uint32_t established_expiry(Time now);
  std::uint32_t established_expiry_slow(Time now);
  // accounting.cc: advance() when a timer tick or an estimator pass is due
  // (or expire_nodest_conn work is pending).
  void advance_due(Time now);
  // schedule.cc
  VirtualService* lookup_service(Proto proto, Ip4 vaddr, std::uint16_t vport,
                                 std::uint32_t fwmark) const;
  // `fwmark`: the packet's mark, which the new entries keep (cp->fwmark).
  Verdict schedule_new(PacketView& p, VirtualService& svc, std::uint32_t fwmark, Time now);
  Verdict leave(const PacketView& p, const VirtualService& svc);
  ConnId persistent_template(VirtualService& svc, const PacketView& p, std::uint32_t fwmark,
                             Time now, RealServer*& dest, bool& full);
  bool template_valid(const Conn& tmpl) const;
  // masquerade.cc
  Verdict masquerade_new(PacketView& p, Time now);
  bool is_real_service(Proto proto, Ip4 addr, std::uint16_t port) const;
  // accounting.cc: IPVS ip_vs_bind_dest / ip_vs_unbind_dest / set_state
  void bind_dest(const Conn& c);
  void unbind_dest(Conn& c);
  // Tells rs's scheduler that its connection counts changed; while a new
  // connection is being set up, once when it is (schedule_new).
  void sched_counts_changed(RealServer& rs);
  void set_state(Conn& c, ConnId id, ConnDir dir, std::uint8_t tcp_flags, Time now);
  // set_state() for the packet that creates connection `c`, applied to it
  // before it is stored and bound (schedule_new).
  static void first_state(Conn& c, std::uint8_t tcp_flags);
  // `control`: the connection's ConnExt::control.
  void assure_template(const Conn& c, ConnId control);
  Time conn_expiry(const Conn& c, Time now) const;
  void expire_conn(ConnId id, Time now);
  void expire_now(ConnId id);
  void expire_nodest_conns();
  RealServer* dest_of(const Conn& c) { return c.dest == kNoDest ? nullptr : dests_[c.dest].rs.get(); }
  // control.cc
  VirtualService* service_mut(const ServiceKey& key);
  void bind_scheduler(VirtualService& svc, std::unique_ptr<Scheduler> sched);
  RealServer* find_linked_dest(VirtualService& svc, Ip4 addr, std::uint16_t port);
  std::uint32_t new_dest_slot();
  void unlink_dest(VirtualService& svc, RealServer& rs);
  void pin_template_timeouts(const VirtualService& svc);
  // The destination trash (ip_vs_ctl.c's dest_trash): a real server unlinked
  // from its service (deleted, or its service deleted) waits here with its
  // counts and counters, found again by a re-add to a service with the same
  // key (ip_vs_trash_get_dest), and freed by the trash timer once neither a
  // connection nor its scheduler has held it for IP_VS_DEST_TRASH_PERIOD
  // (ip_vs_dest_trash_expire).
  void trash_put(RealServer& rs, const ServiceKey& key);
  RealServer* trash_get(const ServiceKey& key, Ip4 addr, std::uint16_t port);
  void trash_expire(Time now);
  void free_dest(std::uint32_t id);
  bool is_local(Ip4 a) const;
  bool is_inside(Ip4 a) const;

  EngineConfig cfg_;
  std::unique_ptr<ConnTable> table_;
  // Masquerade entries by original source (nf_nat_bysource), from the first
  // masquerade entry on (cfg_.masq_addr is fixed for the engine's life).
  std::unique_ptr<MasqSourceIndex> masq_sources_;
  std::vector<std::unique_ptr<VirtualService>> services_;  // creation order
  std::unordered_map<std::uint64_t, VirtualService*> svc_by_addr_;
  std::unordered_map<std::uint32_t, VirtualService*> svc_by_fwmark_;
  std::vector<DestSlot> dests_;
  std::uint32_t n_dest_slots_ = 0;  // dests_.size(), for the shortcut's bound check
  // established_expiry()'s last tick, which every `now` in
  // [expiry_from_, expiry_from_ + 1 tick) shares (a timeout change resets it).
  Time expiry_from_ = Time::min();
  std::uint32_t expiry_tick_ = 0;
  std::vector<std::uint32_t> free_dest_slots_;
  struct TrashEntry {
    std::uint32_t id;                // RealServer::id
    ServiceKey key;                  // dest->protocol, vaddr, vport, vfwmark
    std::optional<Time> idle_start;  // first timer run that found it unreferenced
  };
  std::vector<TrashEntry> trash_;  // oldest first (the kernel's list, reversed)
  // The trash timer's next run: armed when a real server enters an empty
  // trash, re-armed every half period while the trash is not empty.
  std::optional<Time> trash_due_;
  bool trash_arm_at_start_ = false;  // entered before the clock started
  std::unordered_map<std::uint64_t, std::uint32_t> nat_real_services_;  // proto|addr|port -> count
  std::unordered_map<Ip4, std::uint32_t> dest_addr_refs_;  // linked real-server addresses
  std::uint32_t next_service_id_ = 0;
  // Packets and bytes reach a service's and the totals' counters from its
  // real servers' (RealServer::folded) whenever they are read: observation
  // calls, estimation passes, and before a real server leaves its service or
  // is freed. The packet path thus updates one set of counters, not three.
  void fold_stats() const;
  void fold_dest(RealServer& rs) const;
  mutable Stats total_;
  std::array<std::uint64_t, static_cast<std::size_t>(DropReason::kCount)> drops_{};
  std::uint64_t forwarded_ = 0;
  std::size_t peak_conns_ = 0;
  // schedule_new: the bind and the first state change of a new connection
  // both change its server's counts, and no pick comes between them, so the
  // scheduler hears of them once (one index update instead of two).
  bool defer_counts_ = false;
  RealServer* counts_pending_ = nullptr;
  std::optional<EstimationTimer> est_timer_;
  // No time yet: the first `now` given, whatever it is (0 included), starts
  // the clock.
  Time last_advance_{Time::min()};
  // advance() has nothing to do before this: the table's next timer tick, the
  // next estimator pass, the trash timer (and Time::min() while
  // expire_nodest_conn work is pending or before the clock has started).
  Time quiet_until_ = Time::min();
  bool clock_started_ = false;
  bool nodest_pending_ = false;

  // ---- connection sync (engine/sync.cc) -----------------------------------
  void sync_conn(ConnId id, Time now);  // from the packet path: the connection's own count
  void sync_conn(ConnId id, std::uint32_t pkts, Time now);  // ip_vs_sync_conn
  bool sync_needed(Conn& c, ConnId id, std::uint32_t pkts, Time now);  // ip_vs_sync_conn_needed
  RealServer* sync_find_dest(const SyncConn& s);  // ip_vs_find_dest
  void sync_bind(Conn& c, RealServer& rs);        // ip_vs_bind_dest for a synced connection
  ConnId sync_lookup(const SyncConn& s, SyncApply& verdict);
  ConnId sync_create(const SyncConn& s, std::uint16_t flags, Time now);
  // cp->fwmark: the mark of the packet that created the entry, or the one
  // its sync message carried. record_fwmark at every creation.
  void record_fwmark(ConnId id, std::uint32_t fwmark, const RealServer* rs);
  std::uint32_t conn_fwmark(ConnId id) const;
  std::uint32_t implied_fwmark(const RealServer* rs) const;
  // When entry `id`'s timer restarted at `now` fires (cp->timeout): its
  // state's timeout, or a template's own (the re-arm timeout, the one its
  // sync message carried, or its service's).
  Time entry_expiry(ConnId id, Time now) const;
  void keep_synced_template_timeout(Conn& t, ConnId id, Duration timeout);
  SyncSysctls sync_sysctls_;
  SyncMaster* sync_master_ = nullptr;
  bool shortcut_ = false;  // fast_path_on(): cfg_.fast_path, and no sync master
  // cp->sync_endtime by ConnId: millisecond ticks, low 2 bits the retries.
  // Allocated only when sync_refresh_period is set.
  std::vector<std::uint32_t> sync_endtime_;
  // cp->fwmark by ConnId where it is not what the entry's service implies
  // (that service's firewall mark, or 0 for an address service or no
  // service), else 0. Allocated at the first such entry.
  std::vector<std::uint32_t> fwmark_exceptions_;
  // The timeouts of templates flagged kConnTemplateOwnTimeout: from their
  // sync message, or their service's before `ipvsadm -E` changed it.
  std::unordered_map<ConnId, Duration> template_timeout_;
  // ---- end of connection sync ---------------------------------------------
};

}  // namespace lvs

// The established-flow shortcut's inline definitions.
#include "lvs/engine_fast_path.h"  // IWYU pragma: export
