#pragma once
// `services: - import: FILE [format: keepalived|ipvsadm|lvs.cf] [config_id: ID]`:
// the services a keepalived.conf, `ipvsadm -S` rules or piranha lvs.cf file
// programs, read by the core parsers (lvs/config/). Internal to lvs_scenario.

#include <string>
#include <vector>

#include "scenario/scenario.h"
#include "scenario/yaml_section.h"

namespace lvs::scenario {

// `s` is the import entry. Each imported real server must match an entry of
// `servers` by address; the scenario's own entry says how it behaves.
std::vector<Service> import_services(const Section& s, const std::string& base_dir,
                                     const std::vector<RealServer>& servers);

// A keepalived.conf (with its includes), as keepalived would read it;
// `at` is where the scenario names it.
config::ClusterConfig read_keepalived_file(const std::string& path, const SourcePos& at);

}  // namespace lvs::scenario
