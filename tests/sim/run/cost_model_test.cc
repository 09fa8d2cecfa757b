// The router cost model end to end, through a scenario: offered twice its
// capacity, the director forwards its capacity and drops the excess.
#include <gtest/gtest.h>

#include <cmath>

#include "run_test_support.h"

namespace lvs::run_test {
namespace {

// One UDP service (one datagram each way per request) behind a director that
// spends 500 us per packet on one core: 2,000 packets/s. Poisson requests at
// 2,990/s for 2.5 s; only the ~1/3 of them the queue admits bring a response
// back through the director, so it is offered ~2,990 x 1.34 = 4,000 packets/s,
// twice its capacity. Timeouts of 200 ms and 0.5 s of drain after the last
// request let every request end in the log.
const char* const kUdpOverload = R"(
name: cost-model
duration: 3s
seed: 4
topology:
  clients: {addresses: 400, nodes: 4, network: 100.64.0.0/16, access_link: {rate: 1Gbps, delay: 1ms}}
  public_lan: {network: 203.0.113.0/24, rate: 1Gbps, delay: 1us}
  private_lan: {network: 10.1.0.0/24, rate: 1Gbps, delay: 1us}
  vip: 203.0.113.10
  nat_gateway_ip: 10.1.0.254
  routers:
    - name: lvs1
      public_ip: 203.0.113.2
      private_ip: 10.1.0.2
      cost_model: {profile: custom, per_packet: 500us, cores: 1, queue: 20}
real_servers:
  - {name: rs1, address: 10.1.0.11, workers: 256, backlog: 100000, service_time: 1ms}
  - {name: rs2, address: 10.1.0.12, workers: 256, backlog: 100000, service_time: 1ms}
services:
  - {name: dns, proto: udp, port: 53, scheduler: rr, real_servers: [{server: rs1}, {server: rs2}]}
workloads:
  - {name: queries, service: dns, rate: 2990, request_size: 100, response_size: 100, timeout: 200ms, stop: 2.5s}
)";

// Forwarded = capacity +-2%, queue drops = offered - capacity +-2% of capacity,
// offered counted independently of the director: requests the clients issued
// plus responses the real servers sent.
TEST(CostModelEndToEnd, TwiceCapacityForwardsCapacityDropsExcess) {
  const nlohmann::json s = run_summary(load_text(kUdpOverload));
  const double load_s = 2.5;
  const double capacity = load_s / 500e-6;  // packets the core can serve while the load lasts
  double served = 0;
  for (const auto& rs : s["real_servers"]) served += rs["requests_served"].get<double>();
  const double requests = s["requests"]["total"].get<double>();
  const double offered = requests + served;
  const auto& router = s["routers"][0];
  const double forwarded = router["forwarded"].get<double>();
  const double drops = router["queue_drops"].get<double>();
  std::printf("capacity %.0f, offered %.0f (%.0f requests + %.0f responses), forwarded %.0f (%+.2f%%), "
              "queue drops %.0f vs excess %.0f (%+.2f%% of capacity)\n",
              capacity, offered, requests, served, forwarded, 100 * (forwarded / capacity - 1), drops,
              offered - capacity, 100 * (drops - (offered - capacity)) / capacity);
  // Every request ended: answered (its response made it through) or timed out.
  EXPECT_EQ(s["requests"]["ok"].get<double>() + s["requests"]["timeout"].get<double>(), requests);
  EXPECT_NEAR(offered, 2 * capacity, 0.05 * 2 * capacity);
  EXPECT_NEAR(forwarded, capacity, 0.02 * capacity);
  EXPECT_NEAR(drops, offered - capacity, 0.02 * capacity);
  EXPECT_EQ(router["engine_drops"].size(), 0u) << router["engine_drops"];
}

}  // namespace
}  // namespace lvs::run_test
