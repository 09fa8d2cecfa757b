// The connection index: a bucketized cuckoo hash keyed on the client side
// (proto, client address, client port), one entry per connection.
#include <cassert>
#include <utility>

#include "lvs/conn_table.h"

namespace lvs {

bool ConnTable::bucket_put(std::uint32_t bucket, std::uint32_t tag, ConnId id) {
  Bucket& b = buckets_[bucket];
  for (int i = 0; i < 8; ++i) {
    if (b.tag[i] == 0) {
      b.tag[i] = tag;
      b.id[i] = id;
      return true;
    }
  }
  return false;
}

// Random-walk cuckoo insertion; on failure every move is undone, so existing
// entries never lose their place.
bool ConnTable::index_insert(const Probe& k, ConnId id) {
  if (bucket_put(k.b1, k.tag, id) || bucket_put(k.b2, k.tag, id)) return true;
  struct Move {
    std::uint32_t bucket;
    std::uint32_t pos;
  };
  Move path[kMaxKicks];
  std::uint32_t tag = k.tag;
  ConnId moving = id;
  rng_ ^= rng_ << 13, rng_ ^= rng_ >> 7, rng_ ^= rng_ << 17;
  std::uint32_t bucket = (rng_ & 1) ? k.b1 : k.b2;
  for (int step = 0; step < kMaxKicks; ++step) {
    rng_ ^= rng_ << 13, rng_ ^= rng_ >> 7, rng_ ^= rng_ << 17;
    const auto pos = static_cast<std::uint32_t>(rng_ >> 61);
    Bucket& b = buckets_[bucket];
    std::swap(tag, b.tag[pos]);
    std::swap(moving, b.id[pos]);
    path[step] = {bucket, pos};
    bucket = alt_bucket(bucket, tag);
    if (bucket_put(bucket, tag, moving)) return true;
  }
  for (int step = kMaxKicks - 1; step >= 0; --step) {
    Bucket& b = buckets_[path[step].bucket];
    std::swap(tag, b.tag[path[step].pos]);
    std::swap(moving, b.id[path[step].pos]);
  }
  assert(moving == id);
  return false;
}

void ConnTable::index_remove(ConnId id) {
  const Conn& c = slots_[id].conn;
  const Probe k = key_hash(c.proto, c.caddr, c.cport);
  for (std::uint32_t bucket : {k.b1, k.b2}) {
    Bucket& b = buckets_[bucket];
    for (std::uint32_t m = tag_matches(b.tag, k.tag); m != 0; m &= m - 1) {
      const int i = __builtin_ctz(m);
      if (b.id[i] == id) {
        b.tag[i] = 0;
        b.id[i] = kNoConn;
        return;
      }
    }
  }
  assert(false && "live entry missing from the index");
}

template <class Match>
ConnId ConnTable::index_find(const Probe& k, Match&& match) const {
  __builtin_prefetch(&buckets_[k.b2]);  // overlaps the second miss with the first
  for (std::uint32_t bucket : {k.b1, k.b2}) {
    const Bucket& b = buckets_[bucket];
    for (std::uint32_t m = tag_matches(b.tag, k.tag); m != 0; m &= m - 1) {
      const ConnId id = b.id[__builtin_ctz(m)];
      prefetch_slot(id);  // a 48-byte slot may straddle two lines: ask for both at once
      if (match(slots_[id].conn)) return id;
    }
    if (k.b2 == k.b1) break;
  }
  return kNoConn;
}

ConnId ConnTable::find_in(Proto proto, Ip4 saddr, std::uint16_t sport, Ip4 daddr,
                          std::uint16_t dport) const {
  return find_in(key_hash(proto, saddr, sport), proto, saddr, sport, daddr, dport);
}

ConnId ConnTable::find_in(const Probe& k, Proto proto, Ip4 saddr, std::uint16_t sport,
                          Ip4 daddr, std::uint16_t dport) const {
  return index_find(k, [&](const Conn& c) {
    return c.caddr == saddr && c.cport == sport && c.vaddr == daddr && c.vport == dport &&
           c.proto == proto;
  });
}

ConnId ConnTable::find_out(Proto proto, Ip4 saddr, std::uint16_t sport, Ip4 daddr,
                           std::uint16_t dport) const {
  return find_out(key_hash(proto, daddr, dport), proto, saddr, sport, daddr, dport);
}

ConnId ConnTable::find_out(const Probe& k, Proto proto, Ip4 saddr, std::uint16_t sport,
                           Ip4 daddr, std::uint16_t dport) const {
  return index_find(k, [&](const Conn& c) {
    return c.caddr == daddr && c.cport == dport && c.daddr == saddr && c.dport == sport &&
           c.proto == proto && (c.flags & kConnTemplate) == 0;
  });
}

void ConnTable::prefetch(Proto proto, Ip4 client, std::uint16_t client_port) const {
  prefetch(key_hash(proto, client, client_port));
}

void ConnTable::prefetch_entries(Proto proto, Ip4 client, std::uint16_t client_port) const {
  prefetch_entries(key_hash(proto, client, client_port));
}

void ConnTable::prefetch_entries(const Probe& k) const {
  for (std::uint32_t bucket : {k.b1, k.b2}) {
    const Bucket& b = buckets_[bucket];
    for (std::uint32_t m = tag_matches(b.tag, k.tag); m != 0; m &= m - 1)
      prefetch_slot(b.id[__builtin_ctz(m)]);
  }
}

}  // namespace lvs
