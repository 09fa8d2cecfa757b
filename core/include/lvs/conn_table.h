#pragma once
// The connection table: both directions of every connection, found with one
// index entry each, bounded in size, with expiry driven by the caller's `now`.
//
// Like IPVS's conn_tab, a connection is hashed on the client side of its key
// (proto, client address, client port), so the same index entry serves
// packets from the client (find_in) and from the real server (find_out).
// Persistence templates live in the same table with kConnTemplate set.

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "lvs/conn_state.h"
#include "lvs/types.h"

namespace lvs {

using ConnId = std::uint32_t;
constexpr ConnId kNoConn = 0xffffffffu;
constexpr std::uint32_t kNoDest = 0xffffffffu;

enum ConnFlag : std::uint16_t {
  kConnFwdMask = 0x0007,   // ForwardMethod of the connection
  kConnTemplate = 0x0010,  // persistence template (IP_VS_CONN_F_TEMPLATE)
  kConnInactive = 0x0020,  // counted in inactive_conns (IP_VS_CONN_F_INACTIVE)
  kConnOnePacket = 0x0040, // UDP one-packet scheduling
  kConnNoOutput = 0x0080,  // replies bypass the director (DR/TUN)
  kConnMasquerade = 0x0100,  // outbound traffic a real server originated (SNAT)
  kConnSynced = 0x0200,    // installed by connection sync
  kConnNoCport = 0x0400,   // template / FTP-style wildcard client port
  kConnTemplateRearmed = 0x0800,  // template's timeout is now kTemplateRearmTimeout
  // The template's timeout (cp->timeout) is not its service's persistence
  // timeout: the one its sync message carried, or the service's before an
  // edit changed it. The engine keeps it by ConnId.
  kConnTemplateOwnTimeout = 0x1000,
};

// ip_vs_conn_expire: a template whose timer fires while it still controls
// connections is re-armed with this timeout (cp->timeout = 60*HZ), which it
// keeps for every later use instead of the service's persistence timeout.
constexpr Duration kTemplateRearmTimeout = seconds(60);

// Conn::sync_flags bits (connection sync, engine/sync.cc).
constexpr std::uint8_t kSyncEndtimeSet = 0x01;

// A real server's id as a connection holds it: 16 bits, so that a
// connection's hot part fits in 32 bytes. It reads and assigns as the 32-bit
// RealServer::id, kNoDest included; the engine hands out ids below
// kMaxConnDests (at most 65,535 real servers at a time).
constexpr std::uint32_t kMaxConnDests = 0xffff;
class ConnDest {
 public:
  constexpr ConnDest() = default;
  constexpr ConnDest(std::uint32_t id)  // NOLINT: converts as the id it holds
      : v_(id < kMaxConnDests ? static_cast<std::uint16_t>(id) : kNone) {
    assert(id < kMaxConnDests || id == kNoDest);
  }
  constexpr operator std::uint32_t() const { return v_ == kNone ? kNoDest : v_; }  // NOLINT

