// lvsim import: format detection, the ipvsadm rules and YAML it prints, and
// its exit statuses.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <regex>

#include "lvs/config/ipvsadm_rules.h"
#include "tools/config_format.h"
#include "tools/config_loader.h"
#include "tools_test_support.h"

namespace lvs::tools {
namespace {

using namespace testing;

#define REQUIRE_SHARED(name)                                                          \
  if (!fs::exists(shared_keepalived(name)))                                           \
    GTEST_SKIP() << "keepalived samples absent: " << shared_keepalived(name) << " (needs ../shared/data)"

// Detection looks at the first significant line only.
TEST(FormatDetection, FirstSignificantLineDecides) {
  struct Case {
    const char* text;
    const char* path;
    ConfigFormat want;
  } cases[] = {
      {"-A -t 10.0.0.1:80 -s wlc\n", "rules", ConfigFormat::kIpvsadm},
      {"# saved\n\n-C\n", "x.conf", ConfigFormat::kIpvsadm},
      {"serial_no = 1\nprimary = 10.0.0.1\n", "x", ConfigFormat::kLvsCf},
      {"# piranha\n  service=lvs\n", "x", ConfigFormat::kLvsCf},
      {"! keepalived\nglobal_defs {\n}\n", "x", ConfigFormat::kKeepalived},
      {"$VIP=10.0.0.1\nvirtual_server $VIP 80 {\n}\n", "x", ConfigFormat::kKeepalived},
      {"virtual_server 10.0.0.1 80 {\n}\n", "lvs.cf", ConfigFormat::kKeepalived},
      {"include conf.d/*.conf\n", "x", ConfigFormat::kKeepalived},
      {"", "cluster/lvs.cf", ConfigFormat::kLvsCf},
      {"# only a comment\n", "keepalived.conf", ConfigFormat::kKeepalived},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(detect_format(c.text, c.path), c.want);
  }
}

// The format names the CLI accepts map to the formats, and nothing else does.
TEST(FormatDetection, FormatNames) {
  EXPECT_EQ(parse_format_name("keepalived"), ConfigFormat::kKeepalived);
  EXPECT_EQ(parse_format_name("ipvsadm"), ConfigFormat::kIpvsadm);
  EXPECT_EQ(parse_format_name("lvs.cf"), ConfigFormat::kLvsCf);
  EXPECT_FALSE(parse_format_name("nginx"));
}

// keepalived's own sample prints exactly the rules ipvsadm -S would show.
TEST(Import, KeepalivedSampleAsIpvsadmRules) {
  REQUIRE_SHARED("keepalived.conf.sample");
  const RunResult r = run_lvsim({"import", shared_keepalived("keepalived.conf.sample")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "-A -t 10.10.10.2:1358 -s rr -p 50\n"
            "-a -t 10.10.10.2:1358 -r 192.168.200.2:1358 -m -w 1\n");
}

// Warnings go to stderr as FILE:LINE:COL lines; --strict turns them into exit 1.
TEST(Import, WarningsAndStrict) {
  REQUIRE_SHARED("keepalived.conf.sample");
  const RunResult plain = run_lvsim({"import", shared_keepalived("keepalived.conf.sample")});
  const RunResult strict = run_lvsim({"import", "--strict", shared_keepalived("keepalived.conf.sample")});
  EXPECT_EQ(plain.status, 0);
  EXPECT_EQ(strict.status, 1);
  EXPECT_EQ(strict.out, plain.out);
  const auto lines = lines_of(plain.err);
  ASSERT_EQ(lines.size(), 4u) << plain.err;
  const std::regex positioned(R"(^.*keepalived\.conf\.sample:\d+:\d+: warning: .+$)");
  for (const auto& l : lines) EXPECT_TRUE(std::regex_match(l, positioned)) << l;
  EXPECT_NE(plain.err.find("keepalived.conf.sample:4:4: warning:"), std::string::npos);
}

// A clean file exits 0 even with --strict.
TEST(Import, CleanFileStrictExitsZero) {
  const RunResult r = run_lvsim({"import", "--strict", data_file("replay-keepalived.conf")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_EQ(r.out,
            "-A -t 192.0.2.10:80 -s wrr\n"
            "-a -t 192.0.2.10:80 -r 10.1.0.11:8080 -m -w 3\n"
            "-a -t 192.0.2.10:80 -r 10.1.0.12:8080 -m -w 1\n");
}

// A syntax error exits 2 with the parser's one-line FILE:LINE:COL message and prints nothing.
TEST(Import, SyntaxErrorExitsTwo) {
  TempDir d;
  write_text(d.file("broken.conf"), "virtual_server 10.0.0.1 80 {\n  lb_algo rr\n");
  const RunResult r = run_lvsim({"import", d.file("broken.conf")});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(r.out.empty());
  const auto lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_TRUE(std::regex_match(lines[0], std::regex(R"(^.*broken\.conf:\d+:\d+: error: .+$)"))) << lines[0];
}

// A missing file and a bad command line are errors too.
TEST(Import, MissingFileAndBadUsageExitTwo) {
  const RunResult missing = run_lvsim({"import", "/nonexistent/keepalived.conf"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("/nonexistent/keepalived.conf"), std::string::npos);
  EXPECT_EQ(run_lvsim({"import", "--format", "nginx", data_file("replay-keepalived.conf")}).status, 2);
  EXPECT_EQ(run_lvsim({"no-such-command"}).status, 2);
  EXPECT_EQ(run_lvsim({"--help"}).status, 0);
  const RunResult v = run_lvsim({"--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out.rfind("lvsim ", 0), 0u) << v.out;
}

// The three formats are told apart without --format, and --format overrides detection.
TEST(Import, DetectsEachFormat) {
  TempDir d;
  write_text(d.file("rules"), "-A -u 10.0.0.53:53 -s rr\n-a -u 10.0.0.53:53 -r 10.1.0.5:53 -m -w 2\n");
  write_text(d.file("lvs.cf"),
             "serial_no = 1\nnetwork = nat\nvirtual dns {\n address = 10.0.0.53 eth0:1\n port = 53\n"
             " protocol = udp\n scheduler = rr\n server ns1 {\n  address = 10.1.0.5\n  weight = 2\n }\n}\n");
  write_text(d.file("keepalived.conf"),
             "virtual_server 10.0.0.53 53 {\n lb_algo rr\n lb_kind NAT\n protocol UDP\n"
             " real_server 10.1.0.5 53 {\n  weight 2\n }\n}\n");
  const std::string want = "-A -u 10.0.0.53:53 -s rr\n-a -u 10.0.0.53:53 -r 10.1.0.5:53 -m -w 2\n";
  for (const char* f : {"rules", "lvs.cf", "keepalived.conf"}) {
    SCOPED_TRACE(f);
    const RunResult r = run_lvsim({"import", d.file(f)});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, want);
  }
  // --format wins: read as keepalived, ipvsadm rules are unknown keywords (warnings), no services.
  const RunResult forced = run_lvsim({"import", "--strict", "--format", "keepalived", d.file("rules")});
  EXPECT_EQ(forced.status, 1);
  EXPECT_EQ(forced.out, "");
  EXPECT_EQ(lines_of(forced.err).size(), 2u) << forced.err;
}

// keepalived includes are taken relative to the including file, globs expanded.
TEST(Import, IncludesRelativeWithGlobs) {
  TempDir d;
  fs::create_directories(d.path() / "conf.d");
  write_text(d.file("main.conf"), "include conf.d/*.conf\n");
  write_text(d.file("conf.d/10-a.conf"), "virtual_server 10.0.0.1 80 {\n lb_kind NAT\n real_server 10.1.0.1 80 {\n }\n}\n");
  write_text(d.file("conf.d/20-b.conf"), "virtual_server 10.0.0.2 80 {\n lb_kind NAT\n real_server 10.1.0.2 80 {\n }\n}\n");
  write_text(d.file("conf.d/ignored.txt"), "this is not included\n");
  // Run from elsewhere so that a cwd-relative lookup would fail.
  const RunResult r = run_shell("cd / && " + shell_quote(LVSIM_BIN) + " import " + shell_quote(d.file("main.conf")));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "-A -t 10.0.0.1:80 -s wlc\n-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 1\n"
            "-A -t 10.0.0.2:80 -s wlc\n-a -t 10.0.0.2:80 -r 10.1.0.2:80 -m -w 1\n");
}

// --config-id selects keepalived's @ID lines.
TEST(Import, ConfigIdSelectsLines) {
  TempDir d;
  write_text(d.file("k.conf"),
             "virtual_server 10.0.0.1 80 {\n lb_kind NAT\n@lb1 lb_algo rr\n@lb2 lb_algo sh\n"
             " real_server 10.1.0.1 80 {\n }\n}\n");
  EXPECT_EQ(run_lvsim({"import", "--config-id", "lb1", d.file("k.conf")}).out.substr(0, 25),
            "-A -t 10.0.0.1:80 -s rr\n-");
  EXPECT_EQ(run_lvsim({"import", "--config-id", "lb2", d.file("k.conf")}).out.substr(0, 25),
            "-A -t 10.0.0.1:80 -s sh\n-");
}

// Reads a services: document back into the model, as a scenario reader would.
std::vector<config::IpvsService> services_from_yaml(const std::string& text) {
  std::vector<config::IpvsService> out;
  const YAML::Node root = YAML::Load(text);
  for (const auto& s : root["services"]) {
    config::IpvsService svc;
    if (s["fwmark"]) {
      svc.svc.key.fwmark = s["fwmark"].as<std::uint32_t>();
    } else {
      svc.svc.key.proto = s["proto"].as<std::string>() == "udp" ? Proto::kUdp : Proto::kTcp;
      svc.svc.key.addr = *parse_ip4(s["vip"].as<std::string>());
      svc.svc.key.port = s["port"].as<std::uint16_t>();
    }
    svc.svc.scheduler = s["scheduler"].as<std::string>();
    for (const auto& f : s["flags"]) {
      const std::string name = f.as<std::string>();
      svc.svc.flags |= name.find("fallback") != std::string::npos ? kSvcSched1 : kSvcSched2;
    }
    if (const auto p = s["persistence"]) {
      svc.svc.flags |= kSvcPersistent;
      svc.svc.timeout = seconds(p["timeout"].as<int>());
      svc.svc.netmask = *parse_ip4(p["netmask"].as<std::string>());
    }
    if (s["ops"] && s["ops"].as<bool>()) svc.svc.flags |= kSvcOnePacket;
    for (const auto& r : s["real_servers"]) {
      RealServerConfig d;
      d.addr = *parse_ip4(r["address"].as<std::string>());
      d.port = r["port"].as<std::uint16_t>();
      d.weight = r["weight"].as<std::int32_t>();
      const std::string m = r["method"].as<std::string>();
      d.fwd = m == "nat" ? ForwardMethod::kMasq : m == "tun" ? ForwardMethod::kTunnel : ForwardMethod::kDirectRoute;
      d.u_threshold = r["u_threshold"].as<std::uint32_t>();
      d.l_threshold = r["l_threshold"].as<std::uint32_t>();
      svc.dests.push_back(d);
    }
    out.push_back(svc);
  }
  return out;
}

// --yaml describes the same services as the rules, field for field, for every
// keepalived sample that has virtual servers.
TEST(Import, YamlParsesBackToTheSameServices) {
  REQUIRE_SHARED("keepalived.conf.sample");
  for (const char* name : {"keepalived.conf.sample", "keepalived.conf.virtual_server_group",
                           "keepalived.conf.fwmark", "keepalived.conf.quorum", "keepalived.conf.inhibit"}) {
    SCOPED_TRACE(name);
    const RunResult r = run_lvsim({"import", "--yaml", shared_keepalived(name)});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto back = services_from_yaml(r.out);
    const LoadedConfig cfg = load_config(shared_keepalived(name));
    ASSERT_FALSE(cfg.services.empty());
    ASSERT_EQ(back.size(), cfg.services.size());
    for (std::size_t i = 0; i < back.size(); ++i)
      EXPECT_TRUE(config::same_ipvs_fields(back[i], cfg.services[i]))
          << config::write_ipvsadm_rules({back[i]}) << "vs\n" << config::write_ipvsadm_rules({cfg.services[i]});
  }
}

// --yaml carries keepalived's health-check settings where the file has them.
TEST(Import, YamlCarriesHealthChecks) {
  REQUIRE_SHARED("keepalived.conf.sample");
  const YAML::Node root =
      YAML::Load(run_lvsim({"import", "--yaml", shared_keepalived("keepalived.conf.sample")}).out);
  const YAML::Node svc = root["services"][0];
  EXPECT_EQ(svc["persistence"]["timeout"].as<int>(), 50);
  EXPECT_EQ(svc["health"]["delay_loop"].as<int>(), 6);
  EXPECT_EQ(svc["health"]["sorry_server"]["address"].as<std::string>(), "192.168.200.200");
  const YAML::Node check = svc["real_servers"][0]["health_checks"][0];
  EXPECT_EQ(check["type"].as<std::string>(), "HTTP_GET");
  EXPECT_EQ(check["connect_timeout"].as<int>(), 3);
  EXPECT_EQ(check["retry"].as<int>(), 3);
  EXPECT_EQ(check["urls"][0]["path"].as<std::string>(), "/testurl3/test.jsp");
  EXPECT_EQ(check["urls"][0]["digest"].as<std::string>(), "640205b7b0fc66c1ea91c463fac6334d");
}

}  // namespace
}  // namespace lvs::tools
