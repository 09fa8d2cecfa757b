// Outbound flows that real servers originate themselves (not replies), SNATed
// to masq_addr like iptables MASQUERADE without --to-ports (Linux 6.1's
// get_unique_tuple). While an earlier masqueraded flow from the same source
// (protocol, real-server address and port) lives, the new flow takes that
// flow's mapped port if the resulting tuple is free (find_appropriate_src
// looks the newest such flow up in nf_nat_bysource): the source keeps one
// public port towards every peer where it can. Without such a flow, or if
// its tuple is taken, the source port is kept when that makes a unique
// tuple; failing that, nf_nat_l4proto_unique_tuple picks one of the same
// class (1-511, 600-1023 or 1024-65535), trying up to 128 ports in a row
// from a random offset, then 64, 32, 16 and 8 from new random offsets; when
// all of those are taken the packet is dropped (the kernel's conntrack
// confirm would find the clash).
#include <algorithm>
#include <cassert>

#include "engine/masq_source_index.h"
#include "lvs/engine.h"

namespace lvs {
namespace {

// nf_nat_l4proto_unique_tuple for a source port without a range: false when
// every port tried is taken.
template <class Taken>
bool unique_port(std::uint16_t sport, const RandomSource& rng, Taken&& taken, std::uint16_t& port) {
  // The port's class: privileged ports map onto privileged ones.
  const std::uint32_t min = sport < 512 ? 1 : sport < 1024 ? 600 : 1024;
  const std::uint32_t range = sport < 512 ? 511 : sport < 1024 ? 424 : 64512;
  for (std::uint32_t attempts = std::min<std::uint32_t>(range, 128);; attempts /= 2) {
    auto off = static_cast<std::uint16_t>(rng());  // get_random_u16(), a u16 that wraps
    for (std::uint32_t i = 0; i < attempts; ++i, ++off) {
      port = static_cast<std::uint16_t>(min + off % range);
      if (!taken(port)) return true;
    }
    if (attempts >= range || attempts < 16) return false;
  }
}

}  // namespace

Verdict Engine::masquerade_new(PacketView& p, Time now) {
  if (p.proto != Proto::kTcp && p.proto != Proto::kUdp) return drop(DropReason::kMasqUnsupported);
  const Ip4 masq = cfg_.masq_addr;
  // nf_nat_used_tuple: a reply from the peer to masq:port would already
  // belong to another entry.
  auto taken = [&](std::uint16_t port) {
    return table_->find_in(p.proto, p.daddr, p.dport, masq, port) != kNoConn;
  };
  std::uint16_t port = p.sport;
  // Made at the first masquerade entry: a director whose real servers never
  // talk out pays nothing for it.
  if (!masq_sources_) masq_sources_ = std::make_unique<MasqSourceIndex>(*table_);
  const ConnId earlier = masq_sources_->newest(p.proto, p.saddr, p.sport);
  // in_range holds for every masquerade entry: masq_addr never changes.
  assert(earlier == kNoConn || (*table_)[earlier].vaddr == masq);
  if (earlier != kNoConn && !taken((*table_)[earlier].vport)) {
    port = (*table_)[earlier].vport;
  } else if (taken(port) && !unique_port(p.sport, cfg_.rng, taken, port)) {
    return drop(DropReason::kMasqPortsExhausted);
  }
  Conn c;
  c.proto = p.proto;
  c.caddr = p.daddr;
  c.cport = p.dport;
  c.vaddr = masq;
  c.vport = port;
  c.daddr = p.saddr;
  c.dport = p.sport;
  c.flags = static_cast<std::uint16_t>(kConnMasquerade | static_cast<std::uint16_t>(ForwardMethod::kMasq));
  c.state = p.proto == Proto::kTcp ? static_cast<std::uint8_t>(TcpState::kNone) : kUdpStateNormal;
  const ConnId id = table_->insert(c, conn_expiry(c, now));
  if (id == kNoConn) return drop(DropReason::kTableFull);
  masq_sources_->add(id);
  if (table_->size() > peak_conns_) peak_conns_ = table_->size();
  return forward_out(p, id, now);
}

}  // namespace lvs
