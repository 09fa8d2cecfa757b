// Connection sync across a takeover: with the IPVS sync daemon on, long-lived
// connections established before the crash keep delivering data to their
// clients through the backup; with it off, every one of them is broken.
#include <gtest/gtest.h>

#include <cstdio>

#include "failover/failover_support.h"

namespace lvs::failover_test {
namespace {

const std::vector<std::string> kDownloads = {"workloads.1.users=60", "duration=12"};

std::vector<std::string> with(std::vector<std::string> o, const std::string& extra) {
  o.push_back(extra);
  return o;
}

// Sync on: every one of the 60 downloads synced before the crash survives.
TEST(Sync, SyncedLongLivedFlowsSurviveTakeover) {
  const nlohmann::json s = run_pair(kDownloads);
  ASSERT_EQ(s["failovers"].size(), 1u);
  const auto& f = s["failovers"][0];
  std::printf("sync on: established %llu, survived %llu, broken %llu; sync lag mean %.3f s max %.3f s, %.0f bit/s\n",
              f["established_at_failure"].get<unsigned long long>(), f["survived"].get<unsigned long long>(),
              f["broken"].get<unsigned long long>(), s["sync"][1]["lag_mean_s"].get<double>(),
              s["sync"][1]["lag_max_s"].get<double>(), s["sync"][0]["bandwidth_bps"].get<double>());
  EXPECT_GE(f["established_at_failure"].get<std::uint64_t>(), 60u);
  // The downloads are the long-lived flows; a browser request or two may be mid-handshake.
  EXPECT_GE(f["survived"].get<std::uint64_t>(), 60u);
  EXPECT_LE(f["broken"].get<std::uint64_t>(), f["established_at_failure"].get<std::uint64_t>() - 60u);
  EXPECT_GT(s["sync"][1]["conns_created"].get<std::uint64_t>(), 60u);
  EXPECT_EQ(s["sync"][1]["decode_errors"].get<std::uint64_t>(), 0u);
  EXPECT_GT(s["sync"][1]["lag_max_s"].get<double>(), 0.0);
}

// Sync off: the backup has never heard of them, so none survives.
TEST(Sync, WithoutSyncEveryFlowIsBroken) {
  const nlohmann::json s = run_pair(with(kDownloads, "failover.sync.enabled=false"));
  ASSERT_EQ(s["failovers"].size(), 1u);
  const auto& f = s["failovers"][0];
  std::printf("sync off: established %llu, survived %llu, broken %llu\n",
              f["established_at_failure"].get<unsigned long long>(), f["survived"].get<unsigned long long>(),
              f["broken"].get<unsigned long long>());
  EXPECT_GE(f["established_at_failure"].get<std::uint64_t>(), 60u);
  EXPECT_EQ(f["survived"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(f["broken"], f["established_at_failure"]);
  EXPECT_TRUE(s["sync"].empty());
}

}  // namespace
}  // namespace lvs::failover_test
