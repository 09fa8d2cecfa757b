// End to end between two engines: traffic through A (master), its sync
// messages fed to B (backup); after takeover B forwards every synced
// connection to the same real server with the same rewrite, without
// re-scheduling. Also failback (both directions), counting, and bad input.
#include <gtest/gtest.h>

#include "sync_fixture.h"

namespace lvs::test {
namespace {

SyncDaemonConfig daemon_cfg(std::uint8_t syncid = 51) {
  SyncDaemonConfig c;
  c.mcast_ifn = "eth1";
  c.syncid = syncid;
  return c;
}

ServiceKey udp_service() {
  ServiceKey k;
  k.proto = Proto::kUdp;
  k.addr = ip(kVip);
  k.port = 53;
  return k;
}

// Both directors have the same services; B's real servers are listed in the
// other order, so its rr would pick differently from A's.
void configure(Engine& e, bool reversed, bool persistent = false) {
  for (const ServiceKey& k : {tcp_service(), udp_service()}) {
    ServiceConfig s = service_config(k, "rr");
    if (persistent) s.flags = kSvcPersistent;
    ASSERT_TRUE(e.add_service(s));
    const std::uint16_t port = k.proto == Proto::kTcp ? 8080 : 53;
    const char* first = reversed ? kRs2 : kRs1;
    const char* second = reversed ? kRs1 : kRs2;
    ASSERT_TRUE(e.add_dest(k, nat_dest(first, port)));
    ASSERT_TRUE(e.add_dest(k, nat_dest(second, port)));
  }
}

std::string client_addr(int i) { return "203.0.113." + std::to_string(10 + i); }

class SyncTakeover : public ::testing::Test {
 protected:
  SyncTakeover()
      : a_(director_config()),
        b_(director_config()),
        master_a_(daemon_cfg(), Time{0}),
        backup_b_(daemon_cfg()) {}
  void SetUp() override {
    configure(a_, false);
    configure(b_, true);
    a_.set_sync_master(&master_a_);
  }
  static Verdict run(Engine& e, Bytes& pkt, Side side, Time t) {
    return e.process(pkt.data(), pkt.size(), side, t);
  }
  static Verdict send(Engine& e, const PacketSpec& s, Time t, Side side = Side::kOutside) {
    Bytes b = make_packet(s);
    return run(e, b, side, t);
  }
  // kTcp flows: handshake + one data segment (the 3rd client packet: synced).
  void tcp_flows(Engine& e, int n, double t) {
    for (int i = 0; i < n; ++i) {
      const std::string c = client_addr(i);
      const Verdict v = send(e, seg(Proto::kTcp, c, 40000, kVip, 80, kSyn), at(t));
      ASSERT_EQ(v.action, Action::kForward);
      send(e, seg(Proto::kTcp, format_ip4(v.next_hop), 8080, c, 40000, kSynAck), at(t),
           Side::kInside);
      send(e, seg(Proto::kTcp, c, 40000, kVip, 80, kAck), at(t + 0.01));
      send(e, seg(Proto::kTcp, c, 40000, kVip, 80, kAck, 100), at(t + 0.02));
    }
  }
  void udp_flows(Engine& e, int n, double t) {
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < 3; ++k)
        send(e, seg(Proto::kUdp, client_addr(i), 5000, kVip, 53, 0, 20), at(t + k * 0.01));
  }
  static std::size_t ship(SyncMaster& m, SyncBackup& b, Engine& to, Time t) {
    std::size_t n = 0;
    for (const SyncDatagram& d : m.collect(t)) {
      EXPECT_EQ(b.receive(d.bytes.data(), d.bytes.size(), t, to), SyncMessageError::kNone);
      ++n;
    }
    return n;
  }
  // The same packet through both engines: same verdict, same bytes out.
  static void expect_same(Engine& x, Engine& y, const PacketSpec& s, Side side, Time t,
                          const std::string& what) {
    Bytes px = make_packet(s), py = make_packet(s);
    const Verdict vx = run(x, px, side, t);
    const Verdict vy = run(y, py, side, t);
    EXPECT_EQ(vx.action, Action::kForward) << what;
    EXPECT_EQ(vy.action, vx.action) << what;
    EXPECT_EQ(vy.next_hop, vx.next_hop) << what;
    EXPECT_FALSE(vy.new_conn) << what;
    EXPECT_EQ(hex(py), hex(px)) << what;
    EXPECT_TRUE(checksums_valid(py)) << what;
  }
  Ip4 server_of(Engine& e, const std::string& client, Proto p, std::uint16_t cport) {
    const std::uint16_t vport = p == Proto::kTcp ? 80 : 53;
    const ConnId id = e.conns().find_in(p, ip(client), cport, ip(kVip), vport);
    return id == kNoConn ? 0 : e.conns()[id].daddr;
  }

