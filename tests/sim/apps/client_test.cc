#include "apps_world.h"

#include "model/lvs-distribution.h"
#include "model/lvs-request-header.h"

#include <gtest/gtest.h>

#include <set>

using namespace ns3;
using namespace lvs_apps_test;

namespace {

class ClientTest : public ::testing::Test
{
  protected:
    void TearDown() override
    {
        Simulator::Destroy();
    }
};

LvsRequestStats
Window(const LvsClientHelper& h, double from, double to)
{
    return h.GetRequestLog()->Summarize(Seconds(from), Seconds(to));
}

} // namespace

// A closed loop satisfies Little's law: users = throughput × (response time + think time), ±3%.
TEST_F(ClientTest, ClosedLoopSatisfiesLittlesLaw)
{
    LvsClientHelper clients(Ipv4Address("10.0.0.2"), 80);
    LanWorld w(1, 1, 20, &clients);
    LvsRealServerHelper sh(80);
    sh.SetAttribute("Workers", UintegerValue(2));
    sh.SetServiceTime(Exponential(0.005));
    sh.Install(w.servers);
    clients.SetAttribute("Workload", EnumValue(LvsClient::CLOSED_LOOP));
    clients.SetAttribute("Users", UintegerValue(20));
    clients.SetThinkTime(Constant(0.05));
    clients.SetAttribute("RequestsPerConnection", UintegerValue(10));
    clients.Install(w.clients);
    Simulator::Stop(Seconds(12));
    Simulator::Run();

    auto s = Window(clients, 2, 12);
    ASSERT_GT(s.Count(LvsRequestOutcome::kOk), 1000u);
    EXPECT_EQ(s.ErrorRate(), 0.0);
    double users = s.OkPerSecond() * (s.meanLatency + 0.05);
    EXPECT_NEAR(users, 20.0, 0.03 * 20);
}

// Open-loop Poisson arrivals achieve the configured rate within 3%, spread over two nodes.
TEST_F(ClientTest, OpenLoopAchievesConfiguredRate)
{
    LvsClientHelper clients(Ipv4Address("10.0.0.3"), 80);
    LanWorld w(2, 1, 40, &clients);
    LvsRealServerHelper sh(80);
    sh.SetAttribute("Workers", UintegerValue(64));
    sh.SetAttribute("MaxSegLifetime", DoubleValue(1));
    sh.SetServiceTime(Constant(0.001));
    sh.Install(w.servers);
    clients.SetAttribute("Rate", DoubleValue(400));
    auto apps = clients.Install(w.clients);
    Simulator::Stop(Seconds(10));
    Simulator::Run();
    uint64_t issued = 0;
    for (uint32_t i = 0; i < apps.GetN(); ++i)
    {
        issued += DynamicCast<LvsClient>(apps.Get(i))->GetRequestsIssued();
    }
    EXPECT_NEAR(issued / 10.0, 400, 0.03 * 400);
    auto s = Window(clients, 1, 9);
    EXPECT_NEAR(s.OkPerSecond(), 400, 0.05 * 400);
    EXPECT_EQ(s.ErrorRate(), 0.0);
}

// Keep-alive with K requests per connection opens about 1/K as many connections as requests.
TEST_F(ClientTest, KeepAliveUsesOneKthTheConnections)
{
    LvsClientHelper clients(Ipv4Address("10.0.0.2"), 80);
    LanWorld w(1, 1, 10, &clients);
    LvsRealServerHelper sh(80);
    sh.SetAttribute("Workers", UintegerValue(16));
    sh.SetServiceTime(Constant(0.002));
    auto server = DynamicCast<LvsRealServer>(sh.Install(w.servers).Get(0));
    clients.SetAttribute("Rate", DoubleValue(200));
    clients.SetAttribute("RequestsPerConnection", UintegerValue(5));
    auto client = DynamicCast<LvsClient>(clients.Install(w.clients).Get(0));
    Simulator::Stop(Seconds(5));
    Simulator::Run();
    const double requests = server->GetRequestsReceived();
    ASSERT_GT(requests, 800);
    EXPECT_EQ(server->GetConnectionsAccepted(), client->GetConnectionsOpened());
    // Connections still open at the end carry fewer than K requests, so allow a few more.
    EXPECT_GE(server->GetConnectionsAccepted(), requests / 5);
    EXPECT_LE(server->GetConnectionsAccepted(), requests / 5 + 5);
}

