// The established-flow shortcut (lvs/engine_fast_path.h) and the batch
// entry point are optimisations only: the same traffic through an engine that
// uses them and through one with EngineConfig::fast_path off, one packet at a
// time, must give the same verdicts, the same bytes, the same counters and
// timers, and the same ipvsadm listings. The traffic is random but covers
// what the shortcut must leave to the general path: handshakes, FIN/RST, SYN
// reuse, DR and persistent services, UDP, masquerading, ICMP errors, IP
// options, truncated packets, quiesced and deleted real servers, expiry,
// connection sync and a full table.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "engine_fixture.h"
#include "lvs/engine_fast_path.h"
#include "lvs/ipvsadm_format.h"
#include "lvs/sync.h"

namespace lvs::test {
namespace {

enum class Mode {
  kProcess,     // process() with the shortcut, against process() without
  kBatch,       // process_batch() with the shortcut, against process() without
  kBatchSlow,   // process_batch() without the shortcut, against process() without
  kBatchTimed,  // process_batch() with a time per packet, against process() at each
};

struct Case {
  Mode mode;
  bool expire_nodest_conn;
  std::uint64_t seed;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  const char* mode = info.param.mode == Mode::kProcess     ? "process"
                     : info.param.mode == Mode::kBatch     ? "batch"
                     : info.param.mode == Mode::kBatchSlow ? "batch_noshortcut"
                                                           : "batch_timed";
  return std::string(mode) + (info.param.expire_nodest_conn ? "_expire_nodest" : "_keep_nodest") +
         "_seed" + std::to_string(info.param.seed);
}

// One flow the generator keeps sending on.
struct Flow {
  Proto proto = Proto::kTcp;
  std::string client;
  std::uint16_t cport = 0;
  std::uint16_t vport = 0;  // outbound flows: the port masqueraded to (0 until known)
  std::string server;       // learned from the first forwarded packet; empty until then
  std::uint16_t sport = 0;
  bool outbound = false;  // a real server's own flow to the outside (masquerade)
};

// The same packet with 4 bytes of IP options (NOPs): the shortcut only takes
// 20-byte headers, parse_ipv4 takes these.
Bytes with_ip_options(const Bytes& b) {
  Bytes o(b.size() + 4, 1);  // 1 = NOP
  std::copy(b.begin(), b.begin() + 20, o.begin());
  std::copy(b.begin() + 20, b.end(), o.begin() + 24);
  o[0] = 0x46;
  store16(o.data() + 2, static_cast<std::uint16_t>(o.size()));
  store16(o.data() + 10, 0);
  store16(o.data() + 10, csum_compute(o.data(), 24));
  return o;
}

class FastPathEquivalence : public ::testing::TestWithParam<Case> {
 protected:
  static EngineConfig config(bool shortcut, bool expire_nodest) {
    EngineConfig cfg = director_config(/*max_conns=*/96);
    cfg.fast_path = shortcut;
    cfg.expire_nodest_conn = expire_nodest;
    // Short timeouts, so that connections expire and slots are reused.
    cfg.timeouts.tcp[static_cast<std::size_t>(TcpState::kEstablished)] = seconds(20);
    cfg.timeouts.udp = seconds(15);
    return cfg;
  }

