// A persistence template's own sync bookkeeping, as the kernel's: its
// packet count (cp->in_pkts, an atomic_t: ip_vs_sync_conn's
// atomic_inc_return, and ip_vs_in's atomic_inc for a one-packet connection
// when not master), and on a backup the timeout its sync message carried
// (ip_vs_proc_conn: cp->timeout), kept for every later restart of its timer.
#include <gtest/gtest.h>

#include "sync_fixture.h"

namespace lvs::test {
namespace {

SyncSysctls count_only(std::uint32_t threshold) {
  // sync_period 0, no refresh period: a template is synced only when its
  // in_pkts equals sync_threshold (ip_vs_sync_conn_needed).
  SyncSysctls s;
  s.sync_threshold = threshold;
  s.sync_period = 0;
  return s;
}

class SyncTemplateCount : public DirectorTest {
 protected:
  SyncTemplateCount() : master_(SyncDaemonConfig{}, Time{0}) {}
  void SetUp() override {
    ServiceConfig tcp = service("rr");
    tcp.flags = kSvcPersistent;
    add_service(tcp);
    add_dest(tcp_service(), nat_dest(kRs1));
    const ServiceConfig udp = one_packet_dns_service();
    add_service(udp);
    add_dest(udp.key, nat_dest(kRs2, 53));
  }
  // Client packet number n; the entries it made the master queue are noted.
  void client(int n, const PacketSpec& p, double t) {
    const std::uint64_t before = master_.stats().conns_queued;
    EXPECT_EQ(in(p, at(t)).action, Action::kForward) << n;
    entry_packet_.insert(entry_packet_.end(), master_.stats().conns_queued - before, n);
  }
  // The packet numbers that made the master sync a template.
  std::vector<int> templates_synced() {
    std::vector<int> got;
    std::size_t i = 0;
    for (const SyncDatagram& d : master_.collect(at(1e6)))
      for (const SyncConn& c : decode_sync_message(d.bytes.data(), d.bytes.size()).conns) {
        if (c.flags & kKTemplate) got.push_back(entry_packet_.at(i));
        ++i;
      }
    EXPECT_EQ(i, entry_packet_.size());
    return got;
  }
  std::vector<int> entry_packet_;
  SyncMaster master_;
};

// The count does not stop at 255: with sync_threshold 300 the template is
// synced with the 300th client packet of its connection, once.
TEST_F(SyncTemplateCount, CountsPast255) {
  engine_.set_sync_sysctls(count_only(300));
  engine_.set_sync_master(&master_);
  client(1, seg(Proto::kTcp, kClient, 40000, kVip, 80, kSyn), 1);
  EXPECT_EQ(out(seg(Proto::kTcp, kRs1, 8080, kClient, 40000, kSynAck), at(1)).action,
            Action::kForward);
  for (int n = 2; n <= 400; ++n)
    client(n, seg(Proto::kTcp, kClient, 40000, kVip, 80, kAck, 10), 1 + n * 0.001);
  EXPECT_EQ(templates_synced(), std::vector<int>{300});
}

// Without the master role, a one-packet connection still counts its
// template's packets (ip_vs_in: atomic_inc(&cp->control->in_pkts)); other
// connections' packets do not. So after two datagrams the master's first
// one brings the template to the threshold (3), and the next two go past it;
// a TCP template whose SYN came before the master role counts from 0.
TEST_F(SyncTemplateCount, OnePacketCountsTemplateWithoutMaster) {
  engine_.set_sync_sysctls(count_only(3));
  const PacketSpec dgram = seg(Proto::kUdp, kClient, 5353, kVip, 53, 0, 20);
  in(dgram, at(1));
  in(dgram, at(2));
  in(seg(Proto::kTcp, kClient, 40000, kVip, 80, kSyn), at(2));
  engine_.set_sync_master(&master_);
  for (int n = 3; n <= 5; ++n) client(n, dgram, n);
  EXPECT_EQ(out(seg(Proto::kTcp, kRs1, 8080, kClient, 40000, kSynAck), at(6)).action,
            Action::kForward);
  // TCP packets 2..5 (numbered 102..105) bring its template to 1, 2, 3, 4.
  for (int n = 2; n <= 5; ++n)
    client(100 + n, seg(Proto::kTcp, kClient, 40000, kVip, 80, kAck), 6 + n * 0.01);
  EXPECT_EQ(templates_synced(), (std::vector<int>{3, 104}));
}

SyncDaemonConfig daemon_cfg() {
  SyncDaemonConfig c;
  c.mcast_ifn = "eth1";
  return c;
}

void persistent_service(Engine& e, Duration timeout) {
  ServiceConfig s = service_config();
  s.flags = kSvcPersistent;
  s.timeout = timeout;
  ASSERT_TRUE(e.add_service(s));
  ASSERT_TRUE(e.add_dest(tcp_service(), nat_dest(kRs1)));
}

// A backup whose service has another persistence timeout than the master's
// keeps the master's for the synced template: after takeover a new
// connection restarts the template's timer with it, and the backup, now
// master, syncs the template with it.
TEST(SyncTemplateTimeout, BackupKeepsTheSyncedTimeout) {
  Engine a(director_config()), b(director_config());
  persistent_service(a, seconds(300));
  persistent_service(b, seconds(600));
  SyncMaster ma(daemon_cfg(), Time{0}), mb(daemon_cfg(), Time{0});
  SyncBackup bk(daemon_cfg());
  a.set_sync_master(&ma);
  Bytes syn = make_packet(seg(Proto::kTcp, kClient, 40000, kVip, 80, kSyn));
  ASSERT_EQ(a.process(syn.data(), syn.size(), Side::kOutside, at(1)).action, Action::kForward);
  for (const SyncDatagram& d : ma.collect(at(5)))
    ASSERT_EQ(bk.receive(d.bytes.data(), d.bytes.size(), at(5), b), SyncMessageError::kNone);
  const ConnId tmpl = b.conns().find_in(Proto::kTcp, ip(kClient), 0, ip(kVip), 80);
  ASSERT_NE(tmpl, kNoConn);
  EXPECT_EQ(b.conns().expires_at(tmpl), at(305));

  b.set_sync_master(&mb);  // takeover
  Bytes next = make_packet(seg(Proto::kTcp, kClient, 40001, kVip, 80, kSyn));
  const Verdict v = b.process(next.data(), next.size(), Side::kOutside, at(10));
  ASSERT_TRUE(v.new_conn);
  EXPECT_EQ(v.next_hop, ip(kRs1));
  EXPECT_EQ(b.conns().expires_at(tmpl), at(310));
  int templates = 0;
  for (const SyncDatagram& d : mb.collect(at(20)))
    for (const SyncConn& c : decode_sync_message(d.bytes.data(), d.bytes.size()).conns)
      if (c.flags & kKTemplate) {
        ++templates;
        EXPECT_EQ(c.timeout_s, 300u);
      }
  EXPECT_EQ(templates, 1);
}

// A template synced while this director has no such service (unbound) or
// from a version 0 message (no timeout: 3 minutes) has the timeout
// ip_vs_proc_conn gave it, also when the master re-syncs it.
TEST(SyncTemplateTimeout, UnboundTemplateKeepsTheSyncedTimeout) {
  Engine b(director_config());
  SyncConn t;
  t.protocol = 6;
  t.flags = kKTemplate | kKInactive;
  t.caddr = ip(kClient);
  t.vaddr = ip(kVip);
  t.vport = 80;
  t.daddr = ip(kRs1);
  t.dport = 8080;
  t.timeout_s = 500;
  bool bound = true;
  ASSERT_EQ(b.apply_sync_conn(t, at(1), &bound), SyncApply::kCreated);
  EXPECT_FALSE(bound);
  const ConnId id = b.conns().find_in(Proto::kTcp, ip(kClient), 0, ip(kVip), 80);
  ASSERT_NE(id, kNoConn);
  EXPECT_EQ(b.conns().expires_at(id), at(501));
  EXPECT_EQ(b.sync_entry(id, at(2)).timeout_s, 500u);
  t.timeout_s = 0;  // as from a version 0 message
  ASSERT_EQ(b.apply_sync_conn(t, at(3), &bound), SyncApply::kUpdated);
  EXPECT_EQ(b.conns().expires_at(id), at(183));
  EXPECT_EQ(b.sync_entry(id, at(4)).timeout_s, 180u);
}

}  // namespace
}  // namespace lvs::test
