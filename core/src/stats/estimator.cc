#include <cassert>

#include "lvs/stats.h"

namespace lvs {
namespace {

// The rate over one 2 s period, pre-scaled: pps by 2^10 / 2 = << 9,
// bps by 2^5 / 2 = << 4. Unsigned wrap matches the kernel's u64 maths.
constexpr unsigned kPacketShift = 9;
constexpr unsigned kByteShift = 4;

// avg += (rate - avg) >> 2 with the kernel's arithmetic (flooring) shift,
// done in unsigned terms so no signed overflow or implementation-defined
// shift is involved: for rate < avg, floor((rate-avg)/4) == -ceil((avg-rate)/4).
void ewma_step(std::uint64_t& avg, std::uint64_t rate) {
  if (rate >= avg) {
    avg += (rate - avg) >> 2;
  } else {
    const std::uint64_t down = avg - rate;
    avg -= (down >> 2) + ((down & 3u) != 0 ? 1u : 0u);
  }
}

}  // namespace

void Estimator::sample(const StatsCounters& now_counters) {
  ewma_step(avg_.cps, (now_counters.conns - last_.conns) << kPacketShift);
  ewma_step(avg_.inpps, (now_counters.inpkts - last_.inpkts) << kPacketShift);
  ewma_step(avg_.outpps, (now_counters.outpkts - last_.outpkts) << kPacketShift);
  ewma_step(avg_.inbps, (now_counters.inbytes - last_.inbytes) << kByteShift);
  ewma_step(avg_.outbps, (now_counters.outbytes - last_.outbytes) << kByteShift);
  last_ = now_counters;
}

void Estimator::sample_periods(const StatsCounters& now_counters, std::uint64_t periods) {
  if (periods == 0) return;
  sample(now_counters);
  // Later passes see zero deltas; once every average is 0 they change nothing.
  for (std::uint64_t i = 1; i < periods && !(avg_ == ScaledRates{}); ++i) {
    sample(now_counters);
  }
}

void Estimator::zero(const StatsCounters& base) {
  last_ = base;
  avg_ = ScaledRates{};
}

Rates Estimator::rates() const {
  Rates r;
  r.cps = (avg_.cps + 0x1FF) >> 10;
  r.inpps = (avg_.inpps + 0x1FF) >> 10;
  r.outpps = (avg_.outpps + 0x1FF) >> 10;
  r.inbps = (avg_.inbps + 0xF) >> 5;
  r.outbps = (avg_.outbps + 0xF) >> 5;
  return r;
}

Duration estimator_period_for_hz(std::uint32_t hz) {
  assert(hz > 0);
  const std::uint64_t ahead = 2 * std::uint64_t{hz};
  // The callback runs with the wheel clock one past the bucket that fired,
  // so the level is chosen for 2*HZ - 1; level n starts at 63 << 3(n-1)
  // jiffies ahead and has a granularity of 8^n jiffies.
  std::uint64_t granularity = 1;
  for (std::uint64_t level_start = 63; ahead - 1 >= level_start; level_start <<= 3)
    granularity <<= 3;
  // The expiry is a multiple of the granularity from the second pass on, and
  // is rounded up to the next multiple strictly past expiry + 2*HZ.
  const std::uint64_t jiffies = (ahead / granularity + 1) * granularity;
  return Duration{static_cast<Duration::rep>(jiffies * 1'000'000'000u / hz)};
}

EstimationTimer::EstimationTimer(Time start, Lateness lateness, Duration period)
    : next_(start + period), lateness_(lateness), period_(period) {
  assert(period > Duration::zero());
}

std::uint64_t EstimationTimer::advance(Time now) {
  if (now < next_) return 0;
  if (lateness_ == Lateness::kFireOnce) {
    next_ = now + period_;
    return 1;
  }
  const auto missed = static_cast<std::uint64_t>((now - next_) / period_) + 1;
  next_ += period_ * static_cast<Duration::rep>(missed);
  return missed;
}

StatsCounters operator-(const StatsCounters& a, const StatsCounters& b) {
  StatsCounters d;
  d.conns = a.conns - b.conns;
  d.inpkts = a.inpkts - b.inpkts;
  d.outpkts = a.outpkts - b.outpkts;
  d.inbytes = a.inbytes - b.inbytes;
  d.outbytes = a.outbytes - b.outbytes;
  return d;
}

void Stats::estimate(std::uint64_t periods) {
  if (periods == 0) return;
  kstats = counters;  // ip_vs_read_cpu_stats at the start of the pass
  est.sample_periods(kstats, periods);
}

void Stats::zero() {
  kstats0 = kstats;
  est.zero(kstats);
}

StatsCounters Stats::shown() const { return kstats - kstats0; }

StatsCounters Stats::live() const { return counters - kstats0; }

}  // namespace lvs
