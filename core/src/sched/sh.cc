// Source hashing (ip_vs_sh.c): 256 buckets tiled over the list, each server
// taking `weight` consecutive buckets (at least one), indexed by
// hash_32(sport_if_sh_port + saddr, 8). With sh-fallback an unusable owner
// is replaced by probing the table from a second hash-derived start.

#include <array>

#include "sched/factories.h"
#include "sched/hash_input.h"
#include "sched/kernel_hash.h"

namespace lvs::sched {
namespace {

constexpr unsigned kTabBits = 8;
constexpr std::uint32_t kTabSize = 1u << kTabBits;
constexpr std::uint32_t kTabMask = kTabSize - 1;

class SourceHashing final : public Scheduler {
 public:
  std::string_view name() const override { return "sh"; }
  void init_service(VirtualService& svc) override { reassign(svc); }
  void add_dest(VirtualService& svc, RealServer& /*d*/) override { reassign(svc); }
  void del_dest(VirtualService& svc, RealServer& /*d*/) override { reassign(svc); }
  void upd_dest(VirtualService& svc, RealServer& /*d*/) override { reassign(svc); }

  RealServer* schedule(VirtualService& svc, const SchedPacket& pkt, Time /*now*/) override {
    const std::uint32_t key = static_cast<std::uint32_t>(hashed_port(svc, pkt)) + pkt.saddr;
    const std::uint32_t ihash = bucket(key, 0);
    RealServer* d = buckets_[ihash];
    if (d == nullptr) return nullptr;
    if (!hash_unavailable(*d)) return d;
    if (!wants_fallback(svc)) return nullptr;
    for (std::uint32_t offset = 0; offset < kTabSize; ++offset) {
      d = buckets_[bucket(key, (offset + ihash) % kTabSize)];
      if (d == nullptr) break;
      if (!hash_unavailable(*d)) return d;
    }
    return nullptr;
  }

 private:
  static std::uint32_t bucket(std::uint32_t key, std::uint32_t offset) {
    return (offset + hash_32(key, kTabBits)) & kTabMask;
  }
  void reassign(const VirtualService& svc) {
    std::size_t p = 0;
    std::int32_t count = 0;
    for (std::uint32_t i = 0; i < kTabSize; ++i) {
      if (svc.dests.empty()) {
        buckets_[i] = nullptr;
        continue;
      }
      if (p == svc.dests.size()) p = 0;
      buckets_[i] = svc.dests[p];
      if (++count >= svc.dests[p]->weight()) {
        ++p;
        count = 0;
      }
    }
  }

  std::array<RealServer*, kTabSize> buckets_{};
};

}  // namespace

std::unique_ptr<Scheduler> make_sh() { return std::make_unique<SourceHashing>(); }

}  // namespace lvs::sched
