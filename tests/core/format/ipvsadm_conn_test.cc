// `ipvsadm -L -n -c` as golden text, written from print_conn's printf formats:
// "%-3s %-6s %-11s %-18s %-18s %s" (and the pe columns under --persistent-conn).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lvs/ipvsadm_format.h"

namespace lvs {
namespace {

IpvsConnEntry conn(Proto proto, std::uint32_t expires_s, const char* state, const char* caddr,
                   std::uint16_t cport, const char* vaddr, std::uint16_t vport, const char* daddr,
                   std::uint16_t dport) {
  IpvsConnEntry c;
  c.proto = proto;
  c.expires_s = expires_s;
  c.state = state;
  c.caddr = *parse_ip4(caddr);
  c.cport = cport;
  c.vaddr = *parse_ip4(vaddr);
  c.vport = vport;
  c.daddr = *parse_ip4(daddr);
  c.dport = dport;
  return c;
}

// Connections, templates (TCP and fwmark "IP"), an expiry past 99 minutes and
// addresses wider than their column, which push the next column right.
IpvsListing table() {
  IpvsListing l;
  l.conns = {
      conn(Proto::kTcp, 899, "ESTABLISHED", "203.0.113.7", 51234, "192.168.0.1", 80, "10.0.0.2",
           80),
      conn(Proto::kTcp, 1, "SYN_RECV", "203.0.113.8", 40001, "192.168.0.1", 80, "10.0.0.3", 80),
      conn(Proto::kUdp, 285, "UDP", "198.51.100.20", 40000, "192.168.0.1", 53, "10.0.0.4", 53),
      conn(Proto::kTcp, 6000, "NONE", "203.0.113.0", 0, "10.1.1.1", 443, "10.0.0.5", 443),
      conn(Proto::kIp, 359, "NONE", "203.0.113.0", 0, "0.0.0.1", 0, "10.0.0.7", 0),
      conn(Proto::kUdp, 0, "UDP", "203.113.255.255", 65535, "192.168.100.100", 5060, "10.0.0.9",
           5060),
  };
  l.conns.back().pe_name = "sip";
  l.conns.back().pe_data = "call-42@example";
  return l;
}

// Both -c variants over the same table; pe columns appear only with
// --persistent-conn and only on entries that carry pe data.
TEST(IpvsadmConnTest, ConnectionEntries) {
  struct Case {
    bool persistent_conn;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {false,
       "IPVS connection entries\n"
       "pro expire state       source             virtual            destination\n"
       "TCP 14:59  ESTABLISHED 203.0.113.7:51234  192.168.0.1:80     10.0.0.2:80\n"
       "TCP 00:01  SYN_RECV    203.0.113.8:40001  192.168.0.1:80     10.0.0.3:80\n"
       "UDP 04:45  UDP         198.51.100.20:40000 192.168.0.1:53     10.0.0.4:53\n"
       "TCP 100:00 NONE        203.0.113.0:0      10.1.1.1:443       10.0.0.5:443\n"
       "IP  05:59  NONE        203.0.113.0:0      0.0.0.1:0          10.0.0.7:0\n"
       "UDP 00:00  UDP         203.113.255.255:65535 192.168.100.100:5060 10.0.0.9:5060\n"},
      {true,
       "IPVS connection entries\n"
       "pro expire state       source             virtual            destination        "
       "pe name          pe_data\n"
       "TCP 14:59  ESTABLISHED 203.0.113.7:51234  192.168.0.1:80     10.0.0.2:80\n"
       "TCP 00:01  SYN_RECV    203.0.113.8:40001  192.168.0.1:80     10.0.0.3:80\n"
       "UDP 04:45  UDP         198.51.100.20:40000 192.168.0.1:53     10.0.0.4:53\n"
       "TCP 100:00 NONE        203.0.113.0:0      10.1.1.1:443       10.0.0.5:443\n"
       "IP  05:59  NONE        203.0.113.0:0      0.0.0.1:0          10.0.0.7:0\n"
       "UDP 00:00  UDP         203.113.255.255:65535 192.168.100.100:5060 10.0.0.9:5060    "
       "sip                call-42@example\n"},
  };
  const IpvsListing l = table();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.persistent_conn);
    EXPECT_EQ(format_conn_list(l, c.persistent_conn), c.expected);
  }
}

// print_conn sscanf()s the kernel line, so pe_data keeps only its first
// whitespace-separated word. (Checked against the Debian 12 binary.)
TEST(IpvsadmConnTest, PeDataIsOneWord) {
  IpvsConnEntry c;
  c.proto = Proto::kUdp;
  c.expires_s = 3;
  c.state = "UDP";
  c.caddr = *parse_ip4("203.113.255.255");
  c.cport = 65534;
  c.vaddr = *parse_ip4("192.168.100.100");
  c.vport = 5060;
  c.daddr = *parse_ip4("10.0.0.9");
  c.dport = 5060;
  c.pe_name = "sip";
  c.pe_data = "a b";
  IpvsListing l;
  l.conns = {c};
  EXPECT_EQ(format_conn_list(l, true),
            "IPVS connection entries\n"
            "pro expire state       source             virtual            destination        "
            "pe name          pe_data\n"
            "UDP 00:03  UDP         203.113.255.255:65534 192.168.100.100:5060 10.0.0.9:5060    "
            "sip                a\n");
}

// An empty table is just the two header lines.
TEST(IpvsadmConnTest, EmptyTable) {
  EXPECT_EQ(format_conn_list(IpvsListing{}),
            "IPVS connection entries\n"
            "pro expire state       source             virtual            destination\n");
}

// The kernel prints whole seconds left (milliseconds truncated), 0 once overdue.
TEST(IpvsadmConnTest, ExpiresSeconds) {
  struct Case {
    Duration remaining;
    std::uint32_t seconds_left;
  };
  const std::vector<Case> cases = {
      {milliseconds(-5000), 0}, {Duration::zero(), 0},     {milliseconds(999), 0},
      {milliseconds(1000), 1},  {milliseconds(59999), 59}, {seconds(900), 900},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.remaining.count());
    EXPECT_EQ(conn_expires_seconds(c.remaining), c.seconds_left);
  }
}

}  // namespace
}  // namespace lvs
