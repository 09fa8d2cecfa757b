#pragma once
// One `workloads:` entry. Internal to lvs_scenario.

#include "scenario/scenario.h"
#include "scenario/yaml_section.h"

namespace lvs::scenario {

// `sc` must already hold the services the workload may name.
Workload read_workload(const Section& s, const Scenario& sc);

// The service a workload's `service:` names: "VIP:PORT", "PORT" (on the
// floating VIP), or a service's name; "" means the only service there is.
// Returns its index in `services`, or nullopt.
std::optional<std::size_t> find_service(const std::string& ref, const std::vector<Service>& services, Ip4 vip);

}  // namespace lvs::scenario
