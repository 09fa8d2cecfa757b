// keepalived's own sample configurations (third-party, read in place from
// the shared data directory) load, and say what their text says.

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "config_test_support.h"
#include "lvs/config/keepalived.h"

namespace lvs::config {
namespace {

using testing::load_sample;

std::set<std::string> warned_keywords(const ClusterConfig& cfg) {
  std::set<std::string> out;
  for (const auto& w : cfg.warnings) out.insert(w.keyword);
  return out;
}

std::string basename_of(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// Every sample file parses without a ConfigError.
TEST(KeepalivedSamples, EverySampleImports) {
  LVS_REQUIRE_SHARED_KEEPALIVED_DATA();
  const auto paths = testing::glob_paths(testing::shared_keepalived_dir() + "/keepalived.conf.*");
  for (const auto& p : paths) {
    SCOPED_TRACE(p);
    EXPECT_NO_THROW(load_sample(basename_of(p)));
  }
}

const std::set<std::string> kNotify = {"notification_email", "notification_email_from", "smtp_server",
                                       "smtp_connect_timeout"};

std::set<std::string> with(std::set<std::string> a, const std::set<std::string>& b) {
  a.insert(b.begin(), b.end());
  return a;
}

const std::map<std::string, std::set<std::string>>& expected_warnings() {
  static const std::map<std::string, std::set<std::string>> table = {
      {"keepalived.conf.HTTP_GET.port", kNotify},
      {"keepalived.conf.IPv6", {"ae00::2-9", "ae00::1", "virtual_server"}},
      {"keepalived.conf.PING_CHECK", kNotify},
      {"keepalived.conf.SMTP_CHECK", kNotify},
      {"keepalived.conf.SSL_GET", kNotify},
      {"keepalived.conf.UDP_CHECK", kNotify},
      {"keepalived.conf.conditional_conf", {"vrrp_script", "track_script"}},
      {"keepalived.conf.fwmark", {}},
      {"keepalived.conf.inhibit", kNotify},
      {"keepalived.conf.misc_check", kNotify},
      {"keepalived.conf.misc_check_arg", kNotify},
      {"keepalived.conf.quorum", {}},
      {"keepalived.conf.sample", kNotify},
      {"keepalived.conf.status_code", kNotify},
      {"keepalived.conf.track_interface", {"static_routes", "virtual_routes"}},
      {"keepalived.conf.virtual_server_group", kNotify},
      {"keepalived.conf.virtualhost", kNotify},
      {"keepalived.conf.vrrp", with(kNotify, {"smtp_alert"})},
      {"keepalived.conf.vrrp.localcheck", {"vrrp_script", "track_script"}},
      {"keepalived.conf.vrrp.lvs_syncd", {"VI_2", "VI_3", "lvs_sync_daemon_interface"}},
      {"keepalived.conf.vrrp.routes", {"static_routes", "virtual_routes"}},
      {"keepalived.conf.vrrp.rules", {"static_rules", "virtual_rules"}},
      {"keepalived.conf.vrrp.scripts", {"notify_backup", "notify_master", "notify_fault", "smtp_alert"}},
      {"keepalived.conf.vrrp.static_ipaddress", {"static_ipaddress", "virtual_routes"}},
      {"keepalived.conf.vrrp.sync", {"notify_backup", "notify_master", "notify_fault"}},
  };
  return table;
}

// Each sample warns about exactly the keywords lvsim does not model, and
// every sample present has an entry in the table.
TEST(KeepalivedSamples, ExactWarningSetPerSample) {
  LVS_REQUIRE_SHARED_KEEPALIVED_DATA();
  const auto paths = testing::glob_paths(testing::shared_keepalived_dir() + "/keepalived.conf.*");
  for (const auto& p : paths) {
    const std::string name = basename_of(p);
    SCOPED_TRACE(name);
    const auto it = expected_warnings().find(name);
    ASSERT_NE(it, expected_warnings().end()) << "no expected warning set for " << name;
    EXPECT_EQ(warned_keywords(load_sample(name)), it->second);
  }
}

// Every warning carries the sample's path and a real line/column.
TEST(KeepalivedSamples, WarningsCarryPositions) {
  LVS_REQUIRE_SHARED_KEEPALIVED_DATA();
  const auto cfg = load_sample("keepalived.conf.vrrp");
  ASSERT_FALSE(cfg.warnings.empty());
  EXPECT_EQ(cfg.warnings.front().pos.line, 4);
  EXPECT_EQ(cfg.warnings.front().pos.column, 4);
  EXPECT_EQ(basename_of(cfg.warnings.front().pos.file), "keepalived.conf.vrrp");
  EXPECT_EQ(cfg.warnings.back().keyword, "smtp_alert");
  EXPECT_EQ(cfg.warnings.back().pos.line, 69);
  EXPECT_EQ(cfg.unmodelled.size(), cfg.warnings.size());
}

struct RsExpect {
  const char* addr;
  std::uint16_t port;
  std::int32_t weight;
};

struct ServiceExpect {
  const char* file;
  const char* vip;  // nullptr for fwmark / group services
  std::uint16_t port;
  std::uint32_t fwmark;
  Proto proto;
  const char* sched;
  ForwardMethod method;
  long persistence_s;  // 0 = not persistent
  Duration delay_loop;
  std::vector<RsExpect> rs;
  CheckerKind checker;
  Duration connect_timeout;
  unsigned retry;
  Duration delay_before_retry;
  std::uint16_t connect_port;
};

const ServiceExpect kServiceExpectations[] = {
    {"keepalived.conf.sample", "10.10.10.2", 1358, 0, Proto::kTcp, "rr", ForwardMethod::kMasq, 50,
     seconds(6), {{"192.168.200.2", 1358, 1}}, CheckerKind::kHttpGet, seconds(3), 3, seconds(3), 0},
    {"keepalived.conf.inhibit", "10.10.10.2", 1358, 0, Proto::kTcp, "rr", ForwardMethod::kMasq, 50,
     seconds(6), {{"192.168.200.2", 1358, 1}}, CheckerKind::kHttpGet, seconds(3), 3, seconds(3), 0},
    {"keepalived.conf.quorum", "10.0.1.1", 80, 0, Proto::kTcp, "wrr", ForwardMethod::kMasq, 900,
     seconds(6),
     {{"10.0.0.1", 8080, 1}, {"10.0.0.2", 8080, 1}, {"10.0.0.3", 8080, 1}, {"10.0.0.4", 8080, 1},
      {"10.0.0.5", 8080, 1}, {"10.0.0.6", 8080, 1}, {"10.0.0.7", 8080, 1}, {"10.0.0.8", 8080, 1},
      {"10.0.0.9", 8080, 1}, {"10.0.0.10", 8080, 1}},
     CheckerKind::kTcpCheck, seconds(3), 1, seconds(1), 80},
    {"keepalived.conf.fwmark", nullptr, 0, 1, Proto::kTcp, "rr", ForwardMethod::kMasq, 900, seconds(6),
     {{"192.168.201.100", 0, 1}, {"192.168.201.101", 0, 1}}, CheckerKind::kTcpCheck, seconds(3), 1,
     seconds(1), 80},
    {"keepalived.conf.virtual_server_group", nullptr, 0, 0, Proto::kTcp, "rr", ForwardMethod::kMasq, 50,
     seconds(6), {{"192.168.200.1", 1358, 1}, {"192.168.200.2", 1358, 1}}, CheckerKind::kHttpGet,
     seconds(3), 3, seconds(3), 0},
    {"keepalived.conf.vrrp.lvs_syncd", "192.168.200.19", 80, 0, Proto::kTcp, "rr",
     ForwardMethod::kMasq, 50, seconds(20), {{"192.168.201.100", 80, 1}}, CheckerKind::kTcpCheck,
     seconds(3), 1, seconds(1), 0},
};

// The virtual server, its real servers and their checkers match the file.
TEST(KeepalivedSamples, ServicesRealServersAndCheckers) {
  LVS_REQUIRE_SHARED_KEEPALIVED_DATA();
  for (const auto& e : kServiceExpectations) {
    SCOPED_TRACE(e.file);
    const auto cfg = load_sample(e.file);
    ASSERT_EQ(cfg.virtual_servers.size(), 1u);
    const auto& vs = cfg.virtual_servers[0];
    if (e.vip != nullptr) {
      EXPECT_EQ(vs.service.key.addr, *parse_ip4(e.vip));
      EXPECT_EQ(vs.service.key.port, e.port);
    }
    EXPECT_EQ(vs.service.key.fwmark, e.fwmark);
    EXPECT_EQ(vs.service.key.proto, e.proto);
    EXPECT_EQ(vs.service.scheduler, e.sched);
    EXPECT_EQ(vs.method, e.method);
    EXPECT_EQ(vs.service.persistent(), e.persistence_s != 0);
    EXPECT_EQ(vs.service.timeout, seconds(e.persistence_s));
    EXPECT_EQ(vs.delay_loop, e.delay_loop);
    ASSERT_EQ(vs.real_servers.size(), e.rs.size());
    for (std::size_t i = 0; i < e.rs.size(); ++i) {
      const auto& rs = vs.real_servers[i];
      EXPECT_EQ(rs.rs.addr, *parse_ip4(e.rs[i].addr));
      EXPECT_EQ(rs.rs.port, e.rs[i].port);
      EXPECT_EQ(rs.rs.weight, e.rs[i].weight);
      EXPECT_EQ(rs.rs.fwd, e.method);
      ASSERT_EQ(rs.checkers.size(), 1u);
      const auto& ch = rs.checkers[0];
      EXPECT_EQ(ch.kind, e.checker);
      EXPECT_EQ(ch.connect_timeout, e.connect_timeout);
      EXPECT_EQ(ch.retry, e.retry);
      EXPECT_EQ(ch.delay_before_retry, e.delay_before_retry);
      EXPECT_EQ(ch.connect_port, e.connect_port);
      EXPECT_EQ(ch.delay_loop, e.delay_loop);  // inherited from the virtual server
    }
  }
}

// sample: URL check, sorry server, and the VRRP instance with its VIPs.
TEST(KeepalivedSamples, SampleDetails) {
  LVS_REQUIRE_SHARED_KEEPALIVED_DATA();
  const auto cfg = load_sample("keepalived.conf.sample");
  EXPECT_EQ(cfg.global.router_id, "LVS_DEVEL");
  const auto& vs = cfg.virtual_servers[0];
  ASSERT_TRUE(vs.sorry_server.has_value());
  EXPECT_EQ(vs.sorry_server->addr, *parse_ip4("192.168.200.200"));
  EXPECT_EQ(vs.sorry_server->port, 1358);
  const auto& urls = vs.real_servers[0].checkers[0].urls;
  ASSERT_EQ(urls.size(), 1u);
  EXPECT_EQ(urls[0].path, "/testurl3/test.jsp");
  EXPECT_EQ(urls[0].digest, "640205b7b0fc66c1ea91c463fac6334d");
  ASSERT_EQ(cfg.vrrp_instances.size(), 1u);
  const auto& vi = cfg.vrrp_instances[0];
  EXPECT_EQ(vi.name, "VI_1");
  EXPECT_EQ(vi.interface, "eth0");
  EXPECT_EQ(vi.virtual_router_id, 50u);
  EXPECT_TRUE(vi.nopreempt);
  EXPECT_EQ(vi.priority, 100u);
  EXPECT_EQ(vi.advert_int, seconds(1));
  EXPECT_EQ(vi.state, VrrpState::kBackup);
  ASSERT_EQ(vi.virtual_ipaddresses.size(), 3u);
  EXPECT_EQ(vi.virtual_ipaddresses[2].addr, *parse_ip4("192.168.200.13"));
  EXPECT_EQ(vi.virtual_ipaddresses[2].prefix, 32u);
}

// inhibit: the real server is quiesced (weight 0) rather than removed on failure.
TEST(KeepalivedSamples, InhibitOnFailure) {
  LVS_REQUIRE_SHARED_KEEPALIVED_DATA();
  const auto cfg = load_sample("keepalived.conf.inhibit");
  EXPECT_FALSE(cfg.virtual_servers[0].inhibit_on_failure);
  EXPECT_TRUE(cfg.virtual_servers[0].real_servers[0].inhibit_on_failure);
}

// quorum: quorum/hysteresis, alpha/omega and the quorum scripts.
TEST(KeepalivedSamples, QuorumDetails) {
  LVS_REQUIRE_SHARED_KEEPALIVED_DATA();
  const auto cfg = load_sample("keepalived.conf.quorum");
  const auto& vs = cfg.virtual_servers[0];
  EXPECT_EQ(vs.quorum, 7u);
  EXPECT_EQ(vs.hysteresis, 2u);
  EXPECT_TRUE(vs.alpha);
  EXPECT_TRUE(vs.omega);
  EXPECT_EQ(vs.quorum_up, "/usr/local/sbin/quorum-up.sh");
  EXPECT_EQ(vs.quorum_down, "/usr/local/sbin/quorum-down.sh");
}

// virtual_server_group: ranges and fwmarks expand into one IPVS service each.
TEST(KeepalivedSamples, VirtualServerGroupExpansion) {
  LVS_REQUIRE_SHARED_KEEPALIVED_DATA();
  const auto cfg = load_sample("keepalived.conf.virtual_server_group");
  ASSERT_EQ(cfg.groups.size(), 1u);
  EXPECT_EQ(cfg.groups[0].name, "VSG_1");
  ASSERT_EQ(cfg.groups[0].entries.size(), 6u);
  EXPECT_EQ(cfg.groups[0].entries[3].first, *parse_ip4("192.168.200.3"));
  EXPECT_EQ(cfg.groups[0].entries[3].last, *parse_ip4("192.168.200.10"));
  EXPECT_EQ(cfg.virtual_servers[0].group, "VSG_1");
  const auto svcs = ipvs_services(cfg);
  ASSERT_EQ(svcs.size(), 3u + 8u + 2u);
  EXPECT_EQ(svcs[0].svc.key.addr, *parse_ip4("10.0.0.1"));
  EXPECT_EQ(svcs[0].svc.key.port, 8080);
  EXPECT_EQ(svcs[3].svc.key.addr, *parse_ip4("192.168.200.3"));
  EXPECT_EQ(svcs[10].svc.key.addr, *parse_ip4("192.168.200.10"));
  EXPECT_EQ(svcs[11].svc.key.fwmark, 1u);
  EXPECT_EQ(svcs[12].svc.key.fwmark, 2u);
  for (const auto& s : svcs) {
    EXPECT_EQ(s.svc.scheduler, "rr");
    ASSERT_EQ(s.dests.size(), 2u);
    EXPECT_EQ(s.dests[1].port, 1358);
  }
}

// vrrp.lvs_syncd: sync group members (old syntax) and the sync daemon.
TEST(KeepalivedSamples, LvsSyncdDetails) {
  LVS_REQUIRE_SHARED_KEEPALIVED_DATA();
  const auto cfg = load_sample("keepalived.conf.vrrp.lvs_syncd");
  ASSERT_EQ(cfg.sync_groups.size(), 1u);
  EXPECT_EQ(cfg.sync_groups[0].group, (std::vector<std::string>{"VI_2", "VI_3"}));
  ASSERT_TRUE(cfg.global.lvs_sync_daemon.has_value());
  EXPECT_EQ(cfg.global.lvs_sync_daemon->interface, "eth1");
  EXPECT_EQ(cfg.global.lvs_sync_daemon->instance, "VI_1");
  ASSERT_EQ(cfg.vrrp_instances.size(), 3u);
  EXPECT_EQ(cfg.vrrp_instances[0].state, VrrpState::kMaster);
  EXPECT_EQ(cfg.vrrp_instances[0].priority, 150u);
  EXPECT_EQ(cfg.vrrp_instances[0].auth_type, "PASS");
  EXPECT_EQ(cfg.vrrp_instances[0].auth_pass, "grr02");
}

// conditional_conf: `@high` / `@low` lines follow the config id.
TEST(KeepalivedSamples, ConditionalConfigId) {
  LVS_REQUIRE_SHARED_KEEPALIVED_DATA();
  std::string text;
  const std::string path = testing::shared_keepalived_dir() + "/keepalived.conf.conditional_conf";
  ASSERT_TRUE(testing::read_text(path, text));
  const struct {
    const char* id;
    unsigned priority;
    bool namespace_warned;
  } cases[] = {{"high", 170, true}, {"low", 85, true}, {"other", 100, false}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.id);
    KeepalivedOptions opts;
    opts.config_id = c.id;
    const auto cfg = parse_keepalived(text, path, opts);
    ASSERT_EQ(cfg.vrrp_instances.size(), 1u);
    EXPECT_EQ(cfg.vrrp_instances[0].priority, c.priority);
    EXPECT_EQ(cfg.vrrp_instances[0].version, 3u);
    EXPECT_TRUE(cfg.vrrp_instances[0].use_vmac);
    EXPECT_EQ(warned_keywords(cfg).count("net_namespace"), c.namespace_warned ? 1u : 0u);
  }
}

}  // namespace
}  // namespace lvs::config
