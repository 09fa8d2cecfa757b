// The connection timers: a hashed wheel of 1 ms slots. Each entry is filed in
// the slot of its scheduled check, which is never later than its expiry.
#include <cassert>

#include "lvs/conn_table.h"

namespace lvs {

std::uint64_t ConnTable::floor_tick(Time t) {
  return t.count() <= 0 ? 0 : static_cast<std::uint64_t>(t.count() / kNsPerTick);
}

void ConnTable::timer_link(ConnId id, std::uint32_t list) {
  Slot& slot = slots_[id];
  const ConnId next = wheel_[list];
  slot.conn.timer_next = next;
  slot.prev = kHeadBit | list;
  if (next != kNoConn) slots_[next].prev = id;
  wheel_[list] = id;
}

// An overdue entry goes in the next slot to fire, anything else in the slot of
// its expiry, which fires at the latest on that tick.
void ConnTable::timer_link_by_expiry(ConnId id) {
  const std::uint32_t expires = slots_[id].conn.expires;
  const auto cur = static_cast<std::uint32_t>(cur_tick_);
  const bool overdue = static_cast<std::int32_t>(expires - cur) < 0;
  timer_link(id, (overdue ? cur : expires) & kWheelMask);
}

void ConnTable::timer_unlink(ConnId id) {
  Slot& slot = slots_[id];
  if (slot.prev == kDetached) return;
  const std::uint32_t prev = slot.prev;
  const ConnId next = slot.conn.timer_next;
  if (prev & kHeadBit) {
    wheel_[prev & ~kHeadBit] = next;
  } else {
    slots_[prev].conn.timer_next = next;
  }
  if (next != kNoConn) slots_[next].prev = prev;
  slot.prev = kDetached;
}

// Moves the slot's list to the pending list, where erase() can still unlink
// entries the callback removes.
bool ConnTable::take_slot(std::uint64_t tick) {
  const std::uint32_t slot = static_cast<std::uint32_t>(tick) & kWheelMask;
  const ConnId head = wheel_[slot];
  if (head == kNoConn) return false;
  assert(wheel_[kPendingList] == kNoConn);
  wheel_[slot] = kNoConn;
  wheel_[kPendingList] = head;
  slots_[head].prev = kHeadBit | kPendingList;
  return true;
}

// Detaches and returns the next due entry of the pending list; entries not yet
// due are re-filed on the way.
ConnId ConnTable::pop_due(std::uint64_t now_tick) {
  for (ConnId id; (id = wheel_[kPendingList]) != kNoConn;) {
    timer_unlink(id);
    prefetch_pending();
    if (tick_due(slots_[id].conn.expires, now_tick)) return id;
    timer_link_by_expiry(id);
  }
  return kNoConn;
}

// The pending list is a walk over cold entries, and erasing one needs its
// index buckets, which only its key can locate. While one entry is handled,
// ask for the slot two ahead and for the buckets of the next one (whose slot
// was asked for one pop ago), so the misses overlap instead of queueing.
void ConnTable::prefetch_pending() const {
  const ConnId next = wheel_[kPendingList];
  if (next == kNoConn) return;
  const Conn& c = slots_[next].conn;
  if (c.timer_next != kNoConn) prefetch_slot(c.timer_next);
  prefetch(key_hash(c.proto, c.caddr, c.cport));
}

// After the callback: a touched entry is re-filed; one still due (the callback
// broke its contract) is offered again on the next tick.
void ConnTable::settle(ConnId id, std::uint64_t now_tick) {
  if (id >= high_water_ || slots_[id].prev != kDetached) return;  // erased or re-filed
  if (tick_due(slots_[id].conn.expires, now_tick)) {
    timer_link(id, static_cast<std::uint32_t>(now_tick + 1) & kWheelMask);
  } else {
    timer_link_by_expiry(id);
  }
}

}  // namespace lvs
