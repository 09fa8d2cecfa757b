#pragma once
// What several sync test files build alike: entries of sync messages, and
// the persistent one-packet UDP service whose templates sync on their own.

#include "engine/engine_fixture.h"
#include "lvs/sync.h"

namespace lvs::test {

// A sync message's TCP entry for kClient:1234 -> VIP:80 on kRs1:8080.
inline SyncConn client_entry(std::uint32_t flags, TcpState state, std::uint32_t timeout_s) {
  SyncConn s;
  s.protocol = 6;
  s.flags = flags;
  s.state = static_cast<std::uint16_t>(state);
  s.caddr = ip(kClient);
  s.cport = 1234;
  s.vaddr = ip(kVip);
  s.vport = 80;
  s.daddr = ip(kRs1);
  s.dport = 8080;
  s.timeout_s = timeout_s;
  return s;
}

// UDP VIP:53, rr, persistent with one-packet scheduling: each datagram is a
// connection of its own that is never synced, its template is.
inline ServiceConfig one_packet_dns_service() {
  ServiceConfig udp;
  udp.key.proto = Proto::kUdp;
  udp.key.addr = ip(kVip);
  udp.key.port = 53;
  udp.scheduler = "rr";
  udp.flags = kSvcPersistent | kSvcOnePacket;
  return udp;
}

}  // namespace lvs::test
