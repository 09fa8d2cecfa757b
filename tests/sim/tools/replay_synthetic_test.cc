// lvsim replay over captures made here: the scheduler decides the
// assignments, unparsable packets are counted and passed over, errors leave
// no output behind.

#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include <map>
#include <regex>

#include "lvs/packet.h"
#include "packet_builder.h"
#include "tools_test_support.h"

namespace lvs::tools {
namespace {

using namespace testing;
using test::make_packet;
using test::PacketSpec;

const char* const kWrrRules =
    "-A -t 192.0.2.10:80 -s wrr\n"
    "-a -t 192.0.2.10:80 -r 10.1.0.11:8080 -m -w 3\n"
    "-a -t 192.0.2.10:80 -r 10.1.0.12:8080 -m -w 1\n";

PacketSpec syn_from(const std::string& client, std::uint16_t cport) {
  PacketSpec s;
  s.src = client;
  s.dst = "192.0.2.10";
  s.sport = cport;
  s.dport = 80;
  s.tcp_flags = 0x02;
  return s;
}

PacketSpec synack_to(const std::string& client, std::uint16_t cport) {
  PacketSpec s;
  s.src = "192.0.2.10";
  s.dst = client;
  s.sport = 80;
  s.dport = cport;
  s.tcp_flags = 0x12;
  return s;
}

std::string client_addr(int i) { return "198.18." + std::to_string(i / 250) + "." + std::to_string(1 + i % 250); }

std::map<std::string, int> per_real_server(const std::string& csv) {
  std::map<std::string, int> out;
  const auto lines = lines_of(csv);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto comma = lines[i].rfind(',');
    const auto prev = lines[i].rfind(',', comma - 1);
    ++out[lines[i].substr(prev + 1, comma - prev - 1)];
  }
  return out;
}

// 400 new connections from distinct clients to a wrr 3:1 service: 300 and 100
// (raw-IP capture, each SYN answered by a SYN-ACK from the VIP).
TEST(ReplaySynthetic, WrrWeightsThreeToOneOverFourHundredConnections) {
  TempDir d;
  write_text(d.file("rules"), kWrrRules);
  {
    CaptureWriter w(d.file("in.pcap"), DLT_RAW);
    ASSERT_TRUE(w.ok());
    for (int i = 0; i < 400; ++i) {
      const std::string c = client_addr(i);
      w.write(make_packet(syn_from(c, static_cast<std::uint16_t>(40000 + i))), 1000, i * 1000);
      w.write(make_packet(synack_to(c, static_cast<std::uint16_t>(40000 + i))), 1000, i * 1000 + 10);
    }
  }
  const RunResult r = run_lvsim({"replay", "--config", d.file("rules"), d.file("in.pcap"), "-o",
                                 d.file("out.pcap"), "--assignments", d.file("a.csv")});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string csv = read_text(d.file("a.csv"));
  EXPECT_EQ(lines_of(csv).size(), 401u);
  const auto counts = per_real_server(csv);
  EXPECT_EQ(counts.at("10.1.0.11"), 300);
  EXPECT_EQ(counts.at("10.1.0.12"), 100);
  int dlt = 0;
  const auto out = read_capture(d.file("out.pcap"), &dlt);
  EXPECT_EQ(dlt, DLT_RAW);
  ASSERT_EQ(out.size(), 800u);
  for (const auto& pkt : out) {
    std::string why;
    EXPECT_TRUE(test::checksums_valid(pkt, &why)) << why;
  }
  EXPECT_NE(r.out.find("(400 to real servers, 400 to clients), 400 new connections"), std::string::npos) << r.out;
  // The CSV's time column is the capture's stamp of the SYN.
  EXPECT_EQ(lines_of(csv)[1].substr(0, 12), "1000.000000,");
  EXPECT_EQ(lines_of(csv)[400].substr(0, 12), "1000.399000,");
}

// Frames the parser cannot handle are counted by reason and skipped; the
// packets around them still go through (Ethernet, one of them VLAN-tagged).
TEST(ReplaySynthetic, UnparsableFramesCountedAndSkipped) {
  TempDir d;
  write_text(d.file("rules"), kWrrRules);
  {
    CaptureWriter w(d.file("in.pcap"), DLT_EN10MB);
    ASSERT_TRUE(w.ok());
    w.write(ethernet(make_packet(syn_from("198.18.0.1", 1111))), 5, 0);
    std::vector<std::uint8_t> arp = ethernet(std::vector<std::uint8_t>(28, 0));
    arp[12] = 0x08;
    arp[13] = 0x06;
    w.write(arp, 5, 1);
    std::vector<std::uint8_t> v6 = ethernet(std::vector<std::uint8_t>(40, 0));
    v6[12] = 0x86;
    v6[13] = 0xdd;
    w.write(v6, 5, 2);
    w.write({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5, 3);  // shorter than an Ethernet header
    test::Bytes cut = make_packet(syn_from("198.18.0.2", 2222));
    cut.resize(30);  // IPv4 total length says 40
    w.write(ethernet(cut), 5, 4);
    w.write(ethernet(make_packet(syn_from("198.18.0.3", 3333))), 5, 5, 1514);  // snaplen cut it
    PacketSpec frag = syn_from("198.18.0.4", 4444);
    frag.frag = 0x2000;  // more fragments
    w.write(ethernet(make_packet(frag)), 5, 6);
    test::Bytes not_v4 = make_packet(syn_from("198.18.0.5", 5555));
    not_v4[0] = 0x65;  // version 6 behind an IPv4 ethertype
    w.write(ethernet(not_v4), 5, 7);
    w.write(ethernet(make_packet(syn_from("198.18.0.6", 6666)), true), 5, 8);
  }
  const RunResult r =
      run_lvsim({"replay", "--config", d.file("rules"), d.file("in.pcap"), "-o", d.file("out.pcap")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("9 packets read, 2 forwarded (2 to real servers, 0 to clients)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("7 unparsable (not_ipv4 2, link_header_truncated 1, capture_truncated 1, "
                       "bad_version 1, bad_length 1, fragment 1)"),
            std::string::npos)
      << r.out;
  const auto out = read_capture(d.file("out.pcap"));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].size(), 18u + 40u);  // the VLAN tag is kept
  EXPECT_EQ(load16(&out[1][12]), 0x8100);
  EXPECT_EQ(load32(&out[1][18 + 16]), 0x0a01000bu);  // DNAT to a real server behind the tag
}

// With no real server to pick, the director answers the SYN with ICMP port
// unreachable from the VIP, as IPVS does; it is written out too.
TEST(ReplaySynthetic, NoRealServerAnswersPortUnreachable) {
  TempDir d;
  write_text(d.file("rules"), "-A -t 192.0.2.10:80 -s rr\n");
  {
    CaptureWriter w(d.file("in.pcap"), DLT_EN10MB);
    w.write(ethernet(make_packet(syn_from("198.18.0.1", 1111))), 5, 0);
  }
  const RunResult r =
      run_lvsim({"replay", "--config", d.file("rules"), d.file("in.pcap"), "-o", d.file("out.pcap")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("1 ICMP errors sent"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 dropped (no_destination 1)"), std::string::npos) << r.out;
  const auto out = read_capture(d.file("out.pcap"));
  ASSERT_EQ(out.size(), 1u);
  const test::Bytes icmp(out[0].begin() + 14, out[0].end());
  std::string why;
  EXPECT_TRUE(test::checksums_valid(icmp, &why)) << why;
  EXPECT_EQ(icmp[9], 1);                   // ICMP
  EXPECT_EQ(format_ip4(load32(&icmp[12])), "192.0.2.10");
  EXPECT_EQ(format_ip4(load32(&icmp[16])), "198.18.0.1");
  EXPECT_EQ(icmp[20], 3);                  // destination unreachable
  EXPECT_EQ(icmp[21], 3);                  // port unreachable
  EXPECT_EQ(out[0][0], 0x02);              // sent back to the client's MAC
  EXPECT_EQ(out[0][5], 0x02);
}

// A broken config exits 2 with the parser's FILE:LINE:COL line and leaves no
// OUT.pcap (nor any temporary file) behind.
TEST(ReplaySynthetic, BrokenConfigExitsTwoWithoutOutput) {
  TempDir d;
  write_text(d.file("keepalived.conf"), "virtual_server 192.0.2.10 80 {\n  lb_algo wrr\n  real_server {\n");
  {
    CaptureWriter w(d.file("in.pcap"), DLT_RAW);
    w.write(make_packet(syn_from("198.18.0.1", 1111)), 5, 0);
  }
  const RunResult r = run_lvsim({"replay", "--config", d.file("keepalived.conf"), d.file("in.pcap"), "-o",
                                 d.file("out.pcap"), "--assignments", d.file("a.csv")});
  EXPECT_EQ(r.status, 2);
  const auto lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_TRUE(std::regex_match(lines[0], std::regex(R"(^.*keepalived\.conf:\d+:\d+: error: .+$)"))) << lines[0];
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(d.path())) left.push_back(e.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"in.pcap", "keepalived.conf"}));
}

// A scheduler the engine does not know, a missing or non-pcap capture: exit 2, no output.
TEST(ReplaySynthetic, OtherErrorsExitTwoWithoutOutput) {
  TempDir d;
  write_text(d.file("rules"), kWrrRules);
  write_text(d.file("bad-sched"), "-A -t 192.0.2.10:80 -s nosuch\n");
  write_text(d.file("not.pcap"), "this is not a capture\n");
  {
    CaptureWriter w(d.file("in.pcap"), DLT_RAW);
    w.write(make_packet(syn_from("198.18.0.1", 1111)), 5, 0);
  }
  const std::vector<std::vector<std::string>> cases = {
      {"--config", d.file("rules"), d.file("missing.pcap")},
      {"--config", d.file("rules"), d.file("not.pcap")},
      {"--config", d.file("missing.conf"), d.file("in.pcap")},
      {"--config", d.file("bad-sched"), d.file("in.pcap")},
  };
  for (auto args : cases) {
    SCOPED_TRACE(args[1] + " " + args[2]);
    args.insert(args.begin(), "replay");
    args.insert(args.end(), {"-o", d.file("out.pcap")});
    const RunResult r = run_lvsim(args);
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
    EXPECT_FALSE(fs::exists(d.file("out.pcap")));
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(d.path()), fs::directory_iterator{}), 4);  // only the inputs
}

}  // namespace
}  // namespace lvs::tools
