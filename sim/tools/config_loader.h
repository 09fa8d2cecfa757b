#pragma once
// Reads a keepalived.conf, `ipvsadm -S` rules or piranha lvs.cf file into the
// one service model every lvsim command uses. File access (including
// keepalived's `include` globs) happens here, outside core.

#include <optional>
#include <string>
#include <vector>

#include "lvs/config/cluster_config.h"
#include "lvs/config/keepalived.h"
#include "tools/config_format.h"

namespace lvs::tools {

struct LoadOptions {
  std::optional<ConfigFormat> format;     // unset: detect_format()
  std::optional<std::string> config_id;   // keepalived --config-id
};

struct LoadedConfig {
  std::string path;
  ConfigFormat format = ConfigFormat::kKeepalived;
  // keepalived and lvs.cf: everything the file says (health checks, VRRP, ...).
  // ipvsadm rules carry services only, so this stays empty for them.
  config::ClusterConfig cluster;
  std::vector<config::IpvsService> services;  // what IPVS would be programmed with
  std::vector<config::Warning> warnings;
};

// Throws config::ConfigError on a syntax error (what() is FILE:LINE:COL) and
// ToolError when a file cannot be read.
LoadedConfig load_config(const std::string& path, const LoadOptions& options = {});

// The whole file; throws ToolError.
std::string read_file(const std::string& path);

// keepalived `include`: the pattern is taken relative to the including file's
// directory unless absolute, expanded with glob(3) in sorted order.
config::IncludeResolver file_include_resolver();

// "FILE:LINE:COL: warning: MESSAGE"
std::string format_warning(const config::Warning& w);

}  // namespace lvs::tools