  void SetUp() override {
    const Case& c = GetParam();
    const bool shortcut = c.mode != Mode::kBatchSlow;
    fast_ = std::make_unique<Engine>(config(shortcut, c.expire_nodest_conn));
    slow_ = std::make_unique<Engine>(config(false, c.expire_nodest_conn));
    rng_.seed(c.seed);
    for (Engine* e : {fast_.get(), slow_.get()}) {
      ServiceConfig web;  // NAT, rr
      web.key = tcp_service(kVip, 80);
      web.scheduler = "rr";
      ASSERT_TRUE(e->add_service(web));
      ServiceConfig dr = web;  // direct routing
      dr.key.port = 443;
      dr.scheduler = "wlc";
      ASSERT_TRUE(e->add_service(dr));
      ServiceConfig sticky = web;  // persistent, NAT
      sticky.key.port = 8443;
      sticky.flags |= kSvcPersistent;
      sticky.timeout = seconds(30);
      ASSERT_TRUE(e->add_service(sticky));
      ServiceConfig dns = web;  // UDP, NAT
      dns.key.proto = Proto::kUdp;
      dns.key.port = 53;
      ASSERT_TRUE(e->add_service(dns));
      for (const char* rs : {kRs1, kRs2, "10.1.0.13"}) {
        ASSERT_TRUE(e->add_dest(web.key, nat_dest(rs, 8080)));
        ASSERT_TRUE(e->add_dest(sticky.key, nat_dest(rs, 8443)));
        ASSERT_TRUE(e->add_dest(dns.key, nat_dest(rs, 53)));
        RealServerConfig d = nat_dest(rs, 443);
        d.fwd = ForwardMethod::kDirectRoute;
        ASSERT_TRUE(e->add_dest(dr.key, d));
      }
    }
  }

  std::uint32_t pick(std::uint32_t n) {
    return std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng_);
  }

  // A client's packet to a service, or a real server's packet back; also the
  // odd ones: options, truncation, ICMP errors.
  Bytes next_packet(Side& side) {
    const std::uint32_t roll = pick(100);
    if (flows_.empty() || roll < 22) {
      Flow f;
      const std::uint32_t kind = pick(10);
      if (kind == 0) {  // a real server talks out (masqueraded)
        f.outbound = true;
        f.server = kRs2;
        f.sport = static_cast<std::uint16_t>(5000 + pick(8));
        f.client = "198.51.100.7";
        f.cport = 80;
        f.proto = Proto::kTcp;
      } else {
        static const std::uint16_t kPorts[] = {80, 80, 80, 80, 443, 8443, 53};
        f.vport = kPorts[pick(7)];
        f.proto = f.vport == 53 ? Proto::kUdp : Proto::kTcp;
        f.client = "203.0.113." + std::to_string(1 + pick(6));
        f.cport = static_cast<std::uint16_t>(40000 + pick(40));  // collisions and reuse
      }
      flows_.push_back(f);
      if (flows_.size() > 60) flows_.erase(flows_.begin());
      if (f.outbound) {
        side = Side::kInside;
        return make_packet(seg(Proto::kTcp, f.server, f.sport, f.client, f.cport, kSyn));
      }
      side = Side::kOutside;
      return make_packet(seg(f.proto, f.client, f.cport, kVip, f.vport, kSyn, pick(2) * 100));
    }
    Flow& f = flows_[pick(static_cast<std::uint32_t>(flows_.size()))];
    static const std::uint8_t kFlags[] = {kAck,        kAck,        kAck,        kAck,       kAck,
                                          kAck | 0x08, kAck | 0x08, kAck | 0x20, kFinAck,    kRst,
                                          kSyn,        kSynAck,     0,           kRst | kAck};
    const std::uint8_t flags = kFlags[pick(sizeof kFlags)];
    const std::size_t payload = pick(3) * 400;
    const bool from_client = f.server.empty() || pick(2) == 0;
    Bytes b;
    if (f.outbound) {
      side = from_client ? Side::kOutside : Side::kInside;
      b = from_client
              ? make_packet(seg(f.proto, f.client, f.cport, kPublic, f.vport, flags, payload))
              : make_packet(seg(f.proto, f.server, f.sport, f.client, f.cport, flags, payload));
    } else if (from_client) {
      side = Side::kOutside;
      b = make_packet(seg(f.proto, f.client, f.cport, kVip, f.vport, flags, payload));
    } else {
      side = Side::kInside;
      b = make_packet(seg(f.proto, f.server, f.sport, f.client, f.cport, flags, payload));
    }
    if (roll < 25) return with_ip_options(b);
    if (roll < 27) {  // truncated
      const std::size_t cut = std::min<std::size_t>(b.size() - 1, 20 + pick(20));
      return Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(cut));
    }
    if (roll < 29) {  // an ICMP error about this packet, from the other side
      return side == Side::kOutside ? make_icmp_error("10.1.0.1", f.client, 3, 4, b)
                                    : make_icmp_error("198.51.100.1", kVip, 3, 4, b);
    }
    return b;
  }

