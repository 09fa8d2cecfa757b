// The router cost model: offered twice its capacity, the director forwards its
// capacity and drops the rest; per-connection cost follows the engine.
#include <gtest/gtest.h>

#include <cmath>

#include "director_topology.h"

namespace lvs_director_test {
namespace {

using namespace ns3;

struct Overload {
  const char* name;
  Time per_packet;
  double per_byte_s;
  uint32_t cores;
  uint32_t udp_payload;  // UDP payload bytes; IPv4 datagram = payload + 28
  Time interval;         // offered: one packet per interval
};

void PrintTo(const Overload& o, std::ostream* os) { *os << o.name; }

class CostModelExactness : public testing::TestWithParam<Overload> {};

// Offered 2x capacity for 1 s, the director forwards capacity +-2% and drops the excess +-2%,
// with its CPU busy all along.
TEST_P(CostModelExactness, ForwardsCapacityDropsExcess) {
  const Overload& o = GetParam();
  NatTopologyOptions opt;
  opt.servers = 1;
  opt.cost_profile = "custom";
  opt.cost_attributes = {{"PerPacket", Create<TimeValue>(o.per_packet)},
                         {"PerByte", Create<DoubleValue>(o.per_byte_s)},
                         {"Cores", Create<UintegerValue>(o.cores)},
                         {"QueueLimit", Create<UintegerValue>(20)}};
  NatTopology t(opt);
  t.AddService(lvs::Proto::kUdp, 9, "rr", {1});
  PacketSinkHelper sink("ns3::UdpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 9));
  Ptr<PacketSink> rx = DynamicCast<PacketSink>(sink.Install(t.servers.Get(0)).Get(0));

  const double seconds = 1.0;
  const uint32_t offered = static_cast<uint32_t>(std::lround(seconds / o.interval.GetSeconds()));
  UdpClientHelper client(Ipv4Address(kVip), 9);
  client.SetAttribute("MaxPackets", UintegerValue(offered));
  client.SetAttribute("Interval", TimeValue(o.interval));
  client.SetAttribute("PacketSize", UintegerValue(o.udp_payload));
  client.Install(t.clients.Get(0)).Start(Seconds(0.1));
  Ptr<RouterCostModel> cpu = t.lvs->GetCostModel();
  ASSERT_TRUE(cpu);
  ASSERT_FALSE(cpu->IsFree());
  double utilisation = 0;
  Simulator::Schedule(Seconds(0.1), [&] { cpu->ResetStats(); });
  Simulator::Schedule(Seconds(0.1 + seconds), [&] { utilisation = cpu->GetUtilisation(); });
  Simulator::Stop(Seconds(0.2 + seconds));
  Simulator::Run();

  const double per_packet_s =
      o.per_packet.GetSeconds() + o.per_byte_s * (o.udp_payload + 28);
  const double capacity = o.cores * seconds / per_packet_s;
  ASSERT_NEAR(offered, 2 * capacity, 0.001 * capacity);
  const double forwarded = static_cast<double>(rx->GetTotalRx()) / o.udp_payload;
  EXPECT_NEAR(forwarded, capacity, 0.02 * capacity);
  EXPECT_NEAR(static_cast<double>(cpu->GetQueueDrops()), offered - capacity, 0.02 * capacity);
  EXPECT_EQ(t.lvs->GetQueueDrops(), cpu->GetQueueDrops());
  // What the engine forwarded is what arrived (a packet of slack: when several
  // tests share a process, one may be lost to ARP on the inside LAN).
  EXPECT_NEAR(static_cast<double>(t.lvs->GetForwarded()), forwarded, 1.0);
  EXPECT_GE(utilisation, 0.98);
  EXPECT_LE(utilisation, 1.0 + 1e-9);
  Simulator::Destroy();
}

INSTANTIATE_TEST_SUITE_P(
    Profiles, CostModelExactness,
    testing::Values(Overload{"PerPacket1Core", MicroSeconds(100), 0.0, 1, 72, MicroSeconds(50)},
                    Overload{"PerPacket2Cores", MicroSeconds(100), 0.0, 2, 72, MicroSeconds(25)},
                    Overload{"PerByte", Time(0), 1e-7, 1, 972, MicroSeconds(50)}),
    [](const testing::TestParamInfo<Overload>& i) { return std::string(i.param.name); });

// The per-connection cost is charged to exactly the packets that made the
// engine schedule a connection (its connection counter moved), nothing else.
TEST(CostModel, PerConnectionCostFollowsEngine) {
  NatTopologyOptions opt;
  opt.cost_profile = "custom";
  opt.cost_attributes = {{"PerPacket", Create<TimeValue>(MicroSeconds(10))},
                         {"PerConnection", Create<TimeValue>(MilliSeconds(1))}};
  NatTopology t(opt);
  t.AddService(lvs::Proto::kTcp, 80, "rr", {1, 1});
  PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 80));
  sink.Install(t.servers);
  for (int i = 0; i < 10; ++i) {
    BulkSendHelper bulk("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address(kVip), 80));
    bulk.SetAttribute("MaxBytes", UintegerValue(3000));
    bulk.Install(t.clients.Get(i % 2)).Start(Seconds(0.1 + 0.02 * i));
  }
  Simulator::Stop(Seconds(1));
  Simulator::Run();

  Ptr<RouterCostModel> cpu = t.lvs->GetCostModel();
  const uint64_t conns = t.lvs->GetEngine().total_stats().conns;
  EXPECT_EQ(conns, 10u);
  EXPECT_GT(cpu->GetServed(), 60u);
  EXPECT_EQ(cpu->GetBusyTime(), MicroSeconds(10) * cpu->GetServed() + MilliSeconds(1) * conns);
  EXPECT_EQ(cpu->GetQueueDrops(), 0u);
  Simulator::Destroy();
}

// The built-in profiles carry their numbers and sources (the scenario docs print them).
TEST(CostModel, ProfilesCarrySources) {
  bool ipvs = false, none = false, custom = false;
  for (const RouterCostModel::Profile& p : RouterCostModel::Profiles()) {
    EXPECT_FALSE(p.source.empty()) << p.name;
    if (p.name == "ipvs-nat") {
      ipvs = true;
      EXPECT_NEAR(1.0 / p.perPacket.GetSeconds(), 1.2e6, 0.001e6);
      EXPECT_NE(p.source.find("CoNEXT 2018"), std::string::npos);
    }
    none = none || p.name == "none";
    custom = custom || p.name == "custom";
  }
  EXPECT_TRUE(ipvs && none && custom);
  Ptr<RouterCostModel> m = CreateObject<RouterCostModel>();
  EXPECT_TRUE(m->IsFree());
  EXPECT_TRUE(m->ApplyProfile("ipvs-nat"));
  EXPECT_FALSE(m->IsFree());
  EXPECT_FALSE(m->ApplyProfile("no-such-profile"));
  Simulator::Destroy();
}

}  // namespace
}  // namespace lvs_director_test
