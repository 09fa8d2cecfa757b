// piranha lvs.cf: globals, virtual/server blocks, and the IPVS table pulse programs.

#include <gtest/gtest.h>

#include "lvs/config/ipvsadm_rules.h"
#include "lvs/config/lvs_cf.h"

namespace lvs::config {
namespace {

Ip4 ip(const char* s) { return *parse_ip4(s); }

const char* const kLvsCf = R"(# written for lvsim's tests
serial_no = 42
primary = 10.0.0.1
primary_private = 192.168.1.1
service = lvs
backup_active = 1
backup = 10.0.0.2
heartbeat = 1
heartbeat_port = 539
keepalive = 6
deadtime = 18
network = nat
nat_router = 192.168.1.254 eth1:1
nat_nmask = 255.255.255.0
rsh_command = rsh
virtual web {
     active = 1
     address = 10.0.0.10 eth0:1
     vip_nmask = 255.255.255.0
     port = 80
     persistent = 300
     pmask = 255.255.255.0
     send = "GET / HTTP/1.0\r\n\r\n"
     expect = "HTTP"   # nanny matches this
     use_regex = 0
     load_monitor = none
     scheduler = wlc
     protocol = tcp
     timeout = 6
     reentry = 15
     quiesce_server = 1
     server web1 {
         address = 192.168.1.11
         active = 1
         weight = 2
     }
     server web2 {
         address = 192.168.1.12
         active = 0
         weight = 1
     }
}
virtual dns {
     address = 10.0.0.11 eth0:2
     port = 53
     protocol = udp
     scheduler = rr
     server ns1 {
         address = 192.168.1.21
         port = 5353
     }
}
)";

// Globals and blocks land in the piranha model with their values.
TEST(LvsCf, ParsesGlobalsAndBlocks) {
  const auto cfg = parse_lvs_cf(kLvsCf, "lvs.cf");
  ASSERT_TRUE(cfg.piranha.has_value());
  const auto& g = cfg.piranha->globals;
  EXPECT_EQ(g.serial_no, 42u);
  EXPECT_EQ(g.primary, ip("10.0.0.1"));
  EXPECT_TRUE(g.backup_active);
  EXPECT_EQ(g.backup, ip("10.0.0.2"));
  EXPECT_EQ(g.heartbeat_port, 539);
  EXPECT_EQ(g.deadtime, 18u);
  EXPECT_EQ(g.nat_router, ip("192.168.1.254"));
  EXPECT_EQ(g.nat_router_dev, "eth1:1");
  EXPECT_EQ(g.nat_nmask, 0xffffff00u);
  ASSERT_EQ(cfg.piranha->virtuals.size(), 2u);
  const auto& web = cfg.piranha->virtuals[0];
  EXPECT_EQ(web.device, "eth0:1");
  EXPECT_EQ(web.send, "GET / HTTP/1.0\\r\\n\\r\\n");
  EXPECT_EQ(web.expect, "HTTP");
  EXPECT_TRUE(web.quiesce_server);
  ASSERT_EQ(web.servers.size(), 2u);
  EXPECT_FALSE(web.servers[1].active);
  ASSERT_EQ(cfg.warnings.size(), 1u);
  EXPECT_EQ(cfg.warnings[0].keyword, "rsh_command");
  EXPECT_EQ(cfg.warnings[0].pos.str(), "lvs.cf:15:1");
}

// pulse programs active servers only, NAT forwarding, persistence from lvs.cf.
TEST(LvsCf, IpvsTableAndRoundTrip) {
  const auto cfg = parse_lvs_cf(kLvsCf, "lvs.cf");
  const auto svcs = ipvs_services(cfg);
  const std::string rules = write_ipvsadm_rules(svcs);
  EXPECT_EQ(rules,
            "-A -t 10.0.0.10:80 -s wlc -p 300 -M 255.255.255.0\n"
            "-a -t 10.0.0.10:80 -r 192.168.1.11:80 -m -w 2\n"
            "-A -u 10.0.0.11:53 -s rr\n"
            "-a -u 10.0.0.11:53 -r 192.168.1.21:5353 -m -w 1\n");
  const auto back = parse_ipvsadm_rules(rules, "rules");
  ASSERT_EQ(back.services.size(), svcs.size());
  for (std::size_t i = 0; i < svcs.size(); ++i) EXPECT_TRUE(same_ipvs_fields(back.services[i], svcs[i]));
}

// An address followed only by blanks (quoted, so the blanks stay) names no
// device. Found by fuzz_lvs_cf: it used to throw std::out_of_range.
TEST(LvsCf, AddressWithTrailingBlanksHasNoDevice) {
  const auto cfg = parse_lvs_cf("nat_router = \"192.168.1.254 \"\n"
                                "virtual v {\n  address = \"10.0.0.10 \t\"\n  port = 80\n}\n",
                                "lvs.cf");
  ASSERT_TRUE(cfg.piranha.has_value());
  EXPECT_EQ(cfg.piranha->globals.nat_router, ip("192.168.1.254"));
  EXPECT_EQ(cfg.piranha->globals.nat_router_dev, "");
  ASSERT_EQ(cfg.piranha->virtuals.size(), 1u);
  EXPECT_EQ(cfg.piranha->virtuals[0].address, ip("10.0.0.10"));
  EXPECT_EQ(cfg.piranha->virtuals[0].device, "");
}

// A direct-routing lvs.cf gives -g real servers.
TEST(LvsCf, DirectRoutingNetwork) {
  const auto cfg = parse_lvs_cf("network = direct\nvirtual v {\n address = 1.1.1.1\n port = 80\n"
                                " server s {\n  address = 2.2.2.2\n }\n}\n", "dr.cf");
  EXPECT_EQ(write_ipvsadm_rules(ipvs_services(cfg)),
            "-A -t 1.1.1.1:80 -s wlc\n-a -t 1.1.1.1:80 -r 2.2.2.2:80 -g -w 1\n");
}

// Malformed lvs.cf lines fail with their line and column.
TEST(LvsCf, BrokenInputsReportPosition) {
  const struct {
    const char* text;
    int line;
    int column;
    const char* part;
  } cases[] = {
      {"virtual v {\n address = 1.1.1\n}\n", 2, 12, "IPv4"},
      {"virtual v {\n port = http\n}\n", 2, 9, "number"},
      {"virtual v {\n port = 80\n", 1, 1, "unbalanced braces"},
      {"}\n", 1, 1, "unexpected '}'"},
      {"just words\n", 1, 1, "expected 'key = value'"},
      {"server s {\n}\n", 1, 1, "not allowed"},
      {"network = bridged\n", 1, 11, "nat, direct or tunnel"},
      {"virtual v {\n send = \"GET\n}\n", 2, 9, "unterminated"},
      {"backup_active = maybe\n", 1, 17, "0 or 1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    try {
      parse_lvs_cf(c.text, "bad.cf");
      ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.pos().line, c.line);
      EXPECT_EQ(e.pos().column, c.column);
      EXPECT_NE(std::string(e.what()).find(c.part), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace lvs::config
