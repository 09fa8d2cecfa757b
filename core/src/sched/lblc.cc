// Locality-based least-connection (ip_vs_lblc.c): each destination address
// sticks to one server until that server is unusable or overloaded (more
// active connections than weight while another is below half its weight);
// then wlc picks a new one. Entries expire as in locality_table.h.

#include "sched/factories.h"
#include "sched/locality_index.h"
#include "sched/locality_table.h"

namespace lvs::sched {
namespace {

struct LblcEntry {
  Ip4 addr = 0;
  Jiffies lastuse = 0;
  RealServer* dest = nullptr;  // nullptr once the server left the service
  Ip4 gone_addr = 0;           // who it was, so a re-added server gets it back
  std::uint16_t gone_port = 0;
};

class LocalityLeastConn final : public Scheduler {
 public:
  std::string_view name() const override { return "lblc"; }
  void init_service(VirtualService& svc) override { idx_.rebuild(svc); }
  void start_timers(VirtualService& /*svc*/, Time bound_at) override { table_.start(to_jiffies(bound_at)); }
  void add_dest(VirtualService& svc, RealServer& d) override {
    idx_.add(svc, d);
    // The kernel revives the same dest object from its trash, entries included.
    table_.for_each([&d](LblcEntry& e) {
      if (!e.dest && e.gone_addr == d.cfg.addr && e.gone_port == d.cfg.port) e.dest = &d;
    });
  }
  void del_dest(VirtualService& /*svc*/, RealServer& d) override {
    idx_.remove(d);
    table_.for_each([&d](LblcEntry& e) {
      if (e.dest == &d) e = LblcEntry{e.addr, e.lastuse, nullptr, d.cfg.addr, d.cfg.port};
    });
  }
  // An entry keeps its server (ip_vs_lblc_new's ip_vs_dest_hold) until the
  // entry expires.
  bool holds_dest(const RealServer& d, Time now) override {
    table_.run_timers(to_jiffies(now));
    bool held = false;
    table_.for_each([&](const LblcEntry& e) {
      held |= !e.dest && e.gone_addr == d.cfg.addr && e.gone_port == d.cfg.port;
    });
    return held;
  }
  void upd_dest(VirtualService& /*svc*/, RealServer& d) override { idx_.refresh(d); }
  void counts_changed(VirtualService& /*svc*/, RealServer& d) override { idx_.refresh(d); }
  RealServer* schedule(VirtualService& svc, const SchedPacket& pkt, Time now) override;

 private:
  bool usable(const RealServer* d) const {
    return d && d->available() && d->weight() > 0 && !idx_.overloaded(*d);
  }

  LocalityIndex idx_;
  LocalityTable<LblcEntry> table_;
};

RealServer* LocalityLeastConn::schedule(VirtualService& svc, const SchedPacket& pkt, Time now) {
  idx_.ensure(svc);
  const Jiffies j = to_jiffies(now);
  table_.run_timers(j);
  if (LblcEntry* en = table_.find(pkt.daddr)) {
    en->lastuse = j;
    if (usable(en->dest)) return en->dest;
  }
  RealServer* d = idx_.least_loaded(svc);
  if (d == nullptr) return nullptr;
  // ip_vs_lblc_new(): keep a matching entry, else replace it.
  if (LblcEntry* en = table_.find(pkt.daddr)) {
    if (en->dest == d) return d;
    table_.unlink(pkt.daddr);
  }
  table_.insert(LblcEntry{pkt.daddr, j, d, 0, 0});
  return d;
}

}  // namespace

std::unique_ptr<Scheduler> make_lblc() { return std::make_unique<LocalityLeastConn>(); }

}  // namespace lvs::sched
