// libFuzzer: lvs.cf text either parses or throws ConfigError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lvs/config/lvs_cf.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto cfg = lvs::config::parse_lvs_cf(text, "fuzz.cf");
    (void)lvs::config::ipvs_services(cfg);
  } catch (const lvs::config::ConfigError&) {
  }
  return 0;
}
