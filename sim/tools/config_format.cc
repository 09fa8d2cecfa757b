#include "tools/config_format.h"

#include <cctype>

namespace lvs::tools {
namespace {

std::string_view trim_left(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// `NAME = ...` with NAME a bare identifier.
bool is_assignment(std::string_view line) {
  if (line.empty() || !std::isalpha(static_cast<unsigned char>(line[0]))) return false;
  std::size_t i = 0;
  while (i < line.size() && is_ident_char(line[i])) ++i;
  const std::string_view rest = trim_left(line.substr(i));
  return !rest.empty() && rest[0] == '=';
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string_view format_name(ConfigFormat format) {
  switch (format) {
    case ConfigFormat::kKeepalived: return "keepalived";
    case ConfigFormat::kIpvsadm: return "ipvsadm";
    case ConfigFormat::kLvsCf: return "lvs.cf";
  }
  return "?";
}

std::optional<ConfigFormat> parse_format_name(std::string_view name) {
  if (name == "keepalived") return ConfigFormat::kKeepalived;
  if (name == "ipvsadm") return ConfigFormat::kIpvsadm;
  if (name == "lvs.cf" || name == "lvs_cf" || name == "piranha") return ConfigFormat::kLvsCf;
  return std::nullopt;
}

ConfigFormat detect_format(std::string_view text, std::string_view path) {
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = trim_left(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    if (line[0] == '-') return ConfigFormat::kIpvsadm;
    if (is_assignment(line)) return ConfigFormat::kLvsCf;
    return ConfigFormat::kKeepalived;
  }
  return ends_with(path, ".cf") ? ConfigFormat::kLvsCf : ConfigFormat::kKeepalived;
}

}  // namespace lvs::tools
