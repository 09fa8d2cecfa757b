#pragma once
// What sh and mh hash: the client address, plus its port when the service
// sets sh-port/mh-port (IP_VS_SVC_F_SCHED2) and the protocol has ports.

#include <cstdint>

#include "lvs/scheduler.h"

namespace lvs::sched {

inline std::uint16_t hashed_port(const VirtualService& svc, const SchedPacket& pkt) {
  if ((svc.cfg.flags & kSvcSched2) == 0) return 0;
  return (pkt.proto == Proto::kTcp || pkt.proto == Proto::kUdp) ? pkt.sport : 0;
}

inline bool wants_fallback(const VirtualService& svc) { return (svc.cfg.flags & kSvcSched1) != 0; }

// sh/mh's is_unavailable(): weight <= 0 or overloaded (no AVAILABLE check:
// their tables are rebuilt whenever a server leaves).
inline bool hash_unavailable(const RealServer& d) { return d.weight() <= 0 || d.overloaded(); }

}  // namespace lvs::sched
