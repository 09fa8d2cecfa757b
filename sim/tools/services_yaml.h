#pragma once
// The `services:` section of an lvsim scenario, written from a loaded config.
// The schema is documented in scenarios/README.md ("services").

#include <string>

#include "tools/config_loader.h"

namespace lvs::tools {

// A YAML document whose only key is `services`: one entry per IPVS service
// (keepalived groups expanded), with the keepalived health-check settings of
// its virtual_server and real servers where the file had them.
std::string services_yaml(const LoadedConfig& cfg);

}  // namespace lvs::tools