  // Learn a flow's real server (or masquerade port) from a forwarded packet.
  void learn(const Bytes& sent, Side side, const Verdict& v, const Bytes& out) {
    if (v.action != Action::kForward || out.size() < 24 || sent.size() < 24) return;
    const Ip4 src = load32(sent.data() + 12);
    const std::uint16_t sport = load16(sent.data() + 20);
    for (Flow& f : flows_) {
      if (f.outbound && side == Side::kInside && ip(f.server) == src && f.sport == sport) {
        f.vport = load16(out.data() + 20);  // the masqueraded source port
      } else if (!f.outbound && side == Side::kOutside && ip(f.client) == src && f.cport == sport &&
                 f.vport == load16(sent.data() + 22) && v.conn != kNoConn) {
        const Ip4 rs = load32(out.data() + 16);
        f.server = std::to_string(rs >> 24) + "." + std::to_string((rs >> 16) & 255) + "." +
                   std::to_string((rs >> 8) & 255) + "." + std::to_string(rs & 255);
        f.sport = load16(out.data() + 22);
      }
    }
  }

  static void expect_same(const Verdict& a, const Verdict& b, const std::string& where) {
    EXPECT_EQ(a.action, b.action) << where;
    EXPECT_EQ(a.out, b.out) << where;
    EXPECT_EQ(a.reason, b.reason) << where;
    EXPECT_EQ(a.icmp_unreachable, b.icmp_unreachable) << where;
    EXPECT_EQ(a.next_hop, b.next_hop) << where;
    EXPECT_EQ(a.method, b.method) << where;
    EXPECT_EQ(a.conn, b.conn) << where;
    EXPECT_EQ(a.new_conn, b.new_conn) << where;
  }

  // Everything an observer can see: counters, drops, listings with stats,
  // rates and every connection with its remaining time.
  void expect_same_state(Time now, const std::string& where) {
    EXPECT_EQ(fast_->forwarded(), slow_->forwarded()) << where;
    for (std::size_t r = 0; r < static_cast<std::size_t>(DropReason::kCount); ++r)
      EXPECT_EQ(fast_->drops(static_cast<DropReason>(r)), slow_->drops(static_cast<DropReason>(r)))
          << where << " drop reason " << drop_reason_name(static_cast<DropReason>(r));
    const IpvsListing lf = fast_->listing(now), ls = slow_->listing(now);
    for (ListView view : {ListView::kDefault, ListView::kStats, ListView::kRate}) {
      ListOptions o;
      o.view = view;
      o.exact = true;
      EXPECT_EQ(format_service_list(lf, o), format_service_list(ls, o)) << where;
    }
    EXPECT_EQ(format_conn_list(lf), format_conn_list(ls)) << where;
    EXPECT_EQ(format_conn_list(lf, true), format_conn_list(ls, true)) << where;
    EXPECT_EQ(fast_->conns().size(), slow_->conns().size()) << where;
    EXPECT_EQ(fast_->total_stats().inbytes, slow_->total_stats().inbytes) << where;
    EXPECT_EQ(fast_->total_stats().outbytes, slow_->total_stats().outbytes) << where;
  }

