// The per-server share of connections (summary.json real_servers.N.connections)
// follows the scheduler and the weights, end to end through the runner.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "run_test_support.h"

namespace lvs::run_test {
namespace {

std::vector<std::uint64_t> connections(const nlohmann::json& s) {
  std::vector<std::uint64_t> out;
  for (const auto& rs : s["real_servers"]) out.push_back(rs["connections"].get<std::uint64_t>());
  return out;
}

std::uint64_t sum(const std::vector<std::uint64_t>& v) {
  std::uint64_t n = 0;
  for (std::uint64_t x : v) n += x;
  return n;
}

// wrr 3:2:1 deals connections in cycles of six (a a b a b c): after N of them
// each server holds N*w/6, exactly when N is a multiple of 6 and within one
// connection otherwise.
TEST(Shares, WrrSharesExact) {
  const nlohmann::json s = run_summary(load_text(kClusterYaml, {"workloads.0.rate=200"}));
  const std::vector<std::uint64_t> c = connections(s);
  const std::uint64_t n = sum(c);
  ASSERT_GT(n, 500u);
  const double weights[] = {3, 2, 1};
  for (std::size_t i = 0; i < 3; ++i) {
    const double exact = static_cast<double>(n) * weights[i] / 6;
    if (n % 6 == 0) {
      EXPECT_EQ(static_cast<double>(c[i]), exact) << "rs" << i + 1 << " of " << n;
    } else {
      EXPECT_LE(std::fabs(static_cast<double>(c[i]) - exact), 1.0) << "rs" << i + 1 << " of " << n;
    }
  }
  // Every connection carried one request, served where the director sent it
  // (but for the few still in flight when the run ends).
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_NEAR(s["real_servers"][i]["requests_served"].get<double>(), static_cast<double>(c[i]), 3);
  std::printf("wrr 3:2:1: %llu %llu %llu of %llu\n", static_cast<unsigned long long>(c[0]),
              static_cast<unsigned long long>(c[1]), static_cast<unsigned long long>(c[2]),
              static_cast<unsigned long long>(n));
}

// Checks each server's share against `expected` (fractions) within +-5% of it.
void expect_shares(const nlohmann::json& s, const std::vector<double>& expected, const char* what) {
  const std::vector<std::uint64_t> c = connections(s);
  const std::uint64_t n = sum(c);
  ASSERT_GT(n, 500u);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const double share = static_cast<double>(c[i]) / static_cast<double>(n);
    EXPECT_NEAR(share, expected[i], 0.05 * expected[i]) << what << " rs" << i + 1;
    std::printf("%s rs%zu: %llu of %llu, share %.4f (expected %.4f, error %+.1f%%)\n", what, i + 1,
                static_cast<unsigned long long>(c[i]), static_cast<unsigned long long>(n), share,
                expected[i], 100 * (share / expected[i] - 1));
  }
}

// wlc weighs 256 x active + inactive connections by weight. These servers
// answer in ~1 ms, so a connection is active for a few ms and at almost every
// decision none is: the inactive counts (every connection of the run, as
// TIME_WAIT outlasts it) decide, and they end up proportional to the weights.
TEST(Shares, WlcFollowsWeights) {
  const nlohmann::json s =
      run_summary(load_text(kClusterYaml, {"services.0.scheduler=wlc", "duration=6"}));
  expect_shares(s, {3.0 / 6, 2.0 / 6, 1.0 / 6}, "wlc 3:2:1");
}

// lc ignores the weights: the same fast servers end up with equal shares.
TEST(Shares, LcSharesEqual) {
  const nlohmann::json s =
      run_summary(load_text(kClusterYaml, {"services.0.scheduler=lc", "duration=6"}));
  expect_shares(s, {1.0 / 3, 1.0 / 3, 1.0 / 3}, "lc");
}

}  // namespace
}  // namespace lvs::run_test