// A request to a port nobody listens on is refused.
TEST_F(ClientTest, NoListenerIsRefused)
{
    LvsClientHelper clients(Ipv4Address("10.0.0.2"), 81);
    LanWorld w(1, 1, 10, &clients);
    LvsRealServerHelper(80).Install(w.servers);
    clients.SetAttribute("Rate", DoubleValue(20));
    clients.Install(w.clients);
    Simulator::Stop(Seconds(2));
    Simulator::Run();
    auto s = clients.GetRequestLog()->Summarize();
    EXPECT_GT(s.requests, 20u);
    EXPECT_EQ(s.Count(LvsRequestOutcome::kRefused), s.requests);
}

// A UDP request to a closed port is refused through ICMP port unreachable.
TEST_F(ClientTest, UdpNoListenerIsRefused)
{
    LvsClientHelper clients(Ipv4Address("10.0.0.2"), 81);
    LanWorld w(1, 1, 10, &clients);
    LvsRealServerHelper(80).Install(w.servers);
    clients.SetAttribute("Rate", DoubleValue(20));
    clients.SetAttribute("UseUdp", BooleanValue(true));
    clients.Install(w.clients);
    Simulator::Stop(Seconds(2));
    Simulator::Run();
    auto s = clients.GetRequestLog()->Summarize();
    EXPECT_GT(s.requests, 20u);
    EXPECT_EQ(s.Count(LvsRequestOutcome::kRefused), s.requests);
}

// A server that never answers (in time) gives timeouts, recorded at the timeout.
TEST_F(ClientTest, SilentServerTimesOut)
{
    LvsClientHelper clients(Ipv4Address("10.0.0.2"), 80);
    LanWorld w(1, 1, 10, &clients);
    LvsRealServerHelper sh(80);
    sh.SetServiceTime(Constant(1000));
    sh.Install(w.servers);
    clients.SetAttribute("Rate", DoubleValue(20));
    clients.SetAttribute("Timeout", TimeValue(Seconds(0.5)));
    clients.Install(w.clients);
    Simulator::Stop(Seconds(3));
    Simulator::Run();
    auto s = clients.GetRequestLog()->Summarize();
    EXPECT_GT(s.requests, 20u);
    EXPECT_EQ(s.Count(LvsRequestOutcome::kTimeout), s.requests);
    for (const auto& r : clients.GetRequestLog()->Records())
    {
        EXPECT_NEAR(r.LatencySeconds(), 0.5, 1e-9);
    }
}

// Request and response sizes arrive as configured, over TCP segmentation and keep-alive.
TEST_F(ClientTest, SizesAreDeliveredAsConfigured)
{
    LvsClientHelper clients(Ipv4Address("10.0.0.2"), 80);
    LanWorld w(1, 1, 10, &clients);
    LvsRealServerHelper sh(80);
    auto server = DynamicCast<LvsRealServer>(sh.Install(w.servers).Get(0));
    std::vector<uint32_t> requestSizes;
    server->TraceConnectWithoutContext(
        "Request",
        MakeCallback(+[](std::vector<uint32_t>* v, const LvsRequestHeader& h, const Address&) {
            v->push_back(h.messageSize);
        }).Bind(&requestSizes));
    clients.SetRequestSize(Constant(3000));
    clients.SetResponseSize(Constant(300000)); // larger than the TCP send buffer
    clients.SetAttribute("Rate", DoubleValue(5));
    clients.SetAttribute("RequestsPerConnection", UintegerValue(3));
    clients.SetAttribute("IssueStop", TimeValue(Seconds(4)));
    clients.Install(w.clients);
    Simulator::Stop(Seconds(8));
    Simulator::Run();
    auto s = clients.GetRequestLog()->Summarize();
    ASSERT_GT(s.Count(LvsRequestOutcome::kOk), 12u);
    EXPECT_EQ(s.ErrorRate(), 0.0);
    for (const auto& r : clients.GetRequestLog()->Records())
    {
        EXPECT_EQ(r.requestBytes, 3000u);
        EXPECT_EQ(r.responseBytes, 300000u);
    }
    ASSERT_FALSE(requestSizes.empty());
    for (uint32_t size : requestSizes)
    {
        EXPECT_EQ(size, 3000u);
    }
}