  // Control-plane events, applied to both.
  void control(Time now) {
    const std::uint32_t roll = pick(100);
    static const char* const kServers[] = {kRs1, kRs2, "10.1.0.13"};
    const char* rs = kServers[pick(3)];
    const std::uint16_t port = static_cast<std::uint16_t>(pick(2) ? 8080 : 8443);
    ServiceKey key = tcp_service(kVip, port == 8080 ? 80 : 8443);
    if (roll < 40) {  // quiesce or restore
      RealServerConfig d = nat_dest(rs, port, static_cast<int>(pick(3)));
      for (Engine* e : {fast_.get(), slow_.get()}) e->edit_dest(key, d);
    } else if (roll < 60) {  // delete (its connections follow expire_nodest_conn)
      for (Engine* e : {fast_.get(), slow_.get()}) e->del_dest(key, ip(rs), port);
    } else if (roll < 80) {  // add back
      for (Engine* e : {fast_.get(), slow_.get()}) e->add_dest(key, nat_dest(rs, port));
    } else if (roll < 90) {  // connection sync on or off
      if (fast_->sync_master()) {
        fast_->set_sync_master(nullptr);
        slow_->set_sync_master(nullptr);
      } else {
        sync_fast_ = std::make_unique<SyncMaster>(SyncDaemonConfig{}, now);
        sync_slow_ = std::make_unique<SyncMaster>(SyncDaemonConfig{}, now);
        fast_->set_sync_master(sync_fast_.get());
        slow_->set_sync_master(sync_slow_.get());
      }
    }
  }

  std::unique_ptr<Engine> fast_, slow_;
  std::unique_ptr<SyncMaster> sync_fast_, sync_slow_;
  std::mt19937_64 rng_;
  std::vector<Flow> flows_;
};

TEST_P(FastPathEquivalence, SameVerdictsBytesCountersAndListings) {
  const Mode mode = GetParam().mode;
  Time now = at(1);
  std::size_t packets = 0;
  std::size_t shortcut_candidates = 0;  // established ACKs seen: the shortcut's business
  const int steps = mode == Mode::kProcess ? 20000 : 4000;  // ~80,000 packets in batches
  for (int step = 0; step < steps; ++step) {
    const std::string where = "step " + std::to_string(step);
    now += milliseconds(static_cast<std::int64_t>(pick(40)));
    if (pick(200) == 0) now += seconds(static_cast<std::int64_t>(pick(40)));  // timers fire
    if (pick(100) == 0) control(now);
    if (sync_fast_) {
      const auto a = sync_fast_->collect(now), b = sync_slow_->collect(now);
      ASSERT_EQ(a.size(), b.size()) << where;
      for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].bytes, b[i].bytes) << where;
    }
    // A batch of packets sent at the same time (one packet for kProcess).
    const std::size_t n = mode == Mode::kProcess ? 1 : 1 + pick(40);
    std::vector<Bytes> sent(n);
    std::vector<Side> sides(n);
    for (std::size_t i = 0; i < n; ++i) sent[i] = next_packet(sides[i]);
    // kBatchTimed: each packet at its own time, 0-3 ms after the one before,
    // so timer ticks (every millisecond) and now and then a long gap's
    // expiries and estimator passes fall between the packets of a batch.
    std::vector<Time> times(n, now);
    if (mode == Mode::kBatchTimed) {
      for (std::size_t i = 1; i < n; ++i) {
        times[i] = times[i - 1] +
                   std::chrono::microseconds(static_cast<std::int64_t>(pick(4) * pick(1000)));
        if (pick(100) == 0) times[i] += seconds(static_cast<std::int64_t>(1 + pick(20)));
      }
    }
    std::vector<Bytes> out_fast = sent, out_slow = sent;
    std::vector<Verdict> v_fast(n), v_slow(n);
    if (mode == Mode::kProcess) {
      v_fast[0] = fast_->process(out_fast[0].data(), out_fast[0].size(), sides[0], now);
    } else {
      std::vector<PacketRef> refs(n);
      for (std::size_t i = 0; i < n; ++i)
        refs[i] = PacketRef{out_fast[i].data(), out_fast[i].size(), sides[i], 0};
      if (mode == Mode::kBatchTimed)
        fast_->process_batch(refs.data(), v_fast.data(), n, times.data());
      else
        fast_->process_batch(refs.data(), v_fast.data(), n, now);
    }
    packets += n;
    now = times.back();
    for (std::size_t i = 0; i < n; ++i) {
      v_slow[i] = slow_->process(out_slow[i].data(), out_slow[i].size(), sides[i], times[i]);
      expect_same(v_fast[i], v_slow[i], where + " packet " + std::to_string(i));
      ASSERT_EQ(out_fast[i], out_slow[i]) << where << " packet " << i;
      if (v_slow[i].action == Action::kForward && v_slow[i].conn != kNoConn &&
          slow_->conns().contains(v_slow[i].conn)) {
        const Conn& c = slow_->conns()[v_slow[i].conn];
        shortcut_candidates += c.state == static_cast<std::uint8_t>(TcpState::kEstablished) &&
                               c.proto == Proto::kTcp && out_slow[i].size() >= 40 &&
                               out_slow[i][33] == kAck;
      }
      learn(sent[i], sides[i], v_slow[i], out_slow[i]);
    }
    if (step % 50 == 0 || HasFailure()) expect_same_state(now, where);
    if (HasFailure()) return;
  }
  expect_same_state(now, "end");
  // The run exercised the shortcut, not only the general path.
  EXPECT_GT(shortcut_candidates, packets / 50);
  EXPECT_GT(slow_->drops(DropReason::kTableFull), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Random, FastPathEquivalence,
    ::testing::Values(Case{Mode::kProcess, false, 1}, Case{Mode::kProcess, true, 2},
                      Case{Mode::kProcess, false, 3}, Case{Mode::kBatch, false, 4},
                      Case{Mode::kBatch, true, 5}, Case{Mode::kBatchSlow, false, 6},
                      Case{Mode::kBatchSlow, true, 7}, Case{Mode::kBatchTimed, false, 8},
                      Case{Mode::kBatchTimed, true, 9}),
    case_name);

