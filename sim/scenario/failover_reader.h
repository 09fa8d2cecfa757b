#pragma once
// The `failover:` section and `faults:` entries. Internal to lvs_scenario.

#include "scenario/scenario.h"
#include "scenario/yaml_section.h"

namespace lvs::scenario {

Failover read_failover(const Section& s);
// `sc` must already hold the topology and the real servers a fault may name.
Fault read_fault(const Section& s, const Scenario& sc);

}  // namespace lvs::scenario