 private:
  static constexpr std::uint16_t kNone = 0xffff;
  std::uint16_t v_ = kNone;
};

// One connection: the 32 bytes a packet of an established connection reads
// and writes (the rest is its ConnExt). For a connection from a client:
//   caddr:cport -> vaddr:vport is what the client uses,
//   daddr:dport is the real server it was scheduled to.
// For a persistence template: caddr is the masked client network, cport 0,
// vaddr:vport the service (vaddr = fwmark for firewall-mark services).
// For a masquerade entry (a real server talking out): caddr:cport is the
// outside peer, vaddr:vport the translated source, daddr:dport the real server.
struct Conn {
  // The client between the virtual service and the real server, so that a
  // packet's (source, destination) is one 8-byte word of the entry in either
  // direction, and its ports one 4-byte word (the established-flow shortcut
  // compares them so).
  Ip4 vaddr = 0;
  Ip4 caddr = 0;
  Ip4 daddr = 0;
  std::uint16_t vport = 0;
  std::uint16_t cport = 0;
  std::uint16_t dport = 0;
  Proto proto = Proto::kTcp;
  std::uint8_t state = 0;   // TcpState, or kUdpStateNormal
  std::uint16_t flags = 0;  // ConnFlag bits
  ConnDest dest;            // RealServer::id
  std::uint32_t aux = 0;    // in_pkts for connections; n_control for templates
  std::uint32_t expires = 0;  // table-private: expiry tick
};

// The rest of a connection, which only its setup and teardown, persistence
// and sync read: kept apart (ConnTable::ext) so that an established flow's
// packets touch one cache line of the table.
struct ConnExt {
  // Connections: the persistence template they hang off (cp->control), or
  // kNoConn. Templates, which nothing controls: their in_pkts (32 bits,
  // wrapping, as the kernel's atomic_t), counted for the sync decision.
  std::uint32_t control = kNoConn;
  // Connection sync (lvs/sync.h): the state last synced (IPVS cp->old_state).
  std::uint8_t sync_state = 0;
  std::uint8_t sync_flags = 0;  // kSyncEndtimeSet once a sync end time is recorded
};

// Layout: an entry lives where its key hashes to, so that a lookup reads one
// entry from memory and nothing else that is cold.
//   - Slots: two parallel arrays, the 32-byte Conns (two to a cache line, so
//     none straddles two) and their 16-byte cold parts (the ConnExt and the
//     timer links), cut into groups of 16. A key (proto, client address,
//     client port) has two home groups, and a preferred pair of slots in
//     each (from the hash). A new entry goes to the emptier home, into its
//     preferred pair when that has room (home_slot gives the whole rule), and
//     stays there until erased, so its slot number is its ConnId. The
//     established-flow shortcut prefetches both pairs (one line each) while
//     it reads the tags.
//   - Tags: one byte per slot, 8 bits of the key's hash (0 = free). A lookup
//     compares the 16 tags of each home group at once and reads only the
//     slots whose tags match. At 1/48 of the slots' size (1.2 MiB for a
//     million connections) the tags stay in cache where the slots cannot.
//   - Spill: when both home groups are full, the entry goes to the first group
//     after its first home that has room, and every group it passes (its first
//     home included) counts it. A lookup that misses in both homes walks on
//     only while the group it leaves has a nonzero count. So any number of
//     entries may share one client key (masquerade entries towards one
//     outside server do).
// Sized for 7/8 of the slots at capacity, two-choice placement nearly never
// spills (tests/core/conn); ~56 bytes per connection in all.
//
// Timers: a hashed wheel of 65,536 one-millisecond slots. An entry sits in the
// slot of its scheduled check time; touch() only rewrites `expires` unless it
// moves expiry earlier. When a slot fires, entries not yet due are re-filed.
// Each wheel slot keeps four lists (by the low bits of the id) that are
// walked in turn when it fires: entries lie at random places, and four
// chains to follow let each entry be asked for from memory four steps before
// it is needed.
// Expiry is kept as 32-bit milliseconds since the caller's epoch, compared
// modulo 2^32, so the table runs for any length of time as long as:
//   - an expiry is at most kMaxTimeout after the last expire() call (longer
//     ones are clamped), and
//   - expire() is called at least once every kMaxTimeout, and before the first
//     insert() when the caller's clock starts more than kMaxTimeout past 0.
// expires_at() is the requested time rounded up to the next millisecond.
class ConnTable {
 public:
  // 7/8 of 2^31 slots: every slot number stays below the timer lists' head
  // marker (kHeadBit).
  static constexpr std::size_t kMaxCapacity = 0x70000000u;
  static constexpr Duration kMaxTimeout = milliseconds(1u << 30);  // ~12.4 days

