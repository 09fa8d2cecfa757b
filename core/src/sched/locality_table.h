#pragma once
// The destination-address table shared by lblc and lblcr: 1024 hash_32
// buckets, a periodic GC timer every 60 s, a full expiry pass (24 h idle)
// every 30th tick, and a partial pass (6 min idle, from a rover) when the
// entry count exceeds 16 * 1024. The kernel drives this with jiffies and a
// timer armed when the scheduler is bound (init_svc); here `now` is turned
// into jiffies (HZ=250, Debian's), the timer starts at start() and every tick
// that fell due before a schedule() call runs first, at its own time.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "lvs/types.h"
#include "sched/kernel_hash.h"

namespace lvs::sched {

using Jiffies = std::int64_t;
constexpr Jiffies kHz = 250;
constexpr Jiffies kCheckInterval = 60 * kHz;
constexpr Jiffies kEntryTimeout = 6 * 60 * kHz;
constexpr Jiffies kExpiration = 24 * 60 * 60 * kHz;  // sysctl lblc(r)_expiration default

inline Jiffies to_jiffies(Time now) { return now.count() / (1'000'000'000 / kHz); }

// Entry needs `Ip4 addr` and `Jiffies lastuse`.
template <typename Entry>
class LocalityTable {
 public:
  static constexpr unsigned kBits = 10;
  static constexpr std::uint32_t kSize = 1u << kBits;
  static constexpr std::int64_t kMaxSize = kSize * 16;

  LocalityTable() : buckets_(kSize) {}

  Entry* find(Ip4 addr) {
    for (Entry& e : buckets_[hash_32(addr, kBits)])
      if (e.addr == addr) return &e;
    return nullptr;
  }
  // Adds an entry for an address that has none (ip_vs_lblc(r)_hash).
  Entry& insert(Entry e) {
    ++entries_;
    auto& b = buckets_[hash_32(e.addr, kBits)];
    b.push_back(std::move(e));
    return b.back();
  }
  // Unhashes without touching the entry count, as ip_vs_lblc_new() does
  // when it replaces an entry (the kernel's count drifts up; kept).
  void unlink(Ip4 addr) {
    auto& b = buckets_[hash_32(addr, kBits)];
    b.erase(std::remove_if(b.begin(), b.end(), [addr](const Entry& e) { return e.addr == addr; }), b.end());
  }
  template <typename F>
  void for_each(F f) {
    for (auto& b : buckets_)
      for (Entry& e : b) f(e);
  }
  template <typename F>
  void for_each(F f) const {
    for (const auto& b : buckets_)
      for (const Entry& e : b) f(e);
  }

  // Arms the timer for its first tick 60 s after `bound_at`, unless it runs already.
  void start(Jiffies bound_at) {
    if (started_) return;
    started_ = true;
    next_tick_ = bound_at + kCheckInterval;
  }
  // Fires every GC tick due at or before `now`, starting the timer if nothing did.
  void run_timers(Jiffies now) {
    if (!started_) start(now);
    while (next_tick_ <= now) {
      if (live() == 0) return skip_idle_ticks(now);
      check_expire(next_tick_);
      next_tick_ += kCheckInterval;
    }
  }
  std::int64_t counted_entries() const { return entries_; }
  std::size_t live() const {
    std::size_t n = 0;
    for (const auto& b : buckets_) n += b.size();
    return n;
  }

 private:
  // Drops entries idle since `now - idle`; returns how many.
  std::int64_t expire_bucket(std::uint32_t j, Jiffies now, Jiffies idle) {
    auto& b = buckets_[j];
    const auto keep = std::remove_if(b.begin(), b.end(), [&](const Entry& e) { return now >= e.lastuse + idle; });
    const auto gone = static_cast<std::int64_t>(b.end() - keep);
    b.erase(keep, b.end());
    entries_ -= gone;
    return gone;
  }
  void check_expire(Jiffies now) {
    if (counter_ % 30 == 0) {  // full expiration check; leaves the rover where it was
      for (std::uint32_t i = 0, j = rover_; i < kSize; ++i) expire_bucket(j = (j + 1) & (kSize - 1), now, kExpiration);
      counter_ = 1;
      return;
    }
    if (entries_ <= kMaxSize) {
      ++counter_;
      return;
    }
    std::int64_t goal = std::min((entries_ - kMaxSize) * 4 / 3, kMaxSize / 2);
    std::uint32_t j = rover_;
    for (std::uint32_t i = 0; i < kSize; ++i) {
      j = (j + 1) & (kSize - 1);
      goal -= expire_bucket(j, now, kEntryTimeout);
      if (goal <= 0) break;
    }
    rover_ = j;
  }
  // With no entries a tick only advances the 1..30 counter (or, when the
  // drifted count is above the limit, changes nothing at all).
  void skip_idle_ticks(Jiffies now) {
    const std::int64_t ticks = (now - next_tick_) / kCheckInterval + 1;
    if (entries_ <= kMaxSize) counter_ = static_cast<int>((counter_ - 1 + ticks) % 30) + 1;
    next_tick_ += ticks * kCheckInterval;
  }

  std::vector<std::vector<Entry>> buckets_;
  std::int64_t entries_ = 0;  // tbl->entries, including the kernel's drift
  std::uint32_t rover_ = 0;
  int counter_ = 1;
  bool started_ = false;
  Jiffies next_tick_ = 0;
};

}  // namespace lvs::sched
