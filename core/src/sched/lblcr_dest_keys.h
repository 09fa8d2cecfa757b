#pragma once
// Who lblcr's set members are. A live member is its server's
// RealServer::sched_slot (the slot LocalityIndex gives each live server), so
// a set scan reads the server's LocalityIndex leaf, which already orders it
// by overhead/weight, plus one byte here a server (flags the leaf lacks),
// and never the 256-byte RealServer. A server that left the service moves
// to a frozen key holding its weight and load (the kernel's trashed dest,
// whose load still follows its connections) and moves back if the same
// addr:port returns. When ids move (re-slot, unlink, revival) the owner of
// the sets rewrites every set through a MemberMap, which also notes which frozen keys are still named,
// so the others are freed then.

#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "lvs/service.h"
#include "sched/dest_metrics.h"

namespace lvs::sched {

using MemberId = std::uint32_t;
constexpr MemberId kFrozenId = 1u << 31;  // ids at or above: frozen keys
constexpr MemberId kNoId = ~MemberId{0};

// A frozen member's load (never pickable: the server is unavailable).
struct DestKey {
  std::int32_t overhead = 0;
  std::int32_t weight = 0;
};

// Per live slot: is_overloaded()'s first half, and "the leaf cannot stand
// for this server" (unavailable or a negative weight; the scan then reads
// the servers, as the kernel does).
constexpr std::uint8_t kBusy = 1;  // activeconns > weight
constexpr std::uint8_t kExact = 2;

// Old id -> new id for one rewrite of every set (ids not listed stay), and
// the frozen ids the rewritten sets still name.
class MemberMap {
 public:
  void clear() {
    pairs_.clear();
    named_.clear();
  }
  void add(MemberId from, MemberId to) { pairs_.emplace(from, to); }
  bool empty() const { return pairs_.empty(); }
  MemberId operator()(MemberId id) {
    const auto it = pairs_.find(id);
    if (it != pairs_.end()) id = it->second;
    if (id >= kFrozenId) named_.insert(id);
    return id;
  }
  bool named(MemberId id) const { return named_.count(id) != 0; }

 private:
  std::unordered_map<MemberId, MemberId> pairs_;
  std::unordered_set<MemberId> named_;
};

class DestKeys {
 public:
  const DestKey& frozen(MemberId id) const { return frozen_[id - kFrozenId].key; }
  // kBusy | kExact of a live id.
  std::uint8_t flags(MemberId id) const { return flags_[id]; }
  // Whether some live server has kExact (then set scans read the servers).
  bool any_exact() const { return exact_ != 0; }
  // The id of a live server, or kNoId when it has no slot here.
  MemberId id_of(const RealServer& d) const { return holds(d) ? d.sched_slot : kNoId; }

  // Counts, flags or weight of `d` changed. The caller checked that `d`
  // holds its LocalityIndex slot; sync() keeps the ids on the same slots,
  // so the byte there is d's.
  void refresh(const RealServer& d) {
    if (d.sched_slot < flags_.size()) set_flags(d.sched_slot, flags_of(d));
  }

  // Counts of `d`, a server that left the service, changed (its connections
  // end in the trash): a frozen key of it follows, as set_max reads them.
  void refresh_frozen(const RealServer& d) {
    const auto it = frozen_by_addr_.find(addr_of(d));
    if (it != frozen_by_addr_.end()) frozen_[it->second - kFrozenId].key = DestKey{conn_overhead(d), d.weight()};
  }

  // Every server of `svc` has its key (the engine called add_dest for each).
  bool synced(const VirtualService& svc) const { return owned_ == svc.dests.size(); }

  // Each fills `moved` with the id rewrite the sets need (empty: none).
  // After init_service/add_dest: re-keys live servers if LocalityIndex
  // re-slotted them, and revives frozen keys of servers back from the trash.
  void sync(const VirtualService& svc, MemberMap& moved);
  // After del_dest: the server's key freezes.
  void unlink(RealServer& d, MemberMap& moved);
  // The frozen id of `d`, a server that left the service, or kNoId.
  MemberId frozen_id(const RealServer& d) const {
    const auto it = frozen_by_addr_.find(addr_of(d));
    return it == frozen_by_addr_.end() ? kNoId : it->second;
  }
  // Once every set is rewritten through `moved`: frees frozen keys no set
  // names any more.
  void settle(const MemberMap& moved);

 private:
  struct Frozen {
    DestKey key;
    std::uint64_t addr = 0;  // addr:port
    bool in_use = false;
  };
  bool holds(const RealServer& d) const {
    return d.sched_slot < owner_.size() && owner_[d.sched_slot] == &d;
  }
  static std::uint8_t flags_of(const RealServer& d) {
    return static_cast<std::uint8_t>((d.active_conns > d.weight() ? kBusy : 0) |
                                     (!d.available() || d.weight() < 0 ? kExact : 0));
  }
  static std::uint64_t addr_of(const RealServer& d) {
    return (std::uint64_t{d.cfg.addr} << 16) | d.cfg.port;
  }
  void set_flags(std::uint32_t slot, std::uint8_t f) {
    exact_ -= (flags_[slot] & kExact) != 0 ? 1 : 0;
    exact_ += (f & kExact) != 0 ? 1 : 0;
    flags_[slot] = f;
  }
  bool admit(RealServer& d, MemberMap& moved);
  void free_frozen(MemberId id);

  std::vector<std::uint8_t> flags_;       // by sched_slot
  std::vector<const RealServer*> owner_;  // by sched_slot: whose key it is
  std::vector<Frozen> frozen_;            // by id - kFrozenId
  std::vector<MemberId> free_frozen_;
  std::unordered_map<std::uint64_t, MemberId> frozen_by_addr_;
  std::size_t owned_ = 0;  // live keys
  std::size_t exact_ = 0;  // live slots with kExact
};

}  // namespace lvs::sched