  // Room for `capacity` (at most kMaxCapacity) connections and templates; all
  // memory is allocated here.
  explicit ConnTable(std::size_t capacity);
  ~ConnTable();
  ConnTable(const ConnTable&) = delete;
  ConnTable& operator=(const ConnTable&) = delete;

  // Packet from the client side: saddr:sport is the client, daddr:dport the virtual address.
  ConnId find_in(Proto proto, Ip4 saddr, std::uint16_t sport, Ip4 daddr,
                 std::uint16_t dport) const;

  // A client key's tag and home groups, computed once and reused by the
  // batch path's prefetch stages and its lookup.
  struct Probe {
    std::uint32_t tag;  // 1..255
    std::uint32_t g1;
    std::uint32_t g2;
    // The preferred pair of slots in each home group, as the first slot's
    // number within it: g1's in bits 0-3, g2's in bits 4-7 (both even).
    std::uint32_t at;
  };
  Probe probe(Proto proto, Ip4 client, std::uint16_t client_port) const {
    return probe_key(client_key(proto, client, client_port));
  }
  // The key a client end is indexed by, as one word, and its probe.
  static std::uint64_t client_key(Proto proto, Ip4 client, std::uint16_t client_port) {
    return (static_cast<std::uint64_t>(client) << 32) |
           (static_cast<std::uint64_t>(client_port) << 16) | static_cast<std::uint64_t>(proto);
  }
  Probe probe_key(std::uint64_t key) const;
  void prefetch(const Probe& k) const;
  void prefetch_entries(const Probe& k) const;
  // Bring the slots place() tries first for this key into cache, a pair in
  // each home group (one cache line each): a lookup can ask memory for its
  // entry before the tags say where it is, and then the tag read is off the
  // path to the miss whenever the entry sits there.
  void prefetch_preferred(const Probe& k) const {
    prefetch_pair(k.g1 * kGroup + (k.at & (kGroup - 1)));
    prefetch_pair(k.g2 * kGroup + (k.at >> 4));
  }
  // find_in/find_out with the probe of (saddr, sport) resp. (daddr, dport).
  ConnId find_in(const Probe& k, Proto proto, Ip4 saddr, std::uint16_t sport, Ip4 daddr,
                 std::uint16_t dport) const;
  ConnId find_out(const Probe& k, Proto proto, Ip4 saddr, std::uint16_t sport, Ip4 daddr,
                  std::uint16_t dport) const;
  // Packet from the real-server side: saddr:sport is the real server, daddr:dport the client.
  // Templates never match.
  ConnId find_out(Proto proto, Ip4 saddr, std::uint16_t sport, Ip4 daddr,
                  std::uint16_t dport) const;
  // Bring the tags of both home groups of this client key into cache (batch path).
  void prefetch(Proto proto, Ip4 client, std::uint16_t client_port) const;
  // For a caller pipelining lookups, once the tags have arrived: bring the
  // entries whose tags match this client key into cache.
  void prefetch_entries(Proto proto, Ip4 client, std::uint16_t client_port) const;
  // Bring one known entry into cache (nothing for kNoConn).
  void prefetch_entry(ConnId id) const {
    // Branch-free: GCC 12 drops a prefetch guarded by a member-variable
    // bound (checked with objdump); slot 0 is always inside the allocation.
    prefetch_slot(id < n_slots_ ? id : 0);
  }
  // The first entry whose tag matches the probe, looking in both home groups
  // at once and choosing without a branch on their contents; kNoConn when no
  // tag matches. It is the entry find_in/find_out return when its key
  // matches, so a caller that checks the key itself can skip them (the
  // engine's established-flow fast path); on a mismatch (a tag collision, or
  // an entry that spilled) it must ask them. Reads only tags: the caller
  // reads the entry.
  ConnId first_candidate(const Probe& k) const;
  // The earliest time expire() has work to do: the start of the next tick.
  Time next_tick_time() const {
    return Time{static_cast<Duration::rep>(cur_tick_) * kNsPerTick};
  }

