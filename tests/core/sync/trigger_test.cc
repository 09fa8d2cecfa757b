// Which packets make the master sync a connection (ip_vs_sync_conn_needed):
// sync_threshold/sync_period, TCP state changes, templates, UDP, one-packet
// UDP, sync_refresh_period with sync_retries, sync_persist_mode.
#include <gtest/gtest.h>

#include "sync_fixture.h"

namespace lvs::test {
namespace {

class SyncTrigger : public DirectorTest {
 protected:
  SyncTrigger() : master_(SyncDaemonConfig{}, Time{0}) {}
  void SetUp() override {
    add_service(service("rr"));
    add_dest(tcp_service(), nat_dest(kRs1));
    engine_.set_sync_master(&master_);
  }
  // Entries handed to the master so far, decoded in order.
  std::vector<SyncConn> synced(Time until = at(1e6)) {
    std::vector<SyncConn> all;
    for (const SyncDatagram& d : master_.collect(until)) {
      const SyncDecoded dec = decode_sync_message(d.bytes.data(), d.bytes.size());
      all.insert(all.end(), dec.conns.begin(), dec.conns.end());
    }
    return all;
  }
  // Client packet number n (1-based) of a TCP flow; returns whether it was synced.
  bool client(std::uint8_t flags, double t, std::uint16_t port = 40000) {
    const std::uint64_t before = master_.stats().conns_queued;
    EXPECT_EQ(in(seg(Proto::kTcp, kClient, port, kVip, 80, flags), at(t)).action, Action::kForward);
    return master_.stats().conns_queued != before;
  }
  void server(std::uint8_t flags, double t, std::uint16_t port = 40000) {
    EXPECT_EQ(out(seg(Proto::kTcp, kRs1, 8080, kClient, port, flags), at(t)).action,
              Action::kForward);
  }
  SyncMaster master_;
};

struct ThresholdCase {
  std::uint32_t threshold, period;
  std::vector<int> synced;  // client packet numbers (SYN = 1, ACK = 2, data after)
};

// Established TCP syncs when in_pkts % period == threshold (period 0: only == threshold).
TEST_F(SyncTrigger, ThresholdPeriodTable) {
  const std::vector<ThresholdCase> cases = {
      {3, 50, {3, 53, 103}},
      {0, 50, {50, 100}},
      {1, 10, {11, 21, 31, 41, 51, 61, 71, 81, 91, 101}},
      {3, 0, {3}},
      {2, 1000, {2}},  // the handshake ACK reaches ESTABLISHED as packet 2
  };
  std::uint16_t port = 41000;
  for (const ThresholdCase& c : cases) {
    SyncSysctls s;
    s.sync_threshold = c.threshold;
    s.sync_period = c.period;
    engine_.set_sync_sysctls(s);
    ++port;
    std::vector<int> got;
    if (client(kSyn, 1, port)) got.push_back(1);
    server(kSynAck, 1, port);
    for (int n = 2; n <= 110; ++n)
      if (client(kAck, 1 + n * 0.001, port)) got.push_back(n);
    EXPECT_EQ(got, c.synced) << c.threshold << " " << c.period;
  }
}

// Closing states sync at once on the next client packet, whatever the count.
TEST_F(SyncTrigger, StateChangesSync) {
  EXPECT_FALSE(client(kSyn, 1));
  server(kSynAck, 1);
  EXPECT_FALSE(client(kAck, 1.1));  // ESTABLISHED, packet 2
  EXPECT_TRUE(client(kAck, 1.2));   // packet 3: threshold
  EXPECT_FALSE(client(kAck, 1.3));
  server(kFinAck, 2);               // ESTABLISHED -> FIN_WAIT on the reply path
  EXPECT_TRUE(client(kAck, 2.1));   // the change is seen by the next client packet
  EXPECT_FALSE(client(kAck, 2.2));  // same state: back to the count
  EXPECT_TRUE(client(kFinAck, 2.3));  // FIN_WAIT -> TIME_WAIT
  const auto entries = synced();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].state, static_cast<std::uint16_t>(TcpState::kEstablished));
  EXPECT_EQ(entries[0].timeout_s, 900u);
  EXPECT_EQ(entries[0].flags & kKInactive, 0u);
  EXPECT_EQ(entries[1].state, static_cast<std::uint16_t>(TcpState::kFinWait));
  EXPECT_EQ(entries[1].flags & kKInactive, kKInactive);
  EXPECT_EQ(entries[1].timeout_s, 120u);
  EXPECT_EQ(entries[2].state, static_cast<std::uint16_t>(TcpState::kTimeWait));
}

