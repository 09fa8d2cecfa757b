// A SYN flood against a bounded connection table (scenarios/synflood.yaml,
// shortened): the table fills to exactly its bound and stays there, the
// excess SYNs are dropped and counted as table_full, and the connections
// established before the flood keep delivering data to their clients.
#include <gtest/gtest.h>

#include <cstdio>

#include "run/run_test_support.h"

namespace lvs::failover_test {
namespace {

TEST(SynFlood, TableBoundedDropsCountedEstablishedFlowsKeepFlowing) {
  const nlohmann::json s = run_test::run_summary(run_test::load_file(
      "synflood.yaml", {"duration=8", "faults.1.at=7", "faults.0.rate=10000",
                        "topology.routers.0.connection_table=5000"}));
  const auto& f = s["synflood"];
  const auto& r = f["routers"][0];
  std::printf("SYNs sent %llu; table %llu of %llu; table_full drops %llu; established %llu, still delivering %llu\n",
              f["syns_sent"].get<unsigned long long>(), r["connection_table_peak"].get<unsigned long long>(),
              r["connection_table_capacity"].get<unsigned long long>(), r["table_full_drops"].get<unsigned long long>(),
              f["established_at_start"].get<unsigned long long>(), f["kept_delivering"].get<unsigned long long>());
  EXPECT_NEAR(f["syns_sent"].get<double>(), 20000.0, 2.0);  // 10,000/s from 5 s to 7 s
  EXPECT_EQ(r["connection_table_capacity"].get<std::uint64_t>(), 5000u);
  EXPECT_EQ(r["connection_table_peak"].get<std::uint64_t>(), 5000u);
  // Everything beyond the table's room was dropped and counted.
  EXPECT_GT(r["table_full_drops"].get<std::uint64_t>(), 20000u - 5000u - 500u);
  EXPECT_EQ(s["routers"][0]["engine_drops"]["table_full"], r["table_full_drops"]);
  // The 20 downloads established before the flood all kept receiving data.
  EXPECT_EQ(f["established_at_start"].get<std::uint64_t>(), 20u);
  EXPECT_EQ(f["kept_delivering"], f["established_at_start"]);
}

}  // namespace
}  // namespace lvs::failover_test
