// Every scenario shipped in scenarios/ reads, passes `lvsim check` and runs:
// its first simulated second completes requests. (The figures each one is
// about are tested in their own suites; this keeps the files themselves from
// rotting as the schema grows.)
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "run_test_support.h"

namespace lvs::run_test {
namespace {

std::vector<std::string> shipped_scenarios() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(scenarios_dir()))
    if (e.path().extension() == ".yaml") names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(ShippedScenarios, EachChecksAndRuns) {
  const std::vector<std::string> names = shipped_scenarios();
  // nat-basic, heterogeneous, nat-vs-dr(-dr), bottleneck, scale and the failover set.
  ASSERT_GE(names.size(), 12u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    scenario::Scenario sc = load_file(name);
    const scenario::CheckReport report = scenario::check_scenario(sc);
    ASSERT_EQ(report.first_error(), nullptr) << report.first_error()->str();
    // The first second: enough for every workload to complete requests.
    sc = load_file(name, {"duration=1.5"});
    const nlohmann::json s = run_summary(sc);
    EXPECT_GT(s["requests"]["ok"].get<std::uint64_t>(), 0u) << s["requests"].dump();
  }
}

}  // namespace
}  // namespace lvs::run_test
