#include "tools/config_loader.h"

#include <glob.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "lvs/config/ipvsadm_rules.h"
#include "lvs/config/keepalived.h"
#include "lvs/config/lvs_cf.h"
#include "tools/tool_error.h"

namespace lvs::tools {
namespace {

std::vector<std::string> glob_paths(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  const int rc = ::glob(pattern.c_str(), 0, nullptr, &g);
  if (rc == 0) {
    for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  return out;
}

std::string directory_of(const std::string& file) {
  const auto slash = file.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : file.substr(0, slash);
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ToolError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw ToolError(path + ": read error");
  return ss.str();
}

config::IncludeResolver file_include_resolver() {
  return [](const std::string& pattern, const std::string& from) {
    const std::string full =
        !pattern.empty() && pattern[0] == '/' ? pattern : directory_of(from) + "/" + pattern;
    std::vector<config::IncludedFile> files;
    for (const auto& p : glob_paths(full)) files.push_back({p, read_file(p)});
    return files;
  };
}

std::string format_warning(const config::Warning& w) {
  return w.pos.str() + ": warning: " + w.message;
}

LoadedConfig load_config(const std::string& path, const LoadOptions& options) {
  LoadedConfig out;
  out.path = path;
  const std::string text = read_file(path);
  out.format = options.format ? *options.format : detect_format(text, path);
  switch (out.format) {
    case ConfigFormat::kIpvsadm: {
      config::IpvsRules rules = config::parse_ipvsadm_rules(text, path);
      out.services = std::move(rules.services);
      out.warnings = std::move(rules.warnings);
      return out;
    }
    case ConfigFormat::kKeepalived: {
      config::KeepalivedOptions ko;
      ko.config_id = options.config_id;
      ko.include_resolver = file_include_resolver();
      out.cluster = config::parse_keepalived(text, path, ko);
      break;
    }
    case ConfigFormat::kLvsCf:
      out.cluster = config::parse_lvs_cf(text, path);
      break;
  }
  out.services = config::ipvs_services(out.cluster);
  out.warnings = out.cluster.warnings;
  return out;
}

}  // namespace lvs::tools
