// What the wire shows in a NAT run captured with measurement.pcap: clients
// only ever talk to the VIP, real servers see the real client addresses, and
// every checksum is valid (the runner turns ChecksumEnabled on with pcaps).
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>

#include "run_test_support.h"

namespace lvs::run_test {
namespace {

const std::vector<std::string> kPcapRun = {"duration=2", "measurement.pcap=true",
                                           "workloads.0.rate=200"};

bool is_client(Ip4 a) { return (a & kClientMask) == kClientNet; }

// The client-side capture shows the VIP as the only far end: no real server address leaks.
TEST(Pcap, ClientSideSeesOnlyTheVip) {
  TempDir dir("pcap-client");
  const nlohmann::json s = run_summary(load_text(kClusterYaml, kPcapRun), dir.path());
  ASSERT_GT(s["requests"]["ok"].get<std::uint64_t>(), 100u);
  const std::vector<Ip4Packet> packets = read_ipv4(dir / "client.pcap");
  ASSERT_GT(packets.size(), 500u);
  std::size_t to_vip = 0, from_vip = 0;
  for (const Ip4Packet& p : packets) {
    const bool out = p.dst == kVip && is_client(p.src);
    const bool in = p.src == kVip && is_client(p.dst);
    EXPECT_TRUE(out || in) << format_ip4(p.src) << " -> " << format_ip4(p.dst);
    to_vip += out;
    from_vip += in;
  }
  EXPECT_GT(to_vip, 200u);
  EXPECT_GT(from_vip, 200u);
}

// Each real server's capture shows real client addresses, and never the VIP.
TEST(Pcap, RealServersSeeClientAddresses) {
  TempDir dir("pcap-servers");
  run_summary(load_text(kClusterYaml, kPcapRun), dir.path());
  const std::vector<std::pair<std::string, Ip4>> servers = {
      {"rs1", 0x0a01000b}, {"rs2", 0x0a01000c}, {"rs3", 0x0a01000d}};
  for (const auto& [name, addr] : servers) {
    std::set<Ip4> clients;
    for (const Ip4Packet& p : read_ipv4(dir / (name + ".pcap"))) {
      EXPECT_NE(p.src, kVip) << name;
      EXPECT_NE(p.dst, kVip) << name;
      if (p.src == addr) {
        EXPECT_TRUE(is_client(p.dst)) << name << " -> " << format_ip4(p.dst);
        clients.insert(p.dst);
      } else {
        EXPECT_EQ(p.dst, addr) << format_ip4(p.src) << " -> " << format_ip4(p.dst);
        EXPECT_TRUE(is_client(p.src)) << format_ip4(p.src) << " -> " << name;
        clients.insert(p.src);
      }
    }
    // ~400 requests over 200 addresses, a sixth of them or more to each server.
    EXPECT_GT(clients.size(), 30u) << name;
  }
}

std::string shell_output(const std::string& cmd, int* status) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, f)) out.append(buf, n);
  *status = pclose(f);
  return out;
}

// tshark, checking every IP and TCP checksum, finds no bad one in any capture of the run.
TEST(Pcap, ChecksumsValidWithChecksumEnabled) {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0) GTEST_SKIP() << "tshark is not installed";
  TempDir dir("pcap-checksums");
  run_summary(load_text(kClusterYaml, kPcapRun), dir.path());
  const std::string checks = " -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE ";
  for (const char* file : {"client.pcap", "lvs1-eth0.pcap", "lvs1-eth1.pcap", "rs1.pcap", "rs2.pcap", "rs3.pcap"}) {
    const std::string path = dir / file;
    int status = -1;
    const std::string bad = shell_output(
        "tshark -n -r " + path + checks +
            "-Y 'ip.checksum.status==\"Bad\" || tcp.checksum.status==\"Bad\"' 2>/dev/null",
        &status);
    EXPECT_EQ(status, 0) << file;
    EXPECT_EQ(bad, "") << file;
    // The checks did run: TCP checksums were verified good.
    const std::string good = shell_output(
        "tshark -n -r " + path + checks + "-Y 'tcp.checksum.status==\"Good\"' 2>/dev/null | wc -l",
        &status);
    EXPECT_GT(std::stoul(good), 100u) << file;
  }
}

}  // namespace
}  // namespace lvs::run_test