// UDP requests get their responses (one datagram each way).
TEST_F(ClientTest, UdpRequestsAreAnswered)
{
    LvsClientHelper clients(Ipv4Address("10.0.0.2"), 53);
    LanWorld w(1, 1, 10, &clients);
    LvsRealServerHelper sh(53);
    sh.SetAttribute("EnableUdp", BooleanValue(true));
    sh.Install(w.servers);
    clients.SetAttribute("UseUdp", BooleanValue(true));
    clients.SetAttribute("Rate", DoubleValue(100));
    clients.SetResponseSize(Constant(4000)); // IP-fragmented
    clients.Install(w.clients);
    Simulator::Stop(Seconds(2));
    Simulator::Run();
    auto s = clients.GetRequestLog()->Summarize();
    EXPECT_GT(s.Count(LvsRequestOutcome::kOk), 150u);
    EXPECT_EQ(s.ErrorRate(), 0.0);
}

// The population: a server sees exactly N distinct client addresses, all from the block.
TEST_F(ClientTest, ServerSeesEveryClientAddress)
{
    LvsClientHelper clients(Ipv4Address("10.0.0.3"), 80);
    LanWorld w(2, 1, 300, &clients);
    LvsRealServerHelper sh(80);
    sh.SetAttribute("MaxSegLifetime", DoubleValue(1));
    auto server = DynamicCast<LvsRealServer>(sh.Install(w.servers).Get(0));
    std::set<uint32_t> seen;
    server->TraceConnectWithoutContext(
        "Accept",
        MakeCallback(+[](std::set<uint32_t>* s, const Address& a) {
            s->insert(InetSocketAddress::ConvertFrom(a).GetIpv4().Get());
        }).Bind(&seen));
    clients.SetAttribute("Rate", DoubleValue(600));
    clients.Install(w.clients);
    Simulator::Stop(Seconds(2));
    Simulator::Run();
    EXPECT_EQ(seen.size(), 300u);
    EXPECT_EQ(*seen.begin(), Ipv4Address("11.0.0.0").Get());
    EXPECT_EQ(*seen.rbegin(), Ipv4Address("11.0.0.0").Get() + 299);
    EXPECT_EQ(clients.GetRequestLog()->Summarize().ErrorRate(), 0.0);
}

// A flash crowd raises the arrival rate to the peak only during its window.
TEST_F(ClientTest, FlashCrowdRaisesRateDuringItsWindow)
{
    LvsClientHelper clients(Ipv4Address("10.0.0.2"), 80);
    LanWorld w(1, 1, 50, &clients);
    LvsRealServerHelper sh(80);
    sh.SetAttribute("Workers", UintegerValue(64));
    sh.SetAttribute("MaxSegLifetime", DoubleValue(1));
    sh.Install(w.servers);
    clients.SetAttribute("Workload", EnumValue(LvsClient::FLASH_CROWD));
    clients.SetAttribute("Rate", DoubleValue(50));
    clients.SetAttribute("FlashPeak", DoubleValue(500));
    clients.SetAttribute("FlashStart", TimeValue(Seconds(2)));
    clients.SetAttribute("FlashDuration", TimeValue(Seconds(2)));
    clients.Install(w.clients);
    Simulator::Stop(Seconds(6));
    Simulator::Run();
    auto before = Window(clients, 0.1, 2);
    auto during = Window(clients, 2.1, 4);
    auto after = Window(clients, 4.1, 6);
    EXPECT_NEAR(before.OkPerSecond(), 50, 15);
    EXPECT_NEAR(during.OkPerSecond(), 500, 50);
    EXPECT_NEAR(after.OkPerSecond(), 50, 15);
}

// Rate schedules: steps hold their value; a ramp interpolates between points.
TEST_F(ClientTest, RateScheduleStepsAndRamps)
{
    auto c = CreateObject<LvsClient>();
    c->SetAttribute("Rate", DoubleValue(5));
    c->SetRateSchedule({{10, 100}, {20, 300}});
    EXPECT_DOUBLE_EQ(c->RateAt(Seconds(5)), 5);
    EXPECT_DOUBLE_EQ(c->RateAt(Seconds(15)), 100);
    EXPECT_DOUBLE_EQ(c->RateAt(Seconds(25)), 300);
    c->SetAttribute("Ramp", BooleanValue(true));
    EXPECT_DOUBLE_EQ(c->RateAt(Seconds(15)), 200);
    EXPECT_DOUBLE_EQ(c->RateAt(Seconds(25)), 300);
}

