#include <gtest/gtest.h>

#include <chrono>

#include "scenario/check.h"
#include "scenario/units.h"
#include "scenario_test_support.h"

namespace lvs::scenario {
namespace {

using testing::data_path;
using testing::read_error;

// A valid file fills the model, with defaults where it says nothing.
TEST(ScenarioReader, ReadsValidFile) {
  const Scenario sc = read_scenario_file(data_path("valid-pair.yaml"));
  EXPECT_EQ(sc.name, "valid-pair");
  EXPECT_DOUBLE_EQ(sc.duration_s, 5);
  ASSERT_EQ(sc.topology.routers.size(), 2u);
  EXPECT_EQ(sc.topology.routers[0].name, "lvs1");
  EXPECT_EQ(sc.topology.routers[0].priority, 150);
  EXPECT_TRUE(sc.topology.routers[1].backup);
  EXPECT_EQ(sc.topology.vip, *parse_ip4("192.0.2.10"));
  EXPECT_EQ(format_prefix(sc.topology.private_network), "10.1.0.0/24");
  // gateway defaults to the NAT gateway IP; tcp to NewReno.
  ASSERT_EQ(sc.real_servers.size(), 2u);
  EXPECT_EQ(sc.real_servers[0].gateway, *parse_ip4("10.1.0.254"));
  EXPECT_EQ(sc.real_servers[0].tcp_variant, "TcpNewReno");
  EXPECT_DOUBLE_EQ(sc.real_servers[0].service_time.mean, 0.01);
  ASSERT_EQ(sc.services.size(), 1u);
  const Service& web = sc.services[0];
  EXPECT_EQ(web.ipvs.key.addr, sc.topology.vip);  // vip defaults to topology.vip
  EXPECT_EQ(web.ipvs.key.port, 80);
  EXPECT_EQ(web.ipvs.scheduler, "wrr");
  ASSERT_EQ(web.members.size(), 2u);
  EXPECT_EQ(web.members[0].server, "rs1");
  EXPECT_EQ(web.members[0].ipvs.weight, 3);
  EXPECT_EQ(web.members[0].ipvs.port, 80);
  EXPECT_EQ(web.members[0].ipvs.fwd, ForwardMethod::kMasq);
  ASSERT_EQ(sc.workloads.size(), 1u);
  EXPECT_EQ(sc.workloads[0].target, web.ipvs.key);
  EXPECT_DOUBLE_EQ(sc.workloads[0].rate, 100);
  EXPECT_EQ(sc.pos_of("topology.vip").line, 7);
  EXPECT_EQ(sc.tcp.segment_size, 536u);  // ns-3's own default when the file says nothing
}

// tcp.segment_size: Linux's 1448 fits a 1500-byte frame; more would fragment.
TEST(ScenarioReader, TcpSegmentSize) {
  EXPECT_EQ(read_scenario_file(data_path("valid-pair.yaml"), {"tcp.segment_size=1448"}).tcp.segment_size, 1448u);
  const std::pair<const char*, const char*> cases[] = {
      {"tcp.segment_size=1460", "tcp.segment_size: '1460' is out of range (64..1448)"},
      {"tcp.segment_size=63", "is out of range (64..1448)"},
      {"tcp.segment_size=1k", "is not a whole number"},
      {"tcp.mss=1448", "unknown field 'tcp.mss'"},
  };
  for (const auto& [set, want] : cases) {
    SCOPED_TRACE(set);
    const std::string e = read_error("valid-pair.yaml", {set});
    EXPECT_NE(e.find(want), std::string::npos) << e;
  }
}

// Quantities with units: each string, its value in base units (nullopt: rejected).
TEST(ScenarioUnits, ParsesUnits) {
  struct Case {
    std::optional<double> (*parse)(std::string_view);
    const char* text;
    std::optional<double> want;
  };
  const Case cases[] = {
      {parse_rate_bps, "1Gbps", 1e9},   {parse_rate_bps, "100Mbps", 1e8}, {parse_rate_bps, "2.5 kbps", 2500},
      {parse_rate_bps, "1e6", 1e6},     {parse_rate_bps, "1Gbs", {}},     {parse_rate_bps, "fast", {}},
      {parse_seconds, "2ms", 2e-3},     {parse_seconds, "1.5s", 1.5},     {parse_seconds, "300", 300},
      {parse_seconds, "250us", 250e-6}, {parse_seconds, "2m", 120},       {parse_seconds, "5 sec", {}},
      {parse_bytes, "1500B", 1500},     {parse_bytes, "64KiB", 65536},    {parse_bytes, "8KB", 8000},
      {parse_bytes, "0x10", {}},        {parse_number, "nan", {}},        {parse_number, "12abc", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto got = c.parse(c.text);
    ASSERT_EQ(got.has_value(), c.want.has_value());
    if (got) {
      EXPECT_NEAR(*got, *c.want, 1e-12 * std::max(1.0, *c.want));
    }
  }
}

// --set changes fields before they are read, through the same checks.
TEST(ScenarioOverrides, AppliesDottedPaths) {
  const Scenario sc = read_scenario_file(
      data_path("valid-pair.yaml"),
      {"workloads.0.rate=500", "duration=30", "topology.routers.1.cost_model.cores=2",
       "real_servers.0.service_time.mean=20ms", "topology.nic_rate=10Gbps", "workloads.0.schedule=[[0, 10], [5s, 20]]"});
  EXPECT_DOUBLE_EQ(sc.workloads[0].rate, 500);
  EXPECT_DOUBLE_EQ(sc.duration_s, 30);
  EXPECT_EQ(sc.topology.routers[1].cost.cores, 2);
  EXPECT_EQ(sc.topology.routers[0].cost.cores, 1);
  // service_time was the plain "10ms": setting its mean turns it into a mapping.
  EXPECT_DOUBLE_EQ(sc.real_servers[0].service_time.mean, 0.02);
  EXPECT_DOUBLE_EQ(sc.topology.nic_rate_bps, 1e10);
  ASSERT_EQ(sc.workloads[0].rate_schedule.size(), 2u);
  EXPECT_DOUBLE_EQ(sc.workloads[0].rate_schedule[1].first, 5);
}

// Bad --set paths and values: each gives one error with a hint.
TEST(ScenarioOverrides, RejectsBadPaths) {
  const std::pair<const char*, const char*> cases[] = {
      {"workloads.0.rte=5", "unknown field 'workloads.0.rte' (did you mean 'rate'?)"},
      {"topology.routers.5.priority=1", "topology.routers has 2 entries"},
      {"topology.routers.99999999999999999999999.priority=1", "topology.routers has 2 entries"},
      {"duraton=3", "(did you mean 'duration'?)"},
      {"duration.x=3", "'duration' is a value, not a section"},
      {"workloads.first.rate=3", "'workloads' is a list"},
      {"seed", "expected KEY=VALUE"},
      {"topology.vip=10.0.0.300", "<--set topology.vip>:1:1: error: topology.vip: '10.0.0.300' is not an IPv4 address"},
  };
  for (const auto& [set, want] : cases) {
    SCOPED_TRACE(set);
    const std::string e = read_error("valid-pair.yaml", {set});
    EXPECT_NE(e.find(want), std::string::npos) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
}

// Services imported from a keepalived.conf go through the core parser and
// keep its positions, weights and health checks.
TEST(ScenarioImport, KeepalivedConf) {
  const Scenario sc = read_scenario_file(data_path("import-keepalived.yaml"));
  ASSERT_EQ(sc.services.size(), 1u);
  const Service& s = sc.services[0];
  EXPECT_EQ(s.imported_from, data_path("keepalived-import.conf"));
  EXPECT_EQ(s.ipvs.key.addr, *parse_ip4("192.0.2.10"));
  EXPECT_EQ(s.ipvs.key.port, 80);
  EXPECT_EQ(s.ipvs.scheduler, "wrr");
  ASSERT_TRUE(s.health.has_value());
  EXPECT_DOUBLE_EQ(s.health->delay_loop_s, 5);
  ASSERT_EQ(s.members.size(), 2u);
  EXPECT_EQ(s.members[0].server, "web1");
  EXPECT_EQ(s.members[0].ipvs.port, 8080);
  EXPECT_EQ(s.members[0].ipvs.weight, 3);
  EXPECT_EQ(s.members[0].ipvs.fwd, ForwardMethod::kMasq);
  ASSERT_EQ(s.members[0].health_checks.size(), 1u);
  EXPECT_EQ(s.members[0].health_checks[0].connect_timeout, std::chrono::seconds(2));
  EXPECT_EQ(s.members[1].server, "web2");
  EXPECT_EQ(s.members[1].pos.line, 14);
  EXPECT_TRUE(check_scenario(sc).ok());
}

// An imported real server the scenario does not define is an error at the
// keepalived.conf line that names it.
TEST(ScenarioImport, UnknownRealServerPointsIntoConf) {
  const std::string e = read_error("import-keepalived.yaml", {"real_servers.1.address=10.1.0.99"});
  EXPECT_NE(e.find("keepalived-import.conf:14:5: error: services.0.import: real server 10.1.0.12:8080"),
            std::string::npos)
      << e;
}

}  // namespace
}  // namespace lvs::scenario

namespace lvs::scenario {
namespace {

// The services example in scenarios/README.md (the schema `lvsim import
// --yaml` writes) is accepted as it stands, field for field.
TEST(ScenarioServices, AcceptsTheDocumentedImportSchema) {
  const std::string readme = testing::config_text(std::string(LVS_TEST_DATA_DIR) + "/../../scenarios/README.md");
  const std::size_t start = readme.find("```yaml\nservices:\n");
  ASSERT_NE(start, std::string::npos);
  const std::size_t end = readme.find("```", start + 7);
  const std::string services = readme.substr(start + 8, end - start - 8);
  const std::string text =
      "topology:\n"
      "  public_lan: {network: 192.0.2.0/24}\n"
      "  private_lan: {network: 10.1.0.0/24}\n"
      "  vip: 192.0.2.10\n"
      "  nat_gateway_ip: 10.1.0.254\n"
      "  routers: [{name: lvs1, public_ip: 192.0.2.2, private_ip: 10.1.0.2}]\n"
      "real_servers: [{name: rs1, address: 10.1.0.11, service_time: 1ms}]\n" +
      services;
  const Scenario sc = parse_scenario(text, "readme-example.yaml");
  ASSERT_EQ(sc.services.size(), 1u);
  const Service& s = sc.services[0];
  EXPECT_EQ(s.ipvs.scheduler, "wrr");
  EXPECT_EQ(s.ipvs.flags, std::uint32_t{kSvcSched2 | kSvcPersistent | kSvcOnePacket});
  EXPECT_EQ(s.ipvs.netmask, *parse_ip4("255.255.255.0"));
  ASSERT_TRUE(s.health && s.health->sorry_server);
  EXPECT_EQ(s.health->sorry_server->port, 1358);
  ASSERT_EQ(s.members.size(), 1u);
  EXPECT_EQ(s.members[0].server, "rs1");
  EXPECT_EQ(s.members[0].ipvs.port, 8080);
  EXPECT_TRUE(s.members[0].inhibit_on_failure);
  ASSERT_EQ(s.members[0].health_checks.size(), 1u);
  const config::CheckerConfig& c = s.members[0].health_checks[0];
  EXPECT_EQ(c.kind, config::CheckerKind::kHttpGet);
  EXPECT_EQ(c.retry, 3u);
  ASSERT_EQ(c.urls.size(), 1u);
  ASSERT_EQ(c.urls[0].status_codes.size(), 2u);
  EXPECT_EQ(c.urls[0].status_codes[1].low, 300);
  EXPECT_EQ(c.urls[0].status_codes[1].high, 399);
}

}  // namespace
}  // namespace lvs::scenario
