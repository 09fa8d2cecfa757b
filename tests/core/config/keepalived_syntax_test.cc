// keepalived.conf grammar: comments, blocks, quoting, @id lines, $params,
// includes, defaults, and one-line errors with the right position.

#include <gtest/gtest.h>

#include <map>

#include "config_test_support.h"
#include "lvs/config/keepalived.h"

namespace lvs::config {
namespace {

ClusterConfig parse(const std::string& text, KeepalivedOptions opts = {}) {
  return parse_keepalived(text, "test.conf", opts);
}

Ip4 ip(const char* s) { return *parse_ip4(s); }

// Braces may share a line with keywords, and `{` may start the next line.
TEST(KeepalivedSyntax, BracesAndInlineComments) {
  const auto cfg = parse(
      "virtual_server 10.0.0.1 80 { lb_algo wrr # trailing comment\n"
      "  real_server 10.0.0.2 80 { weight 3 } ! another\n"
      "  real_server 10.0.0.3 80\n"
      "  {\n"
      "    weight 4\n"
      "  }\n"
      "}\n");
  ASSERT_EQ(cfg.virtual_servers.size(), 1u);
  const auto& vs = cfg.virtual_servers[0];
  EXPECT_EQ(vs.service.scheduler, "wrr");
  ASSERT_EQ(vs.real_servers.size(), 2u);
  EXPECT_EQ(vs.real_servers[0].rs.weight, 3);
  EXPECT_EQ(vs.real_servers[1].rs.weight, 4);
  EXPECT_TRUE(cfg.warnings.empty());
}

// Quoted strings keep their spaces; keepalived joins multi-word values.
TEST(KeepalivedSyntax, QuotedAndMultiWordValues) {
  const auto cfg = parse(
      "virtual_server 10.0.0.1 80 {\n"
      "  quorum_up \"/bin/up.sh  two  spaces\"\n"
      "  quorum_down /bin/down.sh arg1 arg2\n"
      "  real_server 10.0.0.2 80 {\n"
      "    MISC_CHECK {\n"
      "      misc_path \"/bin/check \\\"q\\\"\"\n"
      "      misc_timeout 2.5\n"
      "      misc_dynamic\n"
      "    }\n"
      "  }\n"
      "}\n");
  const auto& vs = cfg.virtual_servers[0];
  EXPECT_EQ(vs.quorum_up, "/bin/up.sh  two  spaces");
  EXPECT_EQ(vs.quorum_down, "/bin/down.sh arg1 arg2");
  const auto& ch = vs.real_servers[0].checkers[0];
  EXPECT_EQ(ch.misc_path, "/bin/check \"q\"");
  EXPECT_EQ(ch.misc_timeout, std::chrono::milliseconds(2500));
  EXPECT_TRUE(ch.misc_dynamic);
}

// $NAME and ${NAME} substitute; unknown names stay as written.
TEST(KeepalivedSyntax, ParameterSubstitution) {
  const auto cfg = parse(
      "$VIP=10.0.0.1\n"
      "$PORT=80\n"
      "$ADDR=$VIP ${PORT}\n"
      "virtual_server $ADDR {\n"
      "  quorum_up \"/bin/echo $HOME\"\n"
      "}\n");
  ASSERT_EQ(cfg.virtual_servers.size(), 1u);
  EXPECT_EQ(cfg.virtual_servers[0].service.key.addr, ip("10.0.0.1"));
  EXPECT_EQ(cfg.virtual_servers[0].service.key.port, 80);
  EXPECT_EQ(cfg.virtual_servers[0].quorum_up, "/bin/echo $HOME");
}

// A definition ending in `\` continues; each continuation is its own line.
TEST(KeepalivedSyntax, MultilineDefinition) {
  const auto cfg = parse(
      "$RS=real_server 10.0.0.2 80 { \\\n"
      "  weight 2 \\\n"
      "}\n"
      "virtual_server 10.0.0.1 80 {\n"
      "  $RS\n"
      "}\n");
  ASSERT_EQ(cfg.virtual_servers[0].real_servers.size(), 1u);
  EXPECT_EQ(cfg.virtual_servers[0].real_servers[0].rs.weight, 2);
}

// `@id` lines apply only for that config id, `@^id` lines only for others.
TEST(KeepalivedSyntax, ConditionalLines) {
  const std::string text =
      "vrrp_instance VI {\n"
      "@a  priority 10\n"
      "@^a priority 20\n"
      "}\n";
  const struct {
    std::optional<std::string> id;
    unsigned priority;
  } cases[] = {{std::string("a"), 10}, {std::string("b"), 20}, {std::nullopt, 20}};
  for (const auto& c : cases) {
    KeepalivedOptions opts;
    opts.config_id = c.id;
    EXPECT_EQ(parse(text, opts).vrrp_instances[0].priority, c.priority);
  }
}

// include goes through the resolver, in the order it returns files.
TEST(KeepalivedSyntax, IncludeThroughResolver) {
  std::map<std::string, std::string> files = {
      {"/etc/k/a.conf", "virtual_server 10.0.0.1 80 {\n}\n"},
      {"/etc/k/b.conf", "virtual_server 10.0.0.2 80 {\n  bogus 1\n}\n"},
  };
  KeepalivedOptions opts;
  std::vector<std::string> seen;
  opts.include_resolver = [&](const std::string& pattern, const std::string& from) {
    seen.push_back(pattern + "@" + from);
    std::vector<IncludedFile> out;
    if (pattern == "/etc/k/*.conf") {
      for (const auto& [path, text] : files) out.push_back({path, text});
    }
    return out;
  };
  const auto cfg = parse_keepalived("include /etc/k/*.conf\ninclude /nothing/*\n", "/etc/k.conf", opts);
  EXPECT_EQ(seen, (std::vector<std::string>{"/etc/k/*.conf@/etc/k.conf", "/nothing/*@/etc/k.conf"}));
  ASSERT_EQ(cfg.virtual_servers.size(), 2u);
  EXPECT_EQ(cfg.virtual_servers[1].service.key.addr, ip("10.0.0.2"));
  ASSERT_EQ(cfg.warnings.size(), 2u);
  EXPECT_EQ(cfg.warnings[0].pos.str(), "/etc/k.conf:2:1");
  EXPECT_EQ(cfg.warnings[0].keyword, "include");
  EXPECT_EQ(cfg.warnings[1].pos.str(), "/etc/k/b.conf:2:3");
  EXPECT_EQ(cfg.warnings[1].keyword, "bogus");
}

// The test resolver reads real files and expands globs relative to the includer.
TEST(KeepalivedSyntax, IncludeRealFilesWithGlob) {
  // Not __FILE__: with ccache's base_dir it is relative to the build directory.
  const std::string path = std::string(LVS_TEST_SOURCE_DIR) + "/include_data/main.conf";
  std::string text;
  ASSERT_TRUE(testing::read_text(path, text));
  KeepalivedOptions opts;
  opts.include_resolver = testing::file_resolver();
  const auto cfg = parse_keepalived(text, path, opts);
  EXPECT_EQ(cfg.global.router_id, "INCLUDE_TEST");
  ASSERT_EQ(cfg.virtual_servers.size(), 2u);
  EXPECT_EQ(cfg.virtual_servers[0].real_servers[0].rs.weight, 2);
  EXPECT_EQ(cfg.virtual_servers[1].service.key.proto, Proto::kUdp);
  ASSERT_EQ(cfg.warnings.size(), 1u);
  EXPECT_EQ(cfg.warnings[0].pos.str(),
            std::string(LVS_TEST_SOURCE_DIR) + "/include_data/conf.d/20-dns.conf:5:5");
}

// An empty virtual_server takes keepalived's defaults.
TEST(KeepalivedSyntax, VirtualServerDefaults) {
  const auto cfg = parse(
      "virtual_server 10.0.0.1 80 {\n"
      "  real_server 10.0.0.2 8080 {\n"
      "    TCP_CHECK {\n"
      "    }\n"
      "  }\n"
      "}\n");
  const auto& vs = cfg.virtual_servers[0];
  EXPECT_EQ(vs.service.scheduler, "wlc");
  EXPECT_EQ(vs.method, ForwardMethod::kMasq);
  EXPECT_EQ(vs.delay_loop, seconds(60));
  EXPECT_FALSE(vs.service.persistent());
  EXPECT_EQ(vs.quorum, 1u);
  const auto& rs = vs.real_servers[0];
  EXPECT_EQ(rs.rs.weight, 1);
  EXPECT_EQ(rs.rs.fwd, ForwardMethod::kMasq);
  const auto& ch = rs.checkers[0];
  EXPECT_EQ(ch.connect_timeout, seconds(5));
  EXPECT_EQ(ch.retry, 1u);
  EXPECT_EQ(ch.delay_before_retry, seconds(1));
  EXPECT_EQ(ch.delay_loop, seconds(60));
  EXPECT_EQ(ch.warmup, seconds(60));  // unset warmup is delay_loop (check_data.c)
}

// Unset retry / delay_before_retry / warmup take keepalived 2.2's per-kind
// defaults; a real_server or virtual_server value still wins over them.
TEST(KeepalivedSyntax, CheckerDefaultsPerKind) {
  struct Case {
    const char* vs_lines;
    const char* checker;
    CheckerKind kind;
    unsigned retry;
    Duration delay_before_retry;
  };
  const std::vector<Case> cases = {
      {"", "TCP_CHECK {\n}", CheckerKind::kTcpCheck, 1, seconds(1)},
      {"", "HTTP_GET {\n url {\n path /\n }\n}", CheckerKind::kHttpGet, 1, seconds(3)},
      {"", "SSL_GET {\n url {\n path /\n }\n}", CheckerKind::kSslGet, 1, seconds(3)},
      {"", "MISC_CHECK {\n misc_path /bin/true\n}", CheckerKind::kMiscCheck, 0, seconds(1)},
      {"", "DNS_CHECK {\n}", CheckerKind::kDnsCheck, 3, seconds(10)},
      {"", "SMTP_CHECK {\n}", CheckerKind::kSmtpCheck, 1, seconds(1)},
      {"retry 5\n delay_before_retry 2\n", "MISC_CHECK {\n misc_path /bin/true\n}",
       CheckerKind::kMiscCheck, 5, seconds(2)},
      {"delay_before_retry 2\n", "HTTP_GET {\n url {\n path /\n }\n}", CheckerKind::kHttpGet, 1,
       seconds(2)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.checker);
    const auto cfg = parse(std::string("virtual_server 10.0.0.1 80 {\n delay_loop 10\n ") + c.vs_lines +
                           " real_server 10.0.0.2 80 {\n" + c.checker + "\n }\n}\n");
    ASSERT_EQ(cfg.virtual_servers.size(), 1u);
    ASSERT_EQ(cfg.virtual_servers[0].real_servers[0].checkers.size(), 1u);
    const auto& ch = cfg.virtual_servers[0].real_servers[0].checkers[0];
    EXPECT_EQ(ch.kind, c.kind);
    EXPECT_EQ(ch.retry, c.retry);
    EXPECT_EQ(ch.delay_before_retry, c.delay_before_retry);
    EXPECT_EQ(ch.warmup, seconds(10));
    EXPECT_FALSE(ch.explicit_timing.retry.has_value());  // only the checker block's own values
  }
}

// Checker timing inherits checker <- real_server <- virtual_server.
TEST(KeepalivedSyntax, CheckerTimingInheritance) {
  const auto cfg = parse(
      "virtual_server 10.0.0.1 80 {\n"
      "  delay_loop 10\n"
      "  connect_timeout 7\n"
      "  retry 9\n"
      "  persistence_timeout\n"
      "  persistence_granularity 255.255.255.0\n"
      "  lvs_sched sh\n"
      "  sh-port\n"
      "  ops\n"
      "  real_server 10.0.0.2 80 {\n"
      "    retry 4\n"
      "    warmup 3\n"
      "    lvs_method DR\n"
      "    uthreshold 100\n"
      "    lthreshold 50\n"
      "    HTTP_GET {\n"
      "      url {\n"
      "        path /x\n"
      "        status_code 200-299 404\n"
      "      }\n"
      "      nb_get_retry 2\n"
      "      delay_loop 2\n"
      "    }\n"
      "    SSL_GET { url { path /y }\n    }\n"
      "  }\n"
      "}\n");
  const auto& vs = cfg.virtual_servers[0];
  EXPECT_TRUE(vs.service.persistent());
  EXPECT_EQ(vs.service.timeout, seconds(360));
  EXPECT_EQ(vs.service.netmask, 0xffffff00u);
  EXPECT_EQ(vs.service.flags, kSvcPersistent | kSvcSched2 | kSvcOnePacket);
  const auto& rs = vs.real_servers[0];
  EXPECT_EQ(rs.rs.fwd, ForwardMethod::kDirectRoute);
  EXPECT_EQ(rs.rs.u_threshold, 100u);
  EXPECT_EQ(rs.rs.l_threshold, 50u);
  const auto& http = rs.checkers[0];
  EXPECT_EQ(http.retry, 2u);
  EXPECT_EQ(http.delay_loop, seconds(2));
  EXPECT_EQ(http.connect_timeout, seconds(7));
  EXPECT_EQ(http.warmup, seconds(3));
  EXPECT_EQ(http.urls[0].status_codes, (std::vector<StatusRange>{{200, 299}, {404, 404}}));
  const auto& ssl = rs.checkers[1];
  EXPECT_EQ(ssl.kind, CheckerKind::kSslGet);
  EXPECT_EQ(ssl.retry, 4u);
  EXPECT_EQ(ssl.delay_loop, seconds(10));
}

// global_defs values reach VRRP instances wherever global_defs appears.
TEST(KeepalivedSyntax, GlobalDefsAndVrrp) {
  const auto cfg = parse(
      "vrrp_instance VI_1 {\n"
      "  state MASTER\n"
      "  interface eth0\n"
      "  virtual_router_id 7\n"
      "  priority 200\n"
      "  advert_int 0.5\n"
      "  preempt_delay 30\n"
      "  unicast_src_ip 10.0.0.1\n"
      "  unicast_peer {\n    10.0.0.2\n    10.0.0.3\n  }\n"
      "  virtual_ipaddress {\n    192.168.1.1/24 dev eth1 label eth1:1\n  }\n"
      "  track_interface {\n    eth2 weight -10\n  }\n"
      "}\n"
      "global_defs {\n"
      "  lvs_timeouts tcp 7200 tcpfin 120 udp 300\n"
      "  lvs_sync_daemon eth1 VI_1 id 5 maxlen 1400 port 8850 ttl 2 group 224.0.0.99\n"
      "  vrrp_garp_master_delay 2\n"
      "  vrrp_garp_master_repeat 3\n"
      "  vrrp_version 3\n"
      "}\n");
  const auto& g = cfg.global;
  EXPECT_EQ(g.lvs_timeouts.tcp, seconds(7200));
  EXPECT_EQ(g.lvs_timeouts.tcpfin, seconds(120));
  EXPECT_EQ(g.lvs_timeouts.udp, seconds(300));
  ASSERT_TRUE(g.lvs_sync_daemon.has_value());
  EXPECT_EQ(g.lvs_sync_daemon->instance, "VI_1");
  EXPECT_EQ(g.lvs_sync_daemon->sync_id, 5u);
  EXPECT_EQ(g.lvs_sync_daemon->maxlen, 1400u);
  EXPECT_EQ(g.lvs_sync_daemon->port, 8850);
  EXPECT_EQ(g.lvs_sync_daemon->ttl, 2u);
  EXPECT_EQ(g.lvs_sync_daemon->group, ip("224.0.0.99"));
  const auto& vi = cfg.vrrp_instances[0];
  EXPECT_EQ(vi.state, VrrpState::kMaster);
  EXPECT_EQ(vi.priority, 200u);
  EXPECT_EQ(vi.advert_int, std::chrono::milliseconds(500));
  EXPECT_EQ(vi.preempt_delay, seconds(30));
  EXPECT_EQ(vi.version, 3u);
  EXPECT_EQ(vi.garp_master_delay, seconds(2));
  EXPECT_EQ(vi.garp_master_repeat, 3u);
  EXPECT_EQ(vi.unicast_src_ip, ip("10.0.0.1"));
  EXPECT_EQ(vi.unicast_peers, (std::vector<Ip4>{ip("10.0.0.2"), ip("10.0.0.3")}));
  ASSERT_EQ(vi.virtual_ipaddresses.size(), 1u);
  EXPECT_EQ(vi.virtual_ipaddresses[0].prefix, 24u);
  EXPECT_EQ(vi.virtual_ipaddresses[0].dev, "eth1");
  EXPECT_EQ(vi.virtual_ipaddresses[0].label, "eth1:1");
  ASSERT_EQ(vi.track_interfaces.size(), 1u);
  EXPECT_EQ(vi.track_interfaces[0].weight, -10);
  EXPECT_TRUE(cfg.warnings.empty());
}

// IPv6 services and servers are warnings, never errors.
TEST(KeepalivedSyntax, Ipv6IsAWarning) {
  const auto cfg = parse(
      "virtual_server 10.0.0.1 80 {\n"
      "  real_server fe80::1 80 {\n  }\n"
      "  real_server 10.0.0.2 80 {\n  }\n"
      "}\n"
      "virtual_server 2001:db8::1 80 {\n  real_server 2001:db8::2 80 {\n  }\n}\n");
  ASSERT_EQ(cfg.virtual_servers.size(), 1u);
  ASSERT_EQ(cfg.virtual_servers[0].real_servers.size(), 1u);
  ASSERT_EQ(cfg.warnings.size(), 2u);
  EXPECT_EQ(cfg.warnings[0].pos.str(), "test.conf:2:15");
  EXPECT_EQ(cfg.warnings[1].pos.str(), "test.conf:7:1");
}

struct BrokenCase {
  const char* what;
  const char* text;
  int line;
  int column;
  const char* message_part;
};

const BrokenCase kBroken[] = {
    {"unclosed block", "virtual_server 10.0.0.1 80 {\n  delay_loop 6\n", 1, 28, "unbalanced braces"},
    {"stray close", "global_defs {\n}\n}\n", 3, 1, "unexpected '}'"},
    {"missing value", "virtual_server 10.0.0.1 80 {\n  delay_loop\n}\n", 2, 13, "expected delay loop"},
    {"bad number", "virtual_server 10.0.0.1 80 {\n  delay_loop six\n}\n", 2, 14, "in seconds"},
    {"bad address", "virtual_server 10.0.0.300 80 {\n}\n", 1, 16, "IPv4 address"},
    {"bad port", "virtual_server 10.0.0.1 99999 {\n}\n", 1, 25, "port"},
    {"bad lb_kind", "virtual_server 10.0.0.1 80 {\n lb_kind FOO\n}\n", 2, 10, "NAT, DR or TUN"},
    {"negative weight", "virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n  weight -1\n }\n}\n", 3,
     10, "weight"},
    {"unterminated quote", "global_defs {\n router_id \"abc\n}\n", 2, 12, "unterminated quoted string"},
    {"priority 0", "vrrp_instance VI {\n priority 0\n}\n", 2, 11, "priority"},
    {"prefix 33", "vrrp_instance VI {\n virtual_ipaddress {\n  10.0.0.1/33\n }\n}\n", 3, 12, "prefix length"},
    {"missing block", "virtual_server 10.0.0.1 80\n", 1, 27, "expected '{'"},
    {"include without resolver", "include foo.conf\n", 1, 1, "include resolver"},
    {"brace without keyword", "{\n}\n", 1, 1, "expected a keyword"},
    {"reversed range", "virtual_server_group G {\n 10.0.0.5-3 80\n}\n", 2, 11, "last octet"},
    {"recursive parameter", "$A=$A x\nvirtual_server $A 80 {\n}\n", 2, 1, "does not terminate"},
    {"bad state", "vrrp_instance VI {\n state PRIMARY\n}\n", 2, 8, "MASTER or BACKUP"},
    {"empty config id", "@ priority 1\n", 1, 1, "config id"},
    {"value with block", "virtual_server 10.0.0.1 80 {\n delay_loop 5 {\n }\n}\n", 2, 15, "takes no block"},
    {"bad status code", "virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n  HTTP_GET {\n   url {\n"
                        "    path /\n    status_code 299-200\n   }\n  }\n }\n}\n", 6, 21, "status code"},
};

// Each broken input fails with one line "FILE:LINE:COL: error: ..." at the fault.
TEST(KeepalivedSyntax, BrokenInputsReportPosition) {
  for (const auto& c : kBroken) {
    SCOPED_TRACE(c.what);
    try {
      parse(c.text);
      ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.pos().line, c.line);
      EXPECT_EQ(e.pos().column, c.column);
      const std::string what = e.what();
      const std::string prefix =
          "test.conf:" + std::to_string(c.line) + ":" + std::to_string(c.column) + ": error: ";
      EXPECT_EQ(what.rfind(prefix, 0), 0u) << what;
      EXPECT_NE(what.find(c.message_part), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
}

}  // namespace
}  // namespace lvs::config
