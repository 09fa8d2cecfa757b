// VrrpConfig from the parsed keepalived model, its validation, and the names
// used in logs.
#include <algorithm>
#include <string>

#include "lvs/vrrp.h"

namespace lvs {
namespace {

constexpr Duration kCentisecond = milliseconds(10);

// Nearest multiple of `unit`, at least one unit and at most `max_units`.
Duration round_to(Duration d, Duration unit, Duration::rep max_units) {
  Duration::rep n = (d + unit / 2) / unit;
  n = std::clamp<Duration::rep>(n, 1, max_units);
  return unit * n;
}

void warn(std::vector<std::string>* w, const std::string& name, const std::string& what) {
  if (w) w->push_back("(" + name + ") " + what);
}

}  // namespace

std::string vrrp_config_error(const VrrpConfig& c) {
  if (c.vrid == 0) return "virtual_router_id must be 1..255";
  if (c.priority == 0) return "priority must be 1..255";
  if (c.version != 2 && c.version != 3) return "version must be 2 or 3";
  if (c.version == 2) {
    if (c.advert_int < seconds(1) || c.advert_int > seconds(255) || c.advert_int % seconds(1) != Duration::zero()) {
      return "VRRPv2 advert_int must be whole seconds 1..255";
    }
    if (c.auth_type == VrrpAuthType::kAh) return "AH authentication is not modelled";
  } else {
    if (c.advert_int < kCentisecond || c.advert_int > kCentisecond * 4095 ||
        c.advert_int % kCentisecond != Duration::zero()) {
      return "VRRPv3 advert_int must be centiseconds 0.01..40.95 s";
    }
    if (c.auth_type != VrrpAuthType::kNone) return "VRRPv3 has no authentication";
  }
  if (c.vips.size() > 255) return "at most 255 virtual addresses fit in an advert";
  if (c.source_addr() == 0) return "no source address (primary_addr or unicast_src)";
  if (c.down_timer_adverts < 1) return "down_timer_adverts must be at least 1";
  return "";
}

VrrpConfig vrrp_config_from(const config::VrrpInstance& in, const config::GlobalDefs& g,
                            Ip4 interface_addr, std::vector<std::string>* warnings) {
  VrrpConfig c;
  c.name = in.name;
  c.vrid = static_cast<std::uint8_t>(std::clamp(in.virtual_router_id, 1u, 255u));
  c.priority = static_cast<std::uint8_t>(std::clamp(in.priority, 1u, 255u));
  c.version = static_cast<std::uint8_t>(in.version == 3 ? 3 : 2);
  c.advert_int = c.version == 2 ? round_to(in.advert_int, seconds(1), 255)
                                : round_to(in.advert_int, kCentisecond, 4095);
  if (c.advert_int != in.advert_int) warn(warnings, c.name, "advert_int rounded to the VRRP version's unit");
  c.nopreempt = in.nopreempt;
  c.preempt_delay = in.preempt_delay;
  c.initial_master = in.state == config::VrrpState::kMaster;
  // vrrp_complete_instance's adjustments.
  if (c.priority == kVrrpPriorityOwner) {
    if (c.nopreempt) warn(warnings, c.name, "nopreempt is incompatible with priority 255 - resetting nopreempt");
    c.nopreempt = false;
    c.initial_master = true;
  }
  if (c.initial_master) {
    if (c.nopreempt) warn(warnings, c.name, "nopreempt will not work with initial state MASTER - clearing");
    if (c.preempt_delay > Duration::zero()) {
      warn(warnings, c.name, "preempt delay will not work with initial state MASTER - clearing");
    }
    c.nopreempt = false;
    c.preempt_delay = Duration::zero();
  }
  if (c.nopreempt && c.preempt_delay > Duration::zero()) {
    warn(warnings, c.name, "preempt_delay is incompatible with nopreempt mode - resetting");
    c.preempt_delay = Duration::zero();
  }
  for (const config::VirtualIpAddress& v : in.virtual_ipaddresses) {
    if (!v.excluded) c.vips.push_back(v.addr);
  }
  c.primary_addr = interface_addr;
  c.unicast_src = in.unicast_src_ip;
  c.unicast_peers = in.unicast_peers;
  c.mcast_group = g.vrrp_mcast_group4;
  c.use_vmac = in.use_vmac;
  c.garp_master_delay = in.garp_master_delay;
  c.garp_master_repeat = in.garp_master_repeat;
  c.garp_master_refresh = in.garp_master_refresh;
  c.garp_master_refresh_repeat = g.vrrp_garp_master_refresh_repeat;
  c.garp_interval = g.vrrp_garp_interval;
  if (in.auth_type == "PASS") {
    if (c.version == 2) {
      c.auth_type = VrrpAuthType::kPass;
      // keepalived keeps the first 8 characters, zero padded.
      const std::size_t n = std::min<std::size_t>(in.auth_pass.size(), c.auth_pass.size());
      std::copy_n(in.auth_pass.begin(), n, c.auth_pass.begin());
    } else {
      warn(warnings, c.name, "authentication is ignored with VRRPv3");
    }
  } else if (!in.auth_type.empty()) {
    warn(warnings, c.name, "auth_type " + in.auth_type + " is not modelled - no authentication");
  }
  return c;
}

std::array<std::uint8_t, 6> vrrp_virtual_mac(std::uint8_t vrid) {
  return {0x00, 0x00, 0x5e, 0x00, 0x01, vrid};
}

std::string_view vrrp_state_name(VrrpState s) {
  switch (s) {
    case VrrpState::kInit: return "INIT";
    case VrrpState::kBackup: return "BACKUP";
    case VrrpState::kMaster: return "MASTER";
    case VrrpState::kFault: return "FAULT";
  }
  return "?";
}

std::string_view vrrp_reason_name(VrrpReason r) {
  switch (r) {
    case VrrpReason::kStart: return "start";
    case VrrpReason::kOwnerStart: return "owner_start";
    case VrrpReason::kMasterNoResponse: return "master_no_response";
    case VrrpReason::kMasterReleased: return "master_released";
    case VrrpReason::kPreempted: return "preempted";
    case VrrpReason::kHigherPriority: return "higher_priority";
    case VrrpReason::kFault: return "fault";
    case VrrpReason::kFaultCleared: return "fault_cleared";
    case VrrpReason::kSyncGroup: return "sync_group";
    case VrrpReason::kShutdown: return "shutdown";
  }
  return "?";
}

std::string_view vrrp_ignore_name(VrrpIgnore r) {
  switch (r) {
    case VrrpIgnore::kNone: return "none";
    case VrrpIgnore::kNotRunning: return "not_running";
    case VrrpIgnore::kOtherVrid: return "other_vrid";
    case VrrpIgnore::kVersionMismatch: return "version_mismatch";
    case VrrpIgnore::kIntervalMismatch: return "interval_mismatch";
    case VrrpIgnore::kAuthMismatch: return "auth_mismatch";
    case VrrpIgnore::kAddressCountMismatch: return "address_count_mismatch";
    case VrrpIgnore::kLowerPriority: return "lower_priority";
    case VrrpIgnore::kCount: break;
  }
  return "?";
}

}  // namespace lvs
