#include "engine/masq_source_index.h"

#include <cassert>

namespace lvs {

MasqSourceIndex::MasqSourceIndex(const ConnTable& table) : table_(table) {
  // At most one source per entry; two per bucket when every entry of a full
  // table is a masquerade entry from a source of its own.
  std::size_t n = 16;
  shift_ = 64 - 4;
  while (n < table.capacity() / 2) {
    n *= 2;
    --shift_;
  }
  buckets_.assign(n, kNoConn);
  older_.reset(new ConnId[table.id_bound()]);
  newer_.reset(new ConnId[table.id_bound()]);
}

std::uint32_t MasqSourceIndex::bucket(Proto proto, Ip4 addr, std::uint16_t port) const {
  const std::uint64_t key =
      (std::uint64_t{addr} << 24) | (std::uint64_t{port} << 8) | static_cast<std::uint8_t>(proto);
  // Fibonacci hashing: the top bits of the product depend on every key bit.
  return static_cast<std::uint32_t>((key * 0x9e3779b97f4a7c15ull) >> shift_);
}

std::uint32_t MasqSourceIndex::bucket_of(ConnId id) const {
  const Conn& c = table_[id];
  return bucket(c.proto, c.daddr, c.dport);
}

// nf_nat_core.c's same_src: the original tuple's protocol and source.
bool MasqSourceIndex::same_src(ConnId id, Proto proto, Ip4 addr, std::uint16_t port) const {
  const Conn& c = table_[id];
  return c.proto == proto && c.daddr == addr && c.dport == port;
}

ConnId MasqSourceIndex::newest(Proto proto, Ip4 addr, std::uint16_t port) const {
  for (ConnId s = buckets_[bucket(proto, addr, port)]; s != kNoConn; s = newer_[s])
    if (same_src(s, proto, addr, port)) return s;
  return kNoConn;
}

void MasqSourceIndex::add(ConnId id) {
  const Conn& c = table_[id];
  assert(c.flags & kConnMasquerade);
  ConnId& head = buckets_[bucket(c.proto, c.daddr, c.dport)];
  ConnId* link = &head;
  while (*link != kNoConn && !same_src(*link, c.proto, c.daddr, c.dport)) link = &newer_[*link];
  const ConnId prev_newest = *link;
  if (prev_newest == kNoConn) {
    // A new source: first in its bucket, as hlist_add_head would put it.
    older_[id] = kNoConn;
    newer_[id] = head;
    head = id;
    return;
  }
  // Takes the previous newest's place in the bucket's chain of sources.
  newer_[id] = newer_[prev_newest];
  older_[id] = prev_newest;
  newer_[prev_newest] = id;
  *link = id;
}

void MasqSourceIndex::remove(ConnId id) {
  // Only the newest entry of a source is on the bucket's chain.
  ConnId* link = &buckets_[bucket_of(id)];
  while (*link != kNoConn && *link != id) link = &newer_[*link];
  const ConnId older = older_[id];
  if (*link == id) {
    if (older != kNoConn) newer_[older] = newer_[id];  // the next older one takes its place
    *link = older != kNoConn ? older : newer_[id];
  } else {
    assert(newer_[id] != kNoConn);
    older_[newer_[id]] = older;
    if (older != kNoConn) newer_[older] = newer_[id];
  }
}

}  // namespace lvs
