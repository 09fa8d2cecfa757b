#pragma once
// The VRRP agent of a router, modelled on keepalived 2.2 (vrrp.c,
// vrrp_scheduler.c, vrrp_sync.c) and RFC 3768 / RFC 5798. It owns no clock,
// socket or address: callers feed it received adverts, timer expiries and
// interface faults with the current time, and perform the actions it returns
// (send adverts, add/remove the virtual IPs, send gratuitous ARP). The
// adapter calls on_timer() at next_timer().
//
//   INIT --start--> BACKUP --master-down timer (1 µs for an owner)--> MASTER
//                   BACKUP <--better advert / sync group-------------- MASTER
//   BACKUP, MASTER --fault (a master sends priority 0)--> FAULT --cleared--> BACKUP
//   BACKUP, MASTER, FAULT --shutdown (a master sends priority 0)--> INIT

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lvs/config/cluster_config.h"
#include "lvs/types.h"
#include "lvs/vrrp_wire.h"

namespace lvs {

enum class VrrpState : std::uint8_t { kInit, kBackup, kMaster, kFault };
std::string_view vrrp_state_name(VrrpState s);

struct VrrpConfig {
  std::string name;  // the vrrp_instance name, for logs
  std::uint8_t vrid = 1;
  std::uint8_t priority = 100;  // 1..255; 255 = address owner
  Duration advert_int = seconds(1);  // v2: whole seconds; v3: centiseconds
  std::uint8_t version = 2;
  bool nopreempt = false;
  Duration preempt_delay{0};
  bool initial_master = false;  // keepalived `state MASTER`
  std::vector<Ip4> vips;
  Ip4 primary_addr = 0;             // the interface's own address
  Ip4 unicast_src = 0;              // 0 = primary_addr
  std::vector<Ip4> unicast_peers;   // empty = multicast to mcast_group
  Ip4 mcast_group = kVrrpMulticast;
  bool use_vmac = false;
  Duration garp_master_delay = seconds(5);  // 0 = no second burst
  unsigned garp_master_repeat = 5;
  Duration garp_master_refresh{0};  // 0 = off
  unsigned garp_master_refresh_repeat = 1;
  Duration garp_interval{0};  // minimum gap between two GARPs (0 = back to back)
  // A master hearing a lower-priority advert (the other side of a healed
  // split brain) re-announces its addresses: this many GARPs at once and
  // again after the delay. keepalived's defaults are garp_master_repeat and
  // garp_master_delay (vrrp_complete_init); unset here means those.
  std::optional<unsigned> garp_lower_prio_repeat;
  std::optional<Duration> garp_lower_prio_delay;
  VrrpAuthType auth_type = VrrpAuthType::kNone;  // v2 only; kAh is not modelled
  std::array<std::uint8_t, 8> auth_pass{};
  unsigned down_timer_adverts = 3;  // keepalived's down_timer_adverts

