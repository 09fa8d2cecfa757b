// lvsim replay hands frames to the engine in batches (Engine::process_batch,
// each frame at its own capture time). The batches must change nothing: the
// same capture replayed one process() call per frame gives the same output
// frames, assignments, counters, listing and connection table, byte for
// byte. The capture is built to make batching hard: few client ends, so the
// frames of one connection follow each other closely; replies that depend on
// the request just before them; bursts with one timestamp; gaps that let
// connections expire between two frames of a batch's window; ICMP, passed
// traffic and unparsable frames in between.

#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include <random>
#include <string>
#include <vector>

#include "lvs/ipvsadm_format.h"
#include "lvs/packet.h"
#include "packet_builder.h"
#include "tools/config_loader.h"
#include "tools/replay.h"
#include "tools_test_support.h"

namespace lvs::tools {
namespace {

using namespace testing;
using test::make_icmp_error;
using test::make_packet;
using test::PacketSpec;
using test::seg;

// wlc over NAT servers (one quiesced) and a DR server, whose replies bypass
// the director; rr for DNS; a persistent any-port service with sh; a service
// without real servers, answered with port unreachable.
const char* const kRules =
    "-A -t 192.0.2.10:80 -s wlc\n"
    "-a -t 192.0.2.10:80 -r 10.1.0.11:8080 -m -w 1\n"
    "-a -t 192.0.2.10:80 -r 10.1.0.12:8080 -m -w 2\n"
    "-a -t 192.0.2.10:80 -r 10.1.0.13:80 -g -w 1\n"
    "-a -t 192.0.2.10:80 -r 10.1.0.14:8080 -m -w 0\n"
    "-A -u 192.0.2.10:53 -s rr\n"
    "-a -u 192.0.2.10:53 -r 10.1.0.11:53 -m -w 1\n"
    "-a -u 192.0.2.10:53 -r 10.1.0.12:53 -m -w 1\n"
    "-A -t 192.0.2.20:0 -s lc -p 20\n"
    "-a -t 192.0.2.20:0 -r 10.1.0.21:0 -m -w 1\n"
    "-a -t 192.0.2.20:0 -r 10.1.0.22:0 -m -w 1\n"
    "-A -t 192.0.2.30:443 -s rr\n";

struct Frame {
  pcap_pkthdr hdr{};
  std::vector<std::uint8_t> bytes;
};

struct Output {
  std::vector<Frame> frames;
  std::string csv;
  std::string summary;
  std::string services;
  std::string conns;
  ReplayCounters counters;
  std::uint64_t engine_calls = 0;
  std::uint64_t to_engine = 0;
};

// One client end and what it has sent so far.
struct Flow {
  std::string client;
  std::uint16_t cport = 0;
  std::string vip;
  std::uint16_t vport = 0;
  Proto proto = Proto::kTcp;
  int phase = 0;  // TCP: 0 nothing, 1 SYN, 2 SYN-ACK, 3 established, 4 FIN
};

class Capture {
 public:
  explicit Capture(std::uint64_t seed) : rng_(seed) {
    for (int c = 0; c < 12; ++c) {
      for (std::uint16_t port = 40000; port < 40004; ++port) {
        Flow f;
        f.client = "198.51.100." + std::to_string(1 + c);
        f.cport = port;
        flows_.push_back(f);
      }
    }
  }

  std::vector<Frame> make(std::size_t n) {
    std::vector<Frame> out;
    while (out.size() < n) {
      step_time();
      const unsigned roll = pick(100);
      if (roll < 82) {
        flow_packet(flows_[pick(static_cast<unsigned>(flows_.size()))], out);
      } else if (roll < 85) {  // ping the VIP: the director's own
        PacketSpec s = seg(Proto::kIcmp, client(), 0, "192.0.2.10", 0, 0);
        push(make_packet(s), out);
      } else if (roll < 88) {  // an ICMP error about a reply, from the client
        const Flow& f = flows_[pick(static_cast<unsigned>(flows_.size()))];
        if (f.vport == 0) continue;
        const auto quoted = make_packet(seg(f.proto, f.vip, f.vport, f.client, f.cport, 0x10));
        push(make_icmp_error(f.client, f.vip, kIcmpDestUnreach, kIcmpPortUnreach, quoted), out);
      } else if (roll < 91) {  // not LVS traffic
        push(make_packet(seg(Proto::kTcp, client(), 41000, "203.0.113.5", 80, 0x02)), out);
      } else if (roll < 93) {  // no real server: port unreachable comes back
        push(make_packet(seg(Proto::kTcp, client(), 41001, "192.0.2.30", 443, 0x02)), out);
      } else if (roll < 95) {  // unparsable: a truncated TCP header
        auto b = make_packet(seg(Proto::kTcp, client(), 41002, "192.0.2.10", 80, 0x10));
        b.resize(30);
        b[2] = 0;
        b[3] = 30;
        push(b, out);
      } else {  // a packet from the outside straight to a real server
        push(make_packet(seg(Proto::kTcp, client(), 41003, "10.1.0.11", 8080, 0x02)), out);
      }
    }
    return out;
  }

