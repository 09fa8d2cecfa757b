#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "scenario/check.h"
#include "scenario_test_support.h"

namespace lvs::scenario {
namespace {

using testing::data_path;

bool has_spof(const CheckReport& r, const std::string& name, NodeKind kind) {
  return std::any_of(r.topology.spofs.begin(), r.topology.spofs.end(),
                     [&](const SinglePointOfFailure& s) { return s.name == name && s.kind == kind; });
}

// Without a backup the one router is a single point of failure; with one it
// is not. The LAN segments are SPOFs in both, reported as such.
TEST(CheckScenario, RouterSpofOnlyWithoutBackup) {
  const CheckReport alone = check_scenario(read_scenario_file(data_path("no-backup.yaml")));
  EXPECT_TRUE(alone.ok());
  EXPECT_TRUE(has_spof(alone, "lvs1", NodeKind::kRouter));
  EXPECT_TRUE(has_spof(alone, "private_lan", NodeKind::kPrivateLan));

  const CheckReport pair = check_scenario(read_scenario_file(data_path("valid-pair.yaml")));
  EXPECT_TRUE(pair.ok());
  EXPECT_FALSE(has_spof(pair, "lvs1", NodeKind::kRouter));
  EXPECT_FALSE(has_spof(pair, "lvs2", NodeKind::kRouter));
  EXPECT_TRUE(has_spof(pair, "public_lan", NodeKind::kPublicLan));
  EXPECT_TRUE(has_spof(pair, "private_lan", NodeKind::kPrivateLan));
}

// A single-member service makes its real server a SPOF even though a leaf
// is never an articulation point.
TEST(CheckScenario, OnlyRealServerIsSpof) {
  const CheckReport r = check_scenario(
      read_scenario_file(data_path("valid-pair.yaml"), {"services.0.real_servers=[{server: rs1}]"}));
  EXPECT_TRUE(has_spof(r, "rs1", NodeKind::kRealServer));
  EXPECT_FALSE(has_spof(r, "rs2", NodeKind::kRealServer));
}

// A NAT real server whose default route is not the floating NAT gateway IP
// is an error at its gateway field; so is a DR one routed via the director.
TEST(CheckScenario, RouteErrors) {
  const CheckReport r = check_scenario(read_scenario_file(data_path("wrong-gateway.yaml")));
  ASSERT_FALSE(r.ok());
  const Finding* e = r.first_error();
  EXPECT_EQ(e->field, "real_servers.1.gateway");
  EXPECT_EQ(e->pos.line, 14);
  EXPECT_EQ(e->pos.column, 46);
  EXPECT_NE(e->message.find("router lvs1's own eth1 address"), std::string::npos) << e->message;
  EXPECT_NE(e->message.find("not the NAT gateway IP 10.1.0.254"), std::string::npos) << e->message;
  ASSERT_EQ(r.routes.size(), 2u);
  EXPECT_TRUE(r.routes[0].ok);
  EXPECT_FALSE(r.routes[1].ok);

  const CheckReport dr = check_scenario(
      read_scenario_file(data_path("valid-pair.yaml"), {"services.0.real_servers.0.method=dr"}));
  ASSERT_FALSE(dr.ok());
  EXPECT_EQ(dr.first_error()->field, "real_servers.0.gateway");
  EXPECT_NE(dr.first_error()->message.find("DR member"), std::string::npos);
}

struct BottleneckCase {
  const char* intent;
  std::vector<std::string> overrides;
  const char* kind;
  double max_flow_bps;
  std::vector<std::string> cut;
};

// The max-flow bound names the element that limits the cluster, with its numbers.
TEST(CheckScenario, Bottleneck) {
  const BottleneckCase cases[] = {
      // one core: 1.2 Mpps × 1024 B × 8 = 9.8304 Gbit/s < the servers' 16.32; the backup adds nothing
      {"router below servers", {}, "router", 1.2e6 * 1024 * 8, {"lvs1"}},
      // four cores: 39.3 Gbit/s; servers 2 × (100 / 1 ms) × 10200 B × 8 = 16.32 Gbit/s
      {"servers below router", {"topology.routers.0.cost_model.cores=4"}, "real_servers", 2 * 1e5 * 10200 * 8,
       {"rs1", "rs2"}},
      // four 1 Gbit/s access links: 4 Gbit/s
      {"access links", {"topology.routers.0.cost_model.cores=4", "topology.clients.access_link.rate=1Gbps"},
       "link", 4e9, {"access_link"}},
      // no CPU cost: the servers again
      {"cost model none", {"topology.routers.0.cost_model.profile=none"}, "real_servers", 16.32e9, {"rs1", "rs2"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.intent);
    const CheckReport r = check_scenario(read_scenario_file(data_path("capacity.yaml"), c.overrides));
    ASSERT_TRUE(r.ok());
    const Bottleneck& b = r.topology.bottleneck;
    EXPECT_EQ(b.kind, c.kind);
    EXPECT_NEAR(b.max_flow_bps, c.max_flow_bps, c.max_flow_bps * 1e-9);
    std::vector<std::string> cut = b.min_cut;
    std::sort(cut.begin(), cut.end());
    EXPECT_EQ(cut, c.cut);
  }
  const CheckReport r = check_scenario(read_scenario_file(data_path("capacity.yaml")));
  EXPECT_EQ(r.topology.bottleneck.description,
            "router lvs1 CPU, 1.20 Mpps ≈ 9.83 Gbit/s at 1024 B packets; min cut {lvs1}");
  EXPECT_NEAR(r.topology.bottleneck.max_flow_pps, 1.2e6, 1e-3);
}

// The summary lists every node and link for topology.json.
TEST(CheckScenario, SummaryHasNodesAndLinks) {
  const CheckReport r = check_scenario(read_scenario_file(data_path("valid-pair.yaml")));
  // clients, internet, two LANs, two routers, two servers
  EXPECT_EQ(r.topology.nodes.size(), 8u);
  // access, uplink, 2 × (eth0, eth1), 2 server links
  EXPECT_EQ(r.topology.links.size(), 8u);
  EXPECT_EQ(r.topology.vip, "192.0.2.10");
  const auto lvs2 = std::find_if(r.topology.nodes.begin(), r.topology.nodes.end(),
                                 [](const auto& n) { return n.name == "lvs2"; });
  ASSERT_NE(lvs2, r.topology.nodes.end());
  EXPECT_FALSE(lvs2->active);
  EXPECT_EQ(lvs2->addresses, (std::vector<std::string>{"192.0.2.3", "10.1.0.3"}));
}

// `lvsim check` on the shipped nat-basic scenario: a report, "ok", exit 0.
TEST(CheckScenario, NatBasicPasses) {
  std::ostringstream out, err;
  const int rc = run_check(std::string(LVS_TEST_DATA_DIR) + "/../../scenarios/nat-basic.yaml", {}, out, err);
  EXPECT_EQ(rc, 0) << err.str();
  EXPECT_EQ(err.str(), "");
  const std::string o = out.str();
  EXPECT_NE(o.find("bottleneck: "), std::string::npos) << o;
  EXPECT_NE(o.find("rs1: default via 10.1.0.254 (NAT gateway IP)"), std::string::npos) << o;
  EXPECT_EQ(o.substr(o.size() - 3), "ok\n");
}

}  // namespace
}  // namespace lvs::scenario
