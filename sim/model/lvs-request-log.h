#pragma once
// Per-request records of a client population, and the statistics a runner
// reports from them: counts by outcome, latency percentiles, throughput, and
// a per-interval time series.

#include <ns3/nstime.h>
#include <ns3/object.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ns3 {

enum class LvsRequestOutcome : uint8_t
{
    kOk,      //!< the whole response arrived before the timeout
    kTimeout, //!< no complete response within the client's Timeout
    kReset,   //!< the connection was reset or closed by the server before the response
    kRefused, //!< the connection was refused (RST to SYN, ICMP port unreachable)
};
constexpr std::size_t kLvsRequestOutcomes = 4;
const char* ToString(LvsRequestOutcome outcome);

struct LvsRequestRecord
{
    uint64_t id{0};
    int64_t startNs{0}; //!< when the client issued the request
    int64_t endNs{0};   //!< response complete, or when the failure was seen
    uint32_t clientAddress{0};
    uint32_t requestBytes{0};
    uint32_t responseBytes{0}; //!< response bytes received (all of them when ok)
    LvsRequestOutcome outcome{LvsRequestOutcome::kOk};

    double LatencySeconds() const
    {
        return (endNs - startNs) * 1e-9;
    }
};

struct LvsRequestStats
{
    double begin_s{0}, end_s{0}; //!< the window: requests that ended in [begin, end)
    std::array<uint64_t, kLvsRequestOutcomes> byOutcome{};
    uint64_t requests{0};      //!< all outcomes
    uint64_t requestBytes{0};  //!< sent by ok requests
    uint64_t responseBytes{0}; //!< received by ok requests
    // Latency of ok requests, seconds; 0 when there are none.
    double meanLatency{0}, p50{0}, p90{0}, p99{0}, maxLatency{0};

    uint64_t Count(LvsRequestOutcome o) const
    {
        return byOutcome[static_cast<std::size_t>(o)];
    }

    double OkPerSecond() const;       //!< throughput in the window
    double ResponseBytesPerSecond() const;
    double ErrorRate() const;         //!< failed / all
};

// Shared by every LvsClient of a population (the helper gives them one), so
// the runner reads one log. Records are appended when a request ends.
class LvsRequestLog : public Object
{
  public:
    static TypeId GetTypeId();

    void Add(const LvsRequestRecord& record);
    const std::vector<LvsRequestRecord>& Records() const;
    void Clear();

    // Requests that ended in [begin, end).
    LvsRequestStats Summarize(Time begin, Time end) const;
    LvsRequestStats Summarize() const; //!< everything recorded

    // One LvsRequestStats per interval from `begin` to `end`.
    std::vector<LvsRequestStats> TimeSeries(Time begin, Time end, Time interval) const;

    // Called for every record as it is added (a live per-interval hook).
    using Listener = std::function<void(const LvsRequestRecord&)>;
    void AddListener(Listener listener);

    // With false, Add() only updates the totals and listeners: a run that
    // needs no per-request file can keep memory flat.
    void SetKeepRecords(bool keep);

  private:
    std::vector<LvsRequestRecord> m_records;
    std::vector<Listener> m_listeners;
    bool m_keepRecords{true};
};

// Quantile q of `values` (nearest-rank, q in [0,1]); reorders `values`.
double LvsQuantile(std::vector<double>& values, double q);

} // namespace ns3
