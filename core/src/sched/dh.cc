// Destination hashing (ip_vs_dh.c): 256 buckets filled round-robin over the
// list, indexed by hash_32(daddr, 8). No fallback: an unusable bucket owner
// means no server.

#include <array>

#include "sched/factories.h"
#include "sched/kernel_hash.h"

namespace lvs::sched {
namespace {

constexpr unsigned kTabBits = 8;
constexpr std::size_t kTabSize = 1u << kTabBits;

class DestinationHashing final : public Scheduler {
 public:
  std::string_view name() const override { return "dh"; }
  void init_service(VirtualService& svc) override { reassign(svc); }
  void add_dest(VirtualService& svc, RealServer& /*d*/) override { reassign(svc); }
  void del_dest(VirtualService& svc, RealServer& /*d*/) override { reassign(svc); }
  // The kernel's dh has no upd_dest: weights do not shape its table.

  RealServer* schedule(VirtualService& /*svc*/, const SchedPacket& pkt, Time /*now*/) override {
    RealServer* d = buckets_[hash_32(pkt.daddr, kTabBits)];
    if (d == nullptr || !d->available() || d->weight() <= 0 || d->overloaded()) return nullptr;
    return d;
  }

 private:
  void reassign(const VirtualService& svc) {
    const std::size_t n = svc.dests.size();
    for (std::size_t i = 0; i < kTabSize; ++i) buckets_[i] = n ? svc.dests[i % n] : nullptr;
  }

  std::array<RealServer*, kTabSize> buckets_{};
};

}  // namespace

std::unique_ptr<Scheduler> make_dh() { return std::make_unique<DestinationHashing>(); }

}  // namespace lvs::sched
