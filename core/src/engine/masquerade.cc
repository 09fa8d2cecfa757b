// Outbound flows that real servers originate themselves (not replies), SNATed
// to masq_addr like iptables MASQUERADE without --to-ports (Linux 6.1's
// nf_nat_get_unique_tuple): the source port is kept when that makes a unique
// tuple; otherwise nf_nat_l4proto_unique_tuple picks one of the same class
// (1-511, 600-1023 or 1024-65535), trying up to 128 ports in a row from a
// random offset, then 64, 32, 16 and 8 from new random offsets; when all
// of those are taken the packet is dropped (the kernel's conntrack confirm
// would find the clash).
#include <algorithm>

#include "lvs/engine.h"

namespace lvs {

Verdict Engine::masquerade_new(PacketView& p, Time now) {
  if (p.proto != Proto::kTcp && p.proto != Proto::kUdp) return drop(DropReason::kMasqUnsupported);
  const Ip4 masq = cfg_.masq_addr;
  auto taken = [&](std::uint16_t port) {
    return table_->find_in(p.proto, p.daddr, p.dport, masq, port) != kNoConn;
  };
  std::uint16_t port = p.sport;
  if (taken(port)) {
    // The port's class: privileged ports map onto privileged ones.
    const std::uint32_t min = p.sport < 512 ? 1 : p.sport < 1024 ? 600 : 1024;
    const std::uint32_t range = p.sport < 512 ? 511 : p.sport < 1024 ? 424 : 64512;
    bool found = false;
    for (std::uint32_t attempts = std::min<std::uint32_t>(range, 128);; attempts /= 2) {
      auto off = static_cast<std::uint16_t>(cfg_.rng());  // get_random_u16(), a u16 that wraps
      for (std::uint32_t i = 0; i < attempts && !found; ++i, ++off) {
        port = static_cast<std::uint16_t>(min + off % range);
        found = !taken(port);
      }
      if (found || attempts >= range || attempts < 16) break;
    }
    if (!found) return drop(DropReason::kMasqPortsExhausted);
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
  if (table_->size() > peak_conns_) peak_conns_ = table_->size();
  return forward_out(p, id, now);
}

}  // namespace lvs