 private:
  unsigned pick(unsigned n) { return static_cast<unsigned>(rng_() % n); }
  std::string client() { return flows_[pick(static_cast<unsigned>(flows_.size()))].client; }

  // Mostly a few packets per millisecond timer tick; bursts with one stamp;
  // now and then a gap long enough for timeouts (3 s TCP, 2 s UDP) to pass.
  void step_time() {
    const unsigned roll = pick(100);
    if (roll < 25) return;
    if (roll < 90)
      us_ += pick(300);
    else if (roll < 99 || pick(20) != 0)
      us_ += 1000 + pick(3000);
    else
      us_ += 1000000 + pick(4000000);
  }

  void push(const std::vector<std::uint8_t>& ip, std::vector<Frame>& out) {
    Frame f;
    f.bytes = ethernet(ip);
    f.hdr.ts.tv_sec = static_cast<long>(1700000000 + us_ / 1000000);
    f.hdr.ts.tv_usec = static_cast<long>(us_ % 1000000);
    f.hdr.caplen = f.hdr.len = static_cast<bpf_u_int32>(f.bytes.size());
    out.push_back(std::move(f));
  }

  void flow_packet(Flow& f, std::vector<Frame>& out) {
    if (f.vport == 0 || (f.phase == 0 && pick(4) == 0)) {  // a new connection on this end
      const unsigned which = pick(10);
      f.proto = which < 2 ? Proto::kUdp : Proto::kTcp;
      f.vip = which < 2 ? "192.0.2.10" : which < 4 ? "192.0.2.20" : "192.0.2.10";
      f.vport = which < 2 ? 53 : which == 2 ? 443 : which == 3 ? 22 : 80;
      f.phase = 0;
    }
    const bool reply = pick(2) == 0;
    const std::size_t payload = pick(3) == 0 ? 1 + pick(300) : 0;
    if (f.proto == Proto::kUdp) {
      PacketSpec s = reply ? seg(Proto::kUdp, f.vip, f.vport, f.client, f.cport, 0)
                           : seg(Proto::kUdp, f.client, f.cport, f.vip, f.vport, 0);
      s.payload = 20 + payload;
      push(make_packet(s), out);
      return;
    }
    // TCP: mostly the next step of the handshake, transfer and close, from
    // the side whose turn it is; sometimes a step out of turn, or a RST.
    std::uint8_t flags = 0x10;
    bool from_client = !reply;
    if (f.phase < 3) {  // SYN, SYN-ACK, ACK
      static constexpr std::uint8_t kHandshake[] = {0x02, 0x12, 0x10};
      flags = kHandshake[f.phase];
      from_client = f.phase != 1;
      ++f.phase;
    } else if (f.phase == 3) {
      if (pick(12) == 0) {
        flags = 0x11;  // FIN
        f.phase = 4;
      }
    } else {
      flags = pick(3) == 0 ? 0x11 : 0x10;
      if (pick(4) == 0) f.phase = 0;  // closed: the end is used again
    }
    if (pick(40) == 0) {
      flags = 0x04;  // RST
      f.phase = 0;
    }
    if (pick(30) == 0) from_client = !from_client;
    PacketSpec s = from_client ? seg(Proto::kTcp, f.client, f.cport, f.vip, f.vport, flags)
                               : seg(Proto::kTcp, f.vip, f.vport, f.client, f.cport, flags);
    s.payload = flags == 0x10 ? payload : 0;
    push(make_packet(s), out);
  }