// The stream reader splits messages by length however the bytes are chunked.
TEST_F(ClientTest, MessageReaderReassemblesAnyChunking)
{
    Ptr<Packet> stream = Create<Packet>();
    for (uint64_t id = 1; id <= 3; ++id)
    {
        LvsRequestHeader h;
        h.requestId = id;
        h.messageSize = id == 2 ? LvsRequestHeader::kSize : 1000 * id;
        stream->AddAtEnd(MakeLvsMessage(h));
    }
    for (uint32_t chunk : {1u, 7u, 32u, 1000u, 100000u})
    {
        LvsMessageReader reader;
        std::vector<uint64_t> ids;
        for (uint32_t off = 0; off < stream->GetSize(); off += chunk)
        {
            uint32_t n = std::min(chunk, stream->GetSize() - off);
            ASSERT_TRUE(reader.Feed(stream->CreateFragment(off, n),
                                    [&](const LvsRequestHeader& h) { ids.push_back(h.requestId); }));
        }
        EXPECT_EQ(ids, (std::vector<uint64_t>{1, 2, 3})) << "chunk " << chunk;
    }
}

// Each distribution kind keeps the scenario's mean (20000 draws, ±3%).
TEST_F(ClientTest, DistributionsKeepTheirMean)
{
    using Kind = lvs::scenario::Distribution::Kind;
    std::vector<lvs::scenario::Distribution> cases(5);
    cases[0].kind = Kind::kConstant, cases[0].mean = 2;
    cases[1].kind = Kind::kExponential, cases[1].mean = 2;
    cases[2].kind = Kind::kLognormal, cases[2].mean = 2, cases[2].sigma = 0.5;
    cases[3].kind = Kind::kPareto, cases[3].mean = 2, cases[3].shape = 3;
    cases[4].kind = Kind::kUniform, cases[4].min = 1, cases[4].max = 3;
    for (const auto& d : cases)
    {
        auto v = MakeRandomVariable(d);
        v->SetStream(11);
        double sum = 0;
        for (int i = 0; i < 20000; ++i)
        {
            sum += v->GetValue();
        }
        EXPECT_NEAR(sum / 20000, DistributionMean(d), 0.03 * DistributionMean(d))
            << "kind " << int(d.kind);
    }
}

// Covering prefixes are aligned CIDR blocks that add up to exactly the range.
TEST_F(ClientTest, CoveringPrefixesCoverTheRangeExactly)
{
    auto prefixes = LvsClientHelper::CoveringPrefixes(Ipv4Address("11.0.0.0"), 2500);
    uint64_t total = 0;
    uint32_t next = Ipv4Address("11.0.0.0").Get();
    for (const auto& [net, mask] : prefixes)
    {
        EXPECT_EQ(net.Get(), next);
        EXPECT_EQ(net.Get() & ~mask.Get(), 0u);
        uint32_t size = ~mask.Get() + 1;
        total += size;
        next += size;
    }
    EXPECT_EQ(total, 2500u);
    EXPECT_EQ(prefixes.size(), 5u); // 2048 + 256 + 128 + 64 + 4
}

// Percentiles and time series of the request log.
TEST_F(ClientTest, RequestLogStatistics)
{
    auto log = CreateObject<LvsRequestLog>();
    for (int i = 1; i <= 100; ++i)
    {
        LvsRequestRecord r;
        r.startNs = 0;
        r.endNs = int64_t(i) * 10'000'000; // latency i × 10 ms, ending at i × 10 ms
        r.outcome = i % 10 == 0 ? LvsRequestOutcome::kTimeout : LvsRequestOutcome::kOk;
        log->Add(r);
    }
    auto s = log->Summarize(Seconds(0), Seconds(2));
    EXPECT_EQ(s.requests, 100u);
    EXPECT_EQ(s.Count(LvsRequestOutcome::kTimeout), 10u);
    EXPECT_NEAR(s.ErrorRate(), 0.1, 1e-12);
    EXPECT_NEAR(s.p50, 0.49, 1e-9); // 45th of the 90 ok latencies (10..990 ms, no multiples of 100)
    EXPECT_NEAR(s.maxLatency, 0.99, 1e-9);
    auto series = log->TimeSeries(Seconds(0), Seconds(1.01), Seconds(0.5));
    ASSERT_EQ(series.size(), 3u);
    EXPECT_EQ(series[0].requests + series[1].requests + series[2].requests, 100u);
}
