// The engine as ipvsadm sees it: a plain snapshot for the listing formatters.
#include "lvs/engine.h"

namespace lvs {

IpvsListing Engine::listing(Time now) const {
  fold_stats();
  IpvsListing out;
  // The kernel's order, which ipvsadm --nosort keeps: its table of address
  // services first, then its table of firewall-mark services (the order
  // inside each follows a hash keyed on the netns pointer; creation order
  // stands in for it).
  for (bool fwmarks : {false, true})
    for (const auto& svc : services_)
      if (svc->cfg.key.is_fwmark() == fwmarks) out.services.push_back(snapshot_service(*svc));
  table_->for_each([&](ConnId id, const Conn& c) {
    if (c.flags & kConnMasquerade) return;
    IpvsConnEntry e;
    e.proto = c.proto;
    const Duration left = table_->expires_at(id) - now;
    e.expires_s = conn_expires_seconds(left);
    if (c.flags & kConnTemplate) {
      // ip_vs_state_name: a template's own states, whatever its protocol.
      e.state = c.state == kTemplateNone ? "NONE" : c.state == kTemplateAssured ? "ASSURED" : "ERR!";
    } else if (c.proto == Proto::kTcp) {
      e.state = std::string(tcp_state_name(static_cast<TcpState>(c.state)));
    } else if (c.proto == Proto::kUdp) {
      e.state = "UDP";
    } else {
      e.state = "NONE";
    }
    e.caddr = c.caddr;
    e.cport = c.cport;
    e.vaddr = c.vaddr;
    e.vport = c.vport;
    e.daddr = c.daddr;
    e.dport = c.dport;
    out.conns.push_back(std::move(e));
  });
  return out;
}

void Engine::zero_stats() {
  fold_stats();
  // ip_vs_zero_all: every service and the real servers in its list; a
  // deleted one waiting in the trash keeps its counters.
  for (auto& svc : services_) {
    svc->stats.zero();
    for (RealServer* d : svc->dests) d->stats.zero();
  }
  total_.zero();
}

}  // namespace lvs
