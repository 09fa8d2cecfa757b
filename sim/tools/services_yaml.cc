#include "tools/services_yaml.h"

#include <yaml-cpp/yaml.h>

#include <chrono>

#include "lvs/config/ipvsadm_rules.h"

namespace lvs::tools {
namespace {

using config::CheckerConfig;
using config::ClusterConfig;
using config::RealServerEntry;
using config::VirtualServerConfig;

std::string_view method_name(ForwardMethod m) {
  switch (m) {
    case ForwardMethod::kMasq: return "nat";
    case ForwardMethod::kDirectRoute: return "dr";
    case ForwardMethod::kTunnel: return "tun";
    case ForwardMethod::kLocalNode: return "local";
    case ForwardMethod::kBypass: return "bypass";
  }
  return "?";
}

std::string_view proto_lower(Proto p) {
  switch (p) {
    case Proto::kTcp: return "tcp";
    case Proto::kUdp: return "udp";
    case Proto::kIcmp: return "icmp";
    case Proto::kIp: return "ip";
  }
  return "?";
}

// Seconds: whole numbers stay integers, the rest keep their millisecond part.
void emit_seconds(YAML::Emitter& y, Duration d) {
  const auto ms = std::chrono::duration_cast<milliseconds>(d).count();
  if (ms % 1000 == 0) {
    y << ms / 1000;
  } else {
    y << static_cast<double>(ms) / 1000.0;
  }
}

template <class T>
void key_value(YAML::Emitter& y, const char* key, const T& value) {
  y << YAML::Key << key << YAML::Value << value;
}

void key_seconds(YAML::Emitter& y, const char* key, Duration d) {
  y << YAML::Key << key << YAML::Value;
  emit_seconds(y, d);
}

bool in_group(const ClusterConfig& c, const VirtualServerConfig& vs, const ServiceKey& key) {
  const config::VirtualServerGroup* g = c.find_group(vs.group);
  if (g == nullptr) return false;
  for (const auto& e : g->entries) {
    if (e.fwmark != 0 ? e.fwmark == key.fwmark
                      : key.fwmark == 0 && vs.service.key.proto == key.proto && key.addr >= e.first &&
                            key.addr <= e.last && e.port == key.port)
      return true;
  }
  return false;
}

// The virtual_server a service came from (groups expand to several services).
const VirtualServerConfig* source_of(const ClusterConfig& c, const ServiceKey& key) {
  for (const auto& vs : c.virtual_servers) {
    if (vs.is_group() ? in_group(c, vs, key) : vs.service.key == key) return &vs;
  }
  return nullptr;
}

const RealServerEntry* entry_of(const VirtualServerConfig& vs, const RealServerConfig& d,
                                const ServiceKey& key) {
  for (const auto& r : vs.real_servers) {
    const std::uint16_t port = r.rs.port == 0 && !key.is_fwmark() ? key.port : r.rs.port;
    if (r.rs.addr == d.addr && port == d.port) return &r;
  }
  return nullptr;
}

void emit_checker(YAML::Emitter& y, const CheckerConfig& c) {
  y << YAML::BeginMap;
  key_value(y, "type", config::checker_keyword(c.kind));
  if (c.connect_ip != 0) key_value(y, "connect_ip", format_ip4(c.connect_ip));
  if (c.connect_port != 0) key_value(y, "connect_port", c.connect_port);
  key_seconds(y, "connect_timeout", c.connect_timeout);
  key_value(y, "retry", c.retry);
  key_seconds(y, "delay_before_retry", c.delay_before_retry);
  key_seconds(y, "delay_loop", c.delay_loop);
  if (c.explicit_timing.warmup) key_seconds(y, "warmup", c.warmup);  // unset: keepalived uses delay_loop
  if (!c.urls.empty()) {
    y << YAML::Key << "urls" << YAML::Value << YAML::BeginSeq;
    for (const auto& u : c.urls) {
      y << YAML::BeginMap;
      key_value(y, "path", u.path);
      if (!u.digest.empty()) key_value(y, "digest", u.digest);
      if (!u.status_codes.empty()) {
        y << YAML::Key << "status_codes" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const auto& s : u.status_codes)
          y << (s.low == s.high ? std::to_string(s.low)
                                : std::to_string(s.low) + "-" + std::to_string(s.high));
        y << YAML::EndSeq;
      }
      y << YAML::EndMap;
    }
    y << YAML::EndSeq;
  }
  if (!c.misc_path.empty()) {
    key_value(y, "misc_path", c.misc_path);
    key_seconds(y, "misc_timeout", c.misc_timeout);
    if (c.misc_dynamic) key_value(y, "misc_dynamic", true);
  }
  if (c.kind == config::CheckerKind::kDnsCheck) {
    key_value(y, "dns_type", c.dns_type);
    key_value(y, "dns_name", c.dns_name);
  }
  if (c.require_reply) key_value(y, "require_reply", true);
  y << YAML::EndMap;
}

void emit_dest(YAML::Emitter& y, const RealServerConfig& d, const RealServerEntry* entry) {
  y << YAML::BeginMap;
  key_value(y, "address", format_ip4(d.addr));
  key_value(y, "port", d.port);
  key_value(y, "weight", d.weight);
  key_value(y, "method", std::string(method_name(d.fwd)));
  key_value(y, "u_threshold", d.u_threshold);
  key_value(y, "l_threshold", d.l_threshold);
  if (entry != nullptr) {
    if (entry->inhibit_on_failure) key_value(y, "inhibit_on_failure", true);
    if (!entry->checkers.empty()) {
      y << YAML::Key << "health_checks" << YAML::Value << YAML::BeginSeq;
      for (const auto& c : entry->checkers) emit_checker(y, c);
      y << YAML::EndSeq;
    }
  }
  y << YAML::EndMap;
}

// keepalived's virtual_server-level settings: how health checks steer the service.
void emit_health(YAML::Emitter& y, const VirtualServerConfig& vs) {
  y << YAML::Key << "health" << YAML::Value << YAML::BeginMap;
  key_seconds(y, "delay_loop", vs.delay_loop);
  key_value(y, "quorum", vs.quorum);
  key_value(y, "hysteresis", vs.hysteresis);
  key_value(y, "inhibit_on_failure", vs.inhibit_on_failure);
  key_value(y, "alpha", vs.alpha);
  key_value(y, "omega", vs.omega);
  if (vs.sorry_server) {
    y << YAML::Key << "sorry_server" << YAML::Value << YAML::Flow << YAML::BeginMap;
    key_value(y, "address", format_ip4(vs.sorry_server->addr));
    key_value(y, "port", vs.sorry_server->port);
    y << YAML::EndMap;
  }
  y << YAML::EndMap;
}

void emit_flags(YAML::Emitter& y, const ServiceConfig& s) {
  const std::string flags = config::sched_flags_text(s);
  if (flags.empty()) return;
  y << YAML::Key << "flags" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  std::size_t start = 0;
  while (start <= flags.size()) {
    const std::size_t comma = flags.find(',', start);
    y << flags.substr(start, comma - start);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  y << YAML::EndSeq;
}

void emit_service(YAML::Emitter& y, const config::IpvsService& svc, const ClusterConfig& cluster,
                  bool has_cluster) {
  const ServiceConfig& s = svc.svc;
  y << YAML::BeginMap;
  if (s.key.is_fwmark()) {
    key_value(y, "fwmark", s.key.fwmark);
  } else {
    key_value(y, "proto", std::string(proto_lower(s.key.proto)));
    key_value(y, "vip", format_ip4(s.key.addr));
    key_value(y, "port", s.key.port);
  }
  key_value(y, "scheduler", s.scheduler);
  emit_flags(y, s);
  if (s.persistent()) {
    y << YAML::Key << "persistence" << YAML::Value << YAML::Flow << YAML::BeginMap;
    key_seconds(y, "timeout", s.timeout);
    key_value(y, "netmask", format_ip4(s.netmask));
    if (!s.pe_name.empty()) key_value(y, "pe", s.pe_name);
    y << YAML::EndMap;
  }
  if ((s.flags & kSvcOnePacket) != 0) key_value(y, "ops", true);
  const VirtualServerConfig* vs = has_cluster ? source_of(cluster, s.key) : nullptr;
  if (vs != nullptr) emit_health(y, *vs);
  y << YAML::Key << "real_servers" << YAML::Value << YAML::BeginSeq;
  for (const auto& d : svc.dests) emit_dest(y, d, vs ? entry_of(*vs, d, s.key) : nullptr);
  y << YAML::EndSeq;
  y << YAML::EndMap;
}

}  // namespace

std::string services_yaml(const LoadedConfig& cfg) {
  YAML::Emitter y;
  const bool has_cluster = cfg.format != ConfigFormat::kIpvsadm;
  y << YAML::BeginMap << YAML::Key << "services" << YAML::Value << YAML::BeginSeq;
  for (const auto& svc : cfg.services) emit_service(y, svc, cfg.cluster, has_cluster);
  y << YAML::EndSeq << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

}  // namespace lvs::tools
