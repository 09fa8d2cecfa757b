// VrrpConfig from keepalived.conf, with keepalived's vrrp_complete_instance
// adjustments, and the validation the agent relies on.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lvs/config/keepalived.h"
#include "lvs/vrrp.h"

namespace lvs {
namespace {

const char* const kConf = R"(
global_defs {
  vrrp_garp_master_refresh_repeat 3
  vrrp_garp_interval 0.05
}
vrrp_sync_group VG1 {
  group {
    VI_PUBLIC
    VI_PRIVATE
  }
}
vrrp_instance VI_PUBLIC {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 2
  nopreempt
  authentication {
    auth_type PASS
    auth_pass secret1234
  }
  virtual_ipaddress {
    192.0.2.10/24 dev eth0 label eth0:1
  }
  garp_master_delay 3
  garp_master_repeat 2
}
vrrp_instance VI_PRIVATE {
  state BACKUP
  interface eth1
  virtual_router_id 52
  priority 100
  advert_int 1
  preempt_delay 30
  use_vmac
  unicast_src_ip 10.1.0.2
  unicast_peer {
    10.1.0.3
  }
  virtual_ipaddress {
    10.1.0.254/24 dev eth1 label eth1:1
  }
}
)";

// Fields carried over from the parsed model, and keepalived's adjustments.
TEST(VrrpConfigTest, FromKeepalivedConf) {
  const config::ClusterConfig cc = config::parse_keepalived(kConf, "keepalived.conf");
  ASSERT_EQ(cc.vrrp_instances.size(), 2u);
  std::vector<std::string> warnings;
  const VrrpConfig pub = vrrp_config_from(cc.vrrp_instances[0], cc.global, 0xc0000202, &warnings);
  EXPECT_EQ(pub.name, "VI_PUBLIC");
  EXPECT_EQ(pub.vrid, 51);
  EXPECT_EQ(pub.priority, 150);
  EXPECT_EQ(pub.advert_int, seconds(2));
  EXPECT_TRUE(pub.initial_master);
  EXPECT_FALSE(pub.nopreempt);  // "nopreempt will not work with initial state MASTER - clearing"
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("nopreempt"), std::string::npos);
  EXPECT_EQ(pub.vips, std::vector<Ip4>{0xc000020a});
  EXPECT_EQ(pub.source_addr(), 0xc0000202u);
  EXPECT_EQ(pub.auth_type, VrrpAuthType::kPass);
  const std::array<std::uint8_t, 8> pass = {'s', 'e', 'c', 'r', 'e', 't', '1', '2'};
  EXPECT_EQ(pub.auth_pass, pass);
  EXPECT_EQ(pub.garp_master_delay, seconds(3));
  EXPECT_EQ(pub.garp_master_repeat, 2u);
  EXPECT_EQ(pub.garp_master_refresh_repeat, 3u);
  EXPECT_EQ(pub.garp_interval, milliseconds(50));
  EXPECT_EQ(vrrp_config_error(pub), "");

  const VrrpConfig priv = vrrp_config_from(cc.vrrp_instances[1], cc.global, 0x0a010009);
  EXPECT_FALSE(priv.initial_master);
  EXPECT_EQ(priv.preempt_delay, seconds(30));
  EXPECT_TRUE(priv.use_vmac);
  EXPECT_EQ(priv.source_addr(), 0x0a010002u);
  EXPECT_EQ(priv.unicast_peers, std::vector<Ip4>{0x0a010003});
  EXPECT_EQ(priv.vips, std::vector<Ip4>{0x0a0100fe});
  EXPECT_EQ(vrrp_config_error(priv), "");

  // The two feed a sync group directly.
  VrrpSyncGroup g({pub, priv});
  g.start(Time{0});
  EXPECT_EQ(g.member(1).state(), VrrpState::kBackup);
}

// Adjustments keepalived makes for owners, v3 and sub-second v2 intervals.
TEST(VrrpConfigTest, Adjustments) {
  config::GlobalDefs g;
  config::VrrpInstance in;
  in.name = "VI";
  in.virtual_router_id = 9;
  in.priority = 255;
  in.nopreempt = true;
  in.preempt_delay = seconds(5);
  in.advert_int = milliseconds(1400);
  in.auth_type = "PASS";
  in.auth_pass = "x";
  std::vector<std::string> w;
  VrrpConfig c = vrrp_config_from(in, g, 0x0a000001, &w);
  EXPECT_TRUE(c.initial_master);  // an owner acts as though `state MASTER` were given
  EXPECT_FALSE(c.nopreempt);
  EXPECT_EQ(c.preempt_delay, Duration{0});
  EXPECT_EQ(c.advert_int, seconds(1));  // v2: whole seconds
  EXPECT_EQ(vrrp_config_error(c), "");

  in.version = 3;
  in.priority = 100;
  in.nopreempt = true;
  in.advert_int = milliseconds(1234);
  c = vrrp_config_from(in, g, 0x0a000001, &w);
  EXPECT_EQ(c.advert_int, milliseconds(1230));  // v3: centiseconds
  EXPECT_EQ(c.auth_type, VrrpAuthType::kNone);  // no auth in v3
  EXPECT_TRUE(c.nopreempt);
  EXPECT_EQ(c.preempt_delay, Duration{0});  // incompatible with nopreempt
  EXPECT_EQ(vrrp_config_error(c), "");
}

// What the agent refuses to run.
TEST(VrrpConfigTest, Validation) {
  auto valid = [] {
    VrrpConfig c;
    c.primary_addr = 0x0a000001;
    return c;
  };
  struct Case {
    const char* name;
    void (*mutate)(VrrpConfig&);
  };
  const Case cases[] = {
      {"vrid_0", [](VrrpConfig& c) { c.vrid = 0; }},
      {"priority_0", [](VrrpConfig& c) { c.priority = 0; }},
      {"version_4", [](VrrpConfig& c) { c.version = 4; }},
      {"v2_fraction", [](VrrpConfig& c) { c.advert_int = milliseconds(1500); }},
      {"v2_256s", [](VrrpConfig& c) { c.advert_int = seconds(256); }},
      {"v3_5ms", [](VrrpConfig& c) { c.version = 3; c.advert_int = milliseconds(5); }},
      {"v3_41s", [](VrrpConfig& c) { c.version = 3; c.advert_int = seconds(41); }},
      {"v3_auth", [](VrrpConfig& c) { c.version = 3; c.auth_type = VrrpAuthType::kPass; }},
      {"ah", [](VrrpConfig& c) { c.auth_type = VrrpAuthType::kAh; }},
      {"no_source", [](VrrpConfig& c) { c.primary_addr = 0; }},
  };
  EXPECT_EQ(vrrp_config_error(valid()), "");
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    VrrpConfig cfg = valid();
    c.mutate(cfg);
    EXPECT_NE(vrrp_config_error(cfg), "");
  }
}

}  // namespace
}  // namespace lvs
