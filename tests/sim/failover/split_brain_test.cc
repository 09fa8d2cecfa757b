// Split brain (scenarios/split-brain.yaml): cutting the path between the
// routers makes both VRRP master while each still reaches everyone else;
// healing it ends the split when the lower-priority router hears the
// higher-priority adverts, and the report says how requests fared.
#include <gtest/gtest.h>

#include "run/run_test_support.h"

namespace lvs::failover_test {
namespace {

TEST(SplitBrain, BothMastersDuringPartitionOneAfterHeal) {
  const nlohmann::json s = run_test::run_summary(run_test::load_file("split-brain.yaml", {"duration=17"}));
  ASSERT_EQ(s["split_brain"].size(), 1u) << s["split_brain"].dump();
  const auto& sb = s["split_brain"][0];
  // The backup becomes master 3 x 1 s + 156/256 s after the last advert before the cut at 6 s.
  EXPECT_GT(sb["from_s"].get<double>(), 6.0 + 2.609);
  EXPECT_LT(sb["from_s"].get<double>(), 6.0 + 3.61);
  // Healed at 14 s: over by the next advert from the master.
  EXPECT_GE(sb["to_s"].get<double>(), 14.0);
  EXPECT_LT(sb["to_s"].get<double>(), 15.01);
  // Traffic kept flowing during the split (through the router the neighbours followed).
  EXPECT_GT(sb["requests_during"]["ok"].get<std::uint64_t>(), 100u);
  EXPECT_EQ(s["vrrp"][0]["state"], "MASTER");
  EXPECT_EQ(s["vrrp"][1]["state"], "BACKUP");
  EXPECT_TRUE(sb.contains("requests_after"));
  EXPECT_TRUE(s["failovers"].empty());
  // A real split brain is not mistaken for a preempting handover.
  EXPECT_TRUE(s["handovers"].empty()) << s["handovers"].dump();
}

}  // namespace
}  // namespace lvs::failover_test