  // Copies `conn` and `ext` in and arms the timer; kNoConn when the table is
  // full. The caller checks for duplicates first.
  ConnId insert(const Conn& conn, Time expires_at, const ConnExt& ext = ConnExt{});
  void erase(ConnId id);
  // Re-arm the timer: the connection expires at `expires_at` unless touched again.
  void touch(ConnId id, Time expires_at) { touch_tick(id, expiry_tick(expires_at)); }
  // The same in two steps, for many connections re-armed to one time: the
  // tick touch() stores for `expires_at` (valid until the next expire()), and
  // the re-arm with it.
  std::uint32_t expiry_tick(Time expires_at) const { return clamp_expiry(expires_at); }
  // The same, and in `window` the start of the times that all get this tick:
  // [window, window + kTickLength). `window` is left alone when the tick was
  // clamped (or `expires_at` is not after the epoch).
  std::uint32_t expiry_tick(Time expires_at, Time& window) const;
  static constexpr Duration kTickLength{1000000};
  void touch_tick(ConnId id, std::uint32_t tick);
  // touch_tick() for a tick no earlier than the entry's, which moves no timer
  // list; false, with nothing changed, for an earlier one.
  bool touch_later(ConnId id, std::uint32_t tick) {
    Conn& c = conns_[id];
    if (static_cast<std::int32_t>(tick - c.expires) < 0) return false;
    c.expires = tick;
    return true;
  }
  Time expires_at(ConnId id) const;
  bool contains(ConnId id) const { return live(id); }

  Conn& operator[](ConnId id);
  const Conn& operator[](ConnId id) const;
  // The rest of the connection (a cache line of its own).
  ConnExt& ext(ConnId id) {
    assert(live(id));
    return cold_[id].ext;
  }
  const ConnExt& ext(ConnId id) const {
    assert(live(id));
    return cold_[id].ext;
  }
  // A persistence template's in_pkts (see ConnExt::control).
  std::uint32_t& template_in_pkts(ConnId tmpl) {
    assert(conns_[tmpl].flags & kConnTemplate);
    return ext(tmpl).control;
  }

  // Fires every timer due at `now`: calls on_expire(id) for each connection
  // whose expiry time has passed. The callback must either erase(id) or
  // touch(id, later); it may also insert, erase or touch other entries, but not
  // call expire(). A connection expires no earlier than its time and at most
  // one tick (1 ms) after it. One left due by the callback is offered again on
  // the next tick. Work is one step per tick passed (at most one wheel turn)
  // plus one per entry filed in those slots.
  template <class F>
  void expire(Time now, F&& on_expire);

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  // Every ConnId insert() returns is below this (the number of slots), for
  // arrays indexed by ConnId.
  std::size_t id_bound() const { return n_slots_; }
  // Live entries outside both their home groups (found by a longer walk).
  std::size_t spilled() const { return spilled_; }
  // Visits every live connection in id (slot) order, which follows the hash
  // as /proc/net/ip_vs_conn follows the kernel's hash table (ipvsadm -c,
  // sync, tests), as visit(id, conn) or visit(conn). The visitor must not
  // insert or erase.
  template <class F>
  void for_each(F&& visit) const;

 private:
  // A slot's part that packets of established connections never read.
  struct Cold {
    ConnExt ext;
    std::uint32_t timer_next;  // timer list link
    std::uint32_t prev;        // timer list back-link, or one of the markers below
  };
  static_assert(sizeof(Conn) == 32 && sizeof(Cold) == 16, "a connection takes 48 bytes");
  static constexpr std::uint32_t kGroup = 16;  // slots per group: one 16-byte tag vector