// A client FIN on ESTABLISHED (CLOSE_WAIT) and a RST (CLOSE) sync too.
TEST_F(SyncTrigger, CloseWaitAndClose) {
  client(kSyn, 1);
  server(kSynAck, 1);
  client(kAck, 1.1);
  EXPECT_TRUE(client(kFinAck, 1.2));  // CLOSE_WAIT (packet 3 as well)
  EXPECT_FALSE(client(kAck, 1.3));
  EXPECT_TRUE(client(kRst, 1.4));     // CLOSE
  const auto entries = synced();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].state, static_cast<std::uint16_t>(TcpState::kCloseWait));
  EXPECT_EQ(entries[1].state, static_cast<std::uint16_t>(TcpState::kClose));
  EXPECT_EQ(entries[1].timeout_s, 10u);
}

// UDP has one state: only the count matters.
TEST_F(SyncTrigger, UdpByCount) {
  ServiceConfig s;
  s.key.proto = Proto::kUdp;
  s.key.addr = ip(kVip);
  s.key.port = 53;
  s.scheduler = "rr";
  add_service(s);
  add_dest(s.key, nat_dest(kRs2, 53));
  std::vector<int> got;
  for (int n = 1; n <= 60; ++n) {
    const std::uint64_t before = master_.stats().conns_queued;
    in(seg(Proto::kUdp, kClient, 5353, kVip, 53), at(1 + n * 0.01));
    if (master_.stats().conns_queued != before) got.push_back(n);
  }
  EXPECT_EQ(got, (std::vector<int>{3, 53}));
  const auto entries = synced();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].protocol, 17);
  EXPECT_EQ(entries[0].timeout_s, 300u);
}

class SyncTemplates : public SyncTrigger {
 protected:
  void SetUp() override {
    ServiceConfig s = service("rr");
    s.flags = kSvcPersistent;
    s.timeout = seconds(360);
    add_service(s);
    add_dest(tcp_service(), nat_dest(kRs1));
    const ServiceConfig u = one_packet_dns_service();
    add_service(u);
    add_dest(u.key, nat_dest(kRs2, 53));
    engine_.set_sync_master(&master_);
  }
};

// The template is synced with each client packet (the period does not apply to
// templates), its connection at the threshold.
TEST_F(SyncTemplates, TemplateFollowsEveryPacket) {
  client(kSyn, 1);
  server(kSynAck, 1);
  client(kAck, 1.1);
  client(kAck, 1.2);
  const auto entries = synced();
  ASSERT_EQ(entries.size(), 4u);  // template x3, connection once (before its template)
  EXPECT_TRUE(entries[0].flags & kKTemplate);
  EXPECT_TRUE(entries[1].flags & kKTemplate);
  EXPECT_FALSE(entries[2].flags & kKTemplate);
  EXPECT_TRUE(entries[3].flags & kKTemplate);
  EXPECT_EQ(entries[0].protocol, 6);
  EXPECT_EQ(entries[0].cport, 0);
  EXPECT_EQ(entries[0].timeout_s, 360u);
  EXPECT_EQ(entries[0].daddr, ip(kRs1));
}

// A template's flags on the wire are what ip_vs_bind_dest gave it: the real
// server's conn_flags, which __ip_vs_update_dest always makes
// IP_VS_CONN_F_INACTIVE and, for other than NAT, IP_VS_CONN_F_NOOUTPUT.
TEST_F(SyncTemplates, TemplateCarriesDestConnFlags) {
  client(kSyn, 1);
  RealServerConfig dr = nat_dest(kRs1, 0);
  dr.fwd = ForwardMethod::kDirectRoute;
  ServiceConfig s = service("rr");
  s.key.port = 443;
  s.flags = kSvcPersistent;
  add_service(s);
  add_dest(s.key, dr);
  EXPECT_EQ(in(seg(Proto::kTcp, kClient, 40001, kVip, 443, kSyn), at(2)).action, Action::kForward);
  const auto entries = synced();
  ASSERT_EQ(entries.size(), 2u);  // each SYN_RECV connection's template
  // Decoding adds IP_VS_CONN_F_SYNC, as the backup does.
  EXPECT_EQ(entries[0].flags, kKTemplate | kKInactive | kKSync);  // NAT: fwd bits 0
  EXPECT_EQ(entries[1].flags, kKTemplate | kKInactive | kKNoOutput | kKSync |
                                  static_cast<std::uint32_t>(ForwardMethod::kDirectRoute));
}

