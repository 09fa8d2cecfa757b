// Locality-based least-connection with replication (ip_vs_lblcr.c): each
// destination address maps to a set of servers. The set's least loaded
// usable member serves it; when that one is overloaded wlc adds a server to
// the set, and a set unchanged for 24 h sheds its most loaded member.

#include "sched/factories.h"
#include "sched/lblcr_set.h"
#include "sched/locality_index.h"
#include "sched/locality_table.h"

namespace lvs::sched {
namespace {

struct LblcrEntry {
  Ip4 addr = 0;
  Jiffies lastuse = 0;
  ServerSet set;
};

class LocalityReplicated final : public Scheduler {
 public:
  std::string_view name() const override { return "lblcr"; }
  void init_service(VirtualService& svc) override { idx_.rebuild(svc); }
  void add_dest(VirtualService& svc, RealServer& d) override {
    idx_.add(svc, d);
    table_.for_each([&d](LblcrEntry& e) { e.set.relink(d); });
  }
  void del_dest(VirtualService& /*svc*/, RealServer& d) override {
    idx_.remove(d);
    table_.for_each([&d](LblcrEntry& e) { e.set.unlink(d); });
  }
  void upd_dest(VirtualService& /*svc*/, RealServer& d) override { idx_.refresh(d); }
  void counts_changed(VirtualService& /*svc*/, RealServer& d) override { idx_.refresh(d); }
  RealServer* schedule(VirtualService& svc, const SchedPacket& pkt, Time now) override;

 private:
  LocalityIndex idx_;
  LocalityTable<LblcrEntry> table_;
};

RealServer* LocalityReplicated::schedule(VirtualService& svc, const SchedPacket& pkt, Time now) {
  idx_.ensure(svc);
  const Jiffies j = to_jiffies(now);
  table_.run_timers(j);
  LblcrEntry* en = table_.find(pkt.daddr);
  if (en == nullptr) {
    RealServer* d = idx_.least_loaded();
    if (d == nullptr) return nullptr;
    LblcrEntry fresh{pkt.daddr, j, {}};
    fresh.set.insert(*d, j);
    table_.insert(std::move(fresh));
    return d;
  }
  en->lastuse = j;
  RealServer* d = en->set.least_loaded();
  if (en->set.size() > 1 && j > en->set.lastmod() + kExpiration) en->set.drop_most_loaded(j);
  if (d != nullptr && !idx_.overloaded(*d)) return d;
  d = idx_.least_loaded();
  if (d == nullptr) return nullptr;
  en->set.insert(*d, j);
  return d;
}

}  // namespace

std::unique_ptr<Scheduler> make_lblcr() { return std::make_unique<LocalityReplicated>(); }

}  // namespace lvs::sched
