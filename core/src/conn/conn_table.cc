#include "lvs/conn_table.h"

#include <cassert>
#include <cstring>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace lvs {

static_assert(sizeof(Conn) == 44, "Conn is part of the memory budget");

namespace {
// 90% of 8 ids per bucket at capacity: far below where 2-choice, 8-way cuckoo
// starts to fail, at ~8.9 index bytes per connection.
constexpr std::uint64_t kLoadNum = 72;  // 8 slots * 0.9, scaled by 10
constexpr std::uint64_t kLoadDen = 10;

// Big arrays are probed at random, one line per lookup: on 4 KiB pages nearly
// every probe also misses the TLB, so ask for huge pages where the OS has them.
constexpr std::size_t kHugePage = std::size_t{2} << 20;

void* alloc_array(std::size_t bytes, std::size_t align) {
  if (bytes >= kHugePage) align = kHugePage;
  void* p = ::operator new(bytes, std::align_val_t{align});
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes >= kHugePage) madvise(p, bytes, MADV_HUGEPAGE);  // a hint: failure is harmless
#endif
  return p;
}

void free_array(void* p, std::size_t bytes, std::size_t align) {
  ::operator delete(p, std::align_val_t{bytes >= kHugePage ? kHugePage : align});
}

}  // namespace

ConnTable::ConnTable(std::size_t capacity)
    : capacity_(capacity < kMaxCapacity ? capacity : kMaxCapacity) {
  const std::uint64_t buckets = (capacity_ * kLoadDen + kLoadNum - 1) / kLoadNum;
  n_buckets_ = static_cast<std::uint32_t>(buckets == 0 ? 1 : buckets);
  // Slots are constructed on insert; untouched pages are never faulted in.
  slots_ = static_cast<Slot*>(alloc_array(slot_bytes(), alignof(Slot)));
  buckets_ = static_cast<Bucket*>(alloc_array(bucket_bytes(), alignof(Bucket)));
  std::memset(static_cast<void*>(buckets_), 0, sizeof(Bucket) * n_buckets_);
  wheel_ = new std::uint32_t[kWheelSlots + 1];
  for (std::uint32_t i = 0; i <= kWheelSlots; ++i) wheel_[i] = kNoConn;
  // Fixed seeds keep runs reproducible; a per-table seed would go here.
  seed_[0] = 0x243f6a8885a308d3ull;
  seed_[1] = 0x13198a2e03707344ull;
  rng_ = 0xa4093822299f31d0ull;
}

ConnTable::~ConnTable() {
  delete[] wheel_;
  free_array(buckets_, bucket_bytes(), alignof(Bucket));
  free_array(slots_, slot_bytes(), alignof(Slot));
}

std::size_t ConnTable::slot_bytes() const {
  return sizeof(Slot) * (capacity_ == 0 ? 1 : capacity_);
}

std::size_t ConnTable::bucket_bytes() const { return sizeof(Bucket) * n_buckets_; }

ConnId ConnTable::insert(const Conn& conn, Time expires_at) {
  if (size_ >= capacity_) return kNoConn;
  const bool recycled = free_head_ != kNoConn;
  const ConnId id = recycled ? free_head_ : high_water_;
  Slot& slot = slots_[id];
  const std::uint32_t next_free = recycled ? slot.conn.timer_next : kNoConn;
  new (&slot.conn) Conn(conn);
  if (!index_insert(key_hash(conn.proto, conn.caddr, conn.cport), id)) {
    slot.conn.timer_next = next_free;  // still free: keep its free-list link
    slot.prev = kFree;
    return kNoConn;
  }
  if (recycled) {
    free_head_ = next_free;
  } else {
    ++high_water_;
  }
  slot.conn.expires = clamp_expiry(expires_at);
  slot.prev = kDetached;
  timer_link_by_expiry(id);
  ++size_;
  return id;
}

void ConnTable::erase(ConnId id) {
  assert(live(id));
  index_remove(id);
  timer_unlink(id);
  Slot& slot = slots_[id];
  slot.prev = kFree;
  slot.conn.timer_next = free_head_;
  free_head_ = id;
  --size_;
}

void ConnTable::refile(ConnId id) {
  timer_unlink(id);
  timer_link_by_expiry(id);
}

Time ConnTable::expires_at(ConnId id) const {
  assert(live(id));
  const auto delta = static_cast<std::int32_t>(slots_[id].conn.expires -
                                               static_cast<std::uint32_t>(cur_tick_));
  return milliseconds(static_cast<std::int64_t>(cur_tick_) + delta);
}

}  // namespace lvs
