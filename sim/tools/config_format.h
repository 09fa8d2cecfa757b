#pragma once
// The three configuration formats lvsim reads, and how it tells them apart
// when the user does not say.

#include <optional>
#include <string>
#include <string_view>

namespace lvs::tools {

enum class ConfigFormat { kKeepalived, kIpvsadm, kLvsCf };

// "keepalived", "ipvsadm", "lvs.cf".
std::string_view format_name(ConfigFormat format);
// Accepts the names above (and "lvs_cf", "piranha" for lvs.cf).
std::optional<ConfigFormat> parse_format_name(std::string_view name);

// Detection, on the first significant line (blank lines and lines starting
// with `#` or `!` are skipped):
//   1. it starts with `-` (an ipvsadm option such as -A, -a, -C)   -> ipvsadm
//   2. it is `NAME = value` (a bare identifier, then `=`)           -> lvs.cf
//      (keepalived never writes `=` after a keyword; its `$NAME=`
//      definitions start with `$`)
//   3. anything else                                                -> keepalived
// A file with no significant line is lvs.cf when its name ends in `.cf`,
// keepalived otherwise (both parse an empty file to an empty model).
ConfigFormat detect_format(std::string_view text, std::string_view path);

}  // namespace lvs::tools
