// One VRRP instance, following keepalived 2.2's vrrp.c (vrrp_state_backup,
// vrrp_state_master_rx/tx, vrrp_state_leave_master/fault) and
// vrrp_scheduler.c (vrrp_init_state, the read dispatcher and its timeout).
//
//   INIT --start--> BACKUP --master down timer--> MASTER
//   BACKUP <--higher priority / equal priority + higher address-- MASTER
//   BACKUP, MASTER --fault--> FAULT --fault cleared--> BACKUP
//   any --shutdown--> INIT
#include <algorithm>
#include <cassert>
#include <utility>

#include "lvs/vrrp.h"

namespace lvs {
namespace {

constexpr Duration kCentisecond = milliseconds(10);
// keepalived's "timeout from the backup state very quickly (1usec)".
constexpr Duration kOwnerStartDelay = std::chrono::microseconds(1);

}  // namespace

VrrpAgent::VrrpAgent(VrrpConfig cfg)
    : cfg_(std::move(cfg)), effective_priority_(cfg_.priority), master_adver_int_(cfg_.advert_int) {
  assert(vrrp_config_error(cfg_).empty());
  // keepalived treats an address owner as though `state MASTER` were given.
  want_master_ = cfg_.initial_master || cfg_.priority == kVrrpPriorityOwner;
}

// VRRP_TIMER_SKEW_CALC: v2 (delta/256) s; v3 delta × Master_Adver_Interval/256,
// both in keepalived's integer microseconds (v3 as cs × 625 / 16).
Duration VrrpAgent::skew(unsigned prio_delta) const {
  using us = std::chrono::microseconds;
  if (cfg_.version == 3) {
    const auto cs = static_cast<std::int64_t>(master_adver_int_ / kCentisecond);
    return us(std::int64_t{prio_delta} * cs * 625 / 16);
  }
  return us(std::int64_t{prio_delta} * 1000000 / 256);
}

Duration VrrpAgent::skew_time() const { return skew(256u - effective_priority_); }

Duration VrrpAgent::master_down_interval() const {
  return master_adver_int_ * static_cast<Duration::rep>(cfg_.down_timer_adverts) + skew_time();
}

std::optional<Time> VrrpAgent::next_timer() const {
  std::optional<Time> t = sands_;
  auto take = [&t](std::optional<Time> c) {
    if (c && (!t || *c < *t)) t = c;
  };
  take(garp_delayed_at_);
  if (!garp_lower_prio_at_.empty()) take(garp_lower_prio_at_.front());
  if (!garp_queue_.empty()) take(garp_queue_.front().due);
  return t;
}

void VrrpAgent::set_state(VrrpState to, VrrpReason why, Time now, VrrpActions& out) {
  VrrpAction a;
  a.kind = VrrpAction::Kind::kTransition;
  a.transition = VrrpTransition{state_, to, why, now};
  out.push_back(a);
  state_ = to;
}

// vrrp_init_state: an owner wishing MASTER (or a group already MASTER)
// times out of BACKUP after 1 µs; a MASTER wish held back by its sync group
// waits one interval plus the minimum skew; everyone else the full interval.
void VrrpAgent::start_as(VrrpState group_state, Time now, VrrpActions& out) {
  master_adver_int_ = cfg_.advert_int;
  if (fault_) {
    set_state(VrrpState::kFault, VrrpReason::kFault, now, out);
    sands_.reset();
    return;
  }
  const bool owner = cfg_.priority == kVrrpPriorityOwner;
  set_state(VrrpState::kBackup, VrrpReason::kStart, now, out);
  if (want_master_ && owner && group_state == VrrpState::kMaster) {
    next_master_reason_ = VrrpReason::kOwnerStart;
    sands_ = now + kOwnerStartDelay;
  } else if (want_master_ && group_state == VrrpState::kBackup && in_group_) {
    sands_ = now + master_adver_int_ + skew(1);
  } else {
    sands_ = now + master_down_interval();
  }
}

VrrpActions VrrpAgent::start(Time now) {
  VrrpActions out;
  if (state_ != VrrpState::kInit) return out;
  const bool owner_master = want_master_ && cfg_.priority == kVrrpPriorityOwner;
  start_as(owner_master ? VrrpState::kMaster : VrrpState::kBackup, now, out);
  return out;
}

VrrpActions VrrpAgent::shutdown(Time now) {
  VrrpActions out;
  if (state_ == VrrpState::kInit) return out;
  if (state_ == VrrpState::kMaster) {
    // vrrp_restore_interface(advF): "warn the other routers to speed up the recovery".
    send_advert(kVrrpPriorityStop, out);
    leave_master(VrrpState::kInit, VrrpReason::kShutdown, now, out);
  } else {
    set_state(VrrpState::kInit, VrrpReason::kShutdown, now, out);
  }
  sands_.reset();
  preempt_time_.reset();
  return out;
}

VrrpIgnore VrrpAgent::check_advert(const VrrpAdvert& adv) const {
  if (state_ == VrrpState::kInit || state_ == VrrpState::kFault) return VrrpIgnore::kNotRunning;
  if (adv.vrid != cfg_.vrid) return VrrpIgnore::kOtherVrid;
  if (adv.version != cfg_.version) return VrrpIgnore::kVersionMismatch;
  if (adv.advert_int <= Duration::zero()) return VrrpIgnore::kIntervalMismatch;
  if (cfg_.version == 2) {
    if (adv.advert_int != cfg_.advert_int) return VrrpIgnore::kIntervalMismatch;
    if (adv.auth_type != cfg_.auth_type) return VrrpIgnore::kAuthMismatch;
    if (cfg_.auth_type == VrrpAuthType::kPass && adv.auth_data != cfg_.auth_pass) {
      return VrrpIgnore::kAuthMismatch;
    }
  }
  if (adv.vips.size() != cfg_.vips.size()) return VrrpIgnore::kAddressCountMismatch;
  return VrrpIgnore::kNone;
}

VrrpActions VrrpAgent::on_advert(const VrrpAdvert& adv, Ip4 src, Time now) {
  VrrpActions out;
  ++counters_.adverts_rx;
  last_ignore_ = check_advert(adv);
  if (last_ignore_ == VrrpIgnore::kNotRunning || last_ignore_ == VrrpIgnore::kOtherVrid) {
    ++counters_.ignored[static_cast<std::size_t>(last_ignore_)];
    return out;
  }
  if (adv.priority == kVrrpPriorityStop) ++counters_.priority_zero_rx;
  switch (state_) {
    case VrrpState::kBackup:
      if (last_ignore_ == VrrpIgnore::kNone) backup_rx(adv, src, now);
      break;
    case VrrpState::kMaster:
      if (last_ignore_ == VrrpIgnore::kNone) master_rx(adv, src, now, out);
      // keepalived's read dispatcher restarts a master's advert timer after
      // every packet it reads for the VRID (lower_prio_no_advert off).
      if (state_ == VrrpState::kMaster) sands_ = now + cfg_.advert_int;
      break;
    case VrrpState::kInit:
    case VrrpState::kFault:
      break;
  }
  if (last_ignore_ != VrrpIgnore::kNone) ++counters_.ignored[static_cast<std::size_t>(last_ignore_)];
  return out;
}

// vrrp_state_backup. An ignored advert leaves the master-down timer running.
void VrrpAgent::backup_rx(const VrrpAdvert& adv, Ip4 src, Time now) {
  if (adv.priority == kVrrpPriorityStop) {
    sands_ = now + skew_time();
    next_master_reason_ = VrrpReason::kMasterReleased;
    return;
  }
  const bool in_preempt_delay =
      cfg_.preempt_delay > Duration::zero() && (!preempt_time_ || *preempt_time_ > now);
  if (cfg_.nopreempt || adv.priority >= effective_priority_ || in_preempt_delay) {
    if (cfg_.version == 3) master_adver_int_ = adv.advert_int;  // RFC 5798 6.4.2
    sands_ = now + master_down_interval();
    master_addr_ = src;
    master_priority_ = adv.priority;
    next_master_reason_ = VrrpReason::kMasterNoResponse;
    if (cfg_.preempt_delay > Duration::zero()) {
      // The delay starts at the first lower-priority advert and is forgotten
      // once a master at least as good as us is heard.
      if (adv.priority >= effective_priority_) {
        preempt_time_.reset();
      } else if (!preempt_time_) {
        preempt_time_ = now + cfg_.preempt_delay;
      }
    }
    want_master_ = false;
    return;
  }
  last_ignore_ = VrrpIgnore::kLowerPriority;
  next_master_reason_ = VrrpReason::kPreempted;
  master_addr_ = src;
}

// vrrp_state_master_rx. Addresses compare as unsigned host-order numbers,
// which is memcmp order on the wire.
void VrrpAgent::master_rx(const VrrpAdvert& adv, Ip4 src, Time now, VrrpActions& out) {
  const Ip4 ours = cfg_.source_addr();
  const int addr_cmp = src > ours ? 1 : (src < ours ? -1 : 0);
  if (adv.priority == kVrrpPriorityStop) {
    send_advert(effective_priority_, out);
    return;
  }
  if (adv.priority == effective_priority_ && addr_cmp != 0 &&
      effective_priority_ == kVrrpPriorityOwner) {
    // Two address owners: keepalived reports a configuration error and
    // drops its own priority to 254, handing over to the other.
    effective_priority_ = kVrrpPriorityOwner - 1;
  }
  if (adv.priority < effective_priority_ || (adv.priority == effective_priority_ && addr_cmp < 0)) {
    send_advert(effective_priority_, out);  // "forcing new election"
    // The other router still thinks it is master (a healed split brain):
    // point the neighbours' ARP caches back here, now and after a delay.
    if (const unsigned repeat = lower_prio_repeat()) {
      queue_garps(repeat, now, out);
      const Duration delay = cfg_.garp_lower_prio_delay.value_or(cfg_.garp_master_delay);
      if (delay > Duration::zero()) garp_lower_prio_at_.push_back(now + delay);
    }
    return;
  }
  if (adv.priority > effective_priority_ || (adv.priority == effective_priority_ && addr_cmp > 0)) {
    master_addr_ = src;
    master_priority_ = adv.priority;
    leave_master(VrrpState::kBackup, VrrpReason::kHigherPriority, now, out);
  }
  // Equal priority from our own address: keepalived only warns.
}

void VrrpAgent::expire(Time now, VrrpActions& out) {
  switch (state_) {
    case VrrpState::kBackup:
      want_master_ = true;
      if (in_group_) {
        // vrrp_sync_can_goto_master re-arms the timer; the group decides.
        master_requested_ = true;
        sands_ = now + master_down_interval();
      } else {
        goto_master(now, next_master_reason_, out);
      }
      break;
    case VrrpState::kMaster:
      // vrrp_state_master_tx. keepalived compares the refresh time with
      // a clock that always lags the timer a little; >= models that.
      if (garp_refresh_at_ && now >= *garp_refresh_at_) {
        queue_garps(cfg_.garp_master_refresh_repeat, now, out);
        garp_refresh_at_ = now + cfg_.garp_master_refresh;
      }
      send_advert(effective_priority_, out);
      sands_ = now + cfg_.advert_int;
      break;
    case VrrpState::kInit:
    case VrrpState::kFault:
      sands_.reset();
      break;
  }
}

VrrpActions VrrpAgent::on_timer(Time now) {
  VrrpActions out;
  // Everything due by `now`, earliest first, so a late call catches up in order.
  for (std::optional<Time> t = next_timer(); t && *t <= now; t = next_timer()) {
    if (!garp_queue_.empty() && garp_queue_.front().due == *t) {
      flush_garps(*t, out);
    } else if (garp_delayed_at_ && *garp_delayed_at_ == *t) {
      garp_delayed_at_.reset();
      if (state_ == VrrpState::kMaster) queue_garps(cfg_.garp_master_repeat, *t, out);
    } else if (!garp_lower_prio_at_.empty() && garp_lower_prio_at_.front() == *t) {
      garp_lower_prio_at_.pop_front();
      if (state_ == VrrpState::kMaster) queue_garps(lower_prio_repeat(), *t, out);
    } else {
      expire(*t, out);
    }
  }
  return out;
}

// vrrp_state_goto_master + vrrp_state_become_master + vrrp_state_master_tx:
// add the VIPs, a burst of GARPs, the delayed second burst, then the advert.
void VrrpAgent::goto_master(Time now, VrrpReason why, VrrpActions& out) {
  want_master_ = true;
  set_state(VrrpState::kMaster, why, now, out);
  ++counters_.become_master;
  VrrpAction a;
  a.kind = VrrpAction::Kind::kBecomeMaster;
  a.vips = cfg_.vips;
  a.use_vmac = cfg_.use_vmac;
  out.push_back(a);
  queue_garps(cfg_.garp_master_repeat, now, out);
  if (cfg_.garp_master_refresh > Duration::zero()) garp_refresh_at_ = now + cfg_.garp_master_refresh;
  if (cfg_.garp_master_delay > Duration::zero()) garp_delayed_at_ = now + cfg_.garp_master_delay;
  send_advert(effective_priority_, out);
  sands_ = now + cfg_.advert_int;
}

// vrrp_state_leave_master: drop the VIPs and pending GARPs; a backup forgets
// the learned interval and any preempt delay and waits a full interval.
void VrrpAgent::leave_master(VrrpState to, VrrpReason why, Time now, VrrpActions& out) {
  ++counters_.release_master;
  want_master_ = false;
  master_adver_int_ = cfg_.advert_int;
  preempt_time_.reset();
  VrrpAction a;
  a.kind = VrrpAction::Kind::kLeaveMaster;
  a.vips = cfg_.vips;
  a.use_vmac = cfg_.use_vmac;
  out.push_back(a);
  garp_queue_.clear();
  garp_delayed_at_.reset();
  garp_lower_prio_at_.clear();
  garp_refresh_at_.reset();
  set_state(to, why, now, out);
  if (to == VrrpState::kBackup) {
    sands_ = now + master_down_interval();
  } else {
    sands_.reset();
  }
}

// down_instance: a master says goodbye (twice: vrrp_state_leave_master sends
// priority 0 for FAULT and vrrp_restore_interface again with advF).
void VrrpAgent::enter_fault(Time now, VrrpReason why, VrrpActions& out) {
  if (state_ == VrrpState::kFault || state_ == VrrpState::kInit) return;
  if (state_ == VrrpState::kMaster) {
    send_advert(kVrrpPriorityStop, out);
    send_advert(kVrrpPriorityStop, out);
    leave_master(VrrpState::kFault, why, now, out);
  } else {
    want_master_ = false;
    set_state(VrrpState::kFault, why, now, out);
    sands_.reset();
  }
}

// try_up_instance + vrrp_state_leave_fault: back to BACKUP with a full
// master-down interval (down_instance set wantstate FAULT, so even an owner
// comes back through the timer).
void VrrpAgent::leave_fault(Time now, VrrpReason why, VrrpActions& out) {
  if (state_ != VrrpState::kFault) return;
  want_master_ = false;
  master_adver_int_ = cfg_.advert_int;
  preempt_time_.reset();
  next_master_reason_ = VrrpReason::kMasterNoResponse;
  set_state(VrrpState::kBackup, why, now, out);
  sands_ = now + master_down_interval();
}

VrrpActions VrrpAgent::set_fault(bool down, Time now) {
  VrrpActions out;
  if (fault_ == down) return out;
  fault_ = down;
  if (down) {
    enter_fault(now, VrrpReason::kFault, out);
  } else {
    leave_fault(now, VrrpReason::kFaultCleared, out);
  }
  return out;
}

void VrrpAgent::send_advert(std::uint8_t priority, VrrpActions& out) {
  VrrpAction a;
  a.kind = VrrpAction::Kind::kSendAdvert;
  a.advert.version = cfg_.version;
  a.advert.vrid = cfg_.vrid;
  a.advert.priority = priority;
  a.advert.advert_int = cfg_.advert_int;
  a.advert.vips = cfg_.vips;
  if (cfg_.version == 2) {
    a.advert.auth_type = cfg_.auth_type;
    if (cfg_.auth_type == VrrpAuthType::kPass) a.advert.auth_data = cfg_.auth_pass;
  }
  a.src = cfg_.source_addr();
  ++counters_.adverts_tx;
  if (priority == kVrrpPriorityStop) ++counters_.priority_zero_tx;
  if (cfg_.unicast_peers.empty()) {
    a.dst = cfg_.mcast_group;
    out.push_back(a);
    return;
  }
  for (Ip4 peer : cfg_.unicast_peers) {
    a.dst = peer;
    out.push_back(a);
  }
}

// vrrp_send_link_update: `repeat` rounds over every VIP. With garp_interval
// each GARP waits until the interval since the previous one has passed
// (vrrp_arp.c queues it), otherwise all go out at once.
void VrrpAgent::queue_garps(unsigned repeat, Time now, VrrpActions& out) {
  for (unsigned r = 0; r < repeat; ++r) {
    for (Ip4 ip : cfg_.vips) {
      Time due = now;
      if (!garp_queue_.empty()) {
        due = garp_queue_.back().due + cfg_.garp_interval;
      } else if (garp_next_allowed_ && *garp_next_allowed_ > now) {
        due = *garp_next_allowed_;
      }
      garp_queue_.push_back(PendingGarp{due, ip});
    }
  }
  flush_garps(now, out);
}

void VrrpAgent::flush_garps(Time now, VrrpActions& out) {
  while (!garp_queue_.empty() && garp_queue_.front().due <= now) {
    VrrpAction a;
    a.kind = VrrpAction::Kind::kGratuitousArp;
    a.ip = garp_queue_.front().ip;
    out.push_back(a);
    ++counters_.garps;
    if (cfg_.garp_interval > Duration::zero()) garp_next_allowed_ = garp_queue_.front().due + cfg_.garp_interval;
    garp_queue_.pop_front();
  }
}

}  // namespace lvs
