#include "model/lvs-client-block-routing.h"

#include <ns3/core-module.h>
#include <ns3/csma-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>

#include <gtest/gtest.h>

using namespace ns3;

namespace {

// A router with one CSMA link to each of two client nodes (10.0.1.0/24 and
// 10.0.2.0/24); client blocks 11.0.0.0 + 1000 and 11.0.3.232 + 1000 sit behind them.
class ClientBlockRoutingTest : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        nodes.Create(3);
        InternetStackHelper().Install(nodes);
        CsmaHelper csma;
        Ipv4AddressHelper a("10.0.1.0", "255.255.255.0");
        a.Assign(csma.Install(NodeContainer(nodes.Get(0), nodes.Get(1))));
        a.SetBase("10.0.2.0", "255.255.255.0");
        a.Assign(csma.Install(NodeContainer(nodes.Get(0), nodes.Get(2))));
        ipv4 = nodes.Get(0)->GetObject<Ipv4>();
        blocks = CreateObject<LvsClientBlockRouting>();
        blocks->AddBlock(Ipv4Address("11.0.3.232"), 1000, Ipv4Address("10.0.2.2"), 2);
        blocks->AddBlock(Ipv4Address("11.0.0.0"), 1000, Ipv4Address("10.0.1.2"), 1);
        DynamicCast<Ipv4ListRouting>(ipv4->GetRoutingProtocol())->AddRoutingProtocol(blocks, 10);
    }

    void TearDown() override
    {
        Simulator::Destroy();
    }

    Ptr<Ipv4Route> Route(const char* destination)
    {
        Ipv4Header h;
        h.SetDestination(Ipv4Address(destination));
        Socket::SocketErrno err;
        return blocks->RouteOutput(nullptr, h, nullptr, err);
    }

    NodeContainer nodes;
    Ptr<Ipv4> ipv4;
    Ptr<LvsClientBlockRouting> blocks;
};

} // namespace

// Table: destination -> gateway (empty: not in a block, left to the next protocol).
TEST_F(ClientBlockRoutingTest, RoutesEachBlockToItsNode)
{
    const struct
    {
        const char* destination;
        const char* gateway;
    } cases[] = {
        {"11.0.0.0", "10.0.1.2"},
        {"11.0.3.231", "10.0.1.2"}, // last of the first block
        {"11.0.3.232", "10.0.2.2"}, // first of the second
        {"11.0.7.207", "10.0.2.2"}, // last of the second
        {"11.0.7.208", ""},
        {"10.255.255.255", ""},
        {"10.0.1.2", ""},
    };
    for (const auto& c : cases)
    {
        Ptr<Ipv4Route> r = Route(c.destination);
        if (*c.gateway == '\0')
        {
            EXPECT_FALSE(r) << c.destination;
            continue;
        }
        ASSERT_TRUE(r) << c.destination;
        EXPECT_EQ(r->GetGateway(), Ipv4Address(c.gateway)) << c.destination;
        EXPECT_EQ(r->GetOutputDevice(), ipv4->GetNetDevice(c.gateway[5] == '1' ? 1 : 2));
        EXPECT_EQ(r->GetSource(), ipv4->GetAddress(c.gateway[5] == '1' ? 1 : 2, 0).GetLocal());
    }
}

// A block behind a down interface is not routed, as static routing skips such routes.
TEST_F(ClientBlockRoutingTest, DownInterfaceIsNotUsed)
{
    ipv4->SetDown(2);
    EXPECT_FALSE(Route("11.0.4.0"));
    EXPECT_TRUE(Route("11.0.0.1"));
}

// Overlapping blocks are a wiring error.
TEST_F(ClientBlockRoutingTest, OverlapAborts)
{
    EXPECT_DEATH(blocks->AddBlock(Ipv4Address("11.0.3.0"), 10, Ipv4Address("10.0.1.2"), 1),
                 "overlaps");
}
