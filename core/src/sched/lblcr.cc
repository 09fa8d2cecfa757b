// Locality-based least-connection with replication (ip_vs_lblcr.c): each
// destination address maps to a set of servers. The set's least loaded
// usable member serves it; when that one is overloaded wlc adds a server to
// the set, and a set unchanged for 24 h sheds its most loaded member.

#include "sched/factories.h"
#include "sched/lblcr_dest_keys.h"
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
  void init_service(VirtualService& svc) override {
    idx_.rebuild(svc);
    sync(svc);
  }
  void start_timers(VirtualService& /*svc*/, Time bound_at) override { table_.start(to_jiffies(bound_at)); }
  void add_dest(VirtualService& svc, RealServer& d) override {
    idx_.add(svc, d);
    sync(svc);  // also gives a server back from the trash its frozen members
  }
  void del_dest(VirtualService& /*svc*/, RealServer& d) override {
    idx_.remove(d);
    keys_.unlink(d, moved_);
    rename_members();
  }
  // A set keeps its members (ip_vs_dest_set_insert's ip_vs_dest_hold) until
  // it drops them or expires.
  bool holds_dest(const RealServer& d, Time now) override {
    table_.run_timers(to_jiffies(now));
    const MemberId id = keys_.frozen_id(d);
    bool held = false;
    if (id != kNoId) table_.for_each([&](const LblcrEntry& e) { held |= e.set.contains(id); });
    return held;
  }
  void upd_dest(VirtualService& /*svc*/, RealServer& d) override { reread(d); }
  void counts_changed(VirtualService& /*svc*/, RealServer& d) override { reread(d); }
  RealServer* schedule(VirtualService& svc, const SchedPacket& pkt, Time now) override;

 private:
  void reread(RealServer& d) {
    if (!idx_.holds(d)) {
      if (!d.available()) keys_.refresh_frozen(d);
      return;
    }
    idx_.refresh(d);
    keys_.refresh(d);
  }
  // is_overloaded() from DestKeys' byte and the tree's root, without
  // reading the server's line (the caller will, and it is still coming in).
  bool overloaded(MemberId id) const {
    return (keys_.flags(id) & kBusy) != 0 &&
           (LocalityMonoid::flags(idx_.tree().root()) & kUnderloaded) != 0;
  }
  void sync(const VirtualService& svc) {
    keys_.sync(svc, moved_);
    rename_members();
  }
  void rename_members() {
    if (moved_.empty()) return;
    table_.for_each([this](LblcrEntry& e) { e.set.remap(moved_); });
    keys_.settle(moved_);
  }

  LocalityIndex idx_;
  DestKeys keys_;
  MemberMap moved_;
  LocalityTable<LblcrEntry> table_;
};

RealServer* LocalityReplicated::schedule(VirtualService& svc, const SchedPacket& pkt, Time now) {
  idx_.ensure(svc);
  if (!keys_.synced(svc)) sync(svc);
  const Jiffies j = to_jiffies(now);
  table_.run_timers(j);
  LblcrEntry* en = table_.find(pkt.daddr);
  if (en == nullptr) {
    RealServer* d = idx_.least_loaded(svc);
    if (d == nullptr) return nullptr;
    LblcrEntry fresh{pkt.daddr, j, {}};
    fresh.set.insert(keys_, *d, j);
    table_.insert(std::move(fresh));
    return d;
  }
  en->lastuse = j;
  const long least = en->set.least_loaded(idx_, keys_);
  if (en->set.size() > 1 && j > en->set.lastmod() + kExpiration)
    en->set.drop_most_loaded(idx_, keys_, j);
  if (least >= 0 && !overloaded(static_cast<MemberId>(least))) return idx_.at(least);
  RealServer* d = idx_.least_loaded(svc);
  if (d == nullptr) return nullptr;
  en->set.insert(keys_, *d, j);
  return d;
}

}  // namespace

std::unique_ptr<Scheduler> make_lblcr() { return std::make_unique<LocalityReplicated>(); }

}  // namespace lvs::sched
