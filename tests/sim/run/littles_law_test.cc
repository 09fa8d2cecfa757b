// A closed-loop workload through the director obeys Little's law:
// users = throughput x (response time + think time).
#include <gtest/gtest.h>

#include <cmath>

#include "run_test_support.h"

namespace lvs::run_test {
namespace {

// 20 users, each: request -> response -> 50 ms think (constant, so the think
// time's mean is exact) -> next request, over 5 s; the cycles cut by the end
// of the run cost about (R + Z) / 2T = 0.6%. Response time and
// throughput are the summary's mean latency and ok requests per second.
TEST(LittlesLaw, ClosedLoopUsersEqualThroughputTimesCycle) {
  const double users = 20, think_s = 0.05;
  const nlohmann::json s = run_summary(load_text(
      kClusterYaml, {"duration=5", "services.0.scheduler=wlc", "workloads.0.kind=closed",
                     "workloads.0.users=20", "workloads.0.think_time=50ms",
                     "real_servers.0.service_time={dist: exponential, mean: 5ms}",
                     "real_servers.1.service_time={dist: exponential, mean: 5ms}",
                     "real_servers.2.service_time={dist: exponential, mean: 5ms}"}));
  ASSERT_EQ(s["requests"]["total"], s["requests"]["ok"]) << s["requests"];
  const double throughput = s["requests_per_s"].get<double>();
  const double response_s = s["latency"]["mean_s"].get<double>();
  const double little = throughput * (response_s + think_s);
  std::printf("throughput %.2f/s, response %.3f ms, X(R+Z) = %.3f for %g users (error %+.2f%%)\n",
              throughput, response_s * 1e3, little, users, 100 * (little / users - 1));
  ASSERT_GT(throughput, 100.0);
  EXPECT_NEAR(little, users, 0.03 * users);
}

}  // namespace
}  // namespace lvs::run_test
