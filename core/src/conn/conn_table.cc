#include "lvs/conn_table.h"

#include <cassert>
#include <cstring>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace lvs {

namespace {
// 7/8 of the slots in use at capacity: two-choice placement into groups of 16
// then spills a few entries per million (1 to 7 in runs of 1M random,
// address-major and port-major keys; ConnTableTest.SpillsAreRare*).
constexpr std::uint64_t kLoadNum = 7;
constexpr std::uint64_t kLoadDen = 8;

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
  const std::uint64_t slots = (capacity_ * kLoadDen + kLoadNum - 1) / kLoadNum;
  const std::uint64_t groups = (slots + kGroup - 1) / kGroup;
  n_groups_ = static_cast<std::uint32_t>(groups == 0 ? 1 : groups);
  n_slots_ = n_groups_ * kGroup;
  static_assert((kMaxCapacity * kLoadDen + kLoadNum - 1) / kLoadNum <= kHeadBit,
                "a slot number would collide with the timer lists' head marker");
  // Slots are constructed on insert; untouched pages are never faulted in.
  // 64-byte aligned: a Conn never straddles two cache lines.
  conns_ = static_cast<Conn*>(alloc_array(sizeof(Conn) * std::size_t{n_slots_}, 64));
  cold_ = static_cast<Cold*>(alloc_array(sizeof(Cold) * std::size_t{n_slots_}, 64));
  tags_ = static_cast<std::uint8_t*>(alloc_array(n_slots_, 64));
  std::memset(tags_, 0, n_slots_);
  spill_ = new std::uint16_t[n_groups_]();
  wheel_ = new std::uint32_t[kLists];
  for (std::uint32_t i = 0; i < kLists; ++i) wheel_[i] = kNoConn;
  // Fixed seeds keep runs reproducible; a per-table seed would go here.
  seed_[0] = 0x243f6a8885a308d3ull;
  seed_[1] = 0xa0761d6478bd642full;  // odd
}

ConnTable::~ConnTable() {
  delete[] wheel_;
  delete[] spill_;
  free_array(tags_, n_slots_, 64);
  free_array(cold_, sizeof(Cold) * std::size_t{n_slots_}, 64);
  free_array(conns_, sizeof(Conn) * std::size_t{n_slots_}, 64);
}

ConnId ConnTable::insert(const Conn& conn, Time expires_at, const ConnExt& ext) {
  if (size_ >= capacity_) return kNoConn;
  const ConnId id = place(probe(conn.proto, conn.caddr, conn.cport));
  Conn& c = *new (&conns_[id]) Conn(conn);
  const std::uint32_t expires = clamp_expiry(expires_at);
  c.expires = expires;
  new (&cold_[id]) Cold{ext, kNoConn, kDetached};
  timer_link_by_expiry(id, expires);
  ++size_;
  return id;
}

void ConnTable::erase(ConnId id) {
  assert(live(id));
  timer_unlink(id);
  unplace(id);
  cold_[id].prev = kFree;
  --size_;
}

void ConnTable::refile(ConnId id) {
  timer_unlink(id);
  timer_link_by_expiry(id, conns_[id].expires);
}

Time ConnTable::expires_at(ConnId id) const {
  assert(live(id));
  const auto delta =
      static_cast<std::int32_t>(conns_[id].expires - static_cast<std::uint32_t>(cur_tick_));
  return milliseconds(static_cast<std::int64_t>(cur_tick_) + delta);
}

}  // namespace lvs
