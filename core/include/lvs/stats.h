#pragma once
// Counters as ipvsadm shows them (--stats) and the kernel's rate estimator (--rate).

#include <cstdint>

#include "lvs/types.h"

namespace lvs {

// IPVS struct ip_vs_kstats: totals since the object was created or zeroed.
struct StatsCounters {
  std::uint64_t conns = 0;
  std::uint64_t inpkts = 0;
  std::uint64_t outpkts = 0;
  std::uint64_t inbytes = 0;
  std::uint64_t outbytes = 0;
};

// Per-second rates as ipvsadm --rate prints them (CPS, InPPS, OutPPS, InBPS, OutBPS).
struct Rates {
  std::uint64_t cps = 0;
  std::uint64_t inpps = 0;
  std::uint64_t outpps = 0;
  std::uint64_t inbps = 0;
  std::uint64_t outbps = 0;
};

struct Stats {
  StatsCounters counters;
  // Rate estimator state lives here (see stats/estimator); filled in by the estimator.
};

}  // namespace lvs
