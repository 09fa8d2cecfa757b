// The master half of ip_vs_sync.c: sync buffers (ip_vs_sync_buff_create,
// sb_queue_tail, get_curr_sync_buff) and the master thread's timing
// (sync_thread_master, master_wakeup_work_handler), driven by the caller's `now`.
#include <algorithm>

#include "lvs/sync.h"

namespace lvs {

SyncMaster::SyncMaster(SyncDaemonConfig cfg, Time started, std::uint32_t qlen_max)
    : cfg_(std::move(cfg)),
      qlen_max_(qlen_max),
      maxlen_(sync_master_maxlen(cfg_)),
      // The thread starts, finds nothing to send and sleeps one check period.
      next_check_(started + kSyncCheckPeriod) {}

void SyncMaster::on_conn_changed(const SyncConn& c, Time now) {
  run_until(now);
  // A buffer holds at least one entry even when sync_maxlen is smaller.
  const std::size_t capacity = std::max(kSyncConnV4Size + kSyncMesgHeaderSize, maxlen_);
  if (current_ && current_->bytes.size() + kSyncConnV4Size > capacity) queue_current(now);
  if (!current_) {
    SyncDatagram d;
    d.bytes = encode_sync_message(cfg_.syncid, {});
    d.bytes.reserve(capacity);
    d.group = cfg_.mcast_group;
    d.port = cfg_.mcast_port;
    d.ttl = cfg_.mcast_ttl;
    d.first_use = now;
    current_ = std::move(d);
  }
  append_sync_conn(current_->bytes, c);
  ++current_->nr_conns;
  ++stats_.conns_queued;
}

// sb_queue_tail: a full buffer waits for the thread, which the delayed work
// wakes IPVS_SYNC_SEND_DELAY after the queue stops being empty, or at once
// when IPVS_SYNC_WAKEUP_RATE buffers wait.
void SyncMaster::queue_current(Time now) {
  SyncDatagram d = std::move(*current_);
  current_.reset();
  if (queue_.size() >= qlen_max_) {
    ++stats_.messages_dropped;
    stats_.conns_dropped += d.nr_conns;
    return;
  }
  if (queue_.empty() && !work_at_) work_at_ = now + kSyncSendDelay;
  queue_.push_back(std::move(d));
  if (++queue_delay_ == kSyncWakeupRate) wake_now_ = now;
}

void SyncMaster::send(SyncDatagram&& d, Time t) {
  d.sent_at = t;
  ++stats_.messages_sent;
  stats_.bytes_sent += d.bytes.size();
  stats_.wire_bytes_sent += d.bytes.size() + kSyncIpUdpHeaders;
  outbox_.push_back(std::move(d));
}

// One pass of sync_thread_master: everything queued, then the current buffer
// if it is IPVS_SYNC_FLUSH_TIME old; then sleep one check period.
void SyncMaster::thread_run(Time t) {
  while (!queue_.empty()) {
    send(std::move(queue_.front()), t);
    queue_.pop_front();
  }
  queue_delay_ = 0;
  if (current_ && t - current_->first_use >= kSyncFlushTime) {
    send(std::move(*current_), t);
    current_.reset();
  }
  next_check_ = t + kSyncCheckPeriod;
}

// Plays the thread's and the delayed work's wake-ups due by `now`, in time order.
void SyncMaster::run_until(Time now) {
  for (;;) {
    Time t = next_check_;
    if (work_at_) t = std::min(t, *work_at_);
    if (wake_now_) t = std::min(t, *wake_now_);
    if (t > now) return;
    if (wake_now_ && *wake_now_ == t) {
      wake_now_.reset();
      thread_run(t);
    } else if (work_at_ && *work_at_ == t) {
      work_at_.reset();
      // master_wakeup_work_handler: wake the thread unless it was woken already.
      if (!queue_.empty() && queue_delay_ < kSyncWakeupRate) thread_run(t);
    } else if (queue_.empty() && !current_) {
      // Idle: the checks up to `now` change nothing; keep their phase.
      next_check_ += ((now - next_check_) / kSyncCheckPeriod + 1) * kSyncCheckPeriod;
    } else {
      thread_run(t);
    }
  }
}

std::vector<SyncDatagram> SyncMaster::collect(Time now) {
  run_until(now);
  std::vector<SyncDatagram> out;
  out.swap(outbox_);
  return out;
}

// The first once-a-second check at which the current buffer is old enough.
Time SyncMaster::first_flush_check() const {
  const Time due = current_->first_use + kSyncFlushTime;
  if (next_check_ >= due) return next_check_;
  const auto periods = (due - next_check_ + kSyncCheckPeriod - Duration{1}) / kSyncCheckPeriod;
  return next_check_ + periods * kSyncCheckPeriod;
}

std::optional<Time> SyncMaster::next_due() const {
  if (!outbox_.empty()) return outbox_.front().sent_at;
  if (!queue_.empty()) {
    Time t = next_check_;
    if (work_at_) t = std::min(t, *work_at_);
    if (wake_now_) t = std::min(t, *wake_now_);
    return t;
  }
  if (current_) return first_flush_check();
  return std::nullopt;
}

void SyncMaster::stop() {
  for (const SyncDatagram& d : queue_) {
    ++stats_.messages_dropped;
    stats_.conns_dropped += d.nr_conns;
  }
  if (current_) {
    ++stats_.messages_dropped;
    stats_.conns_dropped += current_->nr_conns;
  }
  queue_.clear();
  current_.reset();
  queue_delay_ = 0;
  work_at_.reset();
  wake_now_.reset();
}

}  // namespace lvs
