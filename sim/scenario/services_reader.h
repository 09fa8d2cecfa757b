#pragma once
// The `services:` section: inline entries in the schema `lvsim import --yaml`
// writes, or `import: FILE` entries read through the core config parsers.
// Internal to lvs_scenario.

#include <string>
#include <vector>

#include "scenario/scenario.h"
#include "scenario/yaml_section.h"

namespace lvs::scenario {

// Needs the topology (default VIP) and the real servers (members refer to
// them by address or name). `base_dir` anchors relative import paths.
std::vector<Service> read_services(ReadContext& ctx, const YAML::Node& node, const std::string& base_dir,
                                   const Topology& topology, const std::vector<RealServer>& servers);

// The whole file, or a ConfigError at `at` naming `what`.
std::string read_text_file(const std::string& path, const SourcePos& at, const std::string& what);

}  // namespace lvs::scenario
