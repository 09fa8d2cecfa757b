#pragma once
// Small ns-3 topologies around one LvsNatRouting director, shared by the
// director tests: clients on a public CSMA LAN with the director's eth0 (its
// own address + the VIP), real servers on a private CSMA LAN with eth1 (its own
// address + the NAT gateway IP) and a default route via the NAT gateway IP.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "helper/lvs-nat-routing-helper.h"
#include "lvs/engine.h"
#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

namespace lvs_director_test {

inline lvs::Ip4 ip(const char* dotted) { return ns3::Ipv4Address(dotted).Get(); }

// Addresses of the NAT topology.
inline const char* const kVip = "192.0.2.100";
inline const char* const kDirectorPublic = "192.0.2.254";
inline const char* const kDirectorPrivate = "10.1.0.1";
inline const char* const kNatGateway = "10.1.0.254";

struct NatTopologyOptions {
  int clients = 2;
  int servers = 2;
  std::string public_rate = "1Gbps";
  std::string private_rate = "1Gbps";
  std::string cost_profile = "none";
  std::vector<std::pair<std::string, ns3::Ptr<ns3::AttributeValue>>> cost_attributes;
};

// Clients 192.0.2.1.., real servers 10.1.0.11.., the director in between.
struct NatTopology {
  ns3::NodeContainer clients, servers, director;
  ns3::NetDeviceContainer public_devs, private_devs;  // director's device first
  ns3::CsmaHelper public_lan, private_lan;
  ns3::Ptr<ns3::LvsNatRouting> lvs;
  std::vector<ns3::Ipv4Address> client_addrs, server_addrs;

  explicit NatTopology(const NatTopologyOptions& o = {}) {
    using namespace ns3;
    // ARP requests go out at once: no packets lost to a jittered first ARP.
    Config::SetDefault("ns3::ArpL3Protocol::RequestJitter",
                       StringValue("ns3::ConstantRandomVariable[Constant=0.0]"));
    director.Create(1);
    clients.Create(o.clients);
    servers.Create(o.servers);
    public_lan.SetChannelAttribute("DataRate", StringValue(o.public_rate));
    // A short delay: a CSMA channel stays busy for the propagation delay too.
    public_lan.SetChannelAttribute("Delay", TimeValue(MicroSeconds(1)));
    private_lan.SetChannelAttribute("DataRate", StringValue(o.private_rate));
    private_lan.SetChannelAttribute("Delay", TimeValue(MicroSeconds(1)));
    public_devs = public_lan.Install(NodeContainer(director, clients));
    private_devs = private_lan.Install(NodeContainer(director, servers));

    LvsNatRoutingHelper lvs_helper;
    lvs::EngineConfig cfg;
    cfg.local_addrs = {ip(kVip), ip(kDirectorPublic), ip(kDirectorPrivate), ip(kNatGateway)};
    cfg.inside_nets = {{ip("10.1.0.0"), lvs::prefix_mask(24)}};
    lvs_helper.SetEngineConfig(cfg);
    lvs_helper.SetInterfaces(1, 2);
    lvs_helper.SetCostModel(o.cost_profile);
    for (const auto& [name, value] : o.cost_attributes) lvs_helper.SetCostModelAttribute(name, *value);
    InternetStackHelper director_stack;
    director_stack.SetRoutingHelper(lvs_helper);
    director_stack.Install(director);
    InternetStackHelper stack;
    stack.Install(clients);
    stack.Install(servers);

    // eth0 = interface 1, eth1 = interface 2: public addresses are assigned first.
    Ptr<Ipv4> dip = director.Get(0)->GetObject<Ipv4>();
    const int32_t eth0 = dip->AddInterface(public_devs.Get(0));
    dip->AddAddress(eth0, Ipv4InterfaceAddress(kDirectorPublic, "255.255.255.0"));
    dip->AddAddress(eth0, Ipv4InterfaceAddress(kVip, "255.255.255.0"));
    dip->SetUp(eth0);
    const int32_t eth1 = dip->AddInterface(private_devs.Get(0));
    dip->AddAddress(eth1, Ipv4InterfaceAddress(kDirectorPrivate, "255.255.255.0"));
    dip->AddAddress(eth1, Ipv4InterfaceAddress(kNatGateway, "255.255.255.0"));
    dip->SetUp(eth1);
    dip->SetForwarding(eth0, true);
    dip->SetForwarding(eth1, true);

    Ipv4StaticRoutingHelper routing;
    for (int i = 0; i < o.clients; ++i) {
      Ptr<Ipv4> cip = clients.Get(i)->GetObject<Ipv4>();
      const int32_t itf = cip->AddInterface(public_devs.Get(i + 1));
      const Ipv4Address a(("192.0.2." + std::to_string(i + 1)).c_str());
      cip->AddAddress(itf, Ipv4InterfaceAddress(a, "255.255.255.0"));
      cip->SetUp(itf);
      client_addrs.push_back(a);
      routing.GetStaticRouting(cip)->SetDefaultRoute(kDirectorPublic, itf);
    }
    for (int i = 0; i < o.servers; ++i) {
      Ptr<Ipv4> sip = servers.Get(i)->GetObject<Ipv4>();
      const int32_t itf = sip->AddInterface(private_devs.Get(i + 1));
      const Ipv4Address a(("10.1.0." + std::to_string(i + 11)).c_str());
      sip->AddAddress(itf, Ipv4InterfaceAddress(a, "255.255.255.0"));
      sip->SetUp(itf);
      server_addrs.push_back(a);
      routing.GetStaticRouting(sip)->SetDefaultRoute(kNatGateway, itf);
    }
    lvs = LvsNatRoutingHelper::GetDirector(director.Get(0));
  }

