// The director's NAT path on a small CSMA topology: what clients and real
// servers see, checksums on the wire, scheduler shares, ICMP, a disabled backup.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>

#include "director_topology.h"

namespace lvs_director_test {
namespace {

using namespace ns3;

void StartBulk(NodeContainer& clients, int per_client, uint32_t bytes, double start, double step) {
  int k = 0;
  for (uint32_t c = 0; c < clients.GetN(); ++c) {
    for (int i = 0; i < per_client; ++i, ++k) {
      BulkSendHelper bulk("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address(kVip), 80));
      bulk.SetAttribute("MaxBytes", UintegerValue(bytes));
      ApplicationContainer app = bulk.Install(clients.Get(c));
      app.Start(Seconds(start + step * k));
    }
  }
}

struct SinkLog {
  std::set<std::string> peers;  // addresses the real servers' sinks saw data from
  void Rx(Ptr<const Packet>, const Address& from, const Address&) {
    std::ostringstream os;
    os << InetSocketAddress::ConvertFrom(from).GetIpv4();
    peers.insert(os.str());
  }
};

// Clients only ever see the VIP; real servers see the real client addresses.
TEST(DirectorNat, ClientSeesOnlyVipServersSeeClients) {
  GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
  auto topology = std::make_unique<NatTopology>();  // owns the pcap writers
  NatTopology& t = *topology;
  t.AddService(lvs::Proto::kTcp, 80, "rr", {1, 1});
  PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 80));
  ApplicationContainer sinks = sink.Install(t.servers);
  SinkLog log;
  for (uint32_t i = 0; i < sinks.GetN(); ++i)
    sinks.Get(i)->TraceConnectWithoutContext("RxWithAddresses", MakeCallback(&SinkLog::Rx, &log));
  StartBulk(t.clients, 2, 20000, 0.1, 0.05);
  const std::string dir = MakeTempDir();
  t.public_lan.EnablePcap(dir + "/client", t.public_devs.Get(1), false);
  Simulator::Stop(Seconds(2));
  Simulator::Run();

  uint64_t rx = 0;
  for (uint32_t i = 0; i < sinks.GetN(); ++i) rx += DynamicCast<PacketSink>(sinks.Get(i))->GetTotalRx();
  EXPECT_EQ(rx, 4u * 20000u);
  EXPECT_EQ(log.peers, (std::set<std::string>{"192.0.2.1", "192.0.2.2"}));
  Simulator::Destroy();
  topology.reset();  // closes (flushes) the pcap files
  if (!HaveTshark()) GTEST_SKIP() << "tshark not installed: client-side pcap not inspected";
  const std::vector<std::string> pairs = IpPairs(dir + "/client-1-0.pcap");
  ASSERT_GT(pairs.size(), 20u);
  for (const std::string& p : pairs) {
    EXPECT_TRUE(p == "192.0.2.1\t192.0.2.100" || p == "192.0.2.100\t192.0.2.1") << p;
  }
  RemoveTempDirUnlessFailed(dir);
}

// With ChecksumEnabled on, every rewritten TCP and UDP packet carries valid checksums.
TEST(DirectorNat, ChecksumsValidOnBothSides) {
  if (!HaveTshark()) GTEST_SKIP() << "tshark not installed: cannot verify checksums";
  GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
  auto topology = std::make_unique<NatTopology>();  // owns the pcap writers
  NatTopology& t = *topology;
  t.AddService(lvs::Proto::kTcp, 80, "rr", {1, 1});
  t.AddService(lvs::Proto::kUdp, 7, "rr", {1, 1});
  PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 80));
  ApplicationContainer sinks = sink.Install(t.servers);
  UdpEchoServerHelper echo(7);
  echo.Install(t.servers);
  StartBulk(t.clients, 1, 30000, 0.1, 0.1);
  UdpEchoClientHelper echo_client(Ipv4Address(kVip), 7);
  echo_client.SetAttribute("MaxPackets", UintegerValue(5));
  echo_client.SetAttribute("Interval", TimeValue(MilliSeconds(50)));
  echo_client.SetAttribute("PacketSize", UintegerValue(333));
  ApplicationContainer ec = echo_client.Install(t.clients);
  ec.Start(Seconds(0.2));
  uint32_t echoes = 0;
  for (uint32_t i = 0; i < ec.GetN(); ++i)
    ec.Get(i)->TraceConnectWithoutContext(
        "Rx", MakeBoundCallback(+[](uint32_t* n, Ptr<const Packet>) { ++*n; }, &echoes));
  const std::string dir = MakeTempDir();
  t.public_lan.EnablePcap(dir + "/pub", t.public_devs.Get(0), true);
  t.private_lan.EnablePcap(dir + "/priv", t.private_devs.Get(0), true);
  Simulator::Stop(Seconds(2));
  Simulator::Run();

  EXPECT_EQ(echoes, 10u);
  uint64_t rx = 0;
  for (uint32_t i = 0; i < sinks.GetN(); ++i) rx += DynamicCast<PacketSink>(sinks.Get(i))->GetTotalRx();
  EXPECT_EQ(rx, 2u * 30000u);
  EXPECT_GT(t.lvs->GetForwarded(), 50u);
  Simulator::Destroy();
  topology.reset();  // closes (flushes) the pcap files
  for (const char* f : {"/pub-0-0.pcap", "/priv-0-1.pcap"}) {
    const std::string pcap = dir + f;
    EXPECT_GT(CountPackets(pcap, "tcp || udp"), 50) << pcap;
    EXPECT_EQ(BadChecksums(pcap), "") << pcap;
  }
  RemoveTempDirUnlessFailed(dir);
}