  std::mt19937_64 rng_;
  std::vector<Flow> flows_;
  std::uint64_t us_ = 0;
};

Output replay(const std::vector<Frame>& frames, Replayer::Mode mode) {
  TempDir d;
  write_text(d.file("rules"), kRules);
  const LoadedConfig cfg = load_config(d.file("rules"));
  EngineSetup setup;
  setup.max_conns = 96;  // small enough to fill now and then
  setup.timeouts.tcp = seconds(3);
  setup.timeouts.tcpfin = seconds(2);
  setup.timeouts.udp = seconds(2);
  Replayer r(cfg.services, LinkType::kEthernet, setup, mode);
  Output out;
  {
    AssignmentLog log(d.file("a.csv"));
    auto emit = [&out](const pcap_pkthdr& h, const std::uint8_t* bytes) {
      out.frames.push_back(Frame{h, std::vector<std::uint8_t>(bytes, bytes + h.caplen)});
    };
    for (const Frame& f : frames) r.replay_frame(f.hdr, f.bytes.data(), emit, &log);
    r.flush(emit, &log);
    log.commit();
  }
  out.csv = read_text(d.file("a.csv"));
  out.summary = format_summary(r.counters());
  const Time end = r.finish();
  ListOptions list;
  list.view = ListView::kStats;
  list.exact = true;
  out.services = format_service_list(r.engine().listing(end), list);
  out.conns = format_conn_list(r.engine().listing(end));
  out.engine_calls = r.engine_calls();
  const ReplayCounters& c = r.counters();
  out.counters = c;
  out.to_engine = c.forwarded() + c.local + c.passed + c.dropped_total();
  return out;
}

class ReplayBatch : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(ReplayBatch, GivesWhatOneFrameAtATimeGives) {
  const std::vector<Frame> frames = Capture(GetParam()).make(20000);
  const Output one = replay(frames, Replayer::Mode::kOneByOne);
  const Output batch = replay(frames, Replayer::Mode::kBatch);

  ASSERT_EQ(one.frames.size(), batch.frames.size());
  for (std::size_t i = 0; i < one.frames.size(); ++i) {
    const Frame& a = one.frames[i];
    const Frame& b = batch.frames[i];
    ASSERT_EQ(a.hdr.ts.tv_sec, b.hdr.ts.tv_sec) << "output frame " << i;
    ASSERT_EQ(a.hdr.ts.tv_usec, b.hdr.ts.tv_usec) << "output frame " << i;
    ASSERT_EQ(a.hdr.caplen, b.hdr.caplen) << "output frame " << i;
    ASSERT_EQ(a.bytes, b.bytes) << "output frame " << i;
  }
  EXPECT_EQ(one.summary, batch.summary);
  EXPECT_EQ(one.csv, batch.csv);
  EXPECT_EQ(one.services, batch.services);
  EXPECT_EQ(one.conns, batch.conns);

  // The capture exercised what it is built for...
  const ReplayCounters& c = one.counters;
  EXPECT_GT(c.new_conns, 500u) << one.summary;
  EXPECT_EQ(lines_of(one.csv).size(), c.new_conns + 1);
  EXPECT_GT(c.to_real_servers, 3000u) << one.summary;
  EXPECT_GT(c.to_clients, 3000u) << one.summary;
  EXPECT_GT(c.icmp_errors, 0u) << one.summary;
  EXPECT_GT(c.local, 0u) << one.summary;
  EXPECT_GT(c.passed, 0u) << one.summary;
  EXPECT_GT(c.reply_without_conn, 0u) << one.summary;
  EXPECT_GT(c.reply_bypass, 0u) << one.summary;
  EXPECT_GT(c.unparsable_total(), 0u) << one.summary;
  EXPECT_GT(c.dropped[static_cast<std::size_t>(DropReason::kTableFull)], 0u) << one.summary;
  // ...and the batches held several frames on average (the reference made
  // one engine call per frame).
  EXPECT_EQ(one.engine_calls, one.to_engine);
  EXPECT_EQ(batch.to_engine, one.to_engine);
  EXPECT_GT(batch.to_engine, 2 * batch.engine_calls) << batch.engine_calls << " batches";
}

INSTANTIATE_TEST_SUITE_P(Seeds, ReplayBatch, ::testing::Values(1, 2, 3));

}  // namespace
}  // namespace lvs::tools
