// libFuzzer target for the scenario reader: YAML text (and --set overrides
// taken from its first lines) in, a Scenario or one ConfigError out. Any other
// exception, crash or sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lvs/config/diagnostics.h"
#include "scenario/scenario_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // Lines starting with "#set " before the document are --set overrides.
  std::vector<std::string> overrides;
  while (text.substr(0, 5) == "#set ") {
    const std::size_t end = text.find('\n');
    overrides.emplace_back(text.substr(5, end == std::string_view::npos ? end : end - 5));
    if (end == std::string_view::npos) {
      text = {};
      break;
    }
    text.remove_prefix(end + 1);
  }
  try {
    (void)lvs::scenario::parse_scenario(text, "fuzz.yaml", overrides);
  } catch (const lvs::config::ConfigError& e) {
    if (std::string(e.what()).find("fuzz.yaml") == std::string::npos &&
        std::string(e.what()).find("--set") == std::string::npos)
      __builtin_trap();  // every error names where it is
  }
  return 0;
}
