#pragma once
// Masquerade entries by their original source (protocol, real-server address
// and port), newest first: netfilter's nf_nat_bysource hash, which
// find_appropriate_src searches for a mapping to reuse. nf_nat_setup_info
// adds a conntrack at the head of its chain (hlist_add_head_rcu) and it
// leaves when freed, so the first entry of a source found is its newest.
// Here an entry leaves when it leaves the table (Engine::expire_now).
//
// Layout, all allocated up front: a bucket array of sources, and two links
// per table slot. Each source keeps its entries in a list, newest first
// (older_/newer_); the newest entry of each source also chains the sources
// of its bucket (through its newer_ link, which it has no other use for).
// So every operation walks only the sources of one bucket, however many
// entries a source has (a fixed-port UDP client talking to many peers).
// Memory: 2 to 4 bytes per connection of the table's capacity for the
// buckets, 8 per slot for the links; those are written only where masquerade entries
// have been, so pages no entry reaches are never faulted in.
#include <cstdint>
#include <memory>
#include <vector>

#include "lvs/conn_table.h"

namespace lvs {

class MasqSourceIndex {
 public:
  // Room for every entry of `table` (all of its slots).
  explicit MasqSourceIndex(const ConnTable& table);

  // The newest live entry with this original source, or kNoConn.
  ConnId newest(Proto proto, Ip4 addr, std::uint16_t port) const;
  // `id`, a masquerade entry just inserted, becomes its source's newest.
  void add(ConnId id);
  // Before `id` leaves the table.
  void remove(ConnId id);

 private:
  std::uint32_t bucket(Proto proto, Ip4 addr, std::uint16_t port) const;
  std::uint32_t bucket_of(ConnId id) const;
  bool same_src(ConnId id, Proto proto, Ip4 addr, std::uint16_t port) const;

  const ConnTable& table_;
  std::vector<ConnId> buckets_;  // a power of two: newest entry of the bucket's first source
  // By slot, valid for masquerade entries only (left uninitialized):
  std::unique_ptr<ConnId[]> older_;  // the next older entry of the same source
  std::unique_ptr<ConnId[]> newer_;  // the next newer one, or (newest) the bucket's next source
  unsigned shift_ = 0;               // 64 - log2(bucket count)
};

}  // namespace lvs
