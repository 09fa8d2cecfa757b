// The backup half of ip_vs_sync.c: ip_vs_process_message's checks on a
// received datagram, then each entry handed to the engine (ip_vs_proc_conn).
#include "lvs/engine.h"
#include "lvs/sync.h"

namespace lvs {

std::uint64_t SyncBackupStats::decode_errors() const {
  std::uint64_t n = 0;
  for (std::size_t i = 1; i < errors.size(); ++i) n += errors[i];
  return n;
}

SyncBackup::SyncBackup(SyncDaemonConfig cfg)
    : cfg_(std::move(cfg)), maxlen_(sync_backup_maxlen(cfg_)) {}

SyncMessageError SyncBackup::receive(const std::uint8_t* data, std::size_t len, Time now,
                                     Engine& engine) {
  ++stats_.messages_received;
  stats_.bytes_received += len;
  // The kernel reads into a sync_maxlen buffer: a longer datagram arrives
  // truncated and then fails the size check.
  SyncDecoded d;
  if (len > maxlen_) {
    d.error = SyncMessageError::kBadSize;
  } else {
    d = decode_sync_message(data, len);
  }
  if (d.error == SyncMessageError::kHeaderTooShort || d.error == SyncMessageError::kBadSize) {
    ++stats_.errors[static_cast<std::size_t>(d.error)];
    return d.error;
  }
  if (cfg_.syncid != 0 && d.syncid != cfg_.syncid) {
    ++stats_.messages_ignored_syncid;
    return SyncMessageError::kNone;
  }
  for (std::size_t i = 0; i < d.skipped.size(); ++i) stats_.skipped[i] += d.skipped[i];
  for (const SyncConn& c : d.conns) {
    ++stats_.conns_received;
    bool bound = false;
    switch (engine.apply_sync_conn(c, now, &bound)) {
      case SyncApply::kCreated:
        ++stats_.conns_created;
        if (!bound) ++stats_.conns_unbound;
        break;
      case SyncApply::kUpdated: ++stats_.conns_updated; break;
      case SyncApply::kStaleIgnored: ++stats_.conns_stale; break;
      case SyncApply::kTableFull:
      case SyncApply::kNotIpvs:
      case SyncApply::kUnsupported: ++stats_.conns_failed; break;
    }
  }
  if (d.error != SyncMessageError::kNone) ++stats_.errors[static_cast<std::size_t>(d.error)];
  return d.error;
}

}  // namespace lvs
