// Every listing view of one table, expected text as printed by Debian 12's
// ipvsadm 1.31 binary when its IPVS netlink replies and /proc/net/ip_vs_conn
// carried the same entries (a Linux 6.1 layout: STATS and STATS64 nests).

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "lvs/ipvsadm_format.h"

namespace lvs {
namespace {

constexpr std::uint64_t k2To32 = 4294967296ULL;

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

IpvsServiceEntry service(Proto proto, const char* addr, std::uint16_t port, std::uint32_t fwmark,
                         const char* sched, std::uint32_t flags) {
  IpvsServiceEntry s;
  s.key.proto = proto;
  s.key.addr = addr ? ip(addr) : 0;
  s.key.port = port;
  s.key.fwmark = fwmark;
  s.scheduler = sched;
  s.flags = flags;
  return s;
}

// Kernel dump order. Covers NAT/DR/local/tunnel/unnamed forwarding, a mask,
// pe and ops with and without persistence, sh/mh/other scheduler flags,
// fwmarks that ipvsadm prints negative (and sorts by wrapped subtraction),
// and counters past 2^32 on a service and its real servers.
IpvsListing table() {
  IpvsListing l;
  IpvsServiceEntry web = service(Proto::kTcp, "192.168.0.1", 80, 0, "wlc", 0);
  web.stats = {1234, 99999999, 100000000, 999999999, 1000000000};
  web.rates = {12, 999, 100000000, 99999999999ULL, 100000000000000ULL};
  IpvsDestEntry d3 = dest("10.0.0.3", 80, ForwardMethod::kMasq, 1, 5, 2);
  d3.persist_conns = 1;
  d3.stats = {100000000, 1, 2, 3, 4};
  d3.rates = {123456789, 0, 0, 1000000000, 99999999};
  IpvsDestEntry d2 = dest("10.0.0.2", 80, ForwardMethod::kMasq, 3, 10, 0);
  d2.u_threshold = 100;
  d2.l_threshold = 75;
  d2.stats = {5, 6, 7, 8, 9};
  d2.rates = {1, 2, 3, 4, 5};
  web.dests = {d3, d2};

  IpvsServiceEntry tls = service(Proto::kTcp, "10.1.1.1", 443, 0, "rr", kSvcPersistent);
  tls.timeout_s = 300;
  tls.netmask = ip("255.255.255.0");
  IpvsDestEntry d5 = dest("10.0.0.5", 443, ForwardMethod::kDirectRoute, 0, 0, 0);
  d5.persist_conns = 4;
  tls.dests = {d5};

  IpvsServiceEntry mark = service(Proto::kTcp, nullptr, 0, 1, "wlc", 0);
  IpvsDestEntry d7 = dest("10.0.0.7", 0, ForwardMethod::kTunnel, 2, 1, 1);
  d7.u_threshold = 5000;
  mark.dests = {d7};

  IpvsServiceEntry dns = service(Proto::kUdp, "192.168.0.1", 53, 0, "sh", kSvcSched1 | kSvcSched2);
  dns.stats = {1, 2, 3, 4, 5};
  IpvsDestEntry d4 = dest("10.0.0.4", 53, ForwardMethod::kLocalNode, 1, 0, 7);
  d4.stats = {1, 2, 3, 4, 5};
  dns.dests = {d4};

  IpvsServiceEntry sip = service(Proto::kUdp, "10.0.0.1", 5060, 0, "rr", kSvcOnePacket);
  sip.pe_name = "sip";
  IpvsServiceEntry sh3 = service(Proto::kUdp, "10.0.0.1", 5061, 0, "sh", kSvcSched3);
  IpvsServiceEntry mh = service(Proto::kUdp, "10.0.0.1", 5062, 0, "mh",
                                kSvcPersistent | kSvcOnePacket | kSvcSched2 | kSvcSched3);
  mh.timeout_s = 60;
  mh.pe_name = "sip";
  IpvsServiceEntry mark31 = service(Proto::kTcp, nullptr, 0, 2147483648u, "wlc", 0);
  IpvsServiceEntry mark_max = service(Proto::kTcp, nullptr, 0, 4294967295u, "rr", kSvcSched1);

  IpvsServiceEntry big = service(Proto::kTcp, "172.16.0.1", 8080, 0, "lc", 0);
  big.stats = {k2To32 + 5, 3 * k2To32 + 7, 2 * k2To32, (1ULL << 40) + 1, 5 * k2To32};
  big.rates = {k2To32 + 1, k2To32 + 2, k2To32 + 3, 4 * k2To32 + 4, 8 * k2To32};
  IpvsDestEntry b1 = dest("172.16.1.1", 8080, ForwardMethod::kBypass, 65535, 4294967295u, 0);
  b1.stats = big.stats;
  b1.rates = big.rates;
  IpvsDestEntry b2 = dest("172.16.1.2", 8080, ForwardMethod::kMasq, 1, 0, 0);
  b2.stats = {k2To32 - 1, 100000000, 0, 0, 0};
  big.dests = {b1, b2};

  l.services = {web, tls, mark, dns, sip, sh3, mh, mark31, mark_max, big};
  return l;
}

IpvsConnEntry conn(Proto proto, std::uint32_t expires_s, const char* state, const char* caddr,
                   std::uint16_t cport, const char* vaddr, std::uint16_t vport, const char* daddr,
                   std::uint16_t dport, const char* pe_name = "", const char* pe_data = "") {
  IpvsConnEntry c;
  c.proto = proto;
  c.expires_s = expires_s;
  c.state = state;
  c.caddr = ip(caddr);
  c.cport = cport;
  c.vaddr = ip(vaddr);
  c.vport = vport;
  c.daddr = ip(daddr);
  c.dport = dport;
  c.pe_name = pe_name;
  c.pe_data = pe_data;
  return c;
}

// The kernel lines behind it: "sip a b" and "sip " as /proc prints pe data.
IpvsListing conns() {
  IpvsListing l;
  l.conns = {
      conn(Proto::kTcp, 899, "ESTABLISHED", "203.0.113.7", 51234, "192.168.0.1", 80, "10.0.0.2",
           80),
      conn(Proto::kUdp, 0, "UDP", "203.113.255.255", 65535, "192.168.100.100", 5060, "10.0.0.9",
           5060, "sip", "call-42@example"),
      conn(Proto::kUdp, 3, "UDP", "203.113.255.255", 65534, "192.168.100.100", 5060, "10.0.0.9",
           5060, "sip", "a b"),
      conn(Proto::kIp, 359, "NONE", "203.0.113.0", 0, "0.0.0.1", 0, "10.0.0.7", 0),
      conn(Proto::kTcp, 6000, "ASSURED", "203.0.113.0", 0, "10.1.1.1", 443, "10.0.0.5", 443),
      conn(Proto::kUdp, 4294967, "UDP", "203.113.255.255", 1, "192.168.100.100", 5060, "10.0.0.9",
           5060, "sip", ""),
      conn(Proto::kTcp, 60, "SYN_RECV", "10.0.0.1", 1, "10.0.0.2", 2, "10.0.0.3", 3),
  };
  return l;
}

struct ViewCase {
  const char* name;
  ListOptions options;
  std::string expected;
};

// ipvsadm -L -n with each view option, output of the real binary.
TEST(IpvsadmReferenceTest, ServiceViews) {
  const std::vector<ViewCase> cases = {
      {"default",
       {ListView::kDefault, false, true},
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
       "UDP  10.0.0.1:5060 rr ops\n"
       "UDP  10.0.0.1:5061 sh ()\n"
       "UDP  10.0.0.1:5062 mh (mh-port) persistent 60 pe sip ops\n"
       "FWM  1 wlc\n"
       "  -> 10.0.0.7:0                   Tunnel  2      1          1         \n"
       "FWM  -2147483648 wlc\n"
       "FWM  -1 rr (flag-1)\n"
       "TCP  172.16.0.1:8080 lc\n"
       "  -> 172.16.1.1:8080              (null)  65535  4294967295 0         \n"
       "  -> 172.16.1.2:8080              Masq    1      0          0         \n"},
      {"stats",
       {ListView::kStats, false, true},
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
       "UDP  10.0.0.1:5060                       0        0        0        0        0\n"
       "UDP  10.0.0.1:5061                       0        0        0        0        0\n"
       "UDP  10.0.0.1:5062                       0        0        0        0        0\n"
       "FWM  1                                   0        0        0        0        0\n"
       "  -> 10.0.0.7:0                          0        0        0        0        0\n"
       "FWM  -2147483648                         0        0        0        0        0\n"
       "FWM  -1                                  0        0        0        0        0\n"
       "TCP  172.16.0.1:8080                 4294M   12884M    8589M    1099G   21474M\n"
       "  -> 172.16.1.1:8080                     5        7        0    1099G   21474M\n"
       "  -> 172.16.1.2:8080                 4294M  100000K        0        0        0\n"},
      {"stats --exact",
       {ListView::kStats, true, true},
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
       "UDP  10.0.0.1:5060                       0        0        0        0        0\n"
       "UDP  10.0.0.1:5061                       0        0        0        0        0\n"
       "UDP  10.0.0.1:5062                       0        0        0        0        0\n"
       "FWM  1                                   0        0        0        0        0\n"
       "  -> 10.0.0.7:0                          0        0        0        0        0\n"
       "FWM  -2147483648                         0        0        0        0        0\n"
       "FWM  -1                                  0        0        0        0        0\n"
       "TCP  172.16.0.1:8080              4294967301 12884901895 8589934592 1099511627777 "
       "21474836480\n"
       "  -> 172.16.1.1:8080                     5        7        0 1099511627777 21474836480\n"
       "  -> 172.16.1.2:8080              4294967295 100000000        0        0        0\n"},
      {"rate",
       {ListView::kRate, false, true},
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
       "UDP  10.0.0.1:5060                       0        0        0        0        0\n"
       "UDP  10.0.0.1:5061                       0        0        0        0        0\n"
       "UDP  10.0.0.1:5062                       0        0        0        0        0\n"
       "FWM  1                                   0        0        0        0        0\n"
       "  -> 10.0.0.7:0                          0        0        0        0        0\n"
       "FWM  -2147483648                         0        0        0        0        0\n"
       "FWM  -1                                  0        0        0        0        0\n"
       "TCP  172.16.0.1:8080                 4294M    4294M    4294M   17179M   34359M\n"
       "  -> 172.16.1.1:8080                     1        2        3        4        0\n"
       "  -> 172.16.1.2:8080                     0        0        0        0        0\n"},
      {"rate --exact",
       {ListView::kRate, true, true},
       "IP Virtual Server version 1.2.1 (size=4096)\n"
       "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
       "  -> RemoteAddress:Port\n"
       "TCP  192.168.0.1:80                     12      999 100000000 99999999999 100000000000000\n"
       "  -> 10.0.0.2:80                         1        2        3        4        5\n"
       "  -> 10.0.0.3:80                  123456789        0        0 1000000000 99999999\n"
       "TCP  10.1.1.1:443                        0        0        0        0        0\n"
       "  -> 10.0.0.5:443                        0        0        0        0        0\n"
       "UDP  192.168.0.1:53                      0        0        0        0        0\n"
       "  -> 10.0.0.4:53                         0        0        0        0        0\n"
       "UDP  10.0.0.1:5060                       0        0        0        0        0\n"
       "UDP  10.0.0.1:5061                       0        0        0        0        0\n"
       "UDP  10.0.0.1:5062                       0        0        0        0        0\n"
       "FWM  1                                   0        0        0        0        0\n"
       "  -> 10.0.0.7:0                          0        0        0        0        0\n"
       "FWM  -2147483648                         0        0        0        0        0\n"
       "FWM  -1                                  0        0        0        0        0\n"
       "TCP  172.16.0.1:8080              4294967297 4294967298 4294967299 17179869188 "
       "34359738368\n"
       "  -> 172.16.1.1:8080                     1        2        3        4        0\n"
       "  -> 172.16.1.2:8080                     0        0        0        0        0\n"},
      {"thresholds",
       {ListView::kThresholds, false, true},
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
       "UDP  10.0.0.1:5060 rr ops\n"
       "UDP  10.0.0.1:5061 sh ()\n"
       "UDP  10.0.0.1:5062 mh (mh-port) persistent 60 pe sip ops\n"
       "FWM  1 wlc\n"
       "  -> 10.0.0.7:0                   5000       0          1          1         \n"
       "FWM  -2147483648 wlc\n"
       "FWM  -1 rr (flag-1)\n"
       "TCP  172.16.0.1:8080 lc\n"
       "  -> 172.16.1.1:8080              0          0          4294967295 0         \n"
       "  -> 172.16.1.2:8080              0          0          0          0         \n"},
      {"persistent-conn",
       {ListView::kPersistentConn, false, true},
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
       "UDP  10.0.0.1:5060 rr ops\n"
       "UDP  10.0.0.1:5061 sh ()\n"
       "UDP  10.0.0.1:5062 mh (mh-port) persistent 60 pe sip ops\n"
       "FWM  1 wlc\n"
       "  -> 10.0.0.7:0                   2         0           1          1         \n"
       "FWM  -2147483648 wlc\n"
       "FWM  -1 rr (flag-1)\n"
       "TCP  172.16.0.1:8080 lc\n"
       "  -> 172.16.1.1:8080              65535     0           4294967295 0         \n"
       "  -> 172.16.1.2:8080              1         0           0          0         \n"},
      {"nosort",
       {ListView::kDefault, false, false},
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
       "  -> 10.0.0.4:53                  Local   1      0          7         \n"
       "UDP  10.0.0.1:5060 rr ops\n"
       "UDP  10.0.0.1:5061 sh ()\n"
       "UDP  10.0.0.1:5062 mh (mh-port) persistent 60 pe sip ops\n"
       "FWM  -2147483648 wlc\n"
       "FWM  -1 rr (flag-1)\n"
       "TCP  172.16.0.1:8080 lc\n"
       "  -> 172.16.1.1:8080              (null)  65535  4294967295 0         \n"
       "  -> 172.16.1.2:8080              Masq    1      0          0         \n"},
  };
  const IpvsListing listing = table();
  for (const ViewCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(format_service_list(listing, c.options), c.expected);
  }
}

// ipvsadm -L -n -c, with and without --persistent-conn, output of the real binary.
TEST(IpvsadmReferenceTest, ConnectionViews) {
  const IpvsListing listing = conns();
  EXPECT_EQ(format_conn_list(listing, false),
            "IPVS connection entries\n"
            "pro expire state       source             virtual            destination\n"
            "TCP 14:59  ESTABLISHED 203.0.113.7:51234  192.168.0.1:80     10.0.0.2:80\n"
            "UDP 00:00  UDP         203.113.255.255:65535 192.168.100.100:5060 10.0.0.9:5060\n"
            "UDP 00:03  UDP         203.113.255.255:65534 192.168.100.100:5060 10.0.0.9:5060\n"
            "IP  05:59  NONE        203.0.113.0:0      0.0.0.1:0          10.0.0.7:0\n"
            "TCP 100:00 ASSURED     203.0.113.0:0      10.1.1.1:443       10.0.0.5:443\n"
            "UDP 71582:47 UDP         203.113.255.255:1  192.168.100.100:5060 10.0.0.9:5060\n"
            "TCP 01:00  SYN_RECV    10.0.0.1:1         10.0.0.2:2         10.0.0.3:3\n");
  EXPECT_EQ(format_conn_list(listing, true),
            "IPVS connection entries\n"
            "pro expire state       source             virtual            destination        pe "
            "name          pe_data\n"
            "TCP 14:59  ESTABLISHED 203.0.113.7:51234  192.168.0.1:80     10.0.0.2:80\n"
            "UDP 00:00  UDP         203.113.255.255:65535 192.168.100.100:5060 10.0.0.9:5060    "
            "sip                call-42@example\n"
            "UDP 00:03  UDP         203.113.255.255:65534 192.168.100.100:5060 10.0.0.9:5060    "
            "sip                a\n"
            "IP  05:59  NONE        203.0.113.0:0      0.0.0.1:0          10.0.0.7:0\n"
            "TCP 100:00 ASSURED     203.0.113.0:0      10.1.1.1:443       10.0.0.5:443\n"
            "UDP 71582:47 UDP         203.113.255.255:1  192.168.100.100:5060 10.0.0.9:5060\n"
            "TCP 01:00  SYN_RECV    10.0.0.1:1         10.0.0.2:2         10.0.0.3:3\n");
}

}  // namespace
}  // namespace lvs
