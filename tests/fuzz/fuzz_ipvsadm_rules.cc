// libFuzzer: ipvsadm rules parse or throw ConfigError, and what parses
// writes back to the same rules.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "lvs/config/ipvsadm_rules.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto rules = lvs::config::parse_ipvsadm_rules(text, "fuzz.rules");
    const std::string once = lvs::config::write_ipvsadm_rules(rules.services);
    const std::string twice =
        lvs::config::write_ipvsadm_rules(lvs::config::parse_ipvsadm_rules(once, "again").services);
    if (once != twice) std::abort();
  } catch (const lvs::config::ConfigError&) {
  }
  return 0;
}
