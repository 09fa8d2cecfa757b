// Sync daemon settings: the message size limits start_sync_thread() derives,
// and keepalived's lvs_sync_daemon.
#include <algorithm>

#include "lvs/config/cluster_config.h"
#include "lvs/sync.h"

namespace lvs {
namespace {

constexpr std::size_t kMaxUdpPayload = 65535 - kSyncIpUdpHeaders;

// keepalived passes the VRRP instance's vrid when no sync id is given.
std::uint8_t syncid_for(const config::ClusterConfig& cfg, const std::string& instance,
                        std::uint32_t sync_id) {
  if (sync_id != 0) return static_cast<std::uint8_t>(sync_id);
  for (const config::VrrpInstance& v : cfg.vrrp_instances)
    if (v.name == instance) return static_cast<std::uint8_t>(v.virtual_router_id);
  return 0;
}

}  // namespace

// The master always sizes messages for a 1500-byte MTU, whatever the interface's.
std::size_t sync_master_maxlen(const SyncDaemonConfig& c) {
  if (c.sync_maxlen != 0) return std::clamp<std::size_t>(c.sync_maxlen, 1, kMaxUdpPayload);
  return 1500 - kSyncIpUdpHeaders;
}

// The backup's receive buffer follows the interface MTU, at least 1500.
std::size_t sync_backup_maxlen(const SyncDaemonConfig& c) {
  if (c.sync_maxlen != 0) return std::clamp<std::size_t>(c.sync_maxlen, 1024, kMaxUdpPayload);
  return std::clamp<std::size_t>(c.ifmtu, 1500, 65535) - kSyncIpUdpHeaders;
}

std::optional<SyncDaemonConfig> sync_daemon_config(const config::ClusterConfig& cfg) {
  SyncDaemonConfig out;
  if (const auto& d = cfg.global.lvs_sync_daemon) {
    out.mcast_ifn = d->interface;
    out.syncid = syncid_for(cfg, d->instance, d->sync_id);
    out.sync_maxlen = d->maxlen;
    out.mcast_port = d->port;
    out.mcast_ttl = static_cast<std::uint8_t>(std::min(d->ttl, 255u));
    out.mcast_group = d->group;
    return out;
  }
  // The deprecated per-instance form: that instance's vrid is the sync id.
  for (const config::VrrpInstance& v : cfg.vrrp_instances) {
    if (v.lvs_sync_daemon_interface.empty()) continue;
    out.mcast_ifn = v.lvs_sync_daemon_interface;
    out.syncid = static_cast<std::uint8_t>(v.virtual_router_id);
    return out;
  }
  return std::nullopt;
}

}  // namespace lvs
