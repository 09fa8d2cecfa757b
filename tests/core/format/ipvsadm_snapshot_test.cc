// Snapshots of live services carry what ipvsadm reads from the kernel, and
// ipvsadm's default ordering matches libipvs's comparators under glibc qsort.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lvs/ipvsadm_format.h"
#include "lvs/scheduler.h"

namespace lvs {
namespace {

Ip4 ip(const char* text) { return *parse_ip4(text); }

// A live service becomes a listing entry: persistence in seconds, dests in
// list order, counters as of the last estimation pass, rates read out.
TEST(IpvsadmSnapshotTest, SnapshotOfLiveService) {
  VirtualService svc;
  svc.cfg.key = ServiceKey{Proto::kTcp, ip("192.168.0.1"), 80, 0};
  svc.cfg.scheduler = "wrr";
  svc.cfg.flags = kSvcPersistent;
  svc.cfg.timeout = seconds(1800);
  svc.cfg.netmask = ip("255.255.255.0");
  svc.stats.counters.conns = 7;
  svc.stats.estimate();
  svc.stats.counters.conns = 9;  // after the pass: not shown yet

  RealServer a;
  a.cfg.addr = ip("10.0.0.2");
  a.cfg.port = 8080;
  a.cfg.weight = 5;
  a.cfg.u_threshold = 200;
  a.cfg.l_threshold = 150;
  a.cfg.fwd = ForwardMethod::kMasq;
  a.active_conns = 3;
  a.inactive_conns = 4;
  a.persist_conns = 2;
  RealServer b;
  b.cfg.addr = ip("10.0.0.1");
  b.cfg.port = 8080;
  svc.dests = {&a, &b};

  const IpvsServiceEntry e = snapshot_service(svc);
  EXPECT_EQ(e.key, svc.cfg.key);
  EXPECT_EQ(e.scheduler, "wrr");
  EXPECT_EQ(e.timeout_s, 1800u);
  EXPECT_EQ(e.netmask, ip("255.255.255.0"));
  EXPECT_EQ(e.stats.conns, 7u);
  EXPECT_EQ(e.rates.cps, 1u);  // 7<<9>>2 = 896 -> (896+511)>>10
  ASSERT_EQ(e.dests.size(), 2u);
  EXPECT_EQ(e.dests[0].addr, ip("10.0.0.2"));
  EXPECT_EQ(e.dests[0].fwd, ForwardMethod::kMasq);
  EXPECT_EQ(e.dests[0].weight, 5);
  EXPECT_EQ(e.dests[0].u_threshold, 200u);
  EXPECT_EQ(e.dests[0].l_threshold, 150u);
  EXPECT_EQ(e.dests[0].active_conns, 3u);
  EXPECT_EQ(e.dests[0].inactive_conns, 4u);
  EXPECT_EQ(e.dests[0].persist_conns, 2u);
  EXPECT_EQ(e.dests[1].addr, ip("10.0.0.1"));
  EXPECT_EQ(e.dests[1].fwd, ForwardMethod::kDirectRoute);

  IpvsListing l;
  l.services = {e};
  EXPECT_EQ(format_service_list(l),
            "IP Virtual Server version 1.2.1 (size=4096)\n"
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
            "TCP  192.168.0.1:80 wrr persistent 1800 mask 255.255.255.0\n"
            "  -> 10.0.0.1:8080                Route   1      0          0         \n"
            "  -> 10.0.0.2:8080                Masq    5      3          4         \n");
}

// Real-server order: address by wrapped subtraction, then port. Where the
// comparator is not transitive the result depends on the input order exactly
// as glibc's merge sort leaves it.
TEST(IpvsadmSnapshotTest, DestOrderFollowsLibipvs) {
  struct Case {
    std::vector<const char*> in;
    std::vector<const char*> out;
  };
  const std::vector<Case> cases = {
      {{"10.0.0.2:80", "10.0.0.1:81", "10.0.0.1:80"}, {"10.0.0.1:80", "10.0.0.1:81", "10.0.0.2:80"}},
      {{"10.0.0.1:80", "192.168.0.1:80"}, {"192.168.0.1:80", "10.0.0.1:80"}},
      {{"0.0.0.1:1", "96.0.0.0:1", "192.0.0.0:1"}, {"0.0.0.1:1", "96.0.0.0:1", "192.0.0.0:1"}},
      {{"192.0.0.0:1", "96.0.0.0:1", "0.0.0.1:1"}, {"192.0.0.0:1", "0.0.0.1:1", "96.0.0.0:1"}},
      {{"96.0.0.0:1", "192.0.0.0:1", "0.0.0.1:1"}, {"96.0.0.0:1", "192.0.0.0:1", "0.0.0.1:1"}},
  };
  auto parse = [](const char* text) {
    const std::string s(text);
    const auto colon = s.find(':');
    IpvsDestEntry d;
    d.addr = *parse_ip4(s.substr(0, colon));
    d.port = static_cast<std::uint16_t>(std::stoi(s.substr(colon + 1)));
    return d;
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    std::vector<IpvsDestEntry> dests;
    for (const char* t : cases[i].in) dests.push_back(parse(t));
    sort_like_ipvsadm(dests);
    std::vector<std::string> got;
    for (const IpvsDestEntry& d : dests) {
      got.push_back(format_ip4(d.addr) + ":" + std::to_string(d.port));
    }
    EXPECT_EQ(got, std::vector<std::string>(cases[i].out.begin(), cases[i].out.end()));
  }
}

// Service order: non-fwmark before fwmark (by mark), TCP before UDP, then
// wrapped address and port.
TEST(IpvsadmSnapshotTest, ServiceOrderFollowsLibipvs) {
  auto svc = [](Proto p, const char* addr, std::uint16_t port, std::uint32_t mark) {
    IpvsServiceEntry s;
    s.key = ServiceKey{p, *parse_ip4(addr), port, mark};
    return s;
  };
  std::vector<IpvsServiceEntry> services = {
      svc(Proto::kTcp, "0.0.0.0", 0, 2),         svc(Proto::kUdp, "10.0.0.1", 53, 0),
      svc(Proto::kTcp, "10.0.0.1", 443, 0),      svc(Proto::kTcp, "10.0.0.1", 80, 0),
      svc(Proto::kTcp, "0.0.0.0", 0, 1),         svc(Proto::kTcp, "172.16.0.1", 80, 0),
  };
  sort_like_ipvsadm(services);
  std::vector<std::string> got;
  for (const IpvsServiceEntry& s : services) {
    got.push_back(s.key.is_fwmark() ? "FWM " + std::to_string(s.key.fwmark)
                                    : std::string(proto_name(s.key.proto)) + " " +
                                          format_ip4(s.key.addr) + ":" +
                                          std::to_string(s.key.port));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"TCP 172.16.0.1:80", "TCP 10.0.0.1:80",
                                           "TCP 10.0.0.1:443", "UDP 10.0.0.1:53", "FWM 1",
                                           "FWM 2"}));
}

}  // namespace
}  // namespace lvs
