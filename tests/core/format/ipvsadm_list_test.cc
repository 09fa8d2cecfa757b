// `ipvsadm -L -n` views as golden text, written from ipvsadm 1.31's printf
// formats (print_title, print_service_entry, print_largenum).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lvs/ipvsadm_format.h"

namespace lvs {
namespace {

Ip4 ip(const char* text) { return *parse_ip4(text); }

IpvsDestEntry dest(const char* addr, std::uint16_t port, ForwardMethod fwd, std::int32_t weight,
                   std::uint32_t active, std::uint32_t inactive) {
  IpvsDestEntry d;
  d.addr = ip(addr);
  d.port = port;
  d.fwd = fwd;
  d.weight = weight;
  d.active_conns = active;
  d.inactive_conns = inactive;
  return d;
}

StatsCounters counters(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d,
                       std::uint64_t e) {
  return StatsCounters{a, b, c, d, e};
}

Rates rates(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d, std::uint64_t e) {
  return Rates{a, b, c, d, e};
}

IpvsServiceEntry service(Proto proto, const char* addr, std::uint16_t port, const char* sched) {
  IpvsServiceEntry s;
  s.key.proto = proto;
  s.key.addr = ip(addr);
  s.key.port = port;
  s.scheduler = sched;
  return s;
}

// Four services in kernel dump order (not ipvsadm's order), covering NAT,
// DR, local, tunnel, persistence with a netmask, sh flags and a fwmark,
// with counters and rates on both sides of the K/M/G/T boundaries.
IpvsListing cluster() {
  IpvsListing l;

  IpvsServiceEntry web = service(Proto::kTcp, "192.168.0.1", 80, "wlc");
  web.stats = counters(1234, 99999999, 100000000, 999999999, 1000000000);
  web.rates = rates(12, 999, 100000000, 99999999999ULL, 100000000000000ULL);
  IpvsDestEntry d3 = dest("10.0.0.3", 80, ForwardMethod::kMasq, 1, 5, 2);
  d3.persist_conns = 1;
  d3.stats = counters(100000000, 1, 2, 3, 4);
  d3.rates = rates(123456789, 0, 0, 1000000000, 99999999);
  IpvsDestEntry d2 = dest("10.0.0.2", 80, ForwardMethod::kMasq, 3, 10, 0);
  d2.u_threshold = 100;
  d2.l_threshold = 75;
  d2.stats = counters(5, 6, 7, 8, 9);
  d2.rates = rates(1, 2, 3, 4, 5);
  web.dests = {d3, d2};  // newest first, as the kernel lists them

  IpvsServiceEntry tls = service(Proto::kTcp, "10.1.1.1", 443, "rr");
  tls.flags = kSvcPersistent;
  tls.timeout_s = 300;
  tls.netmask = ip("255.255.255.0");
  IpvsDestEntry d5 = dest("10.0.0.5", 443, ForwardMethod::kDirectRoute, 0, 0, 0);
  d5.persist_conns = 4;
  tls.dests = {d5};

  IpvsServiceEntry mark;
  mark.key.fwmark = 1;
  mark.scheduler = "wlc";
  IpvsDestEntry d7 = dest("10.0.0.7", 0, ForwardMethod::kTunnel, 2, 1, 1);
  d7.u_threshold = 5000;
  mark.dests = {d7};

  IpvsServiceEntry dns = service(Proto::kUdp, "192.168.0.1", 53, "sh");
  dns.flags = kSvcSched1 | kSvcSched2;
  dns.stats = counters(1, 2, 3, 4, 5);
  IpvsDestEntry d4 = dest("10.0.0.4", 53, ForwardMethod::kLocalNode, 1, 0, 7);
  d4.stats = counters(1, 2, 3, 4, 5);
  dns.dests = {d4};

  l.services = {web, tls, mark, dns};
  return l;
}

struct ViewCase {
  const char* name;
  ListOptions options;
  std::string expected;
};

// Every view of the same cluster, sorted as ipvsadm sorts by default:
// TCP before UDP before fwmark, and 192.168.0.1 before 10.1.1.1 because
// libipvs compares addresses by wrapped int subtraction.
TEST(IpvsadmListTest, EveryViewMatchesIpvsadm) {
  const std::vector<ViewCase> cases = {
      {"default", {ListView::kDefault, false, true},
       "IP Virtual Server version 1.2.1 (size=4096)\n"
       "Prot LocalAddress:Port Scheduler Flags\n"
       "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
       "TCP  192.168.0.1:80 wlc\n"
       "  -> 10.0.0.2:80                  Masq    3      10         0         \n"
       "  -> 10.0.0.3:80                  Masq    1      5          2         \n"
       "TCP  10.1.1.1:443 rr persistent 300 mask 255.255.255.0\n"
       "  -> 10.0.0.5:443                 Route   0      0          0         \n"
       "UDP  192.168.0.1:53 sh (sh-fallback,sh-port)\n"
       "  -> 10.0.0.4:53                  Local   1      0          7         \n"
       "FWM  1 wlc\n"
       "  -> 10.0.0.7:0                   Tunnel  2      1          1         \n"},
      {"stats", {ListView::kStats, false, true},
       "IP Virtual Server version 1.2.1 (size=4096)\n"
       "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
       "  -> RemoteAddress:Port\n"
       "TCP  192.168.0.1:80                   1234 99999999  100000K  999999K    1000M\n"
       "  -> 10.0.0.2:80                         5        6        7        8        9\n"
       "  -> 10.0.0.3:80                   100000K        1        2        3        4\n"
       "TCP  10.1.1.1:443                        0        0        0        0        0\n"
       "  -> 10.0.0.5:443                        0        0        0        0        0\n"
       "UDP  192.168.0.1:53                      1        2        3        4        5\n"
       "  -> 10.0.0.4:53                         1        2        3        4        5\n"
       "FWM  1                                   0        0        0        0        0\n"
       "  -> 10.0.0.7:0                          0        0        0        0        0\n"},
      {"stats --exact", {ListView::kStats, true, true},
       "IP Virtual Server version 1.2.1 (size=4096)\n"
       "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
       "  -> RemoteAddress:Port\n"
       "TCP  192.168.0.1:80                   1234 99999999 100000000 999999999 1000000000\n"
       "  -> 10.0.0.2:80                         5        6        7        8        9\n"
       "  -> 10.0.0.3:80                  100000000        1        2        3        4\n"
       "TCP  10.1.1.1:443                        0        0        0        0        0\n"
       "  -> 10.0.0.5:443                        0        0        0        0        0\n"
       "UDP  192.168.0.1:53                      1        2        3        4        5\n"
       "  -> 10.0.0.4:53                         1        2        3        4        5\n"
       "FWM  1                                   0        0        0        0        0\n"
       "  -> 10.0.0.7:0                          0        0        0        0        0\n"},
      // Real-server CPS/InPPS/OutPPS are plain "%8llu": never scaled.
      {"rate", {ListView::kRate, false, true},
       "IP Virtual Server version 1.2.1 (size=4096)\n"
       "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
       "  -> RemoteAddress:Port\n"
       "TCP  192.168.0.1:80                     12      999  100000K   99999M     100T\n"
       "  -> 10.0.0.2:80                         1        2        3        4        5\n"
       "  -> 10.0.0.3:80                  123456789        0        0    1000M 99999999\n"
       "TCP  10.1.1.1:443                        0        0        0        0        0\n"
       "  -> 10.0.0.5:443                        0        0        0        0        0\n"
       "UDP  192.168.0.1:53                      0        0        0        0        0\n"
       "  -> 10.0.0.4:53                         0        0        0        0        0\n"
       "FWM  1                                   0        0        0        0        0\n"
       "  -> 10.0.0.7:0                          0        0        0        0        0\n"},
      {"rate --exact", {ListView::kRate, true, true},
       "IP Virtual Server version 1.2.1 (size=4096)\n"
       "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
       "  -> RemoteAddress:Port\n"
       "TCP  192.168.0.1:80                     12      999 100000000 99999999999 "
       "100000000000000\n"
       "  -> 10.0.0.2:80                         1        2        3        4        5\n"
       "  -> 10.0.0.3:80                  123456789        0        0 1000000000 99999999\n"
       "TCP  10.1.1.1:443                        0        0        0        0        0\n"
       "  -> 10.0.0.5:443                        0        0        0        0        0\n"
       "UDP  192.168.0.1:53                      0        0        0        0        0\n"
       "  -> 10.0.0.4:53                         0        0        0        0        0\n"
       "FWM  1                                   0        0        0        0        0\n"
       "  -> 10.0.0.7:0                          0        0        0        0        0\n"},
      {"thresholds", {ListView::kThresholds, false, true},
       "IP Virtual Server version 1.2.1 (size=4096)\n"
       "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
       "  -> RemoteAddress:Port\n"
       "TCP  192.168.0.1:80 wlc\n"
       "  -> 10.0.0.2:80                  100        75         10         0         \n"
       "  -> 10.0.0.3:80                  0          0          5          2         \n"
       "TCP  10.1.1.1:443 rr persistent 300 mask 255.255.255.0\n"
       "  -> 10.0.0.5:443                 0          0          0          0         \n"
       "UDP  192.168.0.1:53 sh (sh-fallback,sh-port)\n"
       "  -> 10.0.0.4:53                  0          0          0          7         \n"
       "FWM  1 wlc\n"
       "  -> 10.0.0.7:0                   5000       0          1          1         \n"},
      {"persistent-conn", {ListView::kPersistentConn, false, true},
       "IP Virtual Server version 1.2.1 (size=4096)\n"
       "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n"
       "  -> RemoteAddress:Port\n"
       "TCP  192.168.0.1:80 wlc\n"
       "  -> 10.0.0.2:80                  3         0           10         0         \n"
       "  -> 10.0.0.3:80                  1         1           5          2         \n"
       "TCP  10.1.1.1:443 rr persistent 300 mask 255.255.255.0\n"
       "  -> 10.0.0.5:443                 0         4           0          0         \n"
       "UDP  192.168.0.1:53 sh (sh-fallback,sh-port)\n"
       "  -> 10.0.0.4:53                  1         0           0          7         \n"
       "FWM  1 wlc\n"
       "  -> 10.0.0.7:0                   2         0           1          1         \n"},
      // --nosort: the kernel's dump order, real servers newest first.
      {"default --nosort", {ListView::kDefault, false, false},
       "IP Virtual Server version 1.2.1 (size=4096)\n"
       "Prot LocalAddress:Port Scheduler Flags\n"
       "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
       "TCP  192.168.0.1:80 wlc\n"
       "  -> 10.0.0.3:80                  Masq    1      5          2         \n"
       "  -> 10.0.0.2:80                  Masq    3      10         0         \n"
       "TCP  10.1.1.1:443 rr persistent 300 mask 255.255.255.0\n"
       "  -> 10.0.0.5:443                 Route   0      0          0         \n"
       "FWM  1 wlc\n"
       "  -> 10.0.0.7:0                   Tunnel  2      1          1         \n"
       "UDP  192.168.0.1:53 sh (sh-fallback,sh-port)\n"
       "  -> 10.0.0.4:53                  Local   1      0          7         \n"},
  };
  const IpvsListing listing = cluster();
  for (const ViewCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(format_service_list(listing, c.options), c.expected);
  }
}

// print_largenum around every boundary, scaled and --exact.
TEST(IpvsadmListTest, LargenumScalingBoundaries) {
  struct Case {
    std::uint64_t value;
    const char* scaled;
    const char* exact;
  };
  const std::vector<Case> cases = {
      {0, "        0", "        0"},
      {99999999, " 99999999", " 99999999"},
      {100000000, "  100000K", " 100000000"},
      {999999999, "  999999K", " 999999999"},
      {1000000000, "    1000M", " 1000000000"},
      {99999999999ULL, "   99999M", " 99999999999"},
      {100000000000ULL, "     100G", " 100000000000"},
      {99999999999999ULL, "   99999G", " 99999999999999"},
      {100000000000000ULL, "     100T", " 100000000000000"},
      {18446744073709551615ULL, "18446744T", " 18446744073709551615"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value);
    EXPECT_EQ(format_largenum(c.value, false), c.scaled);
    EXPECT_EQ(format_largenum(c.value, true), c.exact);
  }
}

// The service line's optional parts in ipvsadm's order: scheduler flags,
// then persistent/mask/pe, then ops. pe only shows for persistent services;
// ops shows whenever the flag is set.
TEST(IpvsadmListTest, ServiceLineFlags) {
  struct Case {
    const char* sched;
    std::uint32_t flags;
    std::uint32_t timeout_s;
    const char* netmask;
    const char* pe;
    const char* line;
  };
  const std::vector<Case> cases = {
      {"wlc", 0, 0, "255.255.255.255", "", "UDP  10.0.0.1:5060 wlc"},
      {"rr", kSvcOnePacket, 0, "255.255.255.255", "sip", "UDP  10.0.0.1:5060 rr ops"},
      {"sh", kSvcSched2 | kSvcOnePacket, 0, "255.255.255.255", "",
       "UDP  10.0.0.1:5060 sh (sh-port) ops"},
      {"rr", kSvcPersistent | kSvcOnePacket, 60, "255.255.255.255", "sip",
       "UDP  10.0.0.1:5060 rr persistent 60 pe sip ops"},
      {"wrr", kSvcPersistent, 3600, "255.255.0.0", "",
       "UDP  10.0.0.1:5060 wrr persistent 3600 mask 255.255.0.0"},
      {"sh", kSvcSched2, 0, "255.255.255.255", "", "UDP  10.0.0.1:5060 sh (sh-port)"},
      // sh and mh name only their two flags: flag-3 is dropped, even when
      // it leaves the parentheses empty.
      {"sh", kSvcSched1 | kSvcSched3, 0, "255.255.255.255", "",
       "UDP  10.0.0.1:5060 sh (sh-fallback)"},
      {"sh", kSvcSched3, 0, "255.255.255.255", "", "UDP  10.0.0.1:5060 sh ()"},
      {"mh", kSvcSched2 | kSvcSched3, 0, "255.255.255.255", "",
       "UDP  10.0.0.1:5060 mh (mh-port)"},
      {"mh", kSvcSched1 | kSvcSched2, 0, "255.255.255.255", "",
       "UDP  10.0.0.1:5060 mh (mh-fallback,mh-port)"},
      {"rr", kSvcSched1 | kSvcSched2 | kSvcSched3 | kSvcPersistent, 300, "255.255.255.255", "",
       "UDP  10.0.0.1:5060 rr (flag-1,flag-2,flag-3) persistent 300"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    IpvsListing l;
    IpvsServiceEntry s = service(Proto::kUdp, "10.0.0.1", 5060, c.sched);
    s.flags = c.flags;
    s.timeout_s = c.timeout_s;
    s.netmask = ip(c.netmask);
    s.pe_name = c.pe;
    l.services = {s};
    const std::string expected = std::string("IP Virtual Server version 1.2.1 (size=4096)\n") +
                                 "Prot LocalAddress:Port Scheduler Flags\n"
                                 "  -> RemoteAddress:Port           Forward Weight ActiveConn "
                                 "InActConn\n" +
                                 c.line + "\n";
    EXPECT_EQ(format_service_list(l), expected);
  }
}

// The service column is "%-4s %s" of protocol_name() ("?" for anything but
// TCP/UDP/SCTP) and the address, or "FWM  %d" of the mark: marks from 2^31 up
// print negative.
TEST(IpvsadmListTest, ServiceNameColumn) {
  struct Case {
    Proto proto;
    std::uint32_t fwmark;
    const char* line;
  };
  const std::vector<Case> cases = {
      {Proto::kTcp, 0, "TCP  10.0.0.1:80 wlc"},
      {Proto::kUdp, 0, "UDP  10.0.0.1:80 wlc"},
      {Proto::kIcmp, 0, "?    10.0.0.1:80 wlc"},
      {Proto::kTcp, 1, "FWM  1 wlc"},
      {Proto::kTcp, 2147483647u, "FWM  2147483647 wlc"},
      {Proto::kTcp, 2147483648u, "FWM  -2147483648 wlc"},
      {Proto::kTcp, 4294967295u, "FWM  -1 wlc"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    IpvsListing l;
    IpvsServiceEntry s = service(c.proto, "10.0.0.1", 80, "wlc");
    s.key.fwmark = c.fwmark;
    l.services = {s};
    const std::string expected = std::string("IP Virtual Server version 1.2.1 (size=4096)\n") +
                                 "Prot LocalAddress:Port Scheduler Flags\n"
                                 "  -> RemoteAddress:Port           Forward Weight ActiveConn "
                                 "InActConn\n" +
                                 c.line + "\n";
    EXPECT_EQ(format_service_list(l), expected);
  }
}

// ipvsadm 1.31's libipvs reads a real server's IPVS_DEST_ATTR_STATS64 with
// its 32-bit parser: on x86-64 every counter but the byte counts keeps its
// low 32 bits. Service lines show the full values. (Checked against the
// Debian 12 binary.)
TEST(IpvsadmListTest, RealServerCountersKeepLow32Bits) {
  constexpr std::uint64_t k2To32 = 4294967296ULL;
  IpvsServiceEntry s = service(Proto::kTcp, "172.16.0.1", 8080, "lc");
  s.stats = counters(k2To32 + 5, 3 * k2To32 + 7, 2 * k2To32, (1ULL << 40) + 1, 5 * k2To32);
  s.rates = rates(k2To32 + 1, k2To32 + 2, k2To32 + 3, 4 * k2To32 + 4, 8 * k2To32);
  IpvsDestEntry d = dest("172.16.1.1", 8080, ForwardMethod::kMasq, 1, 0, 0);
  d.stats = s.stats;
  d.rates = s.rates;
  s.dests = {d};
  IpvsListing l;
  l.services = {s};
  const std::vector<ViewCase> cases = {
      {"stats", {ListView::kStats, false, true},
       "IP Virtual Server version 1.2.1 (size=4096)\n"
       "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
       "  -> RemoteAddress:Port\n"
       "TCP  172.16.0.1:8080                 4294M   12884M    8589M    1099G   21474M\n"
       "  -> 172.16.1.1:8080                     5        7        0    1099G   21474M\n"},
      {"stats --exact", {ListView::kStats, true, true},
       "IP Virtual Server version 1.2.1 (size=4096)\n"
       "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
       "  -> RemoteAddress:Port\n"
       "TCP  172.16.0.1:8080              4294967301 12884901895 8589934592 1099511627777 "
       "21474836480\n"
       "  -> 172.16.1.1:8080                     5        7        0 1099511627777 21474836480\n"},
      {"rate", {ListView::kRate, false, true},
       "IP Virtual Server version 1.2.1 (size=4096)\n"
       "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
       "  -> RemoteAddress:Port\n"
       "TCP  172.16.0.1:8080                 4294M    4294M    4294M   17179M   34359M\n"
       "  -> 172.16.1.1:8080                     1        2        3        4        0\n"},
  };
  for (const ViewCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(format_service_list(l, c.options), c.expected);
  }
}

// The header carries the IPVS version and connection table size as given, and
// forward codes ipvsadm has no name for print as glibc prints a NULL "%s".
TEST(IpvsadmListTest, HeaderAndUnnamedForward) {
  IpvsListing l;
  l.version = 0x010203;
  l.table_size = 1048576;
  IpvsServiceEntry s = service(Proto::kTcp, "172.16.0.1", 8080, "lc");
  s.dests = {dest("172.16.1.1", 8080, ForwardMethod::kBypass, 65535, 4294967295u, 0)};
  l.services = {s};
  EXPECT_EQ(format_service_list(l),
            "IP Virtual Server version 1.2.3 (size=1048576)\n"
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
            "TCP  172.16.0.1:8080 lc\n"
            "  -> 172.16.1.1:8080              (null)  65535  4294967295 0         \n");
}

// An empty table still prints the header and column titles.
TEST(IpvsadmListTest, EmptyTable) {
  EXPECT_EQ(format_service_list(IpvsListing{}, {ListView::kStats, false, true}),
            "IP Virtual Server version 1.2.1 (size=4096)\n"
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
            "  -> RemoteAddress:Port\n");
}

}  // namespace
}  // namespace lvs
