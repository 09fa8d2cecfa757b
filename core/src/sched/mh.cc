// Maglev hashing (ip_vs_mh.c) with the kernel's default table of 4093
// entries. Each server's preference list starts at hsiphash(port + addr,
// key1) % 4093 and steps by hsiphash(port + addr, key2) % 4092 + 1; servers
// take turns (last_weight / gcd >> rshift slots per round) claiming free
// entries. The kernel keys hsiphash with the fixed constants of its
// generate_hash_secret(), so nothing is drawn from the RandomSource.

#include "sched/factories.h"
#include "sched/hash_input.h"
#include "sched/mh_table.h"

namespace lvs::sched {
namespace {

class MaglevHashing final : public Scheduler {
 public:
  std::string_view name() const override { return "mh"; }
  // ip_vs_mh_init_svc() and ip_vs_mh_dest_changed() both rebuild the table
  // from every server's last_weight, which the engine keeps.
  void init_service(VirtualService& svc) override { reassign(svc); }
  void add_dest(VirtualService& svc, RealServer& /*d*/) override { reassign(svc); }
  // Past kSize servers the kernel keeps its old table, entries for a deleted
  // server included; the engine keeps that server while its service lives
  // (its trash), so the entry stays valid and is served as the kernel does.
  void del_dest(VirtualService& svc, RealServer& /*d*/) override { reassign(svc); }
  void upd_dest(VirtualService& svc, RealServer& /*d*/) override { reassign(svc); }

  RealServer* schedule(VirtualService& svc, const SchedPacket& pkt, Time /*now*/) override {
    const std::uint32_t key = static_cast<std::uint32_t>(hashed_port(svc, pkt)) + pkt.saddr;
    const std::uint32_t ihash = MhTable::slot_of(key, 0);
    RealServer* d = table_.at(ihash);
    if (d == nullptr) return nullptr;
    if (!hash_unavailable(*d)) return d;
    if (!wants_fallback(svc)) return nullptr;
    for (std::uint32_t offset = 0; offset < MhTable::kSize; ++offset) {
      d = table_.at(MhTable::slot_of(key, (offset + ihash) % MhTable::kSize));
      if (d == nullptr) break;
      if (!hash_unavailable(*d)) return d;
    }
    return nullptr;
  }

 private:
  // The kernel refuses more servers than table entries and keeps the old table.
  void reassign(const VirtualService& svc) {
    if (svc.dests.size() > MhTable::kSize) return;
    table_.populate(svc.dests);
  }

  MhTable table_;
};

}  // namespace

std::unique_ptr<Scheduler> make_mh() { return std::make_unique<MaglevHashing>(); }

}  // namespace lvs::sched
