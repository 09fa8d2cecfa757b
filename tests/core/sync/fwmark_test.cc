// The firewall mark a sync entry carries: ip_vs_conn_new stores the mark of
// the packet that created the connection or template (cp->fwmark =
// skb->mark, whichever service matched), ip_vs_sync_conn sends cp->fwmark,
// and a backup keeps the mark it received (ip_vs_proc_conn ->
// ip_vs_conn_new(..., fwmark)) and sends it once it is master itself.
#include <gtest/gtest.h>

#include "sync_fixture.h"

namespace lvs::test {
namespace {

constexpr std::uint32_t kMarkOfFwmarkService = 9;
constexpr std::uint32_t kStrayMark = 7;  // no firewall-mark service has it

std::vector<SyncConn> collect_entries(SyncMaster& m, Time until) {
  std::vector<SyncConn> all;
  for (const SyncDatagram& d : m.collect(until)) {
    const SyncDecoded dec = decode_sync_message(d.bytes.data(), d.bytes.size());
    all.insert(all.end(), dec.conns.begin(), dec.conns.end());
  }
  return all;
}

class SyncFwmark : public DirectorTest {
 protected:
  SyncFwmark() : master_(SyncDaemonConfig{}, Time{0}) {}
  void SetUp() override {
    ServiceConfig addr = service("rr");
    addr.flags = kSvcPersistent;
    add_service(addr);
    add_dest(tcp_service(), nat_dest(kRs1));
    ServiceConfig mark;
    mark.key.fwmark = kMarkOfFwmarkService;
    mark.scheduler = "rr";
    mark.flags = kSvcPersistent;
    add_service(mark);
    add_dest(mark.key, nat_dest(kRs2, 0));
    engine_.set_sync_master(&master_);
  }
  // Three client packets of one TCP flow (the third is synced), each with `mark`.
  void flow(const std::string& client, std::uint16_t vport, std::uint32_t mark, double t) {
    for (std::uint8_t flags : {kSyn, kAck, kAck}) {
      Bytes b = make_packet(seg(Proto::kTcp, client, 40000, kVip, vport, flags));
      ASSERT_EQ(engine_.process(b.data(), b.size(), Side::kOutside, at(t), mark).action,
                Action::kForward);
      t += 0.01;
    }
  }
  SyncMaster master_;
};

// Every entry of a flow, its template's included, carries the flow's mark:
// also a mark that matched no firewall-mark service and so reached the
// address service. (Each flow from its own client: a template keeps the mark
// of the packet that created it.)
TEST_F(SyncFwmark, EntriesCarryThePacketsMark) {
  struct Case {
    const char* what;
    std::uint16_t vport;
    std::uint32_t mark;
  };
  const std::vector<Case> cases = {
      {"address service, unmarked", 80, 0},
      {"address service, stray mark", 80, kStrayMark},
      {"firewall-mark service", 443, kMarkOfFwmarkService},
  };
  int client = 0;
  double t = 1;
  for (const Case& c : cases) {
    flow("203.0.113." + std::to_string(++client), c.vport, c.mark, t);
    t += 10;
    const std::vector<SyncConn> entries = collect_entries(master_, at(t));
    ASSERT_FALSE(entries.empty()) << c.what;
    int conns = 0;
    for (const SyncConn& e : entries) {
      EXPECT_EQ(e.fwmark, c.mark) << c.what;
      conns += (e.flags & kKTemplate) == 0;
    }
    EXPECT_EQ(conns, 1) << c.what;
  }
}

// An entry keeps its mark after its firewall-mark service is deleted: its
// real server waits in the trash with the service's key, as the kernel's
// entry keeps cp->fwmark.
TEST_F(SyncFwmark, EntriesKeepTheMarkOfADeletedService) {
  flow("203.0.113.9", 443, kMarkOfFwmarkService, 1);
  ServiceKey mark;
  mark.fwmark = kMarkOfFwmarkService;
  ASSERT_TRUE(engine_.del_service(mark));
  ASSERT_EQ(engine_.trash_size(), 1u);
  int entries = 0;
  engine_.conns().for_each([&](ConnId id, const Conn&) {
    EXPECT_EQ(engine_.sync_entry(id, at(2)).fwmark, kMarkOfFwmarkService);
    ++entries;
  });
  EXPECT_EQ(entries, 2);  // the connection and its template
}

// A backup keeps the mark of each entry it installs, bound or not, and sends
// it once it syncs the connection as master (here on the client's FIN).
TEST(SyncFwmarkBackup, BackupResendsTheMarkItReceived) {
  Engine b(director_config());
  ASSERT_TRUE(b.add_service(service_config()));
  ASSERT_TRUE(b.add_dest(tcp_service(), nat_dest(kRs1)));
  // An address service's connection from a marked packet.
  SyncConn bound = client_entry(0, TcpState::kEstablished, 900);
  bound.fwmark = kStrayMark;
  SyncConn unbound = bound;  // a firewall-mark service this backup lacks
  unbound.cport = 1235;
  unbound.vport = 443;
  unbound.daddr = ip(kRs2);
  unbound.dport = 443;
  unbound.fwmark = kMarkOfFwmarkService;
  bool is_bound = false;
  ASSERT_EQ(b.apply_sync_conn(bound, at(1), &is_bound), SyncApply::kCreated);
  EXPECT_TRUE(is_bound);
  ASSERT_EQ(b.apply_sync_conn(unbound, at(1), &is_bound), SyncApply::kCreated);
  EXPECT_FALSE(is_bound);

  SyncMaster m(SyncDaemonConfig{}, Time{0});
  b.set_sync_master(&m);  // takeover
  for (const SyncConn* e : {&bound, &unbound}) {
    Bytes fin = make_packet(seg(Proto::kTcp, kClient, e->cport, kVip, e->vport, kFinAck));
    ASSERT_EQ(b.process(fin.data(), fin.size(), Side::kOutside, at(2)).action, Action::kForward);
  }
  const std::vector<SyncConn> sent = collect_entries(m, at(10));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].cport, 1234);
  EXPECT_EQ(sent[0].fwmark, kStrayMark);
  EXPECT_EQ(sent[1].cport, 1235);
  EXPECT_EQ(sent[1].fwmark, kMarkOfFwmarkService);
}

}  // namespace
}  // namespace lvs::test
