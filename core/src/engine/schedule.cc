// New connections: service lookup, scheduling and persistence
// (IPVS's ip_vs_service_find, ip_vs_schedule, ip_vs_sched_persist).
#include <utility>

#include "lvs/engine.h"

namespace lvs {
namespace {

std::uint64_t addr_key(Proto proto, Ip4 addr, std::uint16_t port) {
  return (std::uint64_t{static_cast<std::uint8_t>(proto)} << 48) | (std::uint64_t{addr} << 16) |
         port;
}

// Kernel templates invalidated by ip_vs_check_template() get this port, so
// they no longer match and linger until their own timer.
constexpr std::uint16_t kInvalidTemplatePort = 0xffff;

// IPVS's FTPPORT: a persistent FTP service's template leaves out the port, so
// that the data connections on other ports share it.
constexpr std::uint16_t kFtpPort = 21;
constexpr std::uint16_t kFtpDataPort = 20;

// svc->port: a firewall-mark service has none.
std::uint16_t service_port(const VirtualService& svc) {
  return svc.cfg.key.is_fwmark() ? 0 : svc.cfg.key.port;
}

}  // namespace

// As ip_vs_service_find: firewall mark first, then proto/address/port; a
// TCP packet to the FTP data port or to an unprivileged port then tries the
// address's FTP service (passive FTP data connections), and last comes a
// port-zero service.
VirtualService* Engine::lookup_service(Proto proto, Ip4 vaddr, std::uint16_t vport,
                                       std::uint32_t fwmark) const {
  if (fwmark != 0) {
    auto it = svc_by_fwmark_.find(fwmark);
    if (it != svc_by_fwmark_.end()) return it->second;
  }
  if (svc_by_addr_.empty()) return nullptr;
  auto it = svc_by_addr_.find(addr_key(proto, vaddr, vport));
  if (it != svc_by_addr_.end()) return it->second;
  if (proto == Proto::kTcp && (vport == kFtpDataPort || vport >= cfg_.unprivileged_port_start)) {
    it = svc_by_addr_.find(addr_key(proto, vaddr, kFtpPort));
    if (it != svc_by_addr_.end()) return it->second;
  }
  it = svc_by_addr_.find(addr_key(proto, vaddr, 0));
  return it == svc_by_addr_.end() ? nullptr : it->second;
}

// ip_vs_leave (cache_bypass is not modelled): a packet the service found no
// server for. One that reached an FTP service through another port is not
// IPVS's to refuse and goes on to the director's stack; any other is
// answered with ICMP port unreachable and dropped.
Verdict Engine::leave(const PacketView& p, const VirtualService& svc) {
  if (service_port(svc) == kFtpPort && p.dport != kFtpPort) {
    Verdict v;
    if (is_local(p.daddr)) v.action = Action::kLocal;
    return v;
  }
  Verdict v = drop(DropReason::kNoDestination);
  v.icmp_unreachable = true;
  return v;
}

bool Engine::template_valid(const Conn& tmpl) const {
  const RealServer* rs = dest_by_id(tmpl.dest);
  if (!rs || !rs->available()) return false;
  return !(cfg_.expire_quiescent_template && rs->weight() == 0);
}

// Finds or creates the persistence template for this client network; sets
// `dest` to its real server, or leaves it null (no server, or `full`).
ConnId Engine::persistent_template(VirtualService& svc, const PacketView& p,
                                   std::uint32_t fwmark, Time now, RealServer*& dest,
                                   bool& full) {
  const Ip4 snet = p.saddr & svc.cfg.netmask;
  // As ip_vs_sched_persist: <proto, cnet, 0, vaddr, vport> for the service's
  // own port, <proto, cnet, 0, vaddr, 0> for FTP's and for a port-zero
  // service, <IP, cnet, 0, fwmark, 0> for a firewall mark.
  const bool own_port = p.dport == service_port(svc);
  const bool port_specific = own_port && service_port(svc) != kFtpPort;
  const bool by_mark = !own_port && svc.cfg.key.is_fwmark();
  const Proto t_proto = by_mark ? Proto::kIp : p.proto;
  const Ip4 t_vaddr = by_mark ? svc.cfg.key.fwmark : p.daddr;
  const std::uint16_t t_vport = port_specific ? p.dport : 0;

  ConnId tid = table_->find_in(t_proto, snet, 0, t_vaddr, t_vport);
  if (tid != kNoConn) {
    Conn& t = (*table_)[tid];
    if (template_valid(t)) {
      dest = dests_[t.dest].rs.get();
      return tid;
    }
    // Invalidate in place: the index hashes only the client side, which is unchanged.
    t.vport = kInvalidTemplatePort;
    t.dport = kInvalidTemplatePort;
  }
  const SchedPacket sp{p.proto, p.saddr, p.daddr, p.sport, p.dport};
  RealServer* rs = svc.sched ? svc.sched->schedule(svc, sp, now) : nullptr;
  if (!rs) return kNoConn;

  Conn t;
  t.proto = t_proto;
  t.caddr = snet;
  t.vaddr = t_vaddr;
  t.vport = t_vport;
  t.daddr = rs->cfg.addr;
  t.dport = port_specific ? rs->cfg.port : 0;
  // ip_vs_bind_dest gives the template its real server's conn_flags: the
  // method, INACTIVE always, and NOOUTPUT for other than NAT.
  t.flags = static_cast<std::uint16_t>(kConnTemplate | kConnInactive | static_cast<std::uint16_t>(rs->cfg.fwd));
  if (rs->cfg.fwd != ForwardMethod::kMasq) t.flags |= kConnNoOutput;
  t.dest = rs->id;
  ConnExt x;
  x.control = 0;  // in_pkts
  tid = table_->insert(t, now + svc.cfg.timeout, x);
  if (tid == kNoConn) {
    full = true;
    return kNoConn;
  }
  record_fwmark(tid, fwmark, rs);
  bind_dest(t);
  dest = rs;
  return tid;
}

Verdict Engine::schedule_new(PacketView& p, VirtualService& svc, std::uint32_t fwmark,
                             Time now) {
  Verdict not_ours;
  if ((p.proto == Proto::kTcp &&
       (((p.tcp_flags & kTcpSyn) == 0 && !cfg_.sloppy_tcp) || (p.tcp_flags & kTcpRst))) ||
      p.sport == kFtpDataPort) {
    // Not a connection start (or active FTP data, which ip_vs_schedule never
    // schedules): IPVS lets it through to the local stack.
    if (is_local(p.daddr)) not_ours.action = Action::kLocal;
    return not_ours;
  }
  RealServer* rs = nullptr;
  ConnId tmpl = kNoConn;
  if (svc.cfg.persistent()) {
    bool full = false;
    tmpl = persistent_template(svc, p, fwmark, now, rs, full);
    if (full) return drop(DropReason::kTableFull);
  } else if (svc.cfg.key.is_fwmark() || p.dport == svc.cfg.key.port) {
    const SchedPacket sp{p.proto, p.saddr, p.daddr, p.sport, p.dport};
    rs = svc.sched ? svc.sched->schedule(svc, sp, now) : nullptr;
  }
  // Without persistence only a firewall mark or the service's own port is
  // scheduled (a port-zero service needs persistence, and so does FTP data
  // on other ports); ip_vs_schedule refuses the rest.
  if (!rs) return leave(p, svc);

  const auto fwd = static_cast<std::uint16_t>(rs->cfg.fwd);
  Conn c;
  c.proto = p.proto;
  c.caddr = p.saddr;
  c.cport = p.sport;
  c.vaddr = p.daddr;
  c.vport = p.dport;
  c.daddr = rs->cfg.addr;
  // ip_vs_schedule maps to the real server's port whenever it has one;
  // ip_vs_sched_persist only on the service's own port (not for a firewall
  // mark or a port-zero service).
  const bool map_port = !svc.cfg.persistent() || p.dport == service_port(svc);
  c.dport = map_port && rs->cfg.port ? rs->cfg.port : p.dport;
  // Like the kernel, every connection starts counted as inactive.
  c.flags = static_cast<std::uint16_t>(fwd | kConnInactive);
  if (rs->cfg.fwd != ForwardMethod::kMasq) c.flags |= kConnNoOutput;
  if (p.proto == Proto::kUdp && (svc.cfg.flags & kSvcOnePacket)) c.flags |= kConnOnePacket;
  c.state = p.proto == Proto::kTcp ? static_cast<std::uint8_t>(TcpState::kNone) : kUdpStateNormal;
  c.dest = rs->id;
  ConnExt x;
  x.control = tmpl;
  // ip_vs_in's state change and in_pkts for this packet, made on the local
  // copy: the entry is stored in its final form, with its timer in the right
  // list at once, and below only a sync master and one-packet scheduling read
  // it back. Its slot is likely still on its way from memory; waiting for it
  // here cost a third of a new connection's time (tests/bench/README.md,
  // session 15).
  first_state(c, p.tcp_flags);
  c.aux = 1;

  const ConnId id = table_->insert(c, conn_expiry(c, now), x);
  if (id == kNoConn) return drop(DropReason::kTableFull);
  record_fwmark(id, fwmark, rs);
  // From the local copy. The scheduler hears of the bind and of the first
  // state change at once.
  defer_counts_ = true;
  bind_dest(c);
  if (tmpl != kNoConn) {
    Conn& t = (*table_)[tmpl];
    ++t.aux;
    // ip_vs_conn_put(ct): the template's own timeout.
    table_->touch(tmpl, entry_expiry(tmpl, now));
  }
  if (c.proto == Proto::kTcp && c.state == static_cast<std::uint8_t>(TcpState::kEstablished))
    assure_template(c, tmpl);
  ++rs->stats.counters.conns;
  ++svc.stats.counters.conns;
  ++total_.counters.conns;

  if (table_->size() > peak_conns_) peak_conns_ = table_->size();
  Verdict v = deliver_in(p, c, id, now);
  defer_counts_ = false;
  if (RealServer* changed = std::exchange(counts_pending_, nullptr)) sched_counts_changed(*changed);
  v.new_conn = true;
  // One-packet scheduling: the connection ends with its only datagram.
  if (c.flags & kConnOnePacket) {
    expire_now(id);
    v.conn = kNoConn;
  }
  return v;
}

}  // namespace lvs
