// `ipvsadm -S` rules: reading, writing, and round trips with keepalived.conf.

#include <gtest/gtest.h>

#include <algorithm>

#include "config_test_support.h"
#include "lvs/config/ipvsadm_rules.h"
#include "lvs/config/keepalived.h"

namespace lvs::config {
namespace {

Ip4 ip(const char* s) { return *parse_ip4(s); }

// Short and long options, defaults and edits build the expected table.
TEST(IpvsadmRules, ParsesShortAndLongForms) {
  const auto rules = parse_ipvsadm_rules(
      "# saved by hand\n"
      "-A -t 10.0.0.1:80 -s rr -p\n"
      "-a -t 10.0.0.1:80 -r 192.168.0.1:8080 -m -w 3 -x 100 -y 50\n"
      "--add-server --tcp-service 10.0.0.1:80 --real-server 192.168.0.2 --weight=0\n"
      "--add-service --udp-service 10.0.0.2:53 --scheduler sh --sched-flags sh-port,sh-fallback --ops\n"
      "-A -f 7 -s wlc --persistent 600 --netmask 255.255.255.0\n"
      "-a -f 7 -r 192.168.0.3 --ipip\n"
      "-E -t 10.0.0.1:80 -s wrr -p 50 -M 24\n"
      "-e -t 10.0.0.1:80 -r 192.168.0.1:8080 -g -w 5\n",
      "rules");
  ASSERT_EQ(rules.services.size(), 3u);
  const auto& a = rules.services[0];
  EXPECT_EQ(a.svc.key.addr, ip("10.0.0.1"));
  EXPECT_EQ(a.svc.scheduler, "wrr");
  EXPECT_EQ(a.svc.timeout, seconds(50));
  EXPECT_EQ(a.svc.netmask, 0xffffff00u);
  ASSERT_EQ(a.dests.size(), 2u);
  EXPECT_EQ(a.dests[0].fwd, ForwardMethod::kDirectRoute);
  EXPECT_EQ(a.dests[0].weight, 5);
  EXPECT_EQ(a.dests[0].u_threshold, 0u);  // -e replaces every destination field
  EXPECT_EQ(a.dests[1].port, 80);         // no port: the service's
  EXPECT_EQ(a.dests[1].weight, 0);
  EXPECT_EQ(a.dests[1].fwd, ForwardMethod::kDirectRoute);  // ipvsadm's default
  const auto& u = rules.services[1];
  EXPECT_EQ(u.svc.key.proto, Proto::kUdp);
  EXPECT_EQ(u.svc.flags, kSvcSched1 | kSvcSched2 | kSvcOnePacket);
  EXPECT_EQ(sched_flags_text(u.svc), "sh-fallback,sh-port");
  const auto& f = rules.services[2];
  EXPECT_EQ(f.svc.key.fwmark, 7u);
  EXPECT_EQ(f.svc.timeout, seconds(600));
  EXPECT_EQ(f.dests[0].port, 0);
  EXPECT_EQ(f.dests[0].fwd, ForwardMethod::kTunnel);
  EXPECT_EQ(f.dests[0].weight, 1);
}

// -p without a value means 300 s; -s wlc is always written.
TEST(IpvsadmRules, WritesWhatIpvsadmSaveWrites) {
  const auto rules = parse_ipvsadm_rules(
      "-A -u 10.0.0.9:53 -s mh -b mh-port -o\n"
      "-A -t 10.0.0.1:80 -p\n"
      "-a -t 10.0.0.1:80 -r 192.168.0.2:80 -m\n"
      "-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 2 -x 10\n"
      "-A -f 3 -s rr\n",
      "rules");
  EXPECT_EQ(write_ipvsadm_rules(rules.services),
            "-A -t 10.0.0.1:80 -s wlc -p 300\n"
            "-a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 2 -x 10\n"
            "-a -t 10.0.0.1:80 -r 192.168.0.2:80 -m -w 1\n"
            "-A -u 10.0.0.9:53 -s mh -b mh-port -o\n"
            "-A -f 3 -s rr\n");
}

// model -> rules -> model is equal on every ipvsadm field (sorted and unsorted).
TEST(IpvsadmRules, ModelRoundTripFieldByField) {
  std::vector<IpvsService> model(3);
  model[0].svc.key = ServiceKey{Proto::kTcp, ip("10.0.0.5"), 443, 0};
  model[0].svc.scheduler = "lblcr";
  model[0].svc.flags = kSvcPersistent | kSvcSched3;
  model[0].svc.timeout = seconds(1234);
  model[0].svc.netmask = 0xffff0000u;
  model[0].svc.pe_name = "sip";
  model[0].dests = {{ip("192.168.9.9"), 8443, 7, 1000, 900, ForwardMethod::kMasq},
                    {ip("192.168.9.1"), 443, 0, 0, 0, ForwardMethod::kTunnel}};
  model[1].svc.key = ServiceKey{Proto::kUdp, ip("10.0.0.4"), 0, 0};
  model[1].svc.flags = kSvcOnePacket;
  model[2].svc.key.fwmark = 99;
  model[2].svc.scheduler = "sh";
  model[2].svc.flags = kSvcSched2;
  model[2].dests = {{ip("192.168.1.1"), 0, 65535, 0, 0, ForwardMethod::kDirectRoute}};
  for (bool sort : {false, true}) {
    SCOPED_TRACE(sort);
    const std::string text = write_ipvsadm_rules(model, IpvsWriteOptions{sort});
    const auto back = parse_ipvsadm_rules(text, "rt");
    ASSERT_EQ(back.services.size(), model.size());
    for (const auto& m : model) {
      auto it = std::find_if(back.services.begin(), back.services.end(),
                             [&](const IpvsService& s) { return s.svc.key == m.svc.key; });
      ASSERT_NE(it, back.services.end());
      auto want = m;
      if (sort) {
        std::sort(want.dests.begin(), want.dests.end(),
                  [](const RealServerConfig& a, const RealServerConfig& b) { return a.addr < b.addr; });
      }
      EXPECT_TRUE(same_ipvs_fields(*it, want)) << text;
    }
    EXPECT_EQ(write_ipvsadm_rules(back.services, IpvsWriteOptions{sort}), text);
  }
}

// keepalived -> rules -> model -> rules is a fixed point for every sample.
TEST(IpvsadmRules, KeepalivedSamplesAreFixedPoints) {
  LVS_REQUIRE_SHARED_KEEPALIVED_DATA();
  for (const auto& path : testing::glob_paths(testing::shared_keepalived_dir() + "/keepalived.conf.*")) {
    SCOPED_TRACE(path);
    const auto cfg = testing::load_sample(path.substr(path.rfind('/') + 1));
    const auto svcs = ipvs_services(cfg);
    const std::string rules = write_ipvsadm_rules(svcs);
    const auto back = parse_ipvsadm_rules(rules, "saved");
    EXPECT_EQ(back.services.size(), svcs.size());
    EXPECT_EQ(write_ipvsadm_rules(back.services), rules);
  }
}

// The sample's service as ipvsadm -S prints it.
TEST(IpvsadmRules, SampleAsRules) {
  LVS_REQUIRE_SHARED_KEEPALIVED_DATA();
  EXPECT_EQ(write_ipvsadm_rules(ipvs_services(testing::load_sample("keepalived.conf.sample"))),
            "-A -t 10.10.10.2:1358 -s rr -p 50\n"
            "-a -t 10.10.10.2:1358 -r 192.168.200.2:1358 -m -w 1\n");
  EXPECT_EQ(write_ipvsadm_rules(ipvs_services(testing::load_sample("keepalived.conf.fwmark"))),
            "-A -f 1 -s rr -p 900\n"
            "-a -f 1 -r 192.168.201.100:0 -m -w 1\n"
            "-a -f 1 -r 192.168.201.101:0 -m -w 1\n");
}

// IPv6 and SCTP lines are skipped with a warning.
TEST(IpvsadmRules, Ipv6AndSctpAreWarnings) {
  const auto rules = parse_ipvsadm_rules(
      "-A -t [2001:db8::1]:80 -s rr\n-A -f 5 -6\n--add-service --sctp-service 10.0.0.1:9 -s rr\n", "r");
  EXPECT_TRUE(rules.services.empty());
  ASSERT_EQ(rules.warnings.size(), 3u);
  EXPECT_EQ(rules.warnings[2].pos.str(), "r:3:1");
}

struct BrokenRule {
  const char* text;
  int line;
  int column;
  const char* part;
};

// Malformed rules fail with one line pointing at the faulty token.
TEST(IpvsadmRules, BrokenRulesReportPosition) {
  const BrokenRule cases[] = {
      {"-A -t 10.0.0.1:80 -s\n", 1, 21, "expected a value"},
      {"-A -t 10.0.0.1:99999\n", 1, 16, "port"},
      {"-A -t 10.0.0.300:80\n", 1, 7, "IPv4"},
      {"-A -t 10.0.0.1:80 -Q\n", 1, 19, "unknown ipvsadm option"},
      {"-A -t 10.0.0.1:80\n-A -t 10.0.0.1:80\n", 2, 7, "already exists"},
      {"-a -t 10.0.0.1:80 -r 10.0.0.2\n", 1, 7, "no service"},
      {"-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 1.2.3.4 -w 70000\n", 2, 33, "weight"},
      {"-A -t 10.0.0.1:80 -b sh-port,bogus\n", 1, 30, "scheduler flag"},
      {"-A -t 10.0.0.1:80 -p 0\n", 1, 22, "timeout"},
      {"-t 10.0.0.1:80\n", 1, 1, "expected a command"},
      {"-A -s rr\n", 1, 1, "expected a service"},
      {"-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -m\n", 2, 1, "real server"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    try {
      parse_ipvsadm_rules(c.text, "rules");
      ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.pos().line, c.line);
      EXPECT_EQ(e.pos().column, c.column);
      EXPECT_NE(std::string(e.what()).find(c.part), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace lvs::config
