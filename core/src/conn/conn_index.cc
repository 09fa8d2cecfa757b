// Placement and lookup: an entry's slot follows from the hash of its client key
// (proto, client address, client port), so finding it reads tags (in cache)
// and the entry itself, and never an index in between.
#include <cassert>

#include "lvs/conn_table.h"

namespace lvs {

namespace {

void spill_up(std::uint16_t& n, std::uint16_t stuck) {
  if (n != stuck) ++n;
}

void spill_down(std::uint16_t& n, std::uint16_t stuck) {
  assert(n != 0);
  if (n != stuck) --n;
}

// Free slots in a group's mask, without the library call __builtin_popcount
// is on baseline x86-64.
unsigned count16(std::uint32_t m) {
  m = m - ((m >> 1) & 0x5555u);
  m = (m & 0x3333u) + ((m >> 2) & 0x3333u);
  m = (m + (m >> 4)) & 0x0f0fu;
  return (m + (m >> 8)) & 0x1fu;
}

}  // namespace

// In the emptier home group (the first home on a tie): a free slot of its
// preferred pair for this key; else one of the other home's preferred pair,
// if that group keeps two free slots besides; else the emptier group's first
// free slot. kNoConn when both homes are full. The two choices keep the
// groups even (the other home only when it has room to spare: without that
// condition a table filled to capacity spilled 161 entries per million
// instead of 24, and 40% more after it had turned over), and the preferred
// pairs are where a lookup looks first (prefetch_preferred).
ConnId ConnTable::home_slot(const Probe& k) const {
  const std::uint32_t free1 = group_matches(k.g1, 0);
  const std::uint32_t free2 = group_matches(k.g2, 0);
  const bool first = count16(free1) >= count16(free2);
  const std::uint32_t g = first ? k.g1 : k.g2, other = first ? k.g2 : k.g1;
  const std::uint32_t free = first ? free1 : free2, other_free = first ? free2 : free1;
  const std::uint32_t at = first ? k.at & (kGroup - 1) : k.at >> 4;
  const std::uint32_t other_at = first ? k.at >> 4 : k.at & (kGroup - 1);
  if (const std::uint32_t pair = free & (3u << at))
    return g * kGroup + static_cast<ConnId>(__builtin_ctz(pair));
  if (const std::uint32_t pair = other_free & (3u << other_at); pair && count16(other_free) > 2)
    return other * kGroup + static_cast<ConnId>(__builtin_ctz(pair));
  if (free == 0) return kNoConn;
  return g * kGroup + static_cast<ConnId>(__builtin_ctz(free));
}

// The home slot; with both homes full, the first group with room after the
// first home, and then the first home and every full group walked past count
// one more spilled entry.
ConnId ConnTable::place(const Probe& k) {
  const bool hinted = hint_placements_ == placements_ && hint_probe_.tag == k.tag &&
                      hint_probe_.g1 == k.g1 && hint_probe_.g2 == k.g2;
  ++placements_;
  ConnId id = hinted ? hint_slot_ : home_slot(k);
  if (id == kNoConn) {
    // size_ < capacity_ <= n_slots_, so some group other than the two full
    // homes has room and the walk ends within one turn.
    ++spilled_;
    spill_up(spill_[k.g1], kSpillStuck);
    std::uint32_t g = next_group(k.g1), free;
    for (; (free = group_matches(g, 0)) == 0; g = next_group(g)) spill_up(spill_[g], kSpillStuck);
    id = g * kGroup + static_cast<ConnId>(__builtin_ctz(free));
  }
  tags_[id] = static_cast<std::uint8_t>(k.tag);
  return id;
}

// Undoes place(): the groups a spilled entry was counted in are exactly the
// first home and those after it up to its own, whatever they hold now.
void ConnTable::unplace(ConnId id) {
  const Conn& c = conns_[id];
  const Probe k = probe(c.proto, c.caddr, c.cport);
  const std::uint32_t g = id / kGroup;
  if (g != k.g1 && g != k.g2) {
    --spilled_;
    spill_down(spill_[k.g1], kSpillStuck);
    for (std::uint32_t x = next_group(k.g1); x != g; x = next_group(x))
      spill_down(spill_[x], kSpillStuck);
  }
  tags_[id] = 0;
  ++placements_;
}

// Tag matches in the first home, then the second, then, while the group just
// left has spilled entries, the groups after the first home: the order
// first_candidate() follows for the homes.
template <class Match>
ConnId ConnTable::index_find(const Probe& k, Match&& match) const {
  auto scan = [&](std::uint32_t g) {
    for (std::uint32_t m = group_matches(g, k.tag); m != 0; m &= m - 1) {
      const ConnId id = g * kGroup + static_cast<ConnId>(__builtin_ctz(m));
      if (match(conns_[id])) return id;
    }
    return kNoConn;
  };
  __builtin_prefetch(tags_ + static_cast<std::size_t>(k.g2) * kGroup);  // both misses at once
  ConnId id = scan(k.g1);
  if (id != kNoConn) return id;
  if (k.g2 != k.g1 && (id = scan(k.g2)) != kNoConn) return id;
  for (std::uint32_t g = k.g1; spill_[g] != 0;) {
    g = next_group(g);
    if (g == k.g1) break;
    if (g != k.g2 && (id = scan(g)) != kNoConn) return id;
  }
  return kNoConn;
}

ConnId ConnTable::find_in(Proto proto, Ip4 saddr, std::uint16_t sport, Ip4 daddr,
                          std::uint16_t dport) const {
  return find_in(probe(proto, saddr, sport), proto, saddr, sport, daddr, dport);
}

ConnId ConnTable::find_in(const Probe& k, Proto proto, Ip4 saddr, std::uint16_t sport,
                          Ip4 daddr, std::uint16_t dport) const {
  const ConnId id = index_find(k, [&](const Conn& c) {
    return c.caddr == saddr && c.cport == sport && c.vaddr == daddr && c.vport == dport &&
           c.proto == proto;
  });
  // A miss from the client side is usually a new connection: ask for the slot
  // place() will give it now, so that its miss overlaps the scheduling.
  if (id == kNoConn) {
    const ConnId next = home_slot(k);
    if (next != kNoConn) prefetch_whole(next);
    hint_placements_ = placements_;
    hint_probe_ = k;
    hint_slot_ = next;
  }
  return id;
}

ConnId ConnTable::find_out(Proto proto, Ip4 saddr, std::uint16_t sport, Ip4 daddr,
                           std::uint16_t dport) const {
  return find_out(probe(proto, daddr, dport), proto, saddr, sport, daddr, dport);
}

ConnId ConnTable::find_out(const Probe& k, Proto proto, Ip4 saddr, std::uint16_t sport,
                           Ip4 daddr, std::uint16_t dport) const {
  return index_find(k, [&](const Conn& c) {
    return c.caddr == daddr && c.cport == dport && c.daddr == saddr && c.dport == sport &&
           c.proto == proto && (c.flags & kConnTemplate) == 0;
  });
}

void ConnTable::prefetch(Proto proto, Ip4 client, std::uint16_t client_port) const {
  prefetch(probe(proto, client, client_port));
}

void ConnTable::prefetch_entries(Proto proto, Ip4 client, std::uint16_t client_port) const {
  prefetch_entries(probe(proto, client, client_port));
}

void ConnTable::prefetch_entries(const Probe& k) const {
  for (std::uint32_t g : {k.g1, k.g2})
    for (std::uint32_t m = group_matches(g, k.tag); m != 0; m &= m - 1)
      prefetch_slot(g * kGroup + static_cast<ConnId>(__builtin_ctz(m)));
}

}  // namespace lvs