// The shortcut re-arms the timer as the general path does: an established
// connection kept alive by plain ACKs lives on past its first timeout, and
// expires one timeout after its last packet.
class FastPath : public DirectorTest {
 protected:
  static EngineConfig ten_second_established() {
    EngineConfig cfg = director_config();
    cfg.timeouts.tcp[static_cast<std::size_t>(TcpState::kEstablished)] = seconds(10);
    return cfg;
  }
  FastPath() : DirectorTest(ten_second_established()) {}

  // A connection of kClient:40000 to kRs1 through an rr service, its
  // handshake done through the general path at 1, 1.001 and 1.002 s.
  void establish() {
    add_service(service("rr"));
    add_dest(tcp_service(), nat_dest(kRs1));
    ASSERT_EQ(in(seg(Proto::kTcp, kClient, 40000, kVip, 80, kSyn), at(1)).action, Action::kForward);
    ASSERT_EQ(out(seg(Proto::kTcp, kRs1, 8080, kClient, 40000, kSynAck), at(1.001)).action,
              Action::kForward);
    ASSERT_EQ(in(seg(Proto::kTcp, kClient, 40000, kVip, 80, kAck), at(1.002)).action,
              Action::kForward);  // ESTABLISHED
  }
  // ESTABLISHED's timeout becomes `timeout` (ipvsadm --set).
  void set_established_timeout(Duration timeout) {
    Timeouts t = engine_.config().timeouts;
    t.tcp[static_cast<std::size_t>(TcpState::kEstablished)] = timeout;
    engine_.set_timeouts(t);
  }
};

