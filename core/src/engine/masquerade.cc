// Outbound flows that real servers originate themselves (not replies), SNATed
// to masq_addr like iptables MASQUERADE: the source port is kept when free,
// otherwise the next free port from 1024-65535 is taken.
#include "lvs/engine.h"

namespace lvs {
namespace {

constexpr std::uint16_t kPortMin = 1024;
constexpr std::uint32_t kPortSpan = 65536 - kPortMin;

}  // namespace

Verdict Engine::masquerade_new(PacketView& p, Time now) {
  if (p.proto != Proto::kTcp && p.proto != Proto::kUdp) return drop(DropReason::kMasqUnsupported);
  const Ip4 masq = cfg_.masq_addr;
  auto taken = [&](std::uint16_t port) {
    return table_->find_in(p.proto, p.daddr, p.dport, masq, port) != kNoConn;
  };
  std::uint16_t port = p.sport;
  if (taken(port)) {
    bool found = false;
    for (std::uint32_t i = 0; i < kPortSpan; ++i) {
      port = static_cast<std::uint16_t>(kPortMin + (masq_next_port_ + i) % kPortSpan);
      if (!taken(port)) {
        masq_next_port_ = static_cast<std::uint16_t>((masq_next_port_ + i + 1) % kPortSpan);
        found = true;
        break;
      }
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
