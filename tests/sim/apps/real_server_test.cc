#include "apps_world.h"

#include <gtest/gtest.h>

#include <set>

using namespace ns3;
using namespace lvs_apps_test;

namespace {

class RealServerTest : public ::testing::Test
{
  protected:
    void TearDown() override
    {
        Simulator::Destroy();
    }
};

} // namespace

// A saturated server with W workers and constant service time S serves W/S requests/s (±2%).
TEST_F(RealServerTest, SaturatedThroughputIsWorkersOverServiceTime)
{
    LvsClientHelper clients(Ipv4Address("10.0.0.2"), 80);
    LanWorld w(1, 1, 50, &clients);
    LvsRealServerHelper sh(80);
    sh.SetAttribute("Workers", UintegerValue(4));
    sh.SetServiceTime(Constant(0.010));
    auto server = DynamicCast<LvsRealServer>(sh.Install(w.servers).Get(0));

    clients.SetAttribute("Workload", EnumValue(LvsClient::CLOSED_LOOP));
    clients.SetAttribute("Users", UintegerValue(40));
    clients.SetThinkTime(Constant(0));
    clients.SetAttribute("RequestsPerConnection", UintegerValue(20));
    clients.Install(w.clients);

    uint64_t servedAt1 = 0;
    uint64_t servedAt6 = 0;
    Simulator::Schedule(Seconds(1), [&] { servedAt1 = server->GetRequestsServed(); });
    Simulator::Schedule(Seconds(6), [&] { servedAt6 = server->GetRequestsServed(); });
    Simulator::Stop(Seconds(6.001));
    Simulator::Run();

    double rate = (servedAt6 - servedAt1) / 5.0;
    EXPECT_NEAR(rate, 4 / 0.010, 0.02 * 400);
    EXPECT_NEAR(server->GetUtilisation(Seconds(0)), 1.0, 0.02);
    EXPECT_GT(server->GetQueueLength(), 0u);
}

// Speed divides service times: a server twice as fast serves twice as many requests.
TEST_F(RealServerTest, SpeedScalesServiceTime)
{
    LvsClientHelper clients(Ipv4Address("10.0.0.2"), 80);
    LanWorld w(1, 1, 50, &clients);
    LvsRealServerHelper sh(80);
    sh.SetAttribute("Workers", UintegerValue(2));
    sh.SetAttribute("Speed", DoubleValue(2.0));
    sh.SetServiceTime(Constant(0.010));
    auto server = DynamicCast<LvsRealServer>(sh.Install(w.servers).Get(0));
    clients.SetAttribute("Workload", EnumValue(LvsClient::CLOSED_LOOP));
    clients.SetAttribute("Users", UintegerValue(20));
    clients.SetThinkTime(Constant(0));
    clients.SetAttribute("RequestsPerConnection", UintegerValue(50));
    clients.Install(w.clients);
    uint64_t at1 = 0;
    uint64_t at4 = 0;
    Simulator::Schedule(Seconds(1), [&] { at1 = server->GetRequestsServed(); });
    Simulator::Schedule(Seconds(4), [&] { at4 = server->GetRequestsServed(); });
    Simulator::Stop(Seconds(4.001));
    Simulator::Run();
    EXPECT_NEAR((at4 - at1) / 3.0, 2 * 2 / 0.010, 0.02 * 400);
}

// Utilisation = busy worker-seconds / (workers × time): half-loaded workers read 0.5.
TEST_F(RealServerTest, UtilisationOfAHalfLoadedServer)
{
    LvsClientHelper clients(Ipv4Address("10.0.0.2"), 80);
    LanWorld w(1, 1, 10, &clients);
    LvsRealServerHelper sh(80);
    sh.SetAttribute("Workers", UintegerValue(10));
    sh.SetAttribute("MaxSegLifetime", DoubleValue(1)); // keep few TIME_WAIT endpoints
    sh.SetServiceTime(Constant(0.010));
    auto server = DynamicCast<LvsRealServer>(sh.Install(w.servers).Get(0));
    clients.SetAttribute("Rate", DoubleValue(500)); // 500/s × 10 ms = 5 busy of 10
    clients.Install(w.clients);
    Simulator::Stop(Seconds(10));
    Simulator::Run();
    EXPECT_NEAR(server->GetUtilisation(Seconds(0)), 0.5, 0.03);
}

// A full backlog drops new connections' SYNs; the overflow is counted and traced.
TEST_F(RealServerTest, BacklogOverflowDropsSyns)
{
    LvsClientHelper clients(Ipv4Address("10.0.0.2"), 80);
    LanWorld w(1, 1, 100, &clients);
    LvsRealServerHelper sh(80);
    sh.SetAttribute("Workers", UintegerValue(1));
    sh.SetAttribute("Backlog", UintegerValue(3));
    sh.SetServiceTime(Constant(1.0));
    auto server = DynamicCast<LvsRealServer>(sh.Install(w.servers).Get(0));
    uint64_t traced = 0;
    server->TraceConnectWithoutContext("Drop",
                                       MakeCallback(+[](uint64_t* n, const Address&) { ++*n; })
                                           .Bind(&traced));
    clients.SetAttribute("Rate", DoubleValue(50));
    clients.SetAttribute("Timeout", TimeValue(Seconds(2)));
    clients.Install(w.clients);
    Simulator::Stop(Seconds(3));
    Simulator::Run();
    EXPECT_GT(server->GetDropped(), 0u);
    EXPECT_EQ(traced, server->GetDropped());
    EXPECT_LE(server->GetRequestsReceived(), 1u + 3u + 3u); // served + queued + in flight
}

// TcpVariant sets the congestion control of the server node's TCP.
TEST_F(RealServerTest, TcpVariantAppliesToTheNode)
{
    LanWorld w(1, 1);
    LvsRealServerHelper sh(80);
    sh.SetAttribute("TcpVariant", StringValue("TcpCubic"));
    sh.Install(w.servers);
    Simulator::Stop(Seconds(0.1));
    Simulator::Run();
    TypeIdValue v;
    w.servers.Get(0)->GetObject<TcpL4Protocol>()->GetAttribute("SocketType", v);
    EXPECT_EQ(v.Get().GetName(), "ns3::TcpCubic");
}