  static constexpr std::int64_t kNsPerTick = kTickLength.count();
  static constexpr std::uint32_t kWheelSlots = 1u << 16;
  static constexpr std::uint32_t kWheelMask = kWheelSlots - 1;
  static constexpr std::uint32_t kLanes = 4;  // lists per wheel slot
  // The lists of wheel slot s are s * kLanes + lane; the lists of the slot
  // being fired follow the wheel's.
  static constexpr std::uint32_t kPendingList = kWheelSlots * kLanes;
  static constexpr std::uint32_t kLists = kPendingList + kLanes;
  static constexpr std::uint32_t kMaxTicks = 1u << 30;
  // Cold::prev: an entry id, kHeadBit|list for the first in a list, or:
  static constexpr std::uint32_t kHeadBit = 0x80000000u;
  static constexpr std::uint32_t kFree = 0xffffffffu;      // erased
  static constexpr std::uint32_t kDetached = 0xfffffffeu;  // live, on no timer list
  static constexpr std::uint16_t kSpillStuck = 0xffff;     // saturated: never decremented


  static std::uint64_t floor_tick(Time t);
  static std::uint64_t ceil_tick(Time t);
  static bool tick_due(std::uint32_t expires, std::uint64_t now_tick) {
    return static_cast<std::int32_t>(expires - static_cast<std::uint32_t>(now_tick)) <= 0;
  }
  bool live(ConnId id) const { return id < n_slots_ && tags_[id] != 0; }
  // An even slot's Conn and the next: one cache line.
  void prefetch_pair(ConnId even) const {
    prefetch_line(reinterpret_cast<const char*>(&conns_[even]));
  }
  // A slot's Conn (one line: the array is 64-byte aligned).
  void prefetch_slot(ConnId id) const { prefetch_line(reinterpret_cast<const char*>(&conns_[id])); }
  // Its Conn and its cold part: what insert, erase and the timers touch.
  void prefetch_whole(ConnId id) const {
    prefetch_slot(id);
    prefetch_line(reinterpret_cast<const char*>(&cold_[id]));
  }
  static void prefetch_line(const char* p) {
#if defined(__x86_64__) && defined(__GNUC__)
    // GCC 12 dropped __builtin_prefetch here: prefetch_preferred's, once the
    // shortcut was inlined into BM_EstablishedFlow's loop, left no
    // prefetcht0 there (checked with objdump). BM_NewConnection also runs
    // 12-21% faster with every prefetch of the table through this asm
    // (tests/bench/README.md, session 14).
    asm volatile("prefetcht0 %0" : : "m"(*p));
#else
    __builtin_prefetch(p);
#endif
  }

