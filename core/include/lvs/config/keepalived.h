#pragma once
// keepalived.conf reader, following keepalived 2.2.7's grammar:
//  - `!` and `#` start a comment wherever a token could start;
//  - `{` and `}` are tokens of their own; blocks nest;
//  - "quoted strings" (backslash escapes the next character);
//  - `@ID line` is used only when ID equals the config id, `@^ID line` only
//    when it does not (keepalived --config-id);
//  - `$NAME=value` defines a parameter; `$NAME` / `${NAME}` substitute it
//    (recursively; unknown names are left as written). A value ending in `\`
//    continues on the next line, and each continuation line becomes its own
//    line where the parameter is used;
//  - `include PATTERN` goes through the caller's IncludeResolver.
// Columns on a line that had parameters substituted refer to the substituted
// text.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lvs/config/cluster_config.h"

namespace lvs::config {

struct IncludedFile {
  std::string path;
  std::string text;
};

// Given `include`'s pattern and the including file's path, return the files
// it names (glob expanded, in order). An empty result is reported as a
// warning, as keepalived does. Throw ConfigError to make it fatal.
using IncludeResolver =
    std::function<std::vector<IncludedFile>(const std::string& pattern, const std::string& from_file)>;

struct KeepalivedOptions {
  std::optional<std::string> config_id;  // unset: every `@ID` line is skipped
  IncludeResolver include_resolver;      // unset: `include` is an error
  unsigned max_include_depth = 16;
};

ClusterConfig parse_keepalived(std::string_view text, const std::string& file,
                               const KeepalivedOptions& options = {});

}  // namespace lvs::config
