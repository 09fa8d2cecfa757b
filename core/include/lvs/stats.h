#pragma once
// Counters as ipvsadm shows them (--stats) and the kernel's rate estimator (--rate).
//
// Modelled on Linux 6.1 (the classic timer estimator of ip_vs_est.c, before
// the 6.2 kthread rework) and ip_vs_ctl.c's ip_vs_copy_stats/ip_vs_zero_stats:
//
//  * The data path bumps StatsCounters directly (the kernel's per-cpu
//    counters). Nothing else happens per packet.
//  * Every 2 s one estimation pass per object folds the live counters into
//    `kstats` and updates the scaled EWMA rates.
//  * What ipvsadm shows is `kstats - kstats0`, so --stats lags the live
//    counters by up to one period, exactly as on a real director.
//  * Zeroing (ipvsadm -Z) moves the zero point to `kstats` and clears rates.

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

// The estimator's nominal period: estimation_timer re-arms itself at
// jiffies + 2*HZ, and every pass takes its delta as two seconds' worth.
constexpr Duration kEstimatorPeriod = seconds(2);

// The period that timer really runs at on a kernel built with CONFIG_HZ=hz:
// the timer wheel files a timer 2*HZ ahead in a coarse level and rounds its
// expiry up to strictly past that level's granularity (calc_index), so a
// steady pass-to-pass period of 2.016 s at HZ=250, 2.048 s at HZ=1000, 2.08 s
// at HZ=100. A steady load then reads that much above its true rate.
Duration estimator_period_for_hz(std::uint32_t hz);

// Averages as the kernel stores them: cps/inpps/outpps scaled by 2^10,
// inbps/outbps scaled by 2^5.
struct ScaledRates {
  std::uint64_t cps = 0;
  std::uint64_t inpps = 0;
  std::uint64_t outpps = 0;
  std::uint64_t inbps = 0;
  std::uint64_t outbps = 0;

  friend bool operator==(const ScaledRates& a, const ScaledRates& b) {
    return a.cps == b.cps && a.inpps == b.inpps && a.outpps == b.outpps &&
           a.inbps == b.inbps && a.outbps == b.outbps;
  }
};

// One object's estimator state (struct ip_vs_estimator): the counters seen at
// the previous pass and the scaled averages. avg += (rate - avg) / 4 per pass,
// W = 2^-2, so a step change settles over roughly 8 s.
class Estimator {
 public:
  // One estimation_timer pass over counters `now_counters`.
  void sample(const StatsCounters& now_counters);
  // `periods` passes with the counters unchanged between them (the first pass
  // sees whatever accumulated since the last one, later passes see zero).
  // Stops early once the averages reach the fixed point 0, so any gap costs
  // at most a few hundred steps.
  void sample_periods(const StatsCounters& now_counters, std::uint64_t periods);
  // ip_vs_zero_estimator: restart deltas from `base`, rates to zero.
  void zero(const StatsCounters& base);
  // ip_vs_read_estimator: rounded per-second values.
  Rates rates() const;

  const ScaledRates& scaled() const { return avg_; }
  const StatsCounters& last() const { return last_; }

 private:
  StatsCounters last_;
  ScaledRates avg_;
};

// What "every 2 s" means without a clock. In the kernel one per-netns timer
// drives every estimator; keep one EstimationTimer per engine and apply its
// result to every Stats object so they share its phase.
class EstimationTimer {
 public:
  enum class Lateness {
    // Passes stay on the grid start + k*period; a call that arrives after several
    // deadlines runs one pass per missed deadline. If the caller advances the
    // timer before counting the packets stamped `now`, this is exactly a timer
    // that never fires late: nothing was counted between the missed deadlines.
    kCatchUp,
    // What a late kernel timer does: one pass now, treating the whole gap as
    // one 2 s period, then re-arm one period after now (mod_timer(jiffies + 2*HZ)).
    kFireOnce,
  };

  // ip_vs_estimator_net_init arms the first pass one period after start.
  // `period` is kEstimatorPeriod, or estimator_period_for_hz() to follow a
  // real kernel's timer wheel.
  explicit EstimationTimer(Time start, Lateness lateness = Lateness::kCatchUp,
                           Duration period = kEstimatorPeriod);

  // Number of estimation passes due at `now` (0 if none); moves the deadline.
  std::uint64_t advance(Time now);
  Time next_deadline() const { return next_; }
  Lateness lateness() const { return lateness_; }
  Duration period() const { return period_; }

 private:
  Time next_;
  Lateness lateness_;
  Duration period_;
};

// Counters and rates of one virtual service or real server (struct ip_vs_stats).
struct Stats {
  StatsCounters counters;  // live: the data path increments these
  StatsCounters kstats;    // counters as of the last estimation pass
  StatsCounters kstats0;   // zero point set by ipvsadm -Z
  Estimator est;

  // Run `periods` estimation passes (the count EstimationTimer::advance returned).
  void estimate(std::uint64_t periods = 1);
  // ipvsadm -Z (ip_vs_zero_stats): the zero point is the last-sampled total,
  // so packets counted since the last pass survive the reset.
  void zero();
  // ip_vs_copy_stats: what ipvsadm --stats prints.
  StatsCounters shown() const;
  // Live totals relative to the zero point, for reports that want no lag.
  StatsCounters live() const;
  // What ipvsadm --rate prints.
  Rates rates() const { return est.rates(); }
};

// a - b per field, modulo 2^64 like the kernel's u64 arithmetic.
StatsCounters operator-(const StatsCounters& a, const StatsCounters& b);

}  // namespace lvs
