#pragma once
// Paths and small helpers shared by the scenario tests.

#include <fstream>
#include <sstream>
#include <string>

#include "lvs/config/diagnostics.h"
#include "scenario/scenario_reader.h"

namespace lvs::scenario::testing {

inline std::string data_path(const std::string& name) {
  return std::string(LVS_TEST_DATA_DIR) + "/scenarios/" + name;
}

inline std::string config_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The one-line error reading `name` (with `overrides`) throws; "" if none.
inline std::string read_error(const std::string& name, const std::vector<std::string>& overrides = {}) {
  try {
    read_scenario_file(data_path(name), overrides);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace lvs::scenario::testing
