#include <gtest/gtest.h>

#include "engine_fixture.h"

namespace lvs::test {
namespace {

class Persistence : public DirectorTest {
 protected:
  void SetUp() override {
    ServiceConfig s = service("rr");
    s.flags = kSvcPersistent;
    s.timeout = seconds(300);
    s.netmask = prefix_mask(24);
    add_service(s);
    add_dest(tcp_service(), nat_dest(kRs1));
    add_dest(tcp_service(), nat_dest(kRs2));
  }
  Ip4 server_for(const char* client, std::uint16_t port, Time now) {
    const Verdict v = in(seg(Proto::kTcp, client, port, kVip, 80), now);
    EXPECT_EQ(v.action, Action::kForward) << client;
    return v.next_hop;
  }
};

// Clients in one /24 stick to one server; another network is scheduled afresh.
TEST_F(Persistence, NetmaskGroupsClients) {
  struct Case {
    const char* client;
    std::uint16_t port;
    const char* want;
  };
  // rr over the list RS2, RS1 (the newest server is at the head).
  const std::vector<Case> cases = {
      {"203.0.113.9", 40001, kRs2},  {"203.0.113.200", 40002, kRs2},
      {"198.51.100.4", 40003, kRs1}, {"203.0.113.9", 40004, kRs2},
      {"198.51.100.99", 50000, kRs1}, {"192.0.2.200", 40005, kRs2},
  };
  double t = 1;
  for (const Case& c : cases) EXPECT_EQ(server_for(c.client, c.port, at(t += 1)), ip(c.want)) << c.client;
  EXPECT_EQ(dest(kRs2).persist_conns, 2);
  EXPECT_EQ(dest(kRs1).persist_conns, 1);
}

// The template outlives its connections by the persistence timeout, then goes.
TEST_F(Persistence, TemplateExpiresTimeoutAfterLastConnection) {
  const Ip4 first = server_for(kClient, 40001, at(0));
  // The SYN-only connection expires after SYN_RECV's 60 s; the template then has
  // no connections and expires 300 s after it was last used.
  EXPECT_EQ(server_for(kClient, 40002, at(100)), first);
  engine_.advance(at(399.9));
  EXPECT_EQ(dest(first == ip(kRs1) ? kRs1 : kRs2).persist_conns, 1);
  engine_.advance(at(400.01));
  EXPECT_EQ(dest(kRs1).persist_conns + dest(kRs2).persist_conns, 0);
  EXPECT_EQ(engine_.conns().size(), 0u);
}

// Template expiry waits while it still controls a live connection; its timer
// then re-arms for 60 s at a time (ip_vs_conn_expire), and that stays its timeout.
TEST_F(Persistence, TemplateHeldByEstablishedConnection) {
  const Ip4 rs = server_for(kClient, 40001, at(0));
  in(seg(Proto::kTcp, kClient, 40001, kVip, 80, kAck), at(0.1));  // ESTABLISHED: 900 s
  engine_.advance(at(600));
  EXPECT_EQ(engine_.conns().size(), 2u);
  EXPECT_EQ(server_for(kClient, 40002, at(601)), rs);
  const ConnId tmpl = engine_.conns().find_in(Proto::kTcp, ip("203.0.113.0"), 0, ip(kVip), 80);
  ASSERT_NE(tmpl, kNoConn);
  EXPECT_EQ(engine_.conns().expires_at(tmpl), at(661));  // not 601 + 300
  engine_.advance(at(1000.2));  // connection gone at 900.1; template re-armed until then
  EXPECT_EQ(engine_.conns().size(), 0u);
}

// ipvsadm -E -p: a template keeps the timeout it was made with (ct->timeout,
// set once by ip_vs_sched_persist) for every later use; only templates made
// after the edit take the new one.
TEST_F(Persistence, EditedTimeoutAppliesToNewTemplatesOnly) {
  const Ip4 rs = server_for(kClient, 40001, at(1));
  ServiceConfig s = engine_.find_service(tcp_service())->cfg;
  s.timeout = seconds(30);
  ASSERT_TRUE(engine_.edit_service(s));
  EXPECT_EQ(server_for(kClient, 40002, at(10)), rs);  // the template re-armed: 300 s
  const ConnId old_tmpl = engine_.conns().find_in(Proto::kTcp, ip("203.0.113.0"), 0, ip(kVip), 80);
  ASSERT_NE(old_tmpl, kNoConn);
  EXPECT_EQ(engine_.conns().expires_at(old_tmpl), at(310));
  server_for("198.51.100.4", 40003, at(20));  // a new client network: 30 s
  const ConnId new_tmpl = engine_.conns().find_in(Proto::kTcp, ip("198.51.100.0"), 0, ip(kVip), 80);
  ASSERT_NE(new_tmpl, kNoConn);
  EXPECT_EQ(engine_.conns().expires_at(new_tmpl), at(50));
}

// A quiesced server keeps its persistent clients unless expire_quiescent_template is set.
TEST(PersistenceQuiesce, ExpireQuiescentTemplateSetting) {
  for (bool expire_quiescent : {false, true}) {
    EngineConfig cfg = director_config();
    cfg.expire_quiescent_template = expire_quiescent;
    Engine e(cfg);
    ServiceConfig s = service_config(tcp_service(), "rr");
    s.flags = kSvcPersistent;
    ASSERT_TRUE(e.add_service(s));
    ASSERT_TRUE(e.add_dest(s.key, nat_dest(kRs1)));
    ASSERT_TRUE(e.add_dest(s.key, nat_dest(kRs2)));
    Bytes b = make_packet(seg(Proto::kTcp, kClient, 40001, kVip, 80));
    const Verdict first = e.process(b.data(), b.size(), Side::kOutside, at(1));
    ASSERT_EQ(first.next_hop, ip(kRs2));
    RealServerConfig q = nat_dest(kRs2);
    q.weight = 0;
    ASSERT_TRUE(e.edit_dest(s.key, q));
    b = make_packet(seg(Proto::kTcp, kClient, 40002, kVip, 80));
    const Verdict second = e.process(b.data(), b.size(), Side::kOutside, at(2));
    EXPECT_EQ(second.next_hop, ip(expire_quiescent ? kRs1 : kRs2)) << expire_quiescent;
  }
}

// A persistent rr service on `key` (persistent = false: the same without
// persistence).
ServiceConfig persistent_rr(const ServiceKey& key, bool persistent = true) {
  ServiceConfig s = service_config(key, "rr");
  if (persistent) s.flags = kSvcPersistent;
  return s;
}

ServiceKey fwmark_service(std::uint32_t mark) {
  ServiceKey k;
  k.fwmark = mark;
  return k;
}

// A firewall-mark service keeps one template across every port the mark covers.
TEST(PersistenceFwmark, OneTemplateAcrossPorts) {
  Engine e(director_config());
  const ServiceConfig s = persistent_rr(fwmark_service(7));
  ASSERT_TRUE(e.add_service(s));
  ASSERT_TRUE(e.add_dest(s.key, nat_dest(kRs1, 0)));
  ASSERT_TRUE(e.add_dest(s.key, nat_dest(kRs2, 0)));
  Ip4 seen = 0;
  for (std::uint16_t port : {80, 443, 8443}) {
    Bytes b = make_packet(seg(Proto::kTcp, kClient, 40000 + port, kVip, port));
    const Verdict v = e.process(b.data(), b.size(), Side::kOutside, at(1), /*fwmark=*/7);
    ASSERT_EQ(v.action, Action::kForward);
    if (seen == 0) seen = v.next_hop;
    EXPECT_EQ(v.next_hop, seen) << port;
    // Port-zero real servers keep the client's destination port.
    EXPECT_EQ(make_packet(seg(Proto::kTcp, kClient, 40000 + port, format_ip4(seen), port)), b);
  }
}

// ip_vs_sched_persist maps the destination port to the real server's only
// when it is the service's own port: a persistent firewall-mark (or port-zero)
// service keeps the client's port even for a real server with a port, where
// the non-persistent one (ip_vs_schedule) rewrites it.
TEST(PersistenceFwmark, RealServerPortOnlyWithoutPersistence) {
  for (bool persistent : {false, true}) {
    Engine e(director_config());
    const ServiceConfig s = persistent_rr(fwmark_service(7), persistent);
    ASSERT_TRUE(e.add_service(s));
    ASSERT_TRUE(e.add_dest(s.key, nat_dest(kRs1, 8080)));
    Bytes b = make_packet(seg(Proto::kTcp, kClient, 40080, kVip, 80));
    const Verdict v = e.process(b.data(), b.size(), Side::kOutside, at(1), /*fwmark=*/7);
    ASSERT_EQ(v.action, Action::kForward) << persistent;
    const std::uint16_t want = persistent ? 80 : 8080;
    EXPECT_EQ(b, make_packet(seg(Proto::kTcp, kClient, 40080, kRs1, want))) << persistent;
  }
}

// A port-zero template is <protocol, client net, 0, VIP, 0>: the TCP and the
// UDP port-zero service on one VIP keep separate templates (only firewall-mark
// templates are IPPROTO_IP), and each connection keeps its destination port.
TEST(PersistencePortZero, TemplatePerProtocol) {
  Engine e(director_config());
  const ServiceConfig tcp = persistent_rr(tcp_service(kVip, 0));
  ServiceConfig udp = tcp;
  udp.key.proto = Proto::kUdp;
  ASSERT_TRUE(e.add_service(tcp));
  ASSERT_TRUE(e.add_service(udp));
  ASSERT_TRUE(e.add_dest(tcp.key, nat_dest(kRs1, 8080)));  // its port is not applied
  ASSERT_TRUE(e.add_dest(udp.key, nat_dest(kRs2, 0)));
  Bytes b = make_packet(seg(Proto::kTcp, kClient, 40001, kVip, 443));
  ASSERT_EQ(e.process(b.data(), b.size(), Side::kOutside, at(1)).next_hop, ip(kRs1));
  EXPECT_EQ(b, make_packet(seg(Proto::kTcp, kClient, 40001, kRs1, 443)));
  b = make_packet(seg(Proto::kUdp, kClient, 40001, kVip, 53, 0));
  ASSERT_EQ(e.process(b.data(), b.size(), Side::kOutside, at(2)).next_hop, ip(kRs2));
  EXPECT_NE(e.conns().find_in(Proto::kTcp, ip(kClient), 0, ip(kVip), 0), kNoConn);
  EXPECT_NE(e.conns().find_in(Proto::kUdp, ip(kClient), 0, ip(kVip), 0), kNoConn);
  EXPECT_EQ(e.find_dest(tcp.key, ip(kRs1), 8080)->persist_conns, 1);
  EXPECT_EQ(e.find_dest(udp.key, ip(kRs2), 0)->persist_conns, 1);
}

// A persistent FTP service (port 21) keys its template without the port, as a
// port-zero service does, while the connection still goes to the server's port.
TEST(PersistenceFtp, TemplateWithoutPort) {
  Engine e(director_config());
  const ServiceConfig ftp = persistent_rr(tcp_service(kVip, 21));
  ASSERT_TRUE(e.add_service(ftp));
  ASSERT_TRUE(e.add_dest(ftp.key, nat_dest(kRs1, 2121)));
  Bytes b = make_packet(seg(Proto::kTcp, kClient, 40001, kVip, 21));
  ASSERT_EQ(e.process(b.data(), b.size(), Side::kOutside, at(1)).next_hop, ip(kRs1));
  EXPECT_EQ(b, make_packet(seg(Proto::kTcp, kClient, 40001, kRs1, 2121)));
  const ConnId tmpl = e.conns().find_in(Proto::kTcp, ip(kClient), 0, ip(kVip), 0);
  ASSERT_NE(tmpl, kNoConn);
  EXPECT_EQ(e.conns()[tmpl].dport, 0);
}

// Passive FTP: a data connection to an unprivileged port of the VIP, or to
// port 20, has no service of its own and is looked up as the VIP's FTP
// service (ip_vs_service_find), so the FTP template sends it to the control
// connection's server, on the port the client asked for. A privileged port
// is not FTP data: no service, the director's own stack.
TEST(PersistenceFtp, PassiveDataFollowsTheControlConnection) {
  Engine e(director_config());
  const ServiceConfig ftp = persistent_rr(tcp_service(kVip, 21));
  ASSERT_TRUE(e.add_service(ftp));
  ASSERT_TRUE(e.add_dest(ftp.key, nat_dest(kRs1, 21)));
  ASSERT_TRUE(e.add_dest(ftp.key, nat_dest(kRs2, 21)));
  Bytes b = make_packet(seg(Proto::kTcp, kClient, 40001, kVip, 21));
  const Ip4 control = e.process(b.data(), b.size(), Side::kOutside, at(1)).next_hop;
  ASSERT_TRUE(control == ip(kRs1) || control == ip(kRs2));
  for (std::uint16_t data_port : {std::uint16_t{1024}, std::uint16_t{50000}, std::uint16_t{20}}) {
    b = make_packet(seg(Proto::kTcp, kClient, 40002, kVip, data_port));
    const Verdict v = e.process(b.data(), b.size(), Side::kOutside, at(2));
    ASSERT_EQ(v.action, Action::kForward) << data_port;
    EXPECT_TRUE(v.new_conn) << data_port;
    EXPECT_EQ(v.next_hop, control) << data_port;
    EXPECT_EQ(b, make_packet(seg(Proto::kTcp, kClient, 40002, format_ip4(control).c_str(), data_port))) << data_port;
  }
  EXPECT_EQ(e.find_dest(ftp.key, control, 21)->persist_conns, 1);
  for (std::uint16_t other : {std::uint16_t{1023}, std::uint16_t{22}}) {
    b = make_packet(seg(Proto::kTcp, kClient, 40003, kVip, other));
    EXPECT_EQ(e.process(b.data(), b.size(), Side::kOutside, at(3)).action, Action::kLocal) << other;
  }
  // UDP has no FTP data.
  b = make_packet(seg(Proto::kUdp, kClient, 40004, kVip, 50000, 0));
  EXPECT_EQ(e.process(b.data(), b.size(), Side::kOutside, at(4)).action, Action::kLocal);
}

// net.ipv4.ip_unprivileged_port_start moves the lower edge of the rule.
TEST(PersistenceFtp, UnprivilegedPortStartIsTheEdge) {
  EngineConfig cfg = director_config();
  cfg.unprivileged_port_start = 5000;
  Engine e(cfg);
  const ServiceConfig ftp = persistent_rr(tcp_service(kVip, 21));
  ASSERT_TRUE(e.add_service(ftp));
  ASSERT_TRUE(e.add_dest(ftp.key, nat_dest(kRs1, 21)));
  Bytes b = make_packet(seg(Proto::kTcp, kClient, 40001, kVip, 4999));
  EXPECT_EQ(e.process(b.data(), b.size(), Side::kOutside, at(1)).action, Action::kLocal);
  b = make_packet(seg(Proto::kTcp, kClient, 40001, kVip, 5000));
  EXPECT_EQ(e.process(b.data(), b.size(), Side::kOutside, at(1)).next_hop, ip(kRs1));
}

// Without persistence the FTP service schedules only its own port; ip_vs_leave
// lets a data connection on another port through to the director's stack
// (not IPVS's to refuse), where a port-zero service would answer with ICMP.
TEST(PersistenceFtp, NonPersistentServiceLeavesDataToTheStack) {
  Engine e(director_config());
  const ServiceConfig ftp = service_config(tcp_service(kVip, 21), "rr");
  ASSERT_TRUE(e.add_service(ftp));
  ASSERT_TRUE(e.add_dest(ftp.key, nat_dest(kRs1, 21)));
  Bytes b = make_packet(seg(Proto::kTcp, kClient, 40001, kVip, 21));
  EXPECT_EQ(e.process(b.data(), b.size(), Side::kOutside, at(1)).next_hop, ip(kRs1));
  b = make_packet(seg(Proto::kTcp, kClient, 40002, kVip, 50000));
  const Verdict v = e.process(b.data(), b.size(), Side::kOutside, at(2));
  EXPECT_EQ(v.action, Action::kLocal);
  EXPECT_FALSE(v.icmp_unreachable);
  EXPECT_EQ(e.conns().size(), 1u);
  // A persistent FTP service with no server left does the same for data,
  // and refuses its own port with ICMP port unreachable.
  Engine p(director_config());
  const ServiceConfig pftp = persistent_rr(tcp_service(kVip, 21));
  ASSERT_TRUE(p.add_service(pftp));
  b = make_packet(seg(Proto::kTcp, kClient, 40002, kVip, 50000));
  EXPECT_EQ(p.process(b.data(), b.size(), Side::kOutside, at(2)).action, Action::kLocal);
  b = make_packet(seg(Proto::kTcp, kClient, 40003, kVip, 21));
  const Verdict refused = p.process(b.data(), b.size(), Side::kOutside, at(2));
  EXPECT_EQ(refused.action, Action::kDrop);
  EXPECT_TRUE(refused.icmp_unreachable);
}

// What ipvsadm -L -c -n shows for the client's template: NONE until a
// connection it controls is ESTABLISHED (TCP) or has a reply (UDP), then
// ASSURED (ip_vs_control_assure_ct), whatever the template's protocol.
std::string template_state(const Engine& e, Time now) {
  for (const IpvsConnEntry& c : e.listing(now).conns)
    if (c.cport == 0) return c.state;
  return "(no template)";
}

TEST(PersistenceTemplateState, AssuredOnceAConnectionIsEstablished) {
  Engine e(director_config());
  const ServiceConfig s = persistent_rr(tcp_service());
  ASSERT_TRUE(e.add_service(s));
  ASSERT_TRUE(e.add_dest(s.key, nat_dest(kRs1, 8080)));
  Bytes b = make_packet(seg(Proto::kTcp, kClient, 40001, kVip, 80, kSyn));
  ASSERT_EQ(e.process(b.data(), b.size(), Side::kOutside, at(1)).action, Action::kForward);
  EXPECT_EQ(template_state(e, at(1)), "NONE");
  b = make_packet(seg(Proto::kTcp, kRs1, 8080, kClient, 40001, kSynAck));
  e.process(b.data(), b.size(), Side::kInside, at(1.1));
  EXPECT_EQ(template_state(e, at(1.1)), "NONE");  // SYN_RECV still
  b = make_packet(seg(Proto::kTcp, kClient, 40001, kVip, 80, kAck));
  e.process(b.data(), b.size(), Side::kOutside, at(1.2));
  EXPECT_EQ(template_state(e, at(1.2)), "ASSURED");
}

// The packet that creates a connection moves it out of NONE as any later
// packet would (set_state in ip_vs_in), with the new state's counting,
// timeout and template assurance; its in_pkts counts it. With sloppy_tcp a
// connection may start with other flags than SYN.
TEST(PersistenceTemplateState, FirstPacketSetsTheConnectionsState) {
  struct Case {
    std::uint8_t flags;
    TcpState state;
    bool active;     // counted in active_conns (the handshake and ESTABLISHED)
    double timeout;  // seconds
    const char* tmpl;
  };
  const Case cases[] = {{kSyn, TcpState::kSynRecv, true, 60, "NONE"},
                        {kAck, TcpState::kEstablished, true, 900, "ASSURED"},
                        {kFinAck, TcpState::kClose, false, 10, "NONE"}};
  for (const Case& k : cases) {
    EngineConfig cfg = director_config();
    cfg.sloppy_tcp = k.flags != kSyn;
    Engine e(cfg);
    const ServiceConfig s = persistent_rr(tcp_service());
    ASSERT_TRUE(e.add_service(s));
    ASSERT_TRUE(e.add_dest(s.key, nat_dest(kRs1, 8080)));
    Bytes b = make_packet(seg(Proto::kTcp, kClient, 40001, kVip, 80, k.flags));
    const Verdict v = e.process(b.data(), b.size(), Side::kOutside, at(1));
    ASSERT_EQ(v.action, Action::kForward) << tcp_state_name(k.state);
    ASSERT_TRUE(v.new_conn);
    const Conn& c = e.conns()[v.conn];
    EXPECT_EQ(static_cast<TcpState>(c.state), k.state);
    EXPECT_EQ(c.aux, 1u) << tcp_state_name(k.state);  // in_pkts
    const RealServer* rs = e.find_dest(s.key, ip(kRs1), 8080);
    EXPECT_EQ(rs->active_conns, k.active ? 1 : 0) << tcp_state_name(k.state);
    EXPECT_EQ(rs->inactive_conns, k.active ? 0 : 1) << tcp_state_name(k.state);
    EXPECT_EQ(template_state(e, at(1)), k.tmpl) << tcp_state_name(k.state);
    EXPECT_EQ(e.conns().expires_at(v.conn), at(1 + k.timeout)) << tcp_state_name(k.state);
  }
}

TEST(PersistenceTemplateState, UdpTemplateAssuredByAReply) {
  Engine e(director_config());
  ServiceConfig s = persistent_rr(tcp_service(kVip, 53));
  s.key.proto = Proto::kUdp;
  ASSERT_TRUE(e.add_service(s));
  ASSERT_TRUE(e.add_dest(s.key, nat_dest(kRs1, 53)));
  Bytes b = make_packet(seg(Proto::kUdp, kClient, 5353, kVip, 53, 0, 20));
  ASSERT_EQ(e.process(b.data(), b.size(), Side::kOutside, at(1)).action, Action::kForward);
  b = make_packet(seg(Proto::kUdp, kClient, 5353, kVip, 53, 0, 20));
  e.process(b.data(), b.size(), Side::kOutside, at(1.1));
  EXPECT_EQ(template_state(e, at(1.1)), "NONE");
  b = make_packet(seg(Proto::kUdp, kRs1, 53, kClient, 5353, 0, 40));
  ASSERT_EQ(e.process(b.data(), b.size(), Side::kInside, at(1.2)).action, Action::kForward);
  EXPECT_EQ(template_state(e, at(1.2)), "ASSURED");
}

}  // namespace
}  // namespace lvs::test