  // ipvsadm -A -t/-u VIP:port -s sched; -a -r each server:port -m -w weights[i]
  lvs::ServiceKey AddService(lvs::Proto proto, std::uint16_t port, const std::string& sched,
                             const std::vector<int>& weights,
                             lvs::ForwardMethod fwd = lvs::ForwardMethod::kMasq) {
    lvs::ServiceConfig svc;
    svc.key = {proto, ip(kVip), port};
    svc.scheduler = sched;
    lvs->GetEngine().add_service(svc);
    for (std::size_t i = 0; i < weights.size(); ++i) {
      lvs::RealServerConfig rs;
      rs.addr = server_addrs[i].Get();
      rs.port = port;
      rs.weight = weights[i];
      rs.fwd = fwd;
      lvs->GetEngine().add_dest(svc.key, rs);
    }
    return svc.key;
  }
};

inline std::string MakeTempDir() {
  char tmpl[] = "/tmp/lvs-director-XXXXXX";
  const char* dir = mkdtemp(tmpl);
  return dir ? dir : "/tmp";
}

// Removes a test's capture directory unless the test failed (then the pcaps stay for a look).
inline void RemoveTempDirUnlessFailed(const std::string& dir) {
  if (!::testing::Test::HasFailure()) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
}

// Output of a shell command (stdout only).
inline std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  pclose(f);
  return out;
}

inline bool HaveTshark() { return std::system("command -v tshark >/dev/null 2>&1") == 0; }

// Every packet in the capture whose IPv4, TCP or UDP checksum tshark finds bad.
inline std::string BadChecksums(const std::string& pcap) {
  return Shell("tshark -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE "
             "-o udp.check_checksum:TRUE -r '" + pcap +
             "' -Y 'ip.checksum.status==\"Bad\" || tcp.checksum.status==\"Bad\" || "
             "udp.checksum.status==\"Bad\"' 2>/dev/null");
}

// One "src dst" line per IPv4 packet in the capture.
inline std::vector<std::string> IpPairs(const std::string& pcap) {
  std::vector<std::string> lines;
  const std::string out = Shell("tshark -r '" + pcap + "' -Y ip -T fields -e ip.src -e ip.dst 2>/dev/null");
  std::size_t start = 0;
  while (start < out.size()) {
    const std::size_t end = out.find('\n', start);
    const std::string line = out.substr(start, end == std::string::npos ? end : end - start);
    if (!line.empty()) lines.push_back(line);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

}  // namespace lvs_director_test

namespace lvs_director_test {
// Packets in the capture matching a display filter.
inline int CountPackets(const std::string& pcap, const std::string& filter,
                        const std::string& options = "") {
  return std::atoi(Shell("tshark " + options + " -r '" + pcap + "' -Y '" + filter +
                         "' 2>/dev/null | wc -l").c_str());
}
}  // namespace lvs_director_test
