#pragma once
// Scenario files (scenarios/README.md) to the Scenario model. These check
// everything a single field or reference can get wrong — YAML syntax, unknown
// keys, values, units, addresses, names a service or workload refers to —
// and throw config::ConfigError ("FILE:LINE:COL: error: FIELD: ...") at the
// first problem. Whole-topology checks (address conflicts, routes, the VIP's
// network) are check_scenario()'s job (scenario/check.h).

#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"

namespace lvs::scenario {

// `overrides` are --set KEY=VALUE strings, applied in order to the YAML tree
// before it is read. `file` names the text in errors and anchors relative
// `import:` paths.
Scenario parse_scenario(std::string_view text, const std::string& file,
                        const std::vector<std::string>& overrides = {});

// Reads `path` and parses it. An unreadable file is a ConfigError at FILE:0:0.
Scenario read_scenario_file(const std::string& path, const std::vector<std::string>& overrides = {});

// Cost model profiles by name ("ipvs-nat", "none", "custom"): the defaults a
// router's cost_model starts from. Throws std::out_of_range on an unknown name.
CostModel cost_profile(const std::string& name);

}  // namespace lvs::scenario