TEST_F(FastPath, PlainAcksKeepTheConnectionAlive) {
  add_service(service("rr"));
  add_dest(tcp_service(), nat_dest(kRs1));
  auto send = [&](Side side, std::uint8_t flags, double t) {
    Bytes b;
    const Verdict v =
        side == Side::kOutside
            ? in(seg(Proto::kTcp, kClient, 40000, kVip, 80, flags, 100), at(t), &b)
            : out(seg(Proto::kTcp, kRs1, 8080, kClient, 40000, flags, 100), at(t), &b);
    EXPECT_TRUE(checksums_valid(b));
    return v;
  };
  ASSERT_EQ(send(Side::kOutside, kSyn, 1).action, Action::kForward);
  ASSERT_EQ(send(Side::kInside, kSynAck, 1.001).action, Action::kForward);
  ASSERT_EQ(send(Side::kOutside, kAck, 1.002).action, Action::kForward);  // ESTABLISHED
  for (double t = 5; t <= 40; t += 5) {
    ASSERT_EQ(send(t == 20 ? Side::kInside : Side::kOutside, kAck, t).action, Action::kForward)
        << t;
  }
  engine_.advance(at(49.9));
  EXPECT_EQ(engine_.conns().size(), 1u);
  engine_.advance(at(50.1));  // 10 s after the last ACK
  EXPECT_EQ(engine_.conns().size(), 0u);
  const RealServer& rs = dest(kRs1);
  EXPECT_EQ(rs.stats.counters.inpkts, 9u);  // SYN, ACK, 7 ACKs
  EXPECT_EQ(rs.stats.counters.outpkts, 2u);
  EXPECT_EQ(rs.active_conns, 0);
}

// Shortened timeouts (ipvsadm --set) re-arm a connection earlier than its
// timer stands: the next ACK leaves the shortcut for the general path, which
// moves the timer, so the connection goes at the new time, not the old.
TEST_F(FastPath, ShortenedTimeoutTakesEffectOnTheNextAck) {
  ASSERT_NO_FATAL_FAILURE(establish());  // expires at 11.002
  set_established_timeout(seconds(2));
  Bytes b;
  ASSERT_EQ(in(seg(Proto::kTcp, kClient, 40000, kVip, 80, kAck, 10), at(3), &b).action,
            Action::kForward);
  EXPECT_EQ(b, make_packet(seg(Proto::kTcp, kClient, 40000, kRs1, 8080, kAck, 10)));
  engine_.advance(at(4.9));
  EXPECT_EQ(engine_.conns().size(), 1u);
  engine_.advance(at(5.1));  // 2 s after the last ACK
  EXPECT_EQ(engine_.conns().size(), 0u);
}

// The shortcut keeps the tick ESTABLISHED's timeout gives for the rest of
// its millisecond: a timeout changed within that millisecond applies to the
// very next ACK all the same.
TEST_F(FastPath, TimeoutChangedWithinAMillisecond) {
  ASSERT_NO_FATAL_FAILURE(establish());
  ASSERT_EQ(in(seg(Proto::kTcp, kClient, 40000, kVip, 80, kAck, 10), at(2.0001)).action,
            Action::kForward);  // the shortcut: expires at 12.0001
  set_established_timeout(seconds(2));
  ASSERT_EQ(in(seg(Proto::kTcp, kClient, 40000, kVip, 80, kAck, 10), at(2.0002)).action,
            Action::kForward);  // expires at 4.0002
  engine_.advance(at(3.9));
  EXPECT_EQ(engine_.conns().size(), 1u);
  engine_.advance(at(4.1));
  EXPECT_EQ(engine_.conns().size(), 0u);
}

// The shortcut reads a segment's addresses and ports as two words and keys
// the connection's client end from them: the same fields, and the same key
// the table files the connection under, as the general path's.
TEST(PlainTcp, ReadsTheHeaderAndKeysTheClientEnd) {
  std::mt19937 rng(5);
  for (int i = 0; i < 1000; ++i) {
    const Ip4 saddr = rng(), daddr = rng();
    const auto sport = static_cast<std::uint16_t>(rng()), dport = static_cast<std::uint16_t>(rng());
    Bytes b =
        make_packet(seg(Proto::kTcp, format_ip4(saddr), sport, format_ip4(daddr), dport, kAck, 8));
    PlainTcp t;
    ASSERT_TRUE(read_plain_tcp(b.data(), b.size(), t));
    EXPECT_EQ(t.saddr(), saddr);
    EXPECT_EQ(t.daddr(), daddr);
    EXPECT_EQ(t.sport(), sport);
    EXPECT_EQ(t.dport(), dport);
    EXPECT_EQ(t.len, b.size());
    EXPECT_EQ(t.flags, kAck);
    EXPECT_EQ(t.client_key<true>(), ConnTable::client_key(Proto::kTcp, saddr, sport));
    EXPECT_EQ(t.client_key<false>(), ConnTable::client_key(Proto::kTcp, daddr, dport));
  }
}