  // Placement and lookup (conn_index.cc; the hash is here so that the packet
  // path inlines it).
  std::uint32_t next_group(std::uint32_t g) const { return g + 1 == n_groups_ ? 0 : g + 1; }
  // Folded 64x64->128 multiply (wyhash's mum): a keyed, well-mixing step.
  static std::uint64_t mum(std::uint64_t a, std::uint64_t b) {
#if defined(__x86_64__) && defined(__GNUC__)
    // The one instruction, halves in two registers: GCC 12 passes an
    // unsigned __int128 product through the stack here, in the packet
    // path's critical chain to its cache miss.
    std::uint64_t lo, hi;
    asm("mulq %3" : "=a"(lo), "=d"(hi) : "%a"(a), "rm"(b) : "cc");
    return lo ^ hi;
#else
    __extension__ typedef unsigned __int128 U128;
    const U128 r = static_cast<U128>(a) * b;
    return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
#endif
  }
  // Maps a uniform 32-bit value onto [0, n) without a division (Lemire).
  static std::uint32_t reduce(std::uint32_t x, std::uint32_t n) {
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(x) * n) >> 32);
  }
  ConnId home_slot(const Probe& k) const;
  ConnId place(const Probe& k);
  void unplace(ConnId id);
  // Bit i set when slot i of group g has this tag (0: the free slots): one
  // compare of the 16 tags instead of 16 branches on random data.
  std::uint32_t group_matches(std::uint32_t g, std::uint32_t tag) const;
  template <class Match>
  ConnId index_find(const Probe& k, Match&& match) const;

  // Timer wheel (conn_timer.cc).
  std::uint32_t clamp_expiry(Time t) const;
  void timer_link(ConnId id, std::uint32_t wheel_slot);
  // `expires` is the entry's own (passed so that a new entry's slot, still on
  // its way from memory, is only written here).
  void timer_link_by_expiry(ConnId id, std::uint32_t expires);
  void refile(ConnId id);  // unlink, then link by expiry
  void timer_unlink(ConnId id);
  bool take_slot(std::uint64_t tick);
  ConnId pop_due(std::uint64_t now_tick);
  void prefetch_pending(std::uint32_t lane) const;
  void settle(ConnId id, std::uint64_t now_tick);

  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
  std::size_t spilled_ = 0;
  Conn* conns_ = nullptr;             // n_slots_; constructed on insert
  Cold* cold_ = nullptr;              // n_slots_; constructed on insert
  std::uint8_t* tags_ = nullptr;      // n_slots_
  std::uint16_t* spill_ = nullptr;    // n_groups_
  std::uint32_t* wheel_ = nullptr;    // kLists list heads
  std::uint32_t pending_lane_ = 0;    // the pending list to pop next
  std::uint32_t n_groups_ = 0;
  std::uint32_t n_slots_ = 0;
  std::uint64_t cur_tick_ = 0;        // every tick before this has been fired
  // find_in's miss leaves the slot place() would give that key now, valid
  // while nothing has been placed or unplaced since (placements_ unchanged):
  // a new connection's insert then skips recomputing it.
  std::uint64_t placements_ = 0;
  mutable std::uint64_t hint_placements_ = ~std::uint64_t{0};
  mutable Probe hint_probe_{};
  mutable ConnId hint_slot_ = kNoConn;
  std::uint64_t seed_[2] = {};
  bool in_expire_ = false;
};

template <class F>
void ConnTable::expire(Time now, F&& on_expire) {
  const std::uint64_t now_tick = floor_tick(now);
  if (now_tick < cur_tick_ || in_expire_) return;
  in_expire_ = true;
  // Past one full turn every slot has been visited once; skip the rest.
  std::uint64_t tick = now_tick - cur_tick_ >= kWheelSlots ? now_tick - kWheelSlots + 1 : cur_tick_;
  for (; tick <= now_tick; ++tick) {
    cur_tick_ = tick + 1;  // entries filed from here on land in a later slot
    if (!take_slot(tick)) continue;
    for (ConnId id; (id = pop_due(now_tick)) != kNoConn;) {
      on_expire(id);
      settle(id, now_tick);
    }
  }
  in_expire_ = false;
}

template <class F>
void ConnTable::for_each(F&& visit) const {
  for (std::uint32_t g = 0; g < n_groups_ && size_ != 0; ++g) {
    for (std::uint32_t m = group_matches(g, 0) ^ 0xffffu; m != 0; m &= m - 1) {
      const ConnId id = g * kGroup + static_cast<ConnId>(__builtin_ctz(m));
      if constexpr (std::is_invocable_v<F&, ConnId, const Conn&>) {
        visit(id, static_cast<const Conn&>(conns_[id]));
      } else {
        visit(static_cast<const Conn&>(conns_[id]));
      }
    }
  }
}

inline ConnTable::Probe ConnTable::probe_key(std::uint64_t key) const {
  // One folded multiply by an odd 64-bit constant: every bit of the folded
  // product depends on every bit of the key (the high half does).
  const std::uint64_t h = mum(key ^ seed_[0], seed_[1]);
  // Three parts of the hash that overlap little in the bits they depend on:
  // reduce() is driven by the high bits of its argument.
  Probe k;
  k.tag = static_cast<std::uint32_t>(h >> 56);
  k.tag += k.tag == 0;  // 0 marks a free slot
  k.g1 = reduce(static_cast<std::uint32_t>(h), n_groups_);
  k.g2 = reduce(static_cast<std::uint32_t>(h >> 24), n_groups_);
  // From the low byte, which reduce() hardly looks at.
  k.at = static_cast<std::uint32_t>(h) & 0xeeu;
  return k;
}

