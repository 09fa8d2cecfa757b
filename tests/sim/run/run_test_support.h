#pragma once
// Shared by the end-to-end tests: a small NAT cluster as scenario text, a way
// to run it in-process through the runner (World), and pcap reading.

#include <pcap/pcap.h>

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lvs/types.h"
#include "runner/world.h"
#include "scenario/check.h"
#include "scenario/scenario_reader.h"

namespace lvs::run_test {

constexpr Ip4 kVip = 0xcb00710a;           // 203.0.113.10
constexpr Ip4 kClientNet = 0x64400000;     // 100.64.0.0/16
constexpr Ip4 kClientMask = 0xffff0000;

// Three real servers (wrr 3:2:1) behind one director with no CPU cost, open
// loop at 100 requests/s for 3 s; tests adjust it with --set overrides.
inline const char* const kClusterYaml = R"(
name: run-test
duration: 3s
seed: 1
topology:
  clients: {addresses: 200, nodes: 2, network: 100.64.0.0/16, access_link: {rate: 1Gbps, delay: 1ms}}
  public_lan: {network: 203.0.113.0/24, rate: 1Gbps, delay: 1us}
  private_lan: {network: 10.1.0.0/24, rate: 1Gbps, delay: 1us}
  vip: 203.0.113.10
  nat_gateway_ip: 10.1.0.254
  routers:
    - {name: lvs1, public_ip: 203.0.113.2, private_ip: 10.1.0.2, cost_model: {profile: none}}
real_servers:
  - {name: rs1, address: 10.1.0.11, workers: 16, service_time: 1ms}
  - {name: rs2, address: 10.1.0.12, workers: 16, service_time: 1ms}
  - {name: rs3, address: 10.1.0.13, workers: 16, service_time: 1ms}
services:
  - name: web
    proto: tcp
    port: 80
    scheduler: wrr
    real_servers:
      - {server: rs1, weight: 3}
      - {server: rs2, weight: 2}
      - {server: rs3, weight: 1}
workloads:
  - {name: web, kind: open, service: web, rate: 100, request_size: 200, response_size: 2000, timeout: 2s}
)";

inline std::string scenarios_dir() { return std::string(LVS_TEST_DATA_DIR) + "/../../scenarios"; }

// Parses `text` with `overrides`, checks it as `lvsim run` does, and returns it.
inline scenario::Scenario load_text(const std::string& text,
                                    const std::vector<std::string>& overrides = {}) {
  scenario::Scenario sc = scenario::parse_scenario(text, "test.yaml", overrides);
  const scenario::CheckReport report = scenario::check_scenario(sc);
  if (const scenario::Finding* f = report.first_error()) throw std::runtime_error(f->str());
  return sc;
}

inline scenario::Scenario load_file(const std::string& name,
                                    const std::vector<std::string>& overrides = {}) {
  return scenario::load_scenario(scenarios_dir() + "/" + name, overrides);
}

// Runs the scenario to its end in this process and returns summary.json's
// content. Captures (pcaps, NetAnim) go to `capture_dir` when it is not "";
// they are complete when this returns (the world is destroyed).
inline nlohmann::json run_summary(const scenario::Scenario& sc, const std::string& capture_dir = "") {
  runner::World world(sc, capture_dir);
  world.run(nullptr);
  return world.summary();
}

// A fresh empty directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    std::string tmpl = (std::filesystem::temp_directory_path() / ("lvsim-run-" + tag + "-XXXXXX")).string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct Ip4Packet {
  Ip4 src = 0;
  Ip4 dst = 0;
  std::uint8_t proto = 0;
  std::uint32_t tcp_payload = 0;  // TCP data bytes (0 for other protocols)
  bool fragment = false;          // MF set or a fragment offset
};

// Every IPv4 packet of a pcap file (Ethernet or PPP link type), in order.
inline std::vector<Ip4Packet> read_ipv4(const std::string& file) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(file.c_str(), err);
  if (!p) throw std::runtime_error(std::string("pcap: ") + err);
  const int link = pcap_datalink(p);
  std::vector<Ip4Packet> out;
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &h, &data) == 1) {
    std::size_t off = 0;
    if (link == DLT_EN10MB) {
      if (h->caplen < 14 || data[12] != 0x08 || data[13] != 0x00) continue;  // not IPv4 (ARP)
      off = 14;
    } else if (link == DLT_PPP) {
      if (h->caplen < 2 || data[0] != 0x00 || data[1] != 0x21) continue;
      off = 2;
    } else {
      pcap_close(p);
      throw std::runtime_error("unexpected link type in " + file);
    }
    if (h->caplen < off + 20) continue;
    const u_char* ip = data + off;
    auto be32 = [](const u_char* b) {
      return (Ip4{b[0]} << 24) | (Ip4{b[1]} << 16) | (Ip4{b[2]} << 8) | Ip4{b[3]};
    };
    Ip4Packet pkt{be32(ip + 12), be32(ip + 16), ip[9]};
    const std::uint32_t ihl = (ip[0] & 0x0fu) * 4u;
    const std::uint32_t total = (std::uint32_t{ip[2]} << 8) | ip[3];
    pkt.fragment = (((std::uint32_t{ip[6]} << 8) | ip[7]) & 0x3fffu) != 0;
    if (pkt.proto == 6 && !pkt.fragment && h->caplen >= off + ihl + 13) {
      const std::uint32_t tcp_hdr = (ip[ihl + 12] >> 4) * 4u;
      if (total >= ihl + tcp_hdr) pkt.tcp_payload = total - ihl - tcp_hdr;
    }
    out.push_back(pkt);
  }
  pcap_close(p);
  return out;
}

}  // namespace lvs::run_test
