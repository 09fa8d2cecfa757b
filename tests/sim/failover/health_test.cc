// Health checks in the simulation (scenarios/health.yaml): a crashed real
// server is taken out by every router's checker after its retries, no new
// connection goes to it while it is out, and it is re-added once it answers
// again; a hung server fails its HTTP_GET; a MISC_CHECK follows its scripted
// exit codes, with inhibit_on_failure setting weight 0 instead of removing
// the server.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

#include "run/run_test_support.h"

namespace lvs::failover_test {
namespace {

struct HealthEventRow {
  double t = -1;
  double figure = -1;  // detection_s or readd_s
};

// (router, server, what) -> the event.
std::map<std::string, HealthEventRow> by_key(const nlohmann::json& s) {
  std::map<std::string, HealthEventRow> out;
  for (const auto& h : s["health"]) {
    if (!h.contains("server")) continue;
    const std::string key = h["router"].get<std::string>() + " " + h["server"].get<std::string>() + " " +
                            h["what"].get<std::string>();
    HealthEventRow row;
    row.t = h["t"].get<double>();
    if (h.contains("detection_s") && !h["detection_s"].is_null()) row.figure = h["detection_s"].get<double>();
    if (h.contains("readd_s") && !h["readd_s"].is_null()) row.figure = h["readd_s"].get<double>();
    out[key] = row;
  }
  return out;
}

TEST(Health, CrashDetectedAfterRetriesAndReaddedAfterRecovery) {
  const nlohmann::json s = run_test::run_summary(run_test::load_file("health.yaml"));
  const auto ev = by_key(s);
  for (const char* router : {"lvs1", "lvs2"}) {
    SCOPED_TRACE(router);
    const std::string r = router;
    // rs1: TCP_CHECK every 2 s, connect_timeout 1 s, retry 2, 0.5 s between retries;
    // crashed at 5 s: the first failed probe starts by 7 s and the third
    // consecutive failure ends by 7 + 3 x 1 + 2 x 0.5 = 11 s.
    ASSERT_TRUE(ev.count(r + " 10.1.0.11:80 server_down"));
    const auto down = ev.at(r + " 10.1.0.11:80 server_down");
    std::printf("%s rs1 down at %.3f s (detection %.3f s)\n", router, down.t, down.figure);
    EXPECT_GE(down.figure, 3 * 1.0 + 2 * 0.5 - 1e-6);
    EXPECT_LE(down.figure, 2.0 + 3 * 1.0 + 2 * 0.5 + 1e-6);
    // Back at 15 s: the next probe (every 2 s while down, after its retries) passes.
    ASSERT_TRUE(ev.count(r + " 10.1.0.11:80 server_up"));
    const auto up = ev.at(r + " 10.1.0.11:80 server_up");
    std::printf("%s rs1 up at %.3f s (re-add %.3f s)\n", router, up.t, up.figure);
    EXPECT_GT(up.t, 15.0);
    EXPECT_LE(up.figure, 2.0 + 1.0 + 1e-6);
    // rs3's script fails from 11 s to 19 s: down and up at the first checks after.
    ASSERT_TRUE(ev.count(r + " 10.1.0.13:80 server_down"));
    ASSERT_TRUE(ev.count(r + " 10.1.0.13:80 server_up"));
    EXPECT_GE(ev.at(r + " 10.1.0.13:80 server_down").t, 11.0);
    EXPECT_LE(ev.at(r + " 10.1.0.13:80 server_down").t, 13.0 + 1e-6);
    EXPECT_GE(ev.at(r + " 10.1.0.13:80 server_up").t, 19.0);
    EXPECT_LE(ev.at(r + " 10.1.0.13:80 server_up").t, 21.0 + 1e-6);
    // rs2 got slow at 8 s (not down: its checks still pass), then hung at
    // 20 s: its HTTP_GET times out twice (retry 1), so it goes down after
    // the hang and not before; re-added after the hang ends at 26 s.
    ASSERT_TRUE(ev.count(r + " 10.1.0.12:80 server_down"));
    EXPECT_GT(ev.at(r + " 10.1.0.12:80 server_down").t, 20.0 + 2 * 1.0);
    EXPECT_LE(ev.at(r + " 10.1.0.12:80 server_down").t, 20.0 + 2.0 + 2 * 1.0 + 3.0 + 1e-6);
    ASSERT_TRUE(ev.count(r + " 10.1.0.12:80 server_up"));
    EXPECT_GT(ev.at(r + " 10.1.0.12:80 server_up").t, 26.0);
  }
  // Every server is back and serving at the end.
  for (const auto& rs : s["real_servers"]) EXPECT_GT(rs["connections"].get<std::uint64_t>(), 0u) << rs["name"];
}

// While rs1 is out of the table no request fails: only requests sent to it
// before the checker noticed time out.
TEST(Health, NoFailuresWhileTheDeadServerIsOut) {
  // Load only between detection (by 11 s) and recovery (15 s).
  const nlohmann::json s = run_test::run_summary(
      run_test::load_file("health.yaml", {"workloads.0.start=11.5", "workloads.0.stop=14.5", "duration=20"}));
  EXPECT_GT(s["requests"]["ok"].get<std::uint64_t>(), 200u);
  EXPECT_EQ(s["requests"]["timeout"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(s["requests"]["reset"].get<std::uint64_t>(), 0u);
}

}  // namespace
}  // namespace lvs::failover_test
