#pragma once
// The per-server quantities the kernel schedulers compare, computed with the
// kernel's integer types.

#include <cstdint>

#include "lvs/service.h"

namespace lvs::sched {

// ip_vs_dest_conn_overhead(): activeconns*256 + inactconns in a C int
// (wraps like the kernel's int arithmetic).
inline std::int32_t conn_overhead(const RealServer& d) {
  const std::uint32_t v = (static_cast<std::uint32_t>(d.active_conns) << 8) +
                          static_cast<std::uint32_t>(d.inactive_conns);
  return static_cast<std::int32_t>(v);
}

// sed/nq's expected delay numerator: activeconns + 1 in a C int, as
// ip_vs_sed/nq_dest_overhead() return it (INT_MAX active wraps to INT_MIN).
inline std::int32_t expected_delay(const RealServer& d) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(d.active_conns) + 1u);
}

// The common "may take new connections" test: not overloaded, weight > 0.
inline bool takes_new(const RealServer& d) {
  return !d.overloaded() && d.weight() > 0;
}

}  // namespace lvs::sched
