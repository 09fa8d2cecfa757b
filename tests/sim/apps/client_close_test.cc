#include "apps_world.h"

#include <gtest/gtest.h>

using namespace ns3;
using namespace lvs_apps_test;

namespace {

class ClientCloseTest : public ::testing::Test
{
  protected:
    void TearDown() override
    {
        Simulator::Destroy();
    }
};

void
CountTx(uint32_t* n, Ptr<const Packet>, Ptr<Ipv4>, uint32_t)
{
    ++*n;
}

} // namespace

// One request on its own connection: the client sends SYN, ACK, the request,
// the ACK of the response and its FIN, as Linux does; no duplicate ACK after
// the FIN (what ns-3 sends when the application calls Close() from the
// peer-close callback).
TEST_F(ClientCloseTest, PassiveCloseSendsFinWithoutDuplicateAck)
{
    LvsClientHelper clients(Ipv4Address("10.0.0.2"), 80);
    LanWorld w(1, 1, 1, &clients);
    LvsRealServerHelper sh(80);
    sh.SetServiceTime(Constant(0.001));
    sh.Install(w.servers);
    clients.SetAttribute("Workload", EnumValue(LvsClient::CLOSED_LOOP));
    clients.SetAttribute("Users", UintegerValue(1));
    clients.SetThinkTime(Constant(100)); // one request in the run
    clients.SetRequestSize(Constant(200));
    clients.SetResponseSize(Constant(300)); // one segment
    clients.Install(w.clients);
    uint32_t sent = 0;
    w.clients.Get(0)->GetObject<Ipv4L3Protocol>()->TraceConnectWithoutContext(
        "Tx",
        MakeBoundCallback(&CountTx, &sent));
    Simulator::Stop(Seconds(105));
    Simulator::Run();

    const LvsRequestStats s = clients.GetRequestLog()->Summarize();
    ASSERT_EQ(s.requests, 1u);
    EXPECT_EQ(s.Count(LvsRequestOutcome::kOk), 1u);
    EXPECT_EQ(sent, 5u); // SYN, ACK, request, ACK, FIN
}