// The per-packet table operations are inline, so the packet path in other
// files pays no call for them.
inline std::uint64_t ConnTable::ceil_tick(Time t) {
  // Rounding up keeps "never before its time" exact.
  return t.count() <= 0 ? 0 : static_cast<std::uint64_t>((t.count() - 1) / kNsPerTick + 1);
}

inline std::uint32_t ConnTable::clamp_expiry(Time t) const {
  std::uint64_t tick = ceil_tick(t);
  if (tick > cur_tick_ + kMaxTicks) tick = cur_tick_ + kMaxTicks;
  return static_cast<std::uint32_t>(tick);
}

inline std::uint32_t ConnTable::expiry_tick(Time expires_at, Time& window) const {
  const std::uint64_t tick = ceil_tick(expires_at);  // for every time in ((tick - 1), tick] ticks
  if (expires_at.count() > 0 && tick <= cur_tick_ + kMaxTicks)
    window = Time{static_cast<Duration::rep>(tick - 1) * kNsPerTick + 1};
  return clamp_expiry(expires_at);
}

// Always inlined: the established-flow path calls it for every packet.
[[gnu::always_inline]] inline void ConnTable::touch_tick(ConnId id, std::uint32_t tick) {
  assert(live(id));
  Conn& c = conns_[id];
  const std::uint32_t old_expires = c.expires;
  c.expires = tick;
  // Later expiry: the entry's check comes first and re-files it. Earlier: the
  // current slot may be checked too late, so move it.
  const bool earlier = static_cast<std::int32_t>(c.expires - old_expires) < 0;
  if (earlier && cold_[id].prev != kDetached) refile(id);
}

inline Conn& ConnTable::operator[](ConnId id) {
  assert(live(id));
  return conns_[id];
}

inline const Conn& ConnTable::operator[](ConnId id) const {
  assert(live(id));
  return conns_[id];
}

inline std::uint32_t ConnTable::group_matches(std::uint32_t g, std::uint32_t tag) const {
  const std::uint8_t* tags = tags_ + static_cast<std::size_t>(g) * kGroup;
#if defined(__SSE2__)
  const __m128i v = _mm_load_si128(reinterpret_cast<const __m128i*>(tags));
  // The tag in every byte: from a 32-bit multiply, one shuffle fewer than
  // _mm_set1_epi8 without SSSE3.
  const __m128i t = _mm_set1_epi32(static_cast<int>(tag * 0x01010101u));
  return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, t)));
#else
  std::uint32_t m = 0;
  for (std::uint32_t i = 0; i < kGroup; ++i) m |= static_cast<std::uint32_t>(tags[i] == tag) << i;
  return m;
#endif
}

inline ConnId ConnTable::first_candidate(const Probe& k) const {
  // g1's tags come first, as in index_find. When g1 == g2 the duplicate bits
  // are never reached.
  const std::uint32_t m = group_matches(k.g1, k.tag) | (group_matches(k.g2, k.tag) << 16);
  if (m == 0) return kNoConn;
  const unsigned i = static_cast<unsigned>(__builtin_ctz(m));
  return (i < kGroup ? k.g1 : k.g2) * kGroup + (i & (kGroup - 1));
}

inline void ConnTable::prefetch(const Probe& k) const {
  __builtin_prefetch(tags_ + static_cast<std::size_t>(k.g1) * kGroup);
  __builtin_prefetch(tags_ + static_cast<std::size_t>(k.g2) * kGroup);
}

}  // namespace lvs