uint64_t DestConns(const lvs::Engine& e, const lvs::ServiceKey& key, const Ipv4Address& rs) {
  const lvs::RealServer* d = e.find_dest(key, rs.Get(), key.port);
  return d ? d->stats.counters.conns : 0;
}

// wrr 3:1 over 40 connections schedules exactly 30:10, counted by the engine
// and seen in the Scheduled trace.
TEST(DirectorNat, WrrSharesFollowWeights) {
  NatTopology t;
  const lvs::ServiceKey key = t.AddService(lvs::Proto::kTcp, 80, "wrr", {3, 1});
  PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 80));
  sink.Install(t.servers);
  std::map<std::string, int> traced;
  t.lvs->TraceConnectWithoutContext(
      "Scheduled", MakeBoundCallback(+[](std::map<std::string, int>* m, const LvsScheduledConnection& c) {
        std::ostringstream os;
        os << c.realServer << ":" << c.realServerPort;
        ++(*m)[os.str()];
      }, &traced));
  StartBulk(t.clients, 20, 2000, 0.1, 0.01);
  Simulator::Stop(Seconds(2));
  Simulator::Run();

  EXPECT_EQ(DestConns(t.lvs->GetEngine(), key, t.server_addrs[0]), 30u);
  EXPECT_EQ(DestConns(t.lvs->GetEngine(), key, t.server_addrs[1]), 10u);
  EXPECT_EQ(traced, (std::map<std::string, int>{{"10.1.0.11:80", 30}, {"10.1.0.12:80", 10}}));
  EXPECT_GE(t.lvs->GetPeakConnections(), 2u);
  const std::string listing = t.lvs->GetIpvsadmStats();
  EXPECT_NE(listing.find("TCP  192.0.2.100:80"), std::string::npos) << listing;
  EXPECT_NE(listing.find("-> 10.1.0.11:80"), std::string::npos) << listing;
  Simulator::Destroy();
}

// A UDP service with no real server: the engine drops with kNoDestination and
// the director answers ICMP port unreachable from the VIP, with a valid checksum.
TEST(DirectorNat, NoDestinationAnswersIcmpPortUnreachable) {
  GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
  auto topology = std::make_unique<NatTopology>();  // owns the pcap writers
  NatTopology& t = *topology;
  t.AddService(lvs::Proto::kUdp, 53, "rr", {});
  std::map<std::string, int> drops;
  t.lvs->TraceConnectWithoutContext(
      "Drop", MakeBoundCallback(+[](std::map<std::string, int>* m, const std::string& why,
                                    Ptr<const Packet>) { ++(*m)[why]; }, &drops));
  UdpClientHelper client(Ipv4Address(kVip), 53);
  client.SetAttribute("MaxPackets", UintegerValue(3));
  client.SetAttribute("Interval", TimeValue(MilliSeconds(10)));
  client.Install(t.clients.Get(0)).Start(Seconds(0.1));
  const std::string dir = MakeTempDir();
  t.public_lan.EnablePcap(dir + "/client", t.public_devs.Get(1), false);
  Simulator::Stop(Seconds(1));
  Simulator::Run();

  EXPECT_EQ(t.lvs->GetEngineDrops(lvs::DropReason::kNoDestination), 3u);
  EXPECT_EQ(t.lvs->GetIcmpUnreachableSent(), 3u);
  EXPECT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops.begin()->second, 3);
  Simulator::Destroy();
  topology.reset();  // closes (flushes) the pcap files
  if (HaveTshark()) {
    const std::string pcap = dir + "/client-1-0.pcap";
    EXPECT_EQ(CountPackets(pcap,
                           "icmp.type==3 && icmp.code==3 && ip.src==192.0.2.100 && "
                           "icmp.checksum.status==\"Good\" && ip.checksum.status==\"Good\"",
                           "-o ip.check_checksum:TRUE"),
              3);
  }
  RemoveTempDirUnlessFailed(dir);
}

