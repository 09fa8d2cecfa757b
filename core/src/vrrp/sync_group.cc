// keepalived 2.2's vrrp_sync.c over VrrpAgent members:
//   vrrp_sync_can_goto_master: MASTER only when every member wants it
//     ("prefer backup state to avoid thrashing");
//   vrrp_sync_master / vrrp_sync_backup / vrrp_sync_fault: the others follow.
//
//   BACKUP --all members want MASTER--> MASTER --one member steps down--> BACKUP
//   BACKUP, MASTER --one member faults--> FAULT --every member up--> BACKUP
#include <utility>

#include "lvs/vrrp.h"

namespace lvs {

VrrpSyncGroup::VrrpSyncGroup(std::vector<VrrpConfig> members) {
  members_.reserve(members.size());
  for (VrrpConfig& c : members) {
    members_.emplace_back(std::move(c));
    members_.back().in_group_ = true;
  }
  faulted_.assign(members_.size(), false);
}

void VrrpSyncGroup::tag(std::size_t member, VrrpActions& acts, std::size_t from) const {
  for (std::size_t k = from; k < acts.size(); ++k) acts[k].member = member;
}

bool VrrpSyncGroup::all_want_master(std::size_t except) const {
  for (std::size_t j = 0; j < members_.size(); ++j) {
    if (j != except && !members_[j].want_master_) return false;
  }
  return true;
}

// vrrp_sync_set_group + vrrp_init_state: the group starts MASTER only when
// every member is an address owner wishing MASTER.
VrrpActions VrrpSyncGroup::start(Time now) {
  VrrpActions out;
  bool any_fault = false;
  bool all_owner_master = !members_.empty();
  for (std::size_t i = 0; i < members_.size(); ++i) {
    any_fault = any_fault || faulted_[i];
    const VrrpAgent& m = members_[i];
    all_owner_master = all_owner_master && m.want_master_ && m.cfg_.priority == kVrrpPriorityOwner;
  }
  state_ = all_owner_master ? VrrpState::kMaster : VrrpState::kBackup;
  for (std::size_t i = 0; i < members_.size(); ++i) {
    VrrpAgent& m = members_[i];
    if (m.state_ != VrrpState::kInit) continue;
    m.fault_ = any_fault;  // a faulted member holds the whole group in FAULT
    const std::size_t from = out.size();
    m.start_as(state_, now, out);
    m.fault_ = faulted_[i];
    tag(i, out, from);
  }
  if (any_fault) state_ = VrrpState::kFault;
  return out;
}

VrrpActions VrrpSyncGroup::shutdown(Time now) {
  VrrpActions out;
  for (std::size_t i = 0; i < members_.size(); ++i) {
    VrrpActions a = members_[i].shutdown(now);
    tag(i, a, 0);
    out.insert(out.end(), a.begin(), a.end());
  }
  state_ = VrrpState::kBackup;
  return out;
}

// TSM handling after member i processed an event.
void VrrpSyncGroup::after_event(std::size_t i, VrrpState before, Time now, VrrpActions& out) {
  VrrpAgent& m = members_[i];
  if (m.master_requested_) {
    m.master_requested_ = false;
    if (state_ != VrrpState::kMaster && !all_want_master(i)) return;  // keep waiting
    std::size_t from = out.size();
    m.goto_master(now, m.next_master_reason_, out);
    tag(i, out, from);
    for (std::size_t j = 0; j < members_.size(); ++j) {
      if (j == i || members_[j].state_ != VrrpState::kBackup) continue;
      from = out.size();
      members_[j].goto_master(now, VrrpReason::kSyncGroup, out);
      tag(j, out, from);
    }
    state_ = VrrpState::kMaster;
    return;
  }
  if (before == VrrpState::kMaster && m.state_ == VrrpState::kBackup) {
    for (std::size_t j = 0; j < members_.size(); ++j) {
      if (j == i || members_[j].state_ != VrrpState::kMaster) continue;
      const std::size_t from = out.size();
      members_[j].leave_master(VrrpState::kBackup, VrrpReason::kSyncGroup, now, out);
      tag(j, out, from);
    }
    state_ = VrrpState::kBackup;
  }
}

VrrpActions VrrpSyncGroup::on_advert(std::size_t member, const VrrpAdvert& adv, Ip4 src, Time now) {
  VrrpAgent& m = members_[member];
  const VrrpState before = m.state_;
  VrrpActions out = m.on_advert(adv, src, now);
  tag(member, out, 0);
  after_event(member, before, now, out);
  return out;
}

VrrpActions VrrpSyncGroup::on_timer(Time now) {
  VrrpActions out;
  // One member at a time, earliest first, so that a member's expiry sees
  // the others' wishes as they stood at that instant.
  for (;;) {
    std::size_t due = members_.size();
    std::optional<Time> earliest;
    for (std::size_t i = 0; i < members_.size(); ++i) {
      const std::optional<Time> t = members_[i].next_timer();
      if (t && *t <= now && (!earliest || *t < *earliest)) {
        earliest = t;
        due = i;
      }
    }
    if (due == members_.size()) break;
    VrrpAgent& m = members_[due];
    const VrrpState before = m.state_;
    VrrpActions a = m.on_timer(*earliest);
    tag(due, a, 0);
    out.insert(out.end(), a.begin(), a.end());
    after_event(due, before, *earliest, out);
  }
  return out;
}

// down_instance / try_up_instance with num_member_fault: the first member
// down takes every member to FAULT; the group comes back (all BACKUP) only
// when the last one is up again.
VrrpActions VrrpSyncGroup::set_fault(std::size_t member, bool down, Time now) {
  VrrpActions out;
  if (faulted_[member] == down) return out;
  faulted_[member] = down;
  members_[member].fault_ = down;
  bool any_fault = false;
  for (bool f : faulted_) any_fault = any_fault || f;
  if (down && state_ == VrrpState::kFault) return out;
  if (!down && any_fault) return out;
  for (std::size_t k = 0; k < members_.size(); ++k) {
    // The member whose fault changed moves first, as in keepalived.
    const std::size_t j = k == 0 ? member : (k <= member ? k - 1 : k);
    const VrrpReason why = j == member ? (down ? VrrpReason::kFault : VrrpReason::kFaultCleared)
                                       : VrrpReason::kSyncGroup;
    const std::size_t from = out.size();
    if (down) {
      members_[j].enter_fault(now, why, out);
    } else {
      members_[j].leave_fault(now, why, out);
    }
    tag(j, out, from);
  }
  state_ = down ? VrrpState::kFault : VrrpState::kBackup;
  return out;
}

std::optional<Time> VrrpSyncGroup::next_timer() const {
  std::optional<Time> t;
  for (const VrrpAgent& m : members_) {
    const std::optional<Time> c = m.next_timer();
    if (c && (!t || *c < *t)) t = c;
  }
  return t;
}

}  // namespace lvs