  Engine a_, b_;
  SyncMaster master_a_;
  SyncBackup backup_b_;
};

// Synced TCP and UDP connections continue through B to A's real servers, rewritten alike.
TEST_F(SyncTakeover, BackupForwardsSyncedConnectionsLikeMaster) {
  tcp_flows(a_, 20, 1);
  udp_flows(a_, 6, 1);
  EXPECT_GE(ship(master_a_, backup_b_, b_, at(4)), 1u);
  EXPECT_EQ(backup_b_.stats().conns_created, 26u);
  EXPECT_EQ(backup_b_.stats().conns_unbound, 0u);
  EXPECT_EQ(backup_b_.stats().decode_errors(), 0u);
  std::size_t synced = 0;
  b_.conns().for_each([&](const Conn& c) { synced += (c.flags & kConnSynced) != 0; });
  EXPECT_EQ(synced, 26u);
  // Active/inactive per real server as on the master (all ESTABLISHED or UDP).
  for (const char* rs : {kRs1, kRs2}) {
    EXPECT_EQ(b_.find_dest(tcp_service(), ip(rs), 8080)->active_conns,
              a_.find_dest(tcp_service(), ip(rs), 8080)->active_conns) << rs;
    EXPECT_EQ(b_.find_dest(udp_service(), ip(rs), 53)->active_conns,
              a_.find_dest(udp_service(), ip(rs), 53)->active_conns) << rs;
  }
  for (int i = 0; i < 20; ++i) {
    const std::string c = client_addr(i);
    const std::string rs = format_ip4(server_of(a_, c, Proto::kTcp, 40000));
    expect_same(a_, b_, seg(Proto::kTcp, c, 40000, kVip, 80, kAck, 200), Side::kOutside, at(10),
                "tcp in " + c);
    expect_same(a_, b_, seg(Proto::kTcp, rs, 8080, c, 40000, kAck, 300), Side::kInside, at(10),
                "tcp out " + c);
  }
  for (int i = 0; i < 6; ++i) {
    expect_same(a_, b_, seg(Proto::kUdp, client_addr(i), 5000, kVip, 53, 0, 20), Side::kOutside,
                at(10), "udp " + client_addr(i));
  }
}

// Without sync B has no entry: a mid-flow TCP segment is not forwarded (IPVS
// lets it through to the local stack), a real server's reply is dropped, and
// UDP is scheduled afresh, here to the other real server.
TEST_F(SyncTakeover, WithoutSyncBackupBreaksFlows) {
  tcp_flows(a_, 2, 1);
  udp_flows(a_, 1, 1);
  const std::string c = client_addr(0);
  EXPECT_EQ(send(b_, seg(Proto::kTcp, c, 40000, kVip, 80, kAck, 10), at(10)).action, Action::kLocal);
  const Ip4 rs = server_of(a_, c, Proto::kTcp, 40000);
  const Verdict reply =
      send(b_, seg(Proto::kTcp, format_ip4(rs), 8080, c, 40000, kAck, 10), at(10), Side::kInside);
  EXPECT_EQ(reply.action, Action::kDrop);
  EXPECT_EQ(reply.reason, DropReason::kReplyWithoutConn);
  const Verdict u = send(b_, seg(Proto::kUdp, c, 5000, kVip, 53, 0, 20), at(10));
  EXPECT_TRUE(u.new_conn);
  EXPECT_NE(u.next_hop, server_of(a_, c, Proto::kUdp, 5000));
}

// After failback A runs the backup role and B the master role (both daemons
// may run on one engine): B's new and continued connections reach A.
TEST_F(SyncTakeover, FailbackSyncsTheOtherWay) {
  tcp_flows(a_, 4, 1);
  ship(master_a_, backup_b_, b_, at(4));
  SyncMaster master_b(daemon_cfg(), at(5));
  SyncBackup backup_a(daemon_cfg());
  b_.set_sync_master(&master_b);  // A keeps its master role too
  // B serves the old flows (their counts restart from sync_threshold) and new ones.
  for (int i = 0; i < 4; ++i)
    for (int k = 0; k < 50; ++k)
      send(b_, seg(Proto::kTcp, client_addr(i), 40000, kVip, 80, kAck, 10), at(6 + k * 0.01));
  tcp_flows(b_, 8, 7);  // clients 4-7 are new; 0-3 just continue
  ship(master_b, backup_a, a_, at(12));
  EXPECT_EQ(backup_a.stats().conns_updated, 4u);  // the old flows, at packet 53
  EXPECT_EQ(backup_a.stats().conns_created, 4u);
  for (int i = 0; i < 8; ++i) {
    const std::string c = client_addr(i);
    expect_same(b_, a_, seg(Proto::kTcp, c, 40000, kVip, 80, kAck, 20), Side::kOutside, at(13), c);
  }
}

// A state change on the master moves the backup's count from active to
// inactive (ip_vs_proc_conn moves both counters when a sync message flips
// IP_VS_CONN_F_INACTIVE); the backup's timer then ends the connection with
// the synced timeout.
TEST_F(SyncTakeover, BackupCountsFollowStateAndExpire) {
  tcp_flows(a_, 1, 1);
  ship(master_a_, backup_b_, b_, at(4));
  const std::string c = client_addr(0);
  const Ip4 rs = server_of(a_, c, Proto::kTcp, 40000);
  const RealServer* brs = b_.find_dest(tcp_service(), rs, 8080);
  EXPECT_EQ(brs->active_conns, 1);
  EXPECT_EQ(brs->inactive_conns, 0);
  send(a_, seg(Proto::kTcp, format_ip4(rs), 8080, c, 40000, kFinAck), at(5), Side::kInside);
  send(a_, seg(Proto::kTcp, c, 40000, kVip, 80, kAck), at(5.1));
  ship(master_a_, backup_b_, b_, at(9));
  EXPECT_EQ(backup_b_.stats().conns_updated, 1u);
  EXPECT_EQ(brs->active_conns, 0);
  EXPECT_EQ(brs->inactive_conns, 1);
  const ConnId id = b_.conns().find_in(Proto::kTcp, ip(c), 40000, ip(kVip), 80);
  ASSERT_NE(id, kNoConn);
  EXPECT_EQ(b_.conns()[id].state, static_cast<std::uint8_t>(TcpState::kFinWait));
  b_.advance(at(9 + 119.9));
  EXPECT_EQ(b_.conns().size(), 1u);
  b_.advance(at(9 + 120.1));  // FIN_WAIT's 120 s, from the message
  EXPECT_EQ(b_.conns().size(), 0u);
  EXPECT_EQ(brs->active_conns, 0);
  EXPECT_EQ(brs->inactive_conns, 0);
}

// The other way: an entry created inactive (CLOSE) counts in inactconns at
// ip_vs_bind_dest; an update without IP_VS_CONN_F_INACTIVE moves it to
// activeconns.
TEST_F(SyncTakeover, BackupUpdateToActiveMovesTheCount) {
  SyncConn s = client_entry(kKSync | kKInactive, TcpState::kClose, 10);
  ASSERT_EQ(b_.apply_sync_conn(s, at(1)), SyncApply::kCreated);
  const RealServer* rs = b_.find_dest(tcp_service(), ip(kRs1), 8080);
  EXPECT_EQ(rs->active_conns, 0);
  EXPECT_EQ(rs->inactive_conns, 1);
  s.flags = kKSync;
  s.state = static_cast<std::uint16_t>(TcpState::kEstablished);
  s.timeout_s = 900;
  ASSERT_EQ(b_.apply_sync_conn(s, at(2)), SyncApply::kUpdated);
  EXPECT_EQ(rs->active_conns, 1);
  EXPECT_EQ(rs->inactive_conns, 0);
}

// The master rescheduled a client key to another server: an active entry
// replaces the backup's, an inactive one (the old entry's expiry) is ignored.
TEST_F(SyncTakeover, ReplacedConnection) {
  const SyncConn s = client_entry(kKSync, TcpState::kEstablished, 900);
  EXPECT_EQ(b_.apply_sync_conn(s, at(1)), SyncApply::kCreated);
  SyncConn moved = s;
  moved.daddr = ip(kRs2);
  moved.flags |= kKInactive;
  EXPECT_EQ(b_.apply_sync_conn(moved, at(2)), SyncApply::kStaleIgnored);
  moved.flags = kKSync;
  EXPECT_EQ(b_.apply_sync_conn(moved, at(3)), SyncApply::kCreated);
  EXPECT_EQ(b_.find_dest(tcp_service(), ip(kRs1), 8080)->active_conns, 0);
  EXPECT_EQ(b_.find_dest(tcp_service(), ip(kRs2), 8080)->active_conns, 1);
  EXPECT_EQ(b_.apply_sync_conn(moved, at(4)), SyncApply::kUpdated);
  EXPECT_EQ(b_.conns().size(), 1u);
}

// No matching service on the backup: the entry is kept unbound and still
// forwarded (NAT to its daddr, as the message said); the forwarding method
// otherwise comes from the backup's own real server.
TEST_F(SyncTakeover, UnboundAndForwardingMethod) {
  SyncConn s;
  s.protocol = 6;
  s.flags = kKSync;  // NAT
  s.state = static_cast<std::uint16_t>(TcpState::kEstablished);
  s.caddr = ip(kClient);
  s.cport = 999;
  s.vaddr = ip(kVip);
  s.vport = 8443;  // no such service
  s.daddr = ip("10.1.0.50");
  s.dport = 443;
  bool bound = true;
  EXPECT_EQ(b_.apply_sync_conn(s, at(1), &bound), SyncApply::kCreated);
  EXPECT_FALSE(bound);
  const Verdict v = send(b_, seg(Proto::kTcp, kClient, 999, kVip, 8443, kAck), at(2));
  EXPECT_EQ(v.action, Action::kForward);
  EXPECT_EQ(v.next_hop, ip("10.1.0.50"));
  EXPECT_EQ(v.method, ForwardMethod::kMasq);

  RealServerConfig dr = nat_dest("10.1.0.60", 80);
  dr.fwd = ForwardMethod::kDirectRoute;
  ASSERT_TRUE(b_.add_dest(tcp_service(), dr));
  s.vport = 80;
  s.daddr = ip("10.1.0.60");
  s.dport = 80;
  s.cport = 1000;
  EXPECT_EQ(b_.apply_sync_conn(s, at(3), &bound), SyncApply::kCreated);
  EXPECT_TRUE(bound);
  const ConnId id = b_.conns().find_in(Proto::kTcp, ip(kClient), 1000, ip(kVip), 80);
  ASSERT_NE(id, kNoConn);
  EXPECT_EQ(b_.conns()[id].flags & kConnFwdMask, static_cast<std::uint16_t>(ForwardMethod::kDirectRoute));
  EXPECT_TRUE(b_.conns()[id].flags & kConnNoOutput);
}

// A persistence template synced with its connection keeps the client's next
// connection on the same real server after takeover, where B's rr would differ.
TEST(SyncPersistence, TemplateKeepsClientOnItsServer) {
  Engine a(director_config()), b(director_config()), control(director_config());
  configure(a, false, true);
  configure(b, true, true);
  configure(control, true, true);
  SyncMaster m(daemon_cfg(), Time{0});
  SyncBackup bk(daemon_cfg());
  a.set_sync_master(&m);
  Bytes syn = make_packet(seg(Proto::kTcp, kClient, 40000, kVip, 80, kSyn));
  const Verdict va = a.process(syn.data(), syn.size(), Side::kOutside, at(1));
  for (const SyncDatagram& d : m.collect(at(5))) bk.receive(d.bytes.data(), d.bytes.size(), at(5), b);
  EXPECT_EQ(b.find_dest(tcp_service(), va.next_hop, 8080)->persist_conns, 1);
  Bytes next = make_packet(seg(Proto::kTcp, kClient, 40001, kVip, 80, kSyn));
  Bytes next2 = next;
  const Verdict vb = b.process(next.data(), next.size(), Side::kOutside, at(6));
  const Verdict vc = control.process(next2.data(), next2.size(), Side::kOutside, at(6));
  EXPECT_TRUE(vb.new_conn);
  EXPECT_EQ(vb.next_hop, va.next_hop);
  EXPECT_NE(vc.next_hop, va.next_hop);  // what B would have done without the template
}

// A template's state travels with it (ip_vs_proc_conn sets cp->state for
// templates too): once the master's is ASSURED, so is the backup's copy.
TEST(SyncPersistence, TemplateStateIsSynced) {
  Engine a(director_config()), b(director_config());
  configure(a, false, true);
  configure(b, true, true);
  SyncMaster m(daemon_cfg(), Time{0});
  SyncBackup bk(daemon_cfg());
  a.set_sync_master(&m);
  auto template_state = [](const Engine& e, Time now) {
    for (const IpvsConnEntry& c : e.listing(now).conns)
      if (c.cport == 0) return c.state;
    return std::string("(none)");
  };
  Bytes p = make_packet(seg(Proto::kTcp, kClient, 40000, kVip, 80, kSyn));
  a.process(p.data(), p.size(), Side::kOutside, at(1));
  for (const SyncDatagram& d : m.collect(at(5))) bk.receive(d.bytes.data(), d.bytes.size(), at(5), b);
  EXPECT_EQ(template_state(b, at(5)), "NONE");
  p = make_packet(seg(Proto::kTcp, kClient, 40000, kVip, 80, kAck));
  a.process(p.data(), p.size(), Side::kOutside, at(6));  // ESTABLISHED: the template is ASSURED
  ASSERT_EQ(template_state(a, at(6)), "ASSURED");
  for (int i = 0; i < 3; ++i) {  // the template is synced with every packet
    p = make_packet(seg(Proto::kTcp, kClient, 40000, kVip, 80, kAck, 10));
    a.process(p.data(), p.size(), Side::kOutside, at(6.1 + i * 0.1));
  }
  for (const SyncDatagram& d : m.collect(at(10))) bk.receive(d.bytes.data(), d.bytes.size(), at(10), b);
  EXPECT_EQ(template_state(b, at(10)), "ASSURED");
}

// Under a connection idle past the persistence timeout, the master re-syncs
// its template each time the template's timer fires, so the backup's copy
// (bound, but controlling nothing there) is never missing; after takeover the
// client's new connection keeps its real server, where B's rr would differ.
TEST(SyncPersistence, TemplateOutlivesPersistenceTimeoutOnBackup) {
  Engine a(director_config()), b(director_config()), control(director_config());
  configure(a, false, true);  // persistence timeout 300 s
  configure(b, true, true);
  configure(control, true, true);
  SyncMaster m(daemon_cfg(), Time{0});
  SyncBackup bk(daemon_cfg());
  a.set_sync_master(&m);
  auto send = [](Engine& e, const PacketSpec& s, double t, Side side = Side::kOutside) {
    Bytes p = make_packet(s);
    return e.process(p.data(), p.size(), side, at(t));
  };
  const Verdict first = send(a, seg(Proto::kTcp, kClient, 40000, kVip, 80, kSyn), 1);
  send(a, seg(Proto::kTcp, format_ip4(first.next_hop), 8080, kClient, 40000, kSynAck), 1, Side::kInside);
  send(a, seg(Proto::kTcp, kClient, 40000, kVip, 80, kAck), 1.01);
  send(a, seg(Proto::kTcp, kClient, 40000, kVip, 80, kAck, 100), 1.02);  // then idle: 900 s
  std::vector<int> missing;
  for (int t = 2; t <= 700; ++t) {
    a.advance(at(t));
    b.advance(at(t));
    for (const SyncDatagram& d : m.collect(at(t))) bk.receive(d.bytes.data(), d.bytes.size(), at(t), b);
    // From the first message on (sent at 3 s, IPVS_SYNC_FLUSH_TIME after 1 s).
    if (t >= 3 && b.conns().find_in(Proto::kTcp, ip(kClient), 0, ip(kVip), 80) == kNoConn)
      missing.push_back(t);
  }
  EXPECT_TRUE(missing.empty()) << missing.size() << " s without the template, from " << missing[0];
  EXPECT_EQ(bk.stats().decode_errors(), 0u);
  // Takeover at 700: the idle connection and a new one both go to A's server.
  const ConnId tmpl = b.conns().find_in(Proto::kTcp, ip(kClient), 0, ip(kVip), 80);
  ASSERT_NE(tmpl, kNoConn);
  EXPECT_EQ(b.conns()[tmpl].daddr, first.next_hop);
  EXPECT_EQ(send(b, seg(Proto::kTcp, kClient, 40000, kVip, 80, kAck, 10), 700.5).next_hop,
            first.next_hop);
  const Verdict vb = send(b, seg(Proto::kTcp, kClient, 40001, kVip, 80, kSyn), 700.5);
  const Verdict vc = send(control, seg(Proto::kTcp, kClient, 40001, kVip, 80, kSyn), 700.5);
  EXPECT_TRUE(vb.new_conn);
  EXPECT_EQ(vb.next_hop, first.next_hop);
  EXPECT_NE(vc.next_hop, first.next_hop);  // what B would have done without the template
  // B's template took the 60 s it was last synced with, as the master's has.
  EXPECT_EQ(b.conns().expires_at(tmpl), at(760.5));
}

// ip_vs_proc_conn sets in_pkts to sync_threshold for templates too. With
// sync_period 0 and no refresh period, ip_vs_sync_conn_needed syncs a template
// only when its in_pkts equals sync_threshold (3); after takeover each packet
// of a connection under the synced template raises it to 4, 5, 6..., so the
// new master never re-sends that template. (Its connection is synced at its
// own third packet, once ESTABLISHED.)
TEST(SyncPersistence, SyncedTemplateStartsAtThreshold) {
  Engine a(director_config()), b(director_config());
  configure(a, false, true);
  configure(b, true, true);
  SyncMaster ma(daemon_cfg(), Time{0}), mb(daemon_cfg(), Time{0});
  SyncBackup bk(daemon_cfg());
  a.set_sync_master(&ma);
  Bytes syn = make_packet(seg(Proto::kTcp, kClient, 40000, kVip, 80, kSyn));
  const Verdict va = a.process(syn.data(), syn.size(), Side::kOutside, at(1));
  for (const SyncDatagram& d : ma.collect(at(5))) bk.receive(d.bytes.data(), d.bytes.size(), at(5), b);
  ASSERT_NE(b.conns().find_in(Proto::kTcp, ip(kClient), 0, ip(kVip), 80), kNoConn);

  SyncSysctls sys;
  sys.sync_period = 0;  // threshold stays 3
  b.set_sync_sysctls(sys);
  b.set_sync_master(&mb);
  auto send = [&b](const PacketSpec& p, double t, Side side = Side::kOutside) {
    Bytes x = make_packet(p);
    return b.process(x.data(), x.size(), side, at(t));
  };
  const Verdict v = send(seg(Proto::kTcp, kClient, 40001, kVip, 80, kSyn), 6);
  EXPECT_EQ(v.next_hop, va.next_hop);
  send(seg(Proto::kTcp, format_ip4(v.next_hop), 8080, kClient, 40001, kSynAck), 6, Side::kInside);
  for (int i = 0; i < 5; ++i) send(seg(Proto::kTcp, kClient, 40001, kVip, 80, kAck, 10), 6.1 + i * 0.1);
  int templates = 0, conns = 0;
  for (const SyncDatagram& d : mb.collect(at(10)))
    for (const SyncConn& c : decode_sync_message(d.bytes.data(), d.bytes.size()).conns)
      ++((c.flags & kKTemplate) ? templates : conns);
  EXPECT_EQ(templates, 0);
  EXPECT_EQ(conns, 1);
}

// A backup with a sync id ignores other ids; id 0 accepts every message.
TEST_F(SyncTakeover, SyncIdFilter) {
  tcp_flows(a_, 1, 1);
  const auto msgs = master_a_.collect(at(4));
  ASSERT_EQ(msgs.size(), 1u);
  SyncBackup other(daemon_cfg(52));
  EXPECT_EQ(other.receive(msgs[0].bytes.data(), msgs[0].bytes.size(), at(4), b_),
            SyncMessageError::kNone);
  EXPECT_EQ(other.stats().messages_ignored_syncid, 1u);
  EXPECT_EQ(b_.conns().size(), 0u);
  SyncBackup any(daemon_cfg(0));
  any.receive(msgs[0].bytes.data(), msgs[0].bytes.size(), at(4), b_);
  EXPECT_EQ(b_.conns().size(), 1u);
}

// Malformed and truncated messages are counted by reason and change nothing.
TEST_F(SyncTakeover, MalformedMessagesCountedAndDropped) {
  tcp_flows(a_, 3, 1);
  const auto msgs = master_a_.collect(at(4));
  ASSERT_EQ(msgs.size(), 1u);
  const Bytes good = msgs[0].bytes;
  for (std::size_t n = 0; n < good.size(); ++n) {
    Bytes cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    backup_b_.receive(cut.data(), cut.size(), at(5), b_);
  }
  const auto& st = backup_b_.stats();
  EXPECT_EQ(st.errors[static_cast<std::size_t>(SyncMessageError::kHeaderTooShort)], 4u);
  EXPECT_EQ(st.errors[static_cast<std::size_t>(SyncMessageError::kBadSize)], good.size() - 4);
  Bytes bad_version = good;
  bad_version[8 + 2] |= 0x10;
  EXPECT_EQ(backup_b_.receive(bad_version.data(), bad_version.size(), at(5), b_),
            SyncMessageError::kBadConnVersion);
  Bytes huge(70000, 0);
  EXPECT_EQ(backup_b_.receive(huge.data(), huge.size(), at(5), b_), SyncMessageError::kBadSize);
  EXPECT_EQ(b_.conns().size(), 0u);
  EXPECT_EQ(st.decode_errors(), good.size() + 2);
  EXPECT_EQ(st.messages_received, good.size() + 2);
}

// Sync lag and bandwidth: each datagram says when its first entry was added
// and when it was sent; the master counts payload and wire bytes.
TEST_F(SyncTakeover, LagAndBandwidthFigures) {
  tcp_flows(a_, 50, 1);
  const auto msgs = master_a_.collect(at(10));
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].nr_conns, 40u);
  EXPECT_EQ(msgs[0].sent_at - msgs[0].first_use, milliseconds(20));
  EXPECT_LE(msgs[1].sent_at - msgs[1].first_use, seconds(3));
  EXPECT_GE(msgs[1].sent_at - msgs[1].first_use, seconds(2));
  EXPECT_EQ(master_a_.stats().bytes_sent, msgs[0].bytes.size() + msgs[1].bytes.size());
  EXPECT_EQ(master_a_.stats().conns_queued, 50u);
}

}  // namespace
}  // namespace lvs::test