// A backup director (Enabled=false) forwards nothing and leaves its engine
// untouched; once enabled it forwards.
TEST(DirectorNat, DisabledBackupForwardsNothingUntilEnabled) {
  NatTopology t;
  t.AddService(lvs::Proto::kUdp, 9, "rr", {1, 1});
  t.lvs->SetAttribute("Enabled", BooleanValue(false));
  PacketSinkHelper sink("ns3::UdpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 9));
  ApplicationContainer sinks = sink.Install(t.servers);
  std::vector<double> rx_times;
  for (uint32_t i = 0; i < sinks.GetN(); ++i)
    sinks.Get(i)->TraceConnectWithoutContext(
        "Rx", MakeBoundCallback(+[](std::vector<double>* v, Ptr<const Packet>, const Address&) {
          v->push_back(Simulator::Now().GetSeconds());
        }, &rx_times));
  // To the VIP (delivered locally while disabled) and straight to a real server
  // (would be routed: refused while disabled).
  UdpClientHelper to_vip(Ipv4Address(kVip), 9);
  to_vip.SetAttribute("MaxPackets", UintegerValue(100));
  to_vip.SetAttribute("Interval", TimeValue(MilliSeconds(10)));
  to_vip.Install(t.clients.Get(0)).Start(Seconds(0.0));
  UdpClientHelper direct(t.server_addrs[0], 9);
  direct.SetAttribute("MaxPackets", UintegerValue(50));
  direct.SetAttribute("Interval", TimeValue(MilliSeconds(10)));
  direct.Install(t.clients.Get(1)).Start(Seconds(0.0));
  Simulator::Schedule(Seconds(0.5), [&] {
    EXPECT_EQ(t.lvs->GetForwarded(), 0u);
    EXPECT_EQ(t.lvs->GetEngine().total_stats().inpkts, 0u);
    EXPECT_TRUE(rx_times.empty());
    EXPECT_EQ(t.lvs->GetDisabledDrops(), 50u);
  });
  Simulator::Schedule(Seconds(0.6), [&] { t.lvs->SetEnabled(true); });
  Simulator::Stop(Seconds(1.5));
  Simulator::Run();

  ASSERT_FALSE(rx_times.empty());
  for (double s : rx_times) EXPECT_GE(s, 0.6);
  EXPECT_EQ(rx_times.size(), 40u);  // the VIP packets sent from 0.6 s on
  EXPECT_EQ(t.lvs->GetForwarded(), 40u);
  Simulator::Destroy();
}

// Broadcasts from the private LAN reach the director itself and never the
// engine, even with masquerading on (VRRP adverts and the like must get through).
TEST(DirectorNat, BroadcastsBypassEngine) {
  NatTopology t;
  t.AddService(lvs::Proto::kUdp, 9, "rr", {1, 1});
  lvs::EngineConfig masq = t.lvs->GetEngine().config();
  masq.masq_addr = ip(kVip);
  t.lvs->SetEngineConfig(masq);
  PacketSinkHelper sink("ns3::UdpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 5000));
  Ptr<PacketSink> at_director = DynamicCast<PacketSink>(sink.Install(t.director.Get(0)).Get(0));
  Ptr<Socket> s = Socket::CreateSocket(t.servers.Get(0), UdpSocketFactory::GetTypeId());
  s->SetAllowBroadcast(true);
  s->Connect(InetSocketAddress(Ipv4Address::GetBroadcast(), 5000));
  for (int i = 0; i < 3; ++i)
    Simulator::Schedule(MilliSeconds(10 * (i + 1)), [s] { s->Send(Create<Packet>(100)); });
  Simulator::Stop(Seconds(0.5));
  Simulator::Run();

  EXPECT_EQ(at_director->GetTotalRx(), 300u);
  EXPECT_EQ(t.lvs->GetEngineDropsTotal(), 0u);
  EXPECT_EQ(t.lvs->GetForwarded(), 0u);
  Simulator::Destroy();
}

}  // namespace
}  // namespace lvs_director_test
