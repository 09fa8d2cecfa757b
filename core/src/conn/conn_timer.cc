// The connection timers: a hashed wheel of 1 ms slots. Each entry is filed in
// the slot of its scheduled check, which is never later than its expiry.
#include <cassert>

#include "lvs/conn_table.h"

namespace lvs {

std::uint64_t ConnTable::floor_tick(Time t) {
  return t.count() <= 0 ? 0 : static_cast<std::uint64_t>(t.count() / kNsPerTick);
}

void ConnTable::timer_link(ConnId id, std::uint32_t wheel_slot) {
  const std::uint32_t list = wheel_slot * kLanes + (id & (kLanes - 1));
  Cold& slot = cold_[id];
  const ConnId next = wheel_[list];
  slot.timer_next = next;
  slot.prev = kHeadBit | list;
  if (next != kNoConn) cold_[next].prev = id;
  wheel_[list] = id;
}

// An overdue entry goes in the next slot to fire, anything else in the slot of
// its expiry, which fires at the latest on that tick.
void ConnTable::timer_link_by_expiry(ConnId id, std::uint32_t expires) {
  const auto cur = static_cast<std::uint32_t>(cur_tick_);
  const bool overdue = static_cast<std::int32_t>(expires - cur) < 0;
  timer_link(id, (overdue ? cur : expires) & kWheelMask);
}

void ConnTable::timer_unlink(ConnId id) {
  Cold& slot = cold_[id];
  if (slot.prev == kDetached) return;
  const std::uint32_t prev = slot.prev;
  const ConnId next = slot.timer_next;
  if (prev & kHeadBit) {
    wheel_[prev & ~kHeadBit] = next;
  } else {
    cold_[prev].timer_next = next;
  }
  if (next != kNoConn) cold_[next].prev = prev;
  slot.prev = kDetached;
}

// Moves the slot's lists to the pending lists, where erase() can still unlink
// entries the callback removes.
bool ConnTable::take_slot(std::uint64_t tick) {
  const std::uint32_t first = (static_cast<std::uint32_t>(tick) & kWheelMask) * kLanes;
  bool any = false;
  for (std::uint32_t lane = 0; lane < kLanes; ++lane) {
    const ConnId head = wheel_[first + lane];
    assert(wheel_[kPendingList + lane] == kNoConn);
    if (head == kNoConn) continue;
    wheel_[first + lane] = kNoConn;
    wheel_[kPendingList + lane] = head;
    cold_[head].prev = kHeadBit | (kPendingList + lane);
    prefetch_whole(head);
    any = true;
  }
  pending_lane_ = 0;
  return any;
}

// Detaches and returns the next due entry of the pending lists, taking them in
// turn; entries not yet due are re-filed on the way.
ConnId ConnTable::pop_due(std::uint64_t now_tick) {
  for (std::uint32_t empty = 0; empty < kLanes;) {
    const std::uint32_t lane = pending_lane_;
    pending_lane_ = (lane + 1) & (kLanes - 1);
    const ConnId id = wheel_[kPendingList + lane];
    if (id == kNoConn) {
      ++empty;
      continue;
    }
    empty = 0;
    timer_unlink(id);
    prefetch_pending(lane);
    if (tick_due(conns_[id].expires, now_tick)) return id;
    timer_link_by_expiry(id, conns_[id].expires);
  }
  return kNoConn;
}

// The pending lists are walks over cold entries. Once an entry is unlinked,
// its successor heads its list; that successor was asked for one turn ago, so
// now ask for the one after it, and for the successor's tag, which erasing it
// clears. Each entry is thus requested a full turn of the lanes (four pops)
// before it is needed, and the misses overlap instead of queueing.
void ConnTable::prefetch_pending(std::uint32_t lane) const {
  const ConnId next = wheel_[kPendingList + lane];
  if (next == kNoConn) return;
  const ConnId after = cold_[next].timer_next;
  if (after != kNoConn) prefetch_whole(after);
  __builtin_prefetch(tags_ + next);
}

// After the callback: a touched entry is re-filed; one still due (the callback
// broke its contract) is offered again on the next tick.
void ConnTable::settle(ConnId id, std::uint64_t now_tick) {
  if (!live(id) || cold_[id].prev != kDetached) return;  // erased or re-filed
  if (tick_due(conns_[id].expires, now_tick)) {
    timer_link(id, static_cast<std::uint32_t>(now_tick + 1) & kWheelMask);  // next tick
  } else {
    timer_link_by_expiry(id, conns_[id].expires);
  }
}

}  // namespace lvs
