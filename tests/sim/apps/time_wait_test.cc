#include "apps_world.h"
#include "model/lvs-request-header.h"
#include "model/lvs-time-wait-table.h"

#include <gtest/gtest.h>

using namespace ns3;
using namespace lvs_apps_test;

namespace {

class TimeWaitTest : public ::testing::TestWithParam<bool>
{
  protected:
    void TearDown() override
    {
        Simulator::Destroy();
    }
};

// One request from a fixed (address, port): the server answers, closes first
// and holds TIME_WAIT; the client closes when it sees the server's FIN.
struct FixedPortClient
{
    Ptr<Socket> socket;
    bool connected = false;
    bool answered = false;

    void Open(Ptr<Node> node, InetSocketAddress local, InetSocketAddress server)
    {
        socket = Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
        ASSERT_EQ(socket->Bind(local), 0);
        socket->SetConnectCallback(MakeCallback(&FixedPortClient::Connected, this),
                                   MakeNullCallback<void, Ptr<Socket>>());
        socket->SetRecvCallback(MakeCallback(&FixedPortClient::Read, this));
        socket->SetCloseCallbacks(MakeCallback(&FixedPortClient::Closed, this),
                                  MakeNullCallback<void, Ptr<Socket>>());
        socket->Connect(server);
    }

    void Connected(Ptr<Socket> s)
    {
        connected = true;
        LvsRequestHeader h;
        h.requestId = 1;
        h.flags = LvsRequestHeader::kLast;
        h.messageSize = 100;
        h.responseSize = 300;
        s->Send(MakeLvsMessage(h));
    }

    void Read(Ptr<Socket> s)
    {
        while (Ptr<Packet> p = s->Recv())
        {
            if (p->GetSize() == 0)
            {
                break;
            }
            answered = true;
        }
    }

    void Closed(Ptr<Socket> s)
    {
        s->ShutdownSend(); // FIN, and no duplicate ACK (see LvsClient::HandleNormalClose)
    }
};

class TimeWaitTableTest : public ::testing::Test
{
  protected:
    void TearDown() override
    {
        Simulator::Destroy();
    }
};

} // namespace

// A SYN that reuses the 4-tuple of a connection in the server's TIME_WAIT is
// ignored until TIME_WAIT ends, with the table (param true) exactly as with
// ns-3's own TIME_WAIT sockets (false); the table holds the connection for
// 2 x MSL and then forgets it.
TEST_P(TimeWaitTest, ReusedTupleIsIgnoredUntilTimeWaitEnds)
{
    const bool table = GetParam();
    LanWorld w(1, 1);
    LvsRealServerHelper sh(80);
    sh.SetAttribute("MaxSegLifetime", DoubleValue(1)); // TIME_WAIT 2 s
    sh.SetAttribute("TimeWaitTable", BooleanValue(table));
    sh.SetServiceTime(Constant(0.001));
    sh.Install(w.servers);

    const InetSocketAddress local(w.clientIfs.GetAddress(0), 5000);
    const InetSocketAddress server(w.Server(0), 80);
    FixedPortClient first;
    FixedPortClient again;
    Simulator::Schedule(Seconds(0.1), [&] { first.Open(w.clients.Get(0), local, server); });
    // The server entered TIME_WAIT at ~0.1 s; the same tuple again at 1 s. Its
    // SYN is ignored; ns-3 retries it after ConnTimeout (3 s), past TIME_WAIT.
    Simulator::Schedule(Seconds(1.0), [&] { again.Open(w.clients.Get(0), local, server); });
    bool connectedInTimeWait = true;
    Simulator::Schedule(Seconds(3.9), [&] { connectedInTimeWait = again.connected; });
    // The server installs the table when it starts.
    auto held = [&w] {
        Ptr<LvsTimeWaitTable> tw = w.servers.Get(0)->GetObject<LvsTimeWaitTable>();
        return tw ? tw->GetSize() : 0u;
    };
    uint32_t heldAt1 = 0;
    uint32_t heldAt3 = 1;
    Simulator::Schedule(Seconds(0.9), [&] { heldAt1 = held(); });
    Simulator::Schedule(Seconds(3.0), [&] { heldAt3 = held(); });
    Simulator::Stop(Seconds(6));
    Simulator::Run();
    Ptr<LvsTimeWaitTable> tw = w.servers.Get(0)->GetObject<LvsTimeWaitTable>();

    EXPECT_TRUE(first.answered);
    EXPECT_FALSE(connectedInTimeWait);
    EXPECT_TRUE(again.connected);
    EXPECT_TRUE(again.answered);
    ASSERT_EQ(tw != nullptr, table);
    if (table)
    {
        EXPECT_EQ(heldAt1, 1u);
        EXPECT_EQ(heldAt3, 0u);
        EXPECT_EQ(tw->GetDropped(), 1u); // the one SYN sent during TIME_WAIT
    }
}

INSTANTIATE_TEST_SUITE_P(TableAndSockets,
                         TimeWaitTest,
                         ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& p) {
                             return p.param ? "Table" : "Sockets";
                         });

// Many connections: every one the server closed in the last 2 x MSL is in the
// table, and the requests' outcomes do not depend on where TIME_WAIT is held.
TEST_F(TimeWaitTableTest, HoldsEveryConnectionClosedWithinTimeWait)
{
    LvsClientHelper clients(Ipv4Address("10.0.0.2"), 80);
    LanWorld w(1, 1, 20, &clients);
    LvsRealServerHelper sh(80);
    sh.SetAttribute("MaxSegLifetime", DoubleValue(30)); // TIME_WAIT 60 s, as Linux
    sh.SetServiceTime(Constant(0.001));
    auto server = DynamicCast<LvsRealServer>(sh.Install(w.servers).Get(0));
    clients.SetAttribute("Rate", DoubleValue(200));
    clients.SetAttribute("IssueStop", TimeValue(Seconds(2)));
    clients.Install(w.clients);
    Simulator::Stop(Seconds(3));
    Simulator::Run();

    const LvsRequestStats s = clients.GetRequestLog()->Summarize();
    EXPECT_GT(s.requests, 300u);
    EXPECT_EQ(s.Count(LvsRequestOutcome::kOk), s.requests);
    Ptr<LvsTimeWaitTable> tw = w.servers.Get(0)->GetObject<LvsTimeWaitTable>();
    ASSERT_TRUE(tw);
    EXPECT_EQ(tw->GetSize(), server->GetConnectionsAccepted());
    EXPECT_EQ(tw->GetDropped(), 0u);
}
