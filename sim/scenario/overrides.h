#pragma once
// `--set key=value`: replace one field of the scenario's YAML tree before it
// is read, so an override goes through exactly the checks the file does.
// Keys are dotted paths with list indices ("workloads.0.rate",
// "topology.routers.1.cost_model.cores"); the value is read as YAML, so
// lists and mappings work too ("workloads.0.schedule=[[0,100],[10,500]]").

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace lvs::scenario {

struct Override {
  std::string path;
  std::string value;
};

// Splits "key=value"; throws config::ConfigError when there is no '='.
Override parse_override(const std::string& text);

// Applies `o` to `root`. A path the schema does not know, an index past the
// end of a list, or a path through a plain value is a config::ConfigError
// with a hint; it names "<--set PATH>" as the position.
void apply_override(YAML::Node root, const Override& o);

}  // namespace lvs::scenario
