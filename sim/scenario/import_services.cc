#include "scenario/import_services.h"

#include <glob.h>

#include <cctype>
#include <chrono>

#include "lvs/config/ipvsadm_rules.h"
#include "lvs/config/keepalived.h"
#include "lvs/config/lvs_cf.h"
#include "scenario/services_reader.h"

namespace lvs::scenario {
namespace {

using config::ConfigError;

enum class Format { kKeepalived, kIpvsadm, kLvsCf };

// The rule `lvsim import` uses (sim/tools/config_format.h), on the first
// significant line: `-...` is ipvsadm, `NAME = ...` is lvs.cf, else keepalived.
Format detect(const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::size_t i = start;
    while (i < end && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    start = end + 1;
    if (i == end || text[i] == '#' || text[i] == '!') continue;
    if (text[i] == '-') return Format::kIpvsadm;
    if (!std::isalpha(static_cast<unsigned char>(text[i]))) return Format::kKeepalived;
    std::size_t j = i;
    while (j < end && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_' || text[j] == '-' ||
                       text[j] == '.'))
      ++j;
    while (j < end && (text[j] == ' ' || text[j] == '\t')) ++j;
    return j < end && text[j] == '=' ? Format::kLvsCf : Format::kKeepalived;
  }
  return Format::kKeepalived;
}

std::string dir_of(const std::string& file) {
  const auto slash = file.rfind('/');
  return slash == std::string::npos ? std::string(".") : file.substr(0, slash);
}

// keepalived `include`: relative to the including file, glob-expanded in order.
config::IncludeResolver include_resolver() {
  return [](const std::string& pattern, const std::string& from) {
    const std::string full = !pattern.empty() && pattern[0] == '/' ? pattern : dir_of(from) + "/" + pattern;
    std::vector<config::IncludedFile> files;
    glob_t g{};
    if (::glob(full.c_str(), 0, nullptr, &g) == 0) {
      for (std::size_t i = 0; i < g.gl_pathc; ++i) {
        const std::string p = g.gl_pathv[i];
        files.push_back({p, read_text_file(p, SourcePos{from, 0, 0}, "included")});
      }
    }
    ::globfree(&g);
    return files;
  };
}

}  // namespace

config::ClusterConfig read_keepalived_file(const std::string& path, const SourcePos& at) {
  config::KeepalivedOptions opt;
  opt.include_resolver = include_resolver();
  return config::parse_keepalived(read_text_file(path, at, "keepalived.conf"), path, opt);
}

namespace {

const config::VirtualServerConfig* source_of(const config::ClusterConfig& c, const ServiceKey& key) {
  for (const auto& vs : c.virtual_servers) {
    if (!vs.is_group() && vs.service.key == key) return &vs;
  }
  return nullptr;
}

ServiceHealth health_of(const config::VirtualServerConfig& vs) {
  ServiceHealth h;
  h.delay_loop_s = std::chrono::duration<double>(vs.delay_loop).count();
  h.quorum = vs.quorum;
  h.hysteresis = vs.hysteresis;
  h.inhibit_on_failure = vs.inhibit_on_failure;
  h.alpha = vs.alpha;
  h.omega = vs.omega;
  h.sorry_server = vs.sorry_server;
  return h;
}

Service to_service(const config::IpvsService& in, const config::ClusterConfig& cluster, const Section& s,
                   const std::string& path, const std::vector<RealServer>& servers) {
  Service svc;
  svc.ipvs = in.svc;
  svc.imported_from = path;
  const config::VirtualServerConfig* vs = source_of(cluster, in.svc.key);
  svc.pos = vs != nullptr ? vs->pos : s.pos("import");
  if (vs != nullptr) svc.health = health_of(*vs);
  for (const auto& d : in.dests) {
    Service::Member m;
    m.ipvs = d;
    m.pos = svc.pos;
    if (vs != nullptr) {
      for (const auto& e : vs->real_servers) {
        const std::uint16_t port = e.rs.port == 0 ? in.svc.key.port : e.rs.port;
        if (e.rs.addr != d.addr || port != d.port) continue;
        m.pos = e.pos;
        m.inhibit_on_failure = e.inhibit_on_failure;
        m.health_checks = e.checkers;
      }
    }
    for (const auto& r : servers) {
      if (r.address == d.addr) m.server = r.name;
    }
    if (m.server.empty()) {
      throw ConfigError(m.pos, s.field("import") + ": real server " + format_ip4(d.addr) + ":" +
                                   std::to_string(d.port) + " of " + path +
                                   " is not the address of any entry in real_servers");
    }
    svc.members.push_back(std::move(m));
  }
  return svc;
}

}  // namespace

std::vector<Service> import_services(const Section& s, const std::string& base_dir,
                                     const std::vector<RealServer>& servers) {
  const std::string file = s.required_text("import");
  const std::string path = !file.empty() && file[0] == '/' ? file : base_dir + "/" + file;
  const std::string text = read_text_file(path, s.pos("import"), "import");
  Format format = detect(text);
  if (s.has("format")) {
    const std::string f = s.text("format", "");
    if (f == "keepalived") {
      format = Format::kKeepalived;
    } else if (f == "ipvsadm") {
      format = Format::kIpvsadm;
    } else if (f == "lvs.cf" || f == "lvs_cf" || f == "piranha") {
      format = Format::kLvsCf;
    } else {
      s.fail("format", "'" + f + "' is not keepalived, ipvsadm or lvs.cf");
    }
  }
  if (s.has("config_id") && format != Format::kKeepalived) s.fail("config_id", "applies to keepalived files only");
  config::ClusterConfig cluster;
  std::vector<config::IpvsService> services;
  if (format == Format::kIpvsadm) {
    services = config::parse_ipvsadm_rules(text, path).services;
  } else if (format == Format::kLvsCf) {
    cluster = config::parse_lvs_cf(text, path);
    services = config::ipvs_services(cluster);
  } else {
    config::KeepalivedOptions opts;
    if (s.has("config_id")) opts.config_id = s.text("config_id", "");
    opts.include_resolver = include_resolver();
    cluster = config::parse_keepalived(text, path, opts);
    services = config::ipvs_services(cluster);
  }
  std::vector<Service> out;
  for (const auto& in : services) out.push_back(to_service(in, cluster, s, path, servers));
  if (out.empty()) s.fail("import", path + " defines no virtual services");
  return out;
}

}  // namespace lvs::scenario
