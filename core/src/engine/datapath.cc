// The packet path: IPVS's ip_vs_in (from clients) and ip_vs_out (from real
// servers), plus the ICMP errors that quote their connections.
#include "lvs/engine.h"
#include "lvs/engine_fast_path.h"

namespace lvs {
namespace {

bool is_tcp_or_udp(Proto p) { return p == Proto::kTcp || p == Proto::kUdp; }

// IPVS's is_new_conn_expected() for conn_reuse_mode: a SYN on a closing
// connection that no template controls starts a new connection.
bool new_conn_expected(const Conn& c, ConnId control, int reuse_mode) {
  if (control != kNoConn || c.proto != Proto::kTcp) return false;
  const auto s = static_cast<TcpState>(c.state);
  return s == TcpState::kTimeWait || s == TcpState::kClose ||
         ((reuse_mode & 2) && s == TcpState::kFinWait && (c.flags & kConnNoOutput));
}

void count_packet(Stats& s, bool in, std::size_t bytes) {
  if (in) {
    ++s.counters.inpkts;
    s.counters.inbytes += bytes;
  } else {
    ++s.counters.outpkts;
    s.counters.outbytes += bytes;
  }
}

// ip_vs_in_stats / ip_vs_out_stats: the real server, and through it
// (Engine::fold_stats) its service and the totals.
// ip_vs_in_stats / ip_vs_out_stats: nothing is counted for a real server
// that has left its service (not IP_VS_DEST_F_AVAILABLE), not even in the
// service's or the totals' counters.
void count_conn_packet(RealServer* rs, bool in, std::size_t bytes) {
  if (rs && rs->available()) count_packet(rs->stats, in, bytes);
}

// A packet of connection `id` leaving towards the real servers (in) or the clients.
Verdict forward_verdict(const Conn& c, ConnId id, Side out, Ip4 next_hop) {
  Verdict v;
  v.action = Action::kForward;
  v.out = out;
  v.next_hop = next_hop;
  v.conn = id;
  v.method = out == Side::kInside ? static_cast<ForwardMethod>(c.flags & kConnFwdMask)
                                  : ForwardMethod::kMasq;
  return v;
}

// The ICMP message (header and quote) sums to zero with its checksum.
bool icmp_checksum_ok(const PacketView& p) {
  return csum_compute(p.data + p.l4_off, p.len - p.l4_off) == 0;
}

// NAT connections and masqueraded flows are rewritten; DR/TUN go out unchanged.
bool rewritten(const Conn& c) {
  return (c.flags & kConnMasquerade) ||
         static_cast<ForwardMethod>(c.flags & kConnFwdMask) == ForwardMethod::kMasq;
}

}  // namespace

Verdict Engine::drop(DropReason r) {
  ++drops_[static_cast<std::size_t>(r)];
  Verdict v;
  v.action = Action::kDrop;
  v.reason = r;
  return v;
}

std::uint32_t Engine::established_expiry_slow(Time now) {
  const Duration timeout = cfg_.timeouts.for_tcp(TcpState::kEstablished);
  Time window = Time::min();
  const std::uint32_t tick = table_->expiry_tick(now + timeout, window);
  if (window != Time::min()) {
    expiry_from_ = window - timeout;
    expiry_tick_ = tick;
  }
  return tick;
}

Verdict Engine::process_general(std::uint8_t* data, std::size_t len, Side side, Time now,
                                std::uint32_t fwmark) {
  if (now != last_advance_) advance(now);
  PlainTcp t;
  if (read_plain_tcp(data, len, t)) {
    // Connections are indexed by their client side.
    const bool from_client = side == Side::kOutside;
    const ConnTable::Probe k =
        table_->probe_key(from_client ? t.client_key<true>() : t.client_key<false>());
    PacketView p = plain_tcp_view(t);
    return from_client ? from_outside(p, now, fwmark, &k) : from_inside(p, now, &k);
  }
  PacketView p;
  const ParseStatus st = parse_ipv4(data, len, p);
  if (st != ParseStatus::kOk) return drop(static_cast<DropReason>(st));
  return side == Side::kOutside ? from_outside(p, now, fwmark) : from_inside(p, now);
}

Verdict Engine::from_outside(PacketView& p, Time now, std::uint32_t fwmark,
                             const ConnTable::Probe* probe) {
  if (p.proto == Proto::kIcmp && is_icmp_error(p.icmp_type)) {
    bool handled = false;
    Verdict v = icmp_from_outside(p, handled);
    if (handled) return v;
  }
  if (is_tcp_or_udp(p.proto)) {
    ConnId id = probe ? table_->find_in(*probe, p.proto, p.saddr, p.sport, p.daddr, p.dport)
                      : table_->find_in(p.proto, p.saddr, p.sport, p.daddr, p.dport);
    if (id != kNoConn) {
      Conn& c = (*table_)[id];
      RealServer* rs = dest_of(c);
      if (cfg_.conn_reuse_mode && p.proto == Proto::kTcp && (p.tcp_flags & kTcpSyn) &&
          ((cfg_.expire_nodest_conn && rs && rs->weight() == 0) ||
           new_conn_expected(c, table_->ext(id).control, cfg_.conn_reuse_mode))) {
        expire_now(id);
        id = kNoConn;
      } else if (rs && !rs->available()) {
        if (!cfg_.expire_nodest_conn) return drop(DropReason::kDestUnavailable);
        expire_now(id);
        id = kNoConn;
      }
    }
    if (id != kNoConn) return forward_in(p, id, now);
    if (VirtualService* svc = lookup_service(p.proto, p.daddr, p.dport, fwmark))
      return schedule_new(p, *svc, fwmark, now);
  }
  Verdict v;
  if (is_local(p.daddr)) {
    v.action = Action::kLocal;
  } else if (is_inside(p.daddr)) {
    return drop(DropReason::kToPrivateAddress);
  }
  return v;
}

Verdict Engine::forward_in(PacketView& p, ConnId id, Time now) {
  Conn& c = (*table_)[id];
  const bool masq_entry = (c.flags & kConnMasquerade) != 0;
  // For a masqueraded flow the real server is the initiator: outside replies are its OUTPUT.
  set_state(c, id, masq_entry ? ConnDir::kOutput : ConnDir::kInput, p.tcp_flags, now);
  ++c.aux;
  return deliver_in(p, c, id, now);
}

Verdict Engine::deliver_in(PacketView& p, const Conn& c, ConnId id, Time now) {
  count_conn_packet(dest_of(c), true, p.len);
  if (rewritten(c)) rewrite_daddr_dport(p, c.daddr, c.dport);
  ++forwarded_;
  if (__builtin_expect(sync_master_ != nullptr, 0)) {
    sync_conn(id, now);  // engine/sync.cc
  } else if (c.flags & kConnOnePacket) {
    const ConnId tmpl = table_->ext(id).control;
    if (tmpl != kNoConn) ++table_->template_in_pkts(tmpl);  // ip_vs_sync_conn counts it on a master
  }
  return forward_verdict(c, id, Side::kInside, c.daddr);
}

Verdict Engine::forward_out(PacketView& p, ConnId id, Time now) {
  Conn& c = (*table_)[id];
  const bool masq_entry = (c.flags & kConnMasquerade) != 0;
  set_state(c, id, masq_entry ? ConnDir::kInput : ConnDir::kOutput, p.tcp_flags, now);
  count_conn_packet(dest_of(c), false, p.len);
  rewrite_saddr_sport(p, c.vaddr, c.vport);
  ++forwarded_;
  return forward_verdict(c, id, Side::kOutside, p.daddr);
}

Verdict Engine::from_inside(PacketView& p, Time now, const ConnTable::Probe* probe) {
  if (p.proto == Proto::kIcmp && is_icmp_error(p.icmp_type)) {
    bool handled = false;
    Verdict v = icmp_from_inside(p, handled);
    if (handled) return v;
  }
  if (is_tcp_or_udp(p.proto)) {
    const ConnId id =
        probe ? table_->find_out(*probe, p.proto, p.saddr, p.sport, p.daddr, p.dport)
              : table_->find_out(p.proto, p.saddr, p.sport, p.daddr, p.dport);
    if (id != kNoConn) return forward_out(p, id, now);
  }
  Verdict v;
  if (is_local(p.daddr)) {
    v.action = Action::kLocal;
    return v;
  }
  if (is_inside(p.daddr)) return v;  // between hosts of the private network
  if (is_tcp_or_udp(p.proto) && is_real_service(p.proto, p.saddr, p.sport) &&
      !(p.proto == Proto::kTcp && (p.tcp_flags & (kTcpSyn | kTcpAck)) == kTcpSyn))
    return drop(DropReason::kReplyWithoutConn);
  if (cfg_.masq_addr == 0) return v;
  return masquerade_new(p, now);
}

// An ICMP error from outside about a packet we sent as the virtual service:
// the quote runs virtual -> client, so the connection is found the other way round.
// As ip_vs_in_icmp: one with a bad checksum is dropped; the error counts as
// an incoming packet of the connection but, unlike the connection's own
// packets, does not re-arm its timer (__ip_vs_conn_put).
Verdict Engine::icmp_from_outside(PacketView& p, bool& handled) {
  QuotedView q;
  if (parse_icmp_quote(p, q) != ParseStatus::kOk || !is_tcp_or_udp(q.proto)) return {};
  const ConnId id = table_->find_in(q.proto, q.daddr, q.dport, q.saddr, q.sport);
  if (id == kNoConn || ((*table_)[id].flags & kConnTemplate)) return {};
  handled = true;
  if (!icmp_checksum_ok(p)) return drop(DropReason::kBadIcmpChecksum);
  Conn& c = (*table_)[id];
  count_conn_packet(dest_of(c), true, p.len);
  if (rewritten(c)) translate_icmp_to_inside(p, q, c.daddr, c.dport);
  ++forwarded_;
  return forward_verdict(c, id, Side::kInside, c.daddr);
}

// An ICMP error from a real server about a packet a client sent it. As
// handle_response_icmp: only a NAT connection's is translated (after its
// checksum is checked) and counted, another passes untouched; the timer is
// left alone.
Verdict Engine::icmp_from_inside(PacketView& p, bool& handled) {
  QuotedView q;
  if (parse_icmp_quote(p, q) != ParseStatus::kOk || !is_tcp_or_udp(q.proto)) return {};
  const ConnId id = table_->find_out(q.proto, q.daddr, q.dport, q.saddr, q.sport);
  if (id == kNoConn) return {};
  handled = true;
  Conn& c = (*table_)[id];
  if (!rewritten(c)) return {};  // DR/TUN: routed on as it is, uncounted
  if (!icmp_checksum_ok(p)) return drop(DropReason::kBadIcmpChecksum);
  count_conn_packet(dest_of(c), false, p.len);
  translate_icmp_to_outside(p, q, c.vaddr, c.vport);
  ++forwarded_;
  return forward_verdict(c, id, Side::kOutside, p.daddr);
}

}  // namespace lvs