  // The address adverts come from and the tie-break compares.
  Ip4 source_addr() const { return unicast_src != 0 ? unicast_src : primary_addr; }
};

// "" when the agent can run `cfg`, else why not.
std::string vrrp_config_error(const VrrpConfig& cfg);

// A VrrpConfig from a parsed keepalived vrrp_instance, applying what
// keepalived's vrrp_complete_instance does: advert_int rounded to the
// version's unit, nopreempt/preempt_delay cleared with `state MASTER` or
// priority 255, preempt_delay cleared with nopreempt, auth ignored for v3.
// Each adjustment adds a line to *warnings when given.
VrrpConfig vrrp_config_from(const config::VrrpInstance& inst, const config::GlobalDefs& global,
                            Ip4 interface_addr, std::vector<std::string>* warnings = nullptr);

// 00:00:5e:00:01:<vrid> (RFC 5798 7.3).
std::array<std::uint8_t, 6> vrrp_virtual_mac(std::uint8_t vrid);

// Why a transition happened (keepalived's SNMP master reasons plus ours).
enum class VrrpReason : std::uint8_t {
  kStart,
  kOwnerStart,           // priority 255 (or MASTER wish in a sync group): master at once
  kMasterNoResponse,     // master-down timer expired
  kMasterReleased,       // a priority 0 advert cut the wait to the skew time
  kPreempted,            // we ignored a lower-priority master until it timed out
  kHigherPriority,       // master saw a better advert
  kFault,
  kFaultCleared,
  kSyncGroup,            // moved with the other members of its vrrp_sync_group
  kShutdown,
};
std::string_view vrrp_reason_name(VrrpReason r);

struct VrrpTransition {
  VrrpState from = VrrpState::kInit;
  VrrpState to = VrrpState::kInit;
  VrrpReason reason = VrrpReason::kStart;
  Time at{0};
};

struct VrrpAction {
  enum class Kind : std::uint8_t {
    kTransition,    // `transition`: for event logs; no effect on the node
    kSendAdvert,    // send `advert` from `src` to `dst` (encode_vrrp_ip)
    kBecomeMaster,  // add the VIPs (`vips`); with use_vmac take vrrp_virtual_mac(vrid)
    kLeaveMaster,   // remove the VIPs and give the virtual MAC back (to BACKUP, FAULT or INIT)
    kGratuitousArp, // one gratuitous ARP for `ip`
  };
  Kind kind = Kind::kTransition;
  std::size_t member = 0;  // index in a VrrpSyncGroup; 0 for a lone agent
  VrrpTransition transition;
  VrrpAdvert advert;
  Ip4 src = 0;
  Ip4 dst = 0;
  Ip4 ip = 0;
  std::vector<Ip4> vips;
  bool use_vmac = false;
};
using VrrpActions = std::vector<VrrpAction>;

// Why a received advert was not used (keepalived's vrrp_check_packet).
enum class VrrpIgnore : std::uint8_t {
  kNone = 0,
  kNotRunning,         // INIT or FAULT: adverts are not read
  kOtherVrid,
  kVersionMismatch,
  kIntervalMismatch,   // v2 only: "to prevent concurrent VRID running"
  kAuthMismatch,
  kAddressCountMismatch,
  kLowerPriority,      // BACKUP with preemption: let the master-down timer run out
  kCount
};
std::string_view vrrp_ignore_name(VrrpIgnore r);

struct VrrpCounters {
  std::uint64_t adverts_rx = 0;
  std::uint64_t adverts_tx = 0;
  std::uint64_t priority_zero_rx = 0;
  std::uint64_t priority_zero_tx = 0;
  std::uint64_t become_master = 0;
  std::uint64_t release_master = 0;
  std::uint64_t garps = 0;
  std::uint64_t ignored[static_cast<std::size_t>(VrrpIgnore::kCount)] = {};
};

class VrrpSyncGroup;

class VrrpAgent {
 public:
  // `cfg` must pass vrrp_config_error().
  explicit VrrpAgent(VrrpConfig cfg);

  VrrpActions start(Time now);
  // A master says goodbye with priority 0 and drops the VIPs; back to INIT.
  VrrpActions shutdown(Time now);
  // An advert for this agent's interface (any VRID: others are ignored).
  VrrpActions on_advert(const VrrpAdvert& adv, Ip4 src, Time now);
  VrrpActions on_timer(Time now);
  // Interface or tracked object down (true) / up again (false).
  VrrpActions set_fault(bool down, Time now);
  std::optional<Time> next_timer() const;

  VrrpState state() const { return state_; }
  // The master as last heard (0 / 0 before any advert); ourselves when MASTER.
  Ip4 master_addr() const { return state_ == VrrpState::kMaster ? cfg_.source_addr() : master_addr_; }
  std::uint8_t master_priority() const {
    return state_ == VrrpState::kMaster ? effective_priority_ : master_priority_;
  }
  std::uint8_t effective_priority() const { return effective_priority_; }
  // v3 learns it from the master's adverts; v2 always uses advert_int.
  Duration master_adver_int() const { return master_adver_int_; }
  // 3 × master_adver_int + skew with the current values.
  Duration master_down_interval() const;
  Duration skew_time() const;
  const VrrpConfig& config() const { return cfg_; }
  const VrrpCounters& counters() const { return counters_; }
  VrrpIgnore last_ignore() const { return last_ignore_; }

