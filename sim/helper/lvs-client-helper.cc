#include "lvs-client-helper.h"

#include "model/lvs-client-address-routing.h"
#include "model/lvs-distribution.h"

#include <ns3/abort.h>
#include <ns3/boolean.h>
#include <ns3/double.h>
#include <ns3/enum.h>
#include <ns3/ipv4.h>
#include <ns3/nstime.h>
#include <ns3/pointer.h>
#include <ns3/uinteger.h>

namespace ns3 {

LvsClientHelper::LvsClientHelper(Ipv4Address remote, uint16_t port)
    : m_log(CreateObject<LvsRequestLog>())
{
    m_factory.SetTypeId(LvsClient::GetTypeId());
    m_factory.Set("Remote", Ipv4AddressValue(remote));
    m_factory.Set("RemotePort", UintegerValue(port));
}

void
LvsClientHelper::SetAttribute(const std::string& name, const AttributeValue& value)
{
    // Population totals are split per node at Install.
    if (name == "Rate")
    {
        m_rate = dynamic_cast<const DoubleValue&>(value).Get();
    }
    else if (name == "FlashPeak")
    {
        m_flashPeak = dynamic_cast<const DoubleValue&>(value).Get();
    }
    else if (name == "Users")
    {
        m_users = dynamic_cast<const UintegerValue&>(value).Get();
    }
    else
    {
        m_factory.Set(name, value);
    }
}

void
LvsClientHelper::SetRequestSize(const lvs::scenario::Distribution& d)
{
    m_requestSize = d;
}

void
LvsClientHelper::SetResponseSize(const lvs::scenario::Distribution& d)
{
    m_responseSize = d;
}

void
LvsClientHelper::SetThinkTime(const lvs::scenario::Distribution& d)
{
    m_thinkTime = d;
}

void
LvsClientHelper::SetRateSchedule(std::vector<std::pair<double, double>> points, bool ramp)
{
    m_schedule = std::move(points);
    m_factory.Set("Ramp", BooleanValue(ramp));
}

void
LvsClientHelper::SetWorkload(const lvs::scenario::Workload& w)
{
    using Kind = lvs::scenario::Workload::Kind;
    m_factory.Set("Workload",
                  EnumValue(w.kind == Kind::kOpenLoop     ? LvsClient::OPEN_LOOP
                            : w.kind == Kind::kClosedLoop ? LvsClient::CLOSED_LOOP
                                                          : LvsClient::FLASH_CROWD));
    m_rate = w.rate;
    m_users = w.users;
    m_flashPeak = w.flash_peak;
    m_factory.Set("FlashStart", TimeValue(Seconds(w.flash_start)));
    m_factory.Set("FlashDuration", TimeValue(Seconds(w.flash_duration)));
    SetRateSchedule(w.rate_schedule, w.ramp);
    if (w.kind == Kind::kClosedLoop)
    {
        SetThinkTime(w.think_time);
    }
    SetRequestSize(w.request_size);
    SetResponseSize(w.response_size);
    m_factory.Set("RequestsPerConnection", UintegerValue(w.requests_per_connection));
    m_factory.Set("Timeout", TimeValue(Seconds(w.timeout_s)));
    m_factory.Set("StartTime", TimeValue(Seconds(w.start_s)));
    m_factory.Set("IssueStop", TimeValue(w.stop_s >= 0 ? Seconds(w.stop_s) : Seconds(0)));
}

void
LvsClientHelper::AssignAddresses(NodeContainer nodes, Ipv4Address first, uint32_t count)
{
    const uint32_t n = nodes.GetN();
    NS_ABORT_MSG_IF(n == 0 || count < n, "need at least one client address per client node");
    uint32_t next = first.Get();
    for (uint32_t i = 0; i < n; ++i)
    {
        uint32_t share = count / n + (i < count % n ? 1 : 0);
        Ptr<Ipv4> ipv4 = nodes.Get(i)->GetObject<Ipv4>();
        NS_ABORT_MSG_UNLESS(ipv4 && ipv4->GetRoutingProtocol(),
                            "install the internet stack on client nodes first");
        Ptr<Ipv4RoutingProtocol> current = ipv4->GetRoutingProtocol();
        if (auto existing = DynamicCast<LvsClientAddressRouting>(current))
        {
            existing->SetBlock(Ipv4Address(next), share);
        }
        else
        {
            ipv4->SetRoutingProtocol(
                Create<LvsClientAddressRouting>(current, Ipv4Address(next), share));
        }
        next += share;
    }
}

std::vector<std::pair<Ipv4Address, Ipv4Mask>>
LvsClientHelper::CoveringPrefixes(Ipv4Address first, uint32_t count)
{
    std::vector<std::pair<Ipv4Address, Ipv4Mask>> out;
    uint64_t a = first.Get();
    uint64_t end = a + count;
    while (a < end)
    {
        // The largest aligned block starting at a that fits.
        uint64_t size = a == 0 ? (uint64_t(1) << 32) : (a & (~a + 1));
        while (a + size > end)
        {
            size >>= 1;
        }
        int bits = 0;
        while ((uint64_t(1) << bits) < size)
        {
            ++bits;
        }
        uint32_t mask = bits == 32 ? 0 : ~((uint32_t(1) << bits) - 1);
        out.emplace_back(Ipv4Address(uint32_t(a)), Ipv4Mask(mask));
        a += size;
    }
    return out;
}

std::vector<std::pair<Ipv4Address, Ipv4Mask>>
LvsClientHelper::GetAddressPrefixes(Ptr<Node> node) const
{
    auto r = DynamicCast<LvsClientAddressRouting>(node->GetObject<Ipv4>()->GetRoutingProtocol());
    if (!r)
    {
        return {};
    }
    return CoveringPrefixes(r->GetFirstAddress(), r->GetAddressCount());
}

ApplicationContainer
LvsClientHelper::Install(NodeContainer nodes) const
{
    ApplicationContainer apps;
    const uint32_t n = nodes.GetN();
    for (uint32_t i = 0; i < n; ++i)
    {
        Ptr<Node> node = nodes.Get(i);
        Ptr<LvsClient> app = m_factory.Create<LvsClient>();
        app->SetAttribute("RequestLog", PointerValue(m_log));
        app->SetAttribute("Rate", DoubleValue(m_rate / n));
        app->SetAttribute("FlashPeak", DoubleValue(m_flashPeak / n));
        app->SetAttribute("Users", UintegerValue(m_users / n + (i < m_users % n ? 1 : 0)));
        auto schedule = m_schedule;
        for (auto& point : schedule)
        {
            point.second /= n;
        }
        app->SetRateSchedule(schedule);
        if (m_requestSize)
        {
            app->SetAttribute("RequestSize", PointerValue(MakeRandomVariable(*m_requestSize)));
        }
        if (m_responseSize)
        {
            app->SetAttribute("ResponseSize", PointerValue(MakeRandomVariable(*m_responseSize)));
        }
        if (m_thinkTime)
        {
            app->SetAttribute("ThinkTime", PointerValue(MakeRandomVariable(*m_thinkTime)));
        }
        auto r = DynamicCast<LvsClientAddressRouting>(node->GetObject<Ipv4>()->GetRoutingProtocol());
        if (r)
        {
            app->SetAttribute("FirstAddress", Ipv4AddressValue(r->GetFirstAddress()));
            app->SetAttribute("AddressCount", UintegerValue(r->GetAddressCount()));
        }
        node->AddApplication(app);
        apps.Add(app);
    }
    return apps;
}

Ptr<LvsRequestLog>
LvsClientHelper::GetRequestLog() const
{
    return m_log;
}

int64_t
LvsClientHelper::AssignStreams(ApplicationContainer apps, int64_t stream)
{
    int64_t used = 0;
    for (auto it = apps.Begin(); it != apps.End(); ++it)
    {
        if (auto c = DynamicCast<LvsClient>(*it))
        {
            used += c->AssignStreams(stream + used);
        }
    }
    return used;
}

} // namespace ns3