// In a batch, candidates are looked up before earlier packets are handled. A
// SYN that replaces a connection (expire_nodest_conn, its real server
// quiesced) frees the slot and the new connection takes it; the old
// connection's reply later in the same batch must not be taken for the new
// one: as one packet at a time, it is a reply without a connection.
TEST(FastPathBatch, CandidateReplacedEarlierInTheBatch) {
  EngineConfig cfg = director_config();
  cfg.expire_nodest_conn = true;
  Engine batch(cfg), single(cfg);
  const ServiceConfig s = service_config(tcp_service(), "rr");
  for (Engine* e : {&batch, &single}) {
    ASSERT_TRUE(e->add_service(s));
    ASSERT_TRUE(e->add_dest(s.key, nat_dest(kRs1)));
    ASSERT_TRUE(e->add_dest(s.key, nat_dest(kRs2)));
  }
  auto from_client = [](std::uint8_t flags) {
    return make_packet(seg(Proto::kTcp, kClient, 40000, kVip, 80, flags));
  };
  Ip4 first_server = 0;
  ConnId first_conn = kNoConn;
  for (Engine* e : {&batch, &single}) {
    Bytes syn = from_client(kSyn), ack = from_client(kAck);
    first_server = e->process(syn.data(), syn.size(), Side::kOutside, at(1)).next_hop;
    const Verdict established = e->process(ack.data(), ack.size(), Side::kOutside, at(1.1));
    ASSERT_EQ(established.action, Action::kForward);
    first_conn = established.conn;
    RealServerConfig quiesced = nat_dest(first_server == ip(kRs1) ? kRs1 : kRs2);
    quiesced.weight = 0;
    ASSERT_TRUE(e->edit_dest(s.key, quiesced));
  }
  const std::string server = first_server == ip(kRs1) ? kRs1 : kRs2;
  std::vector<Bytes> pkts = {from_client(kSyn),
                             make_packet(seg(Proto::kTcp, server, 8080, kClient, 40000, kAck, 10))};
  std::vector<Bytes> one_by_one = pkts;
  PacketRef refs[2] = {{pkts[0].data(), pkts[0].size(), Side::kOutside, 0},
                       {pkts[1].data(), pkts[1].size(), Side::kInside, 0}};
  Verdict v[2];
  batch.process_batch(refs, v, 2, at(2));
  const Verdict w0 =
      single.process(one_by_one[0].data(), one_by_one[0].size(), Side::kOutside, at(2));
  const Verdict w1 =
      single.process(one_by_one[1].data(), one_by_one[1].size(), Side::kInside, at(2));
  EXPECT_EQ(v[0].action, Action::kForward);
  EXPECT_TRUE(v[0].new_conn);
  EXPECT_NE(v[0].next_hop, first_server);
  EXPECT_EQ(v[0].conn, w0.conn);
  EXPECT_EQ(v[0].conn, first_conn);  // the new connection took the old one's slot
  EXPECT_EQ(v[1].action, Action::kDrop);
  EXPECT_EQ(v[1].reason, DropReason::kReplyWithoutConn);
  EXPECT_EQ(w1.action, v[1].action);
  EXPECT_EQ(w1.reason, v[1].reason);
  EXPECT_EQ(pkts, one_by_one);
}

}  // namespace
}  // namespace lvs::test