 private:
  friend class VrrpSyncGroup;
  struct PendingGarp {
    Time due;
    Ip4 ip;
  };

  VrrpIgnore check_advert(const VrrpAdvert& adv) const;
  void backup_rx(const VrrpAdvert& adv, Ip4 src, Time now);
  void master_rx(const VrrpAdvert& adv, Ip4 src, Time now, VrrpActions& out);
  void expire(Time now, VrrpActions& out);
  void goto_master(Time now, VrrpReason why, VrrpActions& out);
  void leave_master(VrrpState to, VrrpReason why, Time now, VrrpActions& out);
  void enter_fault(Time now, VrrpReason why, VrrpActions& out);
  void leave_fault(Time now, VrrpReason why, VrrpActions& out);
  void send_advert(std::uint8_t priority, VrrpActions& out);
  void queue_garps(unsigned repeat, Time now, VrrpActions& out);
  void flush_garps(Time now, VrrpActions& out);
  void set_state(VrrpState to, VrrpReason why, Time now, VrrpActions& out);
  Duration skew(unsigned prio_delta) const;
  unsigned lower_prio_repeat() const { return cfg_.garp_lower_prio_repeat.value_or(cfg_.garp_master_repeat); }
  void start_as(VrrpState group_state, Time now, VrrpActions& out);

  VrrpConfig cfg_;
  VrrpState state_ = VrrpState::kInit;
  bool want_master_ = false;  // keepalived's wantstate == MASTER
  bool in_group_ = false;
  bool fault_ = false;  // the interface or a tracked object is down
  bool master_requested_ = false;  // timer expired in a group; the group decides
  std::uint8_t effective_priority_;
  Duration master_adver_int_;
  std::optional<Time> sands_;  // BACKUP: master down; MASTER: next advert
  std::optional<Time> preempt_time_;
  std::optional<Time> garp_delayed_at_;
  std::deque<Time> garp_lower_prio_at_;  // delayed bursts after lower-priority adverts
  std::optional<Time> garp_refresh_at_;
  std::deque<PendingGarp> garp_queue_;
  std::optional<Time> garp_next_allowed_;
  VrrpReason next_master_reason_ = VrrpReason::kMasterNoResponse;
  Ip4 master_addr_ = 0;
  std::uint8_t master_priority_ = 0;
  VrrpIgnore last_ignore_ = VrrpIgnore::kNone;
  VrrpCounters counters_;
};

// keepalived's vrrp_sync_group: members move together. A member whose
// master-down timer expires only becomes MASTER when every member wants to
// (then all do, at once); one member leaving MASTER takes the others to
// BACKUP; one member's fault puts all in FAULT until every member is up.
// This is how the public VIP and the NAT gateway IP move at once.
class VrrpSyncGroup {
 public:
  explicit VrrpSyncGroup(std::vector<VrrpConfig> members);

  VrrpActions start(Time now);
  VrrpActions shutdown(Time now);
  VrrpActions on_advert(std::size_t member, const VrrpAdvert& adv, Ip4 src, Time now);
  VrrpActions on_timer(Time now);
  VrrpActions set_fault(std::size_t member, bool down, Time now);
  std::optional<Time> next_timer() const;

  std::size_t size() const { return members_.size(); }
  const VrrpAgent& member(std::size_t i) const { return members_[i]; }
  VrrpState state() const { return state_; }

 private:
  void tag(std::size_t member, VrrpActions& acts, std::size_t from) const;
  void after_event(std::size_t i, VrrpState before, Time now, VrrpActions& out);
  bool all_want_master(std::size_t except) const;

  std::vector<VrrpAgent> members_;
  std::vector<bool> faulted_;
  VrrpState state_ = VrrpState::kBackup;
};

}  // namespace lvs
