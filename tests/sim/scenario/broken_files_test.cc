#include <gtest/gtest.h>

#include "scenario/check.h"
#include "scenario_test_support.h"

namespace lvs::scenario {
namespace {

using testing::data_path;

struct BrokenCase {
  const char* file;
  const char* where;  // "LINE:COL" of the error
  const char* text;   // a part of the message: the field and what is wrong
};

// Each broken file fails with exactly one line that names the file, the
// line:column of the mistake, and the field.
TEST(BrokenScenario, OneClearErrorEach) {
  const BrokenCase cases[] = {
      {"broken-bad-yaml.yaml", "13:55", "bad YAML: illegal flow end"},
      {"broken-unknown-key.yaml", "11:20",
       "topology.routers.1: unknown key 'publc_ip' (did you mean 'public_ip'?)"},
      {"broken-bad-address.yaml", "14:26", "real_servers.1.address: '10.1.0.300' is not an IPv4 address"},
      {"broken-vip-off-network.yaml", "7:8",
       "topology.vip: 198.51.100.10 is not on the routers' public network 192.0.2.0/24"},
      {"broken-duplicate-ip.yaml", "14:26",
       "real_servers.1.address: 10.1.0.3 is already used by topology.routers.1.private_ip"},
      {"broken-bad-unit.yaml", "6:45", "topology.private_lan.rate: '1Gbs' is not a rate"},
      {"broken-missing-field.yaml", "14:5", "real_servers.1.address: required field is missing"},
      {"broken-unknown-server.yaml", "20:18",
       "services.0.real_servers.1.server: no real server is called 'rs3' in real_servers (did you mean 'rs1'?)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    std::string error;
    try {
      load_scenario(data_path(c.file));
    } catch (const config::ConfigError& e) {
      error = e.what();
    }
    const std::string prefix = data_path(c.file) + ":" + c.where + ": error: ";
    EXPECT_EQ(error.rfind(prefix, 0), 0u) << error;
    EXPECT_NE(error.find(c.text), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
}

// `lvsim check` on a broken file prints that one error line and exits 2.
TEST(BrokenScenario, CheckPrintsOneLineAndFails) {
  for (const char* file : {"broken-unknown-key.yaml", "broken-duplicate-ip.yaml"}) {
    SCOPED_TRACE(file);
    std::ostringstream out, err;
    EXPECT_EQ(run_check(data_path(file), {}, out, err), 2);
    const std::string e = err.str();
    EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 1) << e;
    EXPECT_NE(e.find(": error: "), std::string::npos) << e;
    EXPECT_EQ(out.str().find("\nok\n"), std::string::npos);
  }
}

// A file that cannot be read is an error naming it, not a crash.
TEST(BrokenScenario, MissingFileIsAnError) {
  const std::string e = testing::read_error("no-such-file.yaml");
  EXPECT_NE(e.find("cannot read scenario file"), std::string::npos) << e;
}

}  // namespace
}  // namespace lvs::scenario
