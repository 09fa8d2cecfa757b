// ns-3 packet tags and byte tags the sender attached survive the director's
// rewrite in both directions, pure ACKs (header-only packets) included.
#include <gtest/gtest.h>

#include "director_topology.h"
#include "ns3/flow-monitor-module.h"

namespace lvs_director_test {
namespace {

using namespace ns3;

class MarkTag : public Tag {
 public:
  static TypeId GetTypeId() {
    static TypeId tid = TypeId("lvs_director_test::MarkTag").SetParent<Tag>().AddConstructor<MarkTag>();
    return tid;
  }
  MarkTag() = default;
  explicit MarkTag(uint32_t v) : m_value(v) {}
  TypeId GetInstanceTypeId() const override { return GetTypeId(); }
  uint32_t GetSerializedSize() const override { return 4; }
  void Serialize(TagBuffer i) const override { i.WriteU32(m_value); }
  void Deserialize(TagBuffer i) override { m_value = i.ReadU32(); }
  void Print(std::ostream& os) const override { os << m_value; }
  uint32_t Value() const { return m_value; }

 private:
  uint32_t m_value = 0;
};

constexpr uint32_t kByteMark = 0xb17e;
constexpr uint32_t kPacketMark = 0x9ac7;

// Like FlowMonitor: tag every packet a node sends (byte tag over the whole L4 packet).
void Mark(const Ipv4Header&, Ptr<const Packet> p, uint32_t) {
  ConstCast<Packet>(p)->AddByteTag(MarkTag(kByteMark));
  ConstCast<Packet>(p)->AddPacketTag(MarkTag(kPacketMark));
}

struct Seen {
  uint32_t tcp = 0, empty = 0, byte_tag = 0, packet_tag = 0;
};

void Check(Seen* s, const Ipv4Header& h, Ptr<const Packet> p, uint32_t) {
  if (h.GetProtocol() != 6) return;
  ++s->tcp;
  TcpHeader tcp;
  s->empty += p->PeekHeader(tcp) == p->GetSize();
  MarkTag b, t;
  s->byte_tag += p->FindFirstMatchingByteTag(b) && b.Value() == kByteMark;
  s->packet_tag += p->PeekPacketTag(t) && t.Value() == kPacketMark;
}

// rr over the two servers; each of `senders` uploads 30,000 bytes to the VIP from 0.1 s.
void BulkToVip(NatTopology& t, const NodeContainer& senders) {
  t.AddService(lvs::Proto::kTcp, 80, "rr", {1, 1});
  PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 80));
  sink.Install(t.servers);
  BulkSendHelper bulk("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address(kVip), 80));
  bulk.SetAttribute("MaxBytes", UintegerValue(30000));
  bulk.Install(senders).Start(Seconds(0.1));
}

TEST(DirectorTags, PacketAndByteTagsSurviveRewrite) {
  NatTopology t;
  BulkToVip(t, NodeContainer(t.clients.Get(0)));
  Seen at_server, at_client;
  for (uint32_t i = 0; i < t.servers.GetN(); ++i) {
    Ptr<Ipv4L3Protocol> l3 = t.servers.Get(i)->GetObject<Ipv4L3Protocol>();
    l3->TraceConnectWithoutContext("SendOutgoing", MakeCallback(&Mark));
    l3->TraceConnectWithoutContext("LocalDeliver", MakeBoundCallback(&Check, &at_server));
  }
  Ptr<Ipv4L3Protocol> c3 = t.clients.Get(0)->GetObject<Ipv4L3Protocol>();
  c3->TraceConnectWithoutContext("SendOutgoing", MakeCallback(&Mark));
  c3->TraceConnectWithoutContext("LocalDeliver", MakeBoundCallback(&Check, &at_client));
  Simulator::Stop(Seconds(1));
  Simulator::Run();

  EXPECT_GT(at_server.tcp, 20u);
  EXPECT_GT(at_client.tcp, 10u);
  EXPECT_GT(at_client.empty, 5u);  // pure ACKs from the server
  EXPECT_EQ(at_server.byte_tag, at_server.tcp);
  EXPECT_EQ(at_server.packet_tag, at_server.tcp);
  EXPECT_EQ(at_client.byte_tag, at_client.tcp);
  EXPECT_EQ(at_client.packet_tag, at_client.tcp);
  Simulator::Destroy();
}

// FlowMonitor on every node sees each NAT flow delivered: its tag follows the
// rewritten addresses (ns-3's probes ignore a tag whose addresses differ from
// the packet's), so the client->VIP flow is received at the real server and
// the server->client flow, rewritten to VIP->client, at the client.
TEST(DirectorTags, FlowMonitorCountsNatFlowsAsDelivered) {
  NatTopology t;
  BulkToVip(t, t.clients);
  FlowMonitorHelper helper;
  Ptr<FlowMonitor> monitor = helper.InstallAll();
  Simulator::Stop(Seconds(2));
  Simulator::Run();
  monitor->CheckForLostPackets();

  auto classifier = DynamicCast<Ipv4FlowClassifier>(helper.GetClassifier());
  int to_vip = 0, from_server = 0;
  for (const auto& [id, st] : monitor->GetFlowStats()) {
    const Ipv4FlowClassifier::FiveTuple f = classifier->FindFlow(id);
    SCOPED_TRACE(testing::Message() << f.sourceAddress << ":" << f.sourcePort << " -> " << f.destinationAddress
                                    << ":" << f.destinationPort);
    if (f.protocol != 6) continue;
    if (f.destinationAddress == Ipv4Address(kVip)) ++to_vip;
    if (f.sourcePort == 80) ++from_server;
    EXPECT_GT(st.txPackets, 5u);
    EXPECT_EQ(st.rxPackets, st.txPackets);
    EXPECT_EQ(st.lostPackets, 0u);
    EXPECT_GT(st.delaySum.GetNanoSeconds(), 0);
  }
  EXPECT_EQ(to_vip, 2);
  EXPECT_EQ(from_server, 2);
  Simulator::Destroy();
}

// The rewritten L4 header is recorded in packet metadata as the header type it
// stands for, so printing (NetAnim, ascii traces) shows a TCP/UDP header with
// the rewritten fields. (Packet::EnableChecking cannot be used: ns-3 3.37's
// CSMA padding already trips it on ARP.)
TEST(DirectorTags, PacketMetadataShowsRealHeaders) {
  Packet::EnablePrinting();
  NatTopology t;
  t.AddService(lvs::Proto::kTcp, 80, "rr", {1, 1});
  t.AddService(lvs::Proto::kUdp, 7, "rr", {1, 1});
  PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 80));
  ApplicationContainer sinks = sink.Install(t.servers);
  UdpEchoServerHelper echo(7);
  echo.Install(t.servers);
  BulkSendHelper bulk("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address(kVip), 80));
  bulk.SetAttribute("MaxBytes", UintegerValue(20000));
  bulk.Install(t.clients.Get(0)).Start(Seconds(0.1));
  UdpEchoClientHelper echo_client(Ipv4Address(kVip), 7);
  echo_client.SetAttribute("MaxPackets", UintegerValue(3));
  echo_client.SetAttribute("Interval", TimeValue(MilliSeconds(100)));
  echo_client.Install(t.clients.Get(1)).Start(Seconds(0.1));
  std::vector<std::string> printed;  // L4 packets as the real servers' IP layer delivers them
  for (uint32_t i = 0; i < t.servers.GetN(); ++i)
    t.servers.Get(i)->GetObject<Ipv4L3Protocol>()->TraceConnectWithoutContext(
        "LocalDeliver", MakeBoundCallback(+[](std::vector<std::string>* out, const Ipv4Header&,
                                              Ptr<const Packet> p, uint32_t) {
          std::ostringstream os;
          p->Print(os);
          out->push_back(os.str());
        }, &printed));
  Simulator::Stop(Seconds(1));
  Simulator::Run();

  EXPECT_EQ(DynamicCast<PacketSink>(sinks.Get(0))->GetTotalRx() +
                DynamicCast<PacketSink>(sinks.Get(1))->GetTotalRx(),
            20000u);
  int tcp = 0, udp = 0;
  for (const std::string& s : printed) {
    tcp += s.rfind("ns3::TcpHeader (", 0) == 0 && s.find(" > 80 [") != std::string::npos;
    udp += s.rfind("ns3::UdpHeader (", 0) == 0 && s.find(" > 7)") != std::string::npos;
  }
  EXPECT_EQ(tcp + udp, static_cast<int>(printed.size())) << (printed.empty() ? "" : printed[0]);
  EXPECT_EQ(udp, 3);
  EXPECT_GT(tcp, 10);
  Simulator::Destroy();
}

}  // namespace
}  // namespace lvs_director_test
