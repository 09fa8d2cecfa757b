#pragma once
// The `failover:` section and `faults:` entries. Internal to lvs_scenario.

#include "scenario/scenario.h"
#include "scenario/yaml_section.h"

namespace lvs::scenario {

Failover read_failover(const Section& s);
// `sc` must already hold the topology and the real servers a fault may name.
Fault read_fault(const Section& s, const Scenario& sc);
// Routers configured by their own keepalived.conf (`keepalived: FILE`): both
// routers must have one, each with a vrrp_instance on eth0 holding the VIP
// and one on eth1 holding the NAT gateway IP, in one vrrp_sync_group. Turns
// failover on. `root` is the scenario's top level.
void check_keepalived_routers(const Section& root, Scenario& sc);

}  // namespace lvs::scenario
