#pragma once
// A small LVS NAT pair with VRRP for the failover tests: two routers
// (priority 150 active, 100 backup), three real servers, light open-loop
// load plus long downloads; the active router crashes at 5 s.

#include <string>
#include <vector>

#include "run/run_test_support.h"

namespace lvs::failover_test {

inline const char* const kPairYaml = R"(
name: failover-test
duration: 14s
seed: 5
topology:
  clients: {addresses: 100, nodes: 2, access_link: {rate: 10Mbps, delay: 5ms}}
  public_lan: {network: 203.0.113.0/24, rate: 1Gbps, delay: 1us}
  private_lan: {network: 10.1.0.0/24, rate: 1Gbps, delay: 1us}
  vip: 203.0.113.10
  nat_gateway_ip: 10.1.0.254
  routers:
    - {name: lvs1, public_ip: 203.0.113.2, private_ip: 10.1.0.2, priority: 150, cost_model: {profile: none}}
    - {name: lvs2, public_ip: 203.0.113.3, private_ip: 10.1.0.3, priority: 100, backup: true, cost_model: {profile: none}}
real_servers:
  - {name: rs1, address: 10.1.0.11, workers: 16, service_time: 2ms}
  - {name: rs2, address: 10.1.0.12, workers: 16, service_time: 2ms}
  - {name: rs3, address: 10.1.0.13, workers: 16, service_time: 2ms}
services:
  - {name: web, proto: tcp, port: 80, scheduler: rr, real_servers: [{server: rs1}, {server: rs2}, {server: rs3}]}
workloads:
  - {name: browsers, kind: open, service: web, rate: 40, request_size: 200, response_size: 2000, timeout: 5s}
  - {name: downloads, kind: closed, service: web, users: 4, think_time: 0, request_size: 200, response_size: 10MB, timeout: 300s}
failover:
  vrrp: {version: 2, advert_int: 1s, mode: garp}
  sync: {enabled: true}
faults:
  - {at: 5s, action: down, target: lvs1}
)";

inline nlohmann::json run_pair(const std::vector<std::string>& overrides) {
  return run_test::run_summary(run_test::load_text(kPairYaml, overrides));
}

}  // namespace lvs::failover_test
