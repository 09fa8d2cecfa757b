#include "lvs-request-log.h"

#include <ns3/simulator.h>

#include <algorithm>
#include <cmath>

namespace ns3 {

NS_OBJECT_ENSURE_REGISTERED(LvsRequestLog);

const char*
ToString(LvsRequestOutcome outcome)
{
    switch (outcome)
    {
    case LvsRequestOutcome::kOk:
        return "ok";
    case LvsRequestOutcome::kTimeout:
        return "timeout";
    case LvsRequestOutcome::kReset:
        return "reset";
    case LvsRequestOutcome::kRefused:
        return "refused";
    }
    return "?";
}

double
LvsRequestStats::OkPerSecond() const
{
    double span = end_s - begin_s;
    return span > 0 ? Count(LvsRequestOutcome::kOk) / span : 0;
}

double
LvsRequestStats::ResponseBytesPerSecond() const
{
    double span = end_s - begin_s;
    return span > 0 ? responseBytes / span : 0;
}

double
LvsRequestStats::ErrorRate() const
{
    return requests ? 1.0 - static_cast<double>(Count(LvsRequestOutcome::kOk)) / requests : 0;
}

double
LvsQuantile(std::vector<double>& values, double q)
{
    if (values.empty())
    {
        return 0;
    }
    auto rank = static_cast<std::size_t>(std::ceil(q * values.size()));
    std::size_t k = rank == 0 ? 0 : rank - 1;
    k = std::min(k, values.size() - 1);
    std::nth_element(values.begin(), values.begin() + k, values.end());
    return values[k];
}

TypeId
LvsRequestLog::GetTypeId()
{
    static TypeId tid = TypeId("ns3::LvsRequestLog")
                            .SetParent<Object>()
                            .SetGroupName("Lvs")
                            .AddConstructor<LvsRequestLog>();
    return tid;
}

void
LvsRequestLog::Add(const LvsRequestRecord& record)
{
    if (m_keepRecords)
    {
        m_records.push_back(record);
    }
    for (const auto& l : m_listeners)
    {
        l(record);
    }
}

const std::vector<LvsRequestRecord>&
LvsRequestLog::Records() const
{
    return m_records;
}

void
LvsRequestLog::Clear()
{
    m_records.clear();
}

void
LvsRequestLog::AddListener(Listener listener)
{
    m_listeners.push_back(std::move(listener));
}

void
LvsRequestLog::SetKeepRecords(bool keep)
{
    m_keepRecords = keep;
}

LvsRequestStats
LvsRequestLog::Summarize() const
{
    int64_t end = 0;
    for (const auto& r : m_records)
    {
        end = std::max(end, r.endNs + 1);
    }
    return Summarize(Time(0), std::max(TimeStep(end), Simulator::Now()));
}

LvsRequestStats
LvsRequestLog::Summarize(Time begin, Time end) const
{
    LvsRequestStats s;
    s.begin_s = begin.GetSeconds();
    s.end_s = end.GetSeconds();
    const int64_t b = begin.GetTimeStep();
    const int64_t e = end.GetTimeStep();
    std::vector<double> latencies;
    double sum = 0;
    for (const auto& r : m_records)
    {
        if (r.endNs < b || r.endNs >= e)
        {
            continue;
        }
        ++s.requests;
        ++s.byOutcome[static_cast<std::size_t>(r.outcome)];
        if (r.outcome == LvsRequestOutcome::kOk)
        {
            s.requestBytes += r.requestBytes;
            s.responseBytes += r.responseBytes;
            latencies.push_back(r.LatencySeconds());
            sum += latencies.back();
        }
    }
    if (!latencies.empty())
    {
        s.meanLatency = sum / latencies.size();
        s.maxLatency = *std::max_element(latencies.begin(), latencies.end());
        s.p50 = LvsQuantile(latencies, 0.50);
        s.p90 = LvsQuantile(latencies, 0.90);
        s.p99 = LvsQuantile(latencies, 0.99);
    }
    return s;
}

std::vector<LvsRequestStats>
LvsRequestLog::TimeSeries(Time begin, Time end, Time interval) const
{
    std::vector<LvsRequestStats> out;
    if (interval <= Time(0))
    {
        return out;
    }
    for (Time t = begin; t < end; t += interval)
    {
        out.push_back(Summarize(t, std::min(t + interval, end)));
    }
    return out;
}

} // namespace ns3
