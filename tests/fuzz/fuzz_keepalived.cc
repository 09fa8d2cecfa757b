// libFuzzer: keepalived.conf text either parses or throws ConfigError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lvs/config/keepalived.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  lvs::config::KeepalivedOptions opts;
  opts.config_id = "high";
  // Includes resolve to a fixed small file so the include path is exercised too.
  opts.include_resolver = [](const std::string& pattern, const std::string&) {
    std::vector<lvs::config::IncludedFile> out;
    if (pattern == "x.conf") out.push_back({"x.conf", "virtual_server 10.0.0.1 80 {\n}\n"});
    return out;
  };
  try {
    const auto cfg = lvs::config::parse_keepalived(text, "fuzz.conf", opts);
    (void)lvs::config::ipvs_services(cfg);
  } catch (const lvs::config::ConfigError&) {
  }
  return 0;
}