// ip_vs_conn_expire: a template whose timer fires while it still controls a
// connection is re-armed for 60 s and synced with that timeout each time; once
// it controls nothing it expires unsynced.
TEST_F(SyncTemplates, TemplateSyncedWhenItsTimerFiresUnderAConnection) {
  client(kSyn, 1);
  server(kSynAck, 1);
  client(kAck, 1.1);
  client(kAck, 1.2);  // ESTABLISHED until 901.2; the template's timer is due at 361
  synced(at(10));
  std::vector<int> synced_at;
  for (int t = 11; t <= 1000; ++t) {
    const std::uint64_t before = master_.stats().conns_queued;
    engine_.advance(at(t));
    if (master_.stats().conns_queued != before) synced_at.push_back(t);
  }
  EXPECT_EQ(synced_at, (std::vector<int>{361, 421, 481, 541, 601, 661, 721, 781, 841, 901}));
  const auto entries = synced();
  ASSERT_EQ(entries.size(), synced_at.size());
  for (const SyncConn& e : entries) {
    EXPECT_TRUE(e.flags & kKTemplate);
    EXPECT_EQ(e.timeout_s, 60u);
    EXPECT_EQ(e.daddr, ip(kRs1));
  }
  EXPECT_EQ(engine_.conns().size(), 0u);  // the connection at 901.2, the template at 961
}

// One-packet UDP connections are never synced; their template is.
TEST_F(SyncTemplates, OnePacketUdpNotSynced) {
  for (int n = 0; n < 5; ++n) in(seg(Proto::kUdp, kClient, 5353, kVip, 53), at(1 + n));
  const auto entries = synced();
  ASSERT_EQ(entries.size(), 5u);
  for (const SyncConn& e : entries) EXPECT_TRUE(e.flags & kKTemplate);
}

// sync_persist_mode: connections under a template are not synced, the template is.
TEST_F(SyncTemplates, PersistModeSkipsControlledConnections) {
  SyncSysctls s;
  s.sync_persist_mode = true;
  engine_.set_sync_sysctls(s);
  client(kSyn, 1);
  server(kSynAck, 1);
  for (int n = 0; n < 5; ++n) client(kAck, 1.1 + n * 0.1);
  for (const SyncConn& e : synced()) EXPECT_TRUE(e.flags & kKTemplate);
}

// sync_refresh_period: a connection re-syncs only when its timeout has moved by
// that much; sync_retries allows re-sends spaced refresh/8 apart.
TEST_F(SyncTrigger, RefreshPeriodAndRetries) {
  struct Case {
    std::uint32_t retries;
    std::vector<double> synced_at;
  };
  // Packets every second from t=10 (ESTABLISHED); refresh 100 s, period 0.
  const std::vector<Case> cases = {
      {0, {10, 110}},               // then again once expiry moved 100 s
      // One retry refresh/8 = 12.5 s later; the retry's end time is the new reference.
      {1, {10, 22.5, 123}},
  };
  std::uint16_t port = 42000;
  for (const Case& c : cases) {
    SyncSysctls s;
    s.sync_period = 0;
    s.sync_refresh_period = seconds(100);
    s.sync_retries = c.retries;
    engine_.set_sync_sysctls(s);
    ++port;
    client(kSyn, 9, port);
    server(kSynAck, 9, port);
    std::vector<double> got;
    for (double t = 10; t < 130; t += 0.5)
      if (client(kAck, t, port)) got.push_back(t);
    EXPECT_EQ(got, c.synced_at) << c.retries;
  }
}

// The refresh test measures from cp->sync_endtime, which ip_vs_conn_new sets
// to the creation time, not from the first packet that asks. UDP timeout 5 s,
// refresh 30 s, period 0, no retries; a datagram each second from t = 1: the
// limit is min(30, max(5 / 2, 10)) = 10 s, and at t the end time moved by
// (t + 5) - 1 from creation: held back until t = 6, then every 10 s after the
// last sync's end time (6 + 5 = 11, so t = 16, then 26).
TEST_F(SyncTrigger, RefreshCountsFromCreation) {
  ServiceConfig svc;
  svc.key.proto = Proto::kUdp;
  svc.key.addr = ip(kVip);
  svc.key.port = 53;
  svc.scheduler = "rr";
  add_service(svc);
  add_dest(svc.key, nat_dest(kRs2, 53));
  Timeouts t;
  ASSERT_TRUE(t.set(seconds(0), seconds(0), seconds(5)));
  engine_.set_timeouts(t);
  SyncSysctls s;
  s.sync_period = 0;
  s.sync_refresh_period = seconds(30);
  engine_.set_sync_sysctls(s);
  std::vector<int> got;
  for (int n = 1; n <= 30; ++n) {
    const std::uint64_t before = master_.stats().conns_queued;
    in(seg(Proto::kUdp, kClient, 5353, kVip, 53), at(n));
    if (master_.stats().conns_queued != before) got.push_back(n);
  }
  EXPECT_EQ(got, (std::vector<int>{6, 16, 26}));
}

}  // namespace
}  // namespace lvs::test
