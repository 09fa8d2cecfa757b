// lvsim replay over the committed real capture (curl against python's
// http.server in network namespaces): valid checksums, clients only ever see
// the VIP, real servers see the real client, both directions go through.

#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "lvs/packet.h"
#include "packet_builder.h"
#include "tools/link_layer.h"
#include "tools_test_support.h"

namespace lvs::tools {
namespace {

using namespace testing;

constexpr const char* kCapture = "http-client-side.pcap";
constexpr const char* kConfig = "replay-keepalived.conf";
const Ip4 kVip = 0xc000020a;     // 192.0.2.10
const Ip4 kClient = 0xc6336407;  // 198.51.100.7

struct ReplayRun {
  TempDir dir;
  RunResult result;
  std::vector<std::vector<std::uint8_t>> out;
  std::string csv;
};

void replay(ReplayRun& r, const std::string& config = data_file(kConfig)) {
  r.result = run_lvsim({"replay", "--config", config, data_file(kCapture), "-o", r.dir.file("out.pcap"),
                        "--assignments", r.dir.file("a.csv")});
  r.out = read_capture(r.dir.file("out.pcap"));
  r.csv = read_text(r.dir.file("a.csv"));
}

// The IPv4 packet inside an Ethernet record.
test::Bytes ip_of(const std::vector<std::uint8_t>& frame) {
  const FrameL3 l3 = locate_ipv4(LinkType::kEthernet, frame.data(), frame.size());
  EXPECT_EQ(l3.kind, FrameKind::kIpv4);
  return test::Bytes(frame.begin() + static_cast<std::ptrdiff_t>(l3.ip_off), frame.end());
}

// Every packet of the capture but its two ARP frames comes out, with checksums
// that verify (recomputed from scratch, independently of the engine).
TEST(ReplayCapture, EveryIpPacketForwardedWithValidChecksums) {
  ReplayRun r;
  replay(r);
  ASSERT_EQ(r.result.status, 0) << r.result.err;
  EXPECT_EQ(read_capture(data_file(kCapture)).size(), 74u);
  ASSERT_EQ(r.out.size(), 72u);
  for (const auto& f : r.out) {
    std::string why;
    EXPECT_TRUE(test::checksums_valid(ip_of(f), &why)) << why;
  }
  EXPECT_NE(r.result.out.find("74 packets read, 72 forwarded (38 to real servers, 34 to clients)"),
            std::string::npos)
      << r.result.out;
  EXPECT_NE(r.result.out.find("2 unparsable (not_ipv4 2)"), std::string::npos) << r.result.out;
}

// tshark, with checksum validation on, finds no bad IP or TCP checksum.
TEST(ReplayCapture, TsharkFindsNoBadChecksum) {
  if (!have_program("tshark")) GTEST_SKIP() << "tshark is not installed (make deps installs it)";
  ReplayRun r;
  replay(r);
  ASSERT_EQ(r.result.status, 0) << r.result.err;
  const std::string tshark = "tshark -n -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE "
                             "-o udp.check_checksum:TRUE -r " + shell_quote(r.dir.file("out.pcap"));
  const RunResult all = run_shell(tshark + " -T fields -e frame.number");
  ASSERT_EQ(all.status, 0) << all.err;
  EXPECT_EQ(lines_of(all.out).size(), 72u);  // tshark did read the packets
  const RunResult good = run_shell(tshark + " -Y 'tcp.checksum.status==\"Good\"' -T fields -e frame.number");
  EXPECT_EQ(lines_of(good.out).size(), 72u);
  const RunResult bad = run_shell(
      tshark + " -Y 'ip.checksum.status==\"Bad\" || tcp.checksum.status==\"Bad\" || udp.checksum.status==\"Bad\"'");
  EXPECT_EQ(bad.status, 0) << bad.err;
  EXPECT_EQ(bad.out, "") << "packets with bad checksums:\n" << bad.out;
}

struct Csv {
  std::map<std::uint16_t, std::string> real_by_client_port;
  std::map<std::string, int> per_real;
};

Csv parse_csv(const std::string& text) {
  Csv c;
  const auto lines = lines_of(text);
  EXPECT_FALSE(lines.empty());
  if (lines.empty()) return c;
  EXPECT_EQ(lines[0], "time,client_ip,client_port,vip,vport,real_ip,real_port");
  const std::regex row(R"(^(\d+\.\d{6}),198\.51\.100\.7,(\d+),192\.0\.2\.10,80,(10\.1\.0\.1[12]),8080$)");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::smatch m;
    EXPECT_TRUE(std::regex_match(lines[i], m, row)) << lines[i];
    if (m.empty()) continue;
    c.real_by_client_port[static_cast<std::uint16_t>(std::stoi(m[2]))] = m[3];
    ++c.per_real[m[3]];
  }
  return c;
}

// Towards clients the source is only ever the VIP; towards real servers the
// source is the real client, and the destination is the real server the
// connection was assigned to in the CSV.
TEST(ReplayCapture, ClientsSeeTheVipRealServersSeeTheClient) {
  ReplayRun r;
  replay(r);
  ASSERT_EQ(r.result.status, 0) << r.result.err;
  const Csv csv = parse_csv(r.csv);
  ASSERT_EQ(csv.real_by_client_port.size(), 6u);  // six curl requests
  int to_clients = 0, to_reals = 0;
  for (const auto& f : r.out) {
    const test::Bytes ip = ip_of(f);
    const Ip4 src = load32(&ip[12]), dst = load32(&ip[16]);
    const std::uint16_t sport = load16(&ip[20]), dport = load16(&ip[22]);
    if (dst == kClient) {
      ++to_clients;
      EXPECT_EQ(src, kVip) << format_ip4(src);
      EXPECT_EQ(sport, 80);
    } else {
      ++to_reals;
      EXPECT_EQ(src, kClient) << format_ip4(src);
      EXPECT_EQ(dport, 8080);
      ASSERT_EQ(csv.real_by_client_port.count(sport), 1u) << sport;
      EXPECT_EQ(format_ip4(dst), csv.real_by_client_port.at(sport));
    }
  }
  EXPECT_EQ(to_clients, 34);
  EXPECT_EQ(to_reals, 38);
}

// wrr 3:1 over the six connections: four to the weight-3 server, two to the
// other, and the --stats listing agrees with the CSV.
TEST(ReplayCapture, AssignmentsFollowWrrAndTheListing) {
  ReplayRun r;
  replay(r);
  ASSERT_EQ(r.result.status, 0) << r.result.err;
  const Csv csv = parse_csv(r.csv);
  EXPECT_EQ(csv.per_real.at("10.1.0.11"), 4);
  EXPECT_EQ(csv.per_real.at("10.1.0.12"), 2);
  EXPECT_NE(r.result.out.find("Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes"),
            std::string::npos)
      << r.result.out;
  EXPECT_TRUE(std::regex_search(r.result.out, std::regex(R"(TCP  192\.0\.2\.10:80 +6 +38 +34 )"))) << r.result.out;
  EXPECT_TRUE(std::regex_search(r.result.out, std::regex(R"(-> 10\.1\.0\.11:8080 +4 )"))) << r.result.out;
  EXPECT_TRUE(std::regex_search(r.result.out, std::regex(R"(-> 10\.1\.0\.12:8080 +2 )"))) << r.result.out;
}

// The same cluster written as ipvsadm -S rules or as a piranha lvs.cf replays
// to the same bytes.
TEST(ReplayCapture, IpvsadmRulesAndLvsCfGiveTheSameOutput) {
  ReplayRun k;
  replay(k);
  ASSERT_EQ(k.result.status, 0) << k.result.err;
  TempDir d;
  write_text(d.file("rules"),
             "-A -t 192.0.2.10:80 -s wrr\n-a -t 192.0.2.10:80 -r 10.1.0.11:8080 -m -w 3\n"
             "-a -t 192.0.2.10:80 -r 10.1.0.12:8080 -m -w 1\n");
  write_text(d.file("lvs.cf"),
             "serial_no = 1\nnetwork = nat\nvirtual web {\n address = 192.0.2.10 eth0:1\n port = 80\n"
             " scheduler = wrr\n protocol = tcp\n server a {\n  address = 10.1.0.11\n  port = 8080\n"
             "  weight = 3\n }\n server b {\n  address = 10.1.0.12\n  port = 8080\n  weight = 1\n }\n}\n");
  for (const char* f : {"rules", "lvs.cf"}) {
    SCOPED_TRACE(f);
    ReplayRun r;
    replay(r, d.file(f));
    ASSERT_EQ(r.result.status, 0) << r.result.err;
    EXPECT_EQ(read_text(r.dir.file("out.pcap")), read_text(k.dir.file("out.pcap")));
    EXPECT_EQ(r.csv, k.csv);
  }
}

// With direct routing, replies do not pass the director: none is written.
TEST(ReplayCapture, DirectRoutingRepliesBypassTheDirector) {
  TempDir d;
  write_text(d.file("rules"), "-A -t 192.0.2.10:80 -s rr\n-a -t 192.0.2.10:80 -r 10.1.0.11:80 -g -w 1\n");
  ReplayRun r;
  replay(r, d.file("rules"));
  ASSERT_EQ(r.result.status, 0) << r.result.err;
  EXPECT_EQ(r.out.size(), 38u);
  EXPECT_NE(r.result.out.find("(38 to real servers, 0 to clients)"), std::string::npos) << r.result.out;
  EXPECT_NE(r.result.out.find("34 DR/TUN replies skipped"), std::string::npos) << r.result.out;
}

}  // namespace
}  // namespace lvs::tools
