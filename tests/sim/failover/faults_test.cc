// The other fault actions on links and the VRRP transport: extra delay on
// the access links and loss on a LAN change what clients see as the
// scenario says, a delay on a CSMA LAN is refused, and VRRP over
// unicast_peer takes over with the same timing as multicast.
#include <gtest/gtest.h>

#include <cstdio>

#include "failover/failover_support.h"

namespace lvs::failover_test {
namespace {

// No crash; an optional fault on a LAN for the whole run after 1 s.
nlohmann::json run_link_fault(const std::string& fault) {
  std::vector<std::string> o = {"duration=6", "faults.0.action=up", "workloads.1.users=1"};
  if (!fault.empty()) o.push_back("faults=[" + fault + "]");
  return run_pair(o);
}

// 20 ms more each way on the access links adds 40 ms per round trip: a
// request (handshake + request/response, two round trips) gets slower by
// more than one extra round trip and at most two (the download sharing the
// link is slower too, so it queues the requests less).
TEST(LinkFaults, ExtraDelayShowsInLatency) {
  const double base = run_link_fault("")["latency"]["p50_s"].get<double>();
  const nlohmann::json s = run_link_fault("{at: 0s, action: delay, target: access_link, extra: 20ms}");
  const double delayed = s["latency"]["p50_s"].get<double>();
  std::printf("p50 %.1f ms -> %.1f ms with 20 ms extra delay on the access links\n", base * 1e3, delayed * 1e3);
  EXPECT_GT(delayed - base, 0.040);
  EXPECT_LT(delayed - base, 0.120);
}

TEST(LinkFaults, DelayOnALanIsRefused) {
  EXPECT_THROW(run_link_fault("{at: 1s, action: delay, target: public_lan, extra: 20ms}"), config::ConfigError);
}

// 10% loss on the private LAN: some frames are lost (TCP recovers), so
// requests still complete but the tail gets slower.
TEST(LinkFaults, LossIsRecoveredByTcp) {
  const nlohmann::json base = run_link_fault("");
  const nlohmann::json s = run_link_fault("{at: 1s, action: loss, target: private_lan, rate: 0.1}");
  std::printf("p99 %.1f ms -> %.1f ms with 10%% loss on the private LAN; ok %llu of %llu\n",
              base["latency"]["p99_s"].get<double>() * 1e3, s["latency"]["p99_s"].get<double>() * 1e3,
              s["requests"]["ok"].get<unsigned long long>(), s["requests"]["total"].get<unsigned long long>());
  EXPECT_GT(s["latency"]["p99_s"].get<double>(), base["latency"]["p99_s"].get<double>() + 0.1);
  EXPECT_GT(s["requests"]["ok"].get<double>(), 0.8 * s["requests"]["total"].get<double>());
}

// unicast_peer: adverts go to the other router's address; the master-down
// timing is VRRP's, whatever the transport.
TEST(Takeover, UnicastPeerSameTiming) {
  const nlohmann::json s = run_pair({"failover.vrrp.unicast=true", "duration=11"});
  ASSERT_EQ(s["failovers"].size(), 1u);
  EXPECT_NEAR(s["failovers"][0]["after_last_advert_s"].get<double>(), 3.0 + 156.0 / 256.0, 1e-3);
  EXPECT_EQ(s["failovers"][0]["requests_after_takeover"]["failed"].get<std::uint64_t>(), 0u);
  EXPECT_GT(s["vrrp"][1]["adverts_received"].get<std::uint64_t>(), 0u);
}

}  // namespace
}  // namespace lvs::failover_test
