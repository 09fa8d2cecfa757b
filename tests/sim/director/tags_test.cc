// ns-3 packet tags and byte tags the sender attached survive the director's
// rewrite in both directions, pure ACKs (header-only packets) included.
#include <gtest/gtest.h>

#include "director_topology.h"

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

TEST(DirectorTags, PacketAndByteTagsSurviveRewrite) {
  NatTopology t;
  t.AddService(lvs::Proto::kTcp, 80, "rr", {1, 1});
  PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 80));
  sink.Install(t.servers);
  BulkSendHelper bulk("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address(kVip), 80));
  bulk.SetAttribute("MaxBytes", UintegerValue(30000));
  bulk.Install(t.clients.Get(0)).Start(Seconds(0.1));
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

}  // namespace
}  // namespace lvs_director_test
