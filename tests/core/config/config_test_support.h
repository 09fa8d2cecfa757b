#pragma once
// Test-side file access for the config parsers: core does no I/O, so the
// include resolver (with glob expansion) and sample loading live here.

#include <glob.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lvs/config/keepalived.h"

namespace lvs::config::testing {

inline std::string shared_keepalived_dir() { return std::string(LVS_SHARED_DATA_DIR) + "/keepalived"; }

inline bool read_text(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

inline std::vector<std::string> glob_paths(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {
    for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  return out;
}

// Relative patterns are taken from the including file's directory, as
// keepalived does.
inline IncludedFile read_or_empty(const std::string& path) {
  IncludedFile f{path, ""};
  read_text(path, f.text);
  return f;
}

inline IncludeResolver file_resolver() {
  return [](const std::string& pattern, const std::string& from) {
    std::string full = pattern;
    if (!pattern.empty() && pattern[0] != '/') {
      const auto slash = from.rfind('/');
      full = (slash == std::string::npos ? std::string(".") : from.substr(0, slash)) + "/" + pattern;
    }
    std::vector<IncludedFile> files;
    for (const auto& p : glob_paths(full)) files.push_back(read_or_empty(p));
    return files;
  };
}

inline ClusterConfig load_sample(const std::string& name) {
  const std::string path = shared_keepalived_dir() + "/" + name;
  std::string text;
  if (!read_text(path, text)) throw std::runtime_error("cannot read " + path);
  KeepalivedOptions opts;
  opts.include_resolver = file_resolver();
  return parse_keepalived(text, path, opts);
}

}  // namespace lvs::config::testing

#define LVS_REQUIRE_SHARED_KEEPALIVED_DATA()                                                  \
  do {                                                                                        \
    if (::lvs::config::testing::glob_paths(                                                   \
            ::lvs::config::testing::shared_keepalived_dir() + "/keepalived.conf.*")           \
            .empty()) {                                                                       \
      GTEST_SKIP() << "keepalived sample data is absent: no keepalived.conf.* in "            \
                   << ::lvs::config::testing::shared_keepalived_dir();                        \
    }                                                                                         \
  } while (0)
