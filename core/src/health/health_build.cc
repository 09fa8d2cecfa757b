// HealthConfig from the parsed keepalived.conf (lvs/config/cluster_config.h).

#include "lvs/config/cluster_config.h"
#include "lvs/health.h"

namespace lvs {
namespace {

using config::CheckerConfig;
using config::CheckerKind;
using config::CheckTimingDefaults;

std::optional<CheckKind> kind_of(CheckerKind k) {
  switch (k) {
    case CheckerKind::kTcpCheck: return CheckKind::kTcp;
    case CheckerKind::kHttpGet: return CheckKind::kHttpGet;
    case CheckerKind::kSslGet: return CheckKind::kSslGet;
    case CheckerKind::kMiscCheck: return CheckKind::kMisc;
    default: return std::nullopt;
  }
}

template <typename T, typename F>
std::optional<T> inherited(const CheckTimingDefaults& c, const CheckTimingDefaults& r,
                           const CheckTimingDefaults& v, F field) {
  if (auto x = c.*field) return x;
  if (auto x = r.*field) return x;
  return v.*field;
}

CheckerParams params_of(const CheckerConfig& ch, CheckKind kind, const config::RealServerEntry& rs,
                        const config::VirtualServerConfig& vs) {
  CheckerParams p;
  p.kind = kind;
  p.connect_ip = ch.connect_ip;
  p.connect_port = ch.connect_port;
  p.connect_timeout = ch.connect_timeout;
  p.delay_loop = ch.delay_loop;
  // Only what the file said is passed on; unset values take the health
  // module's per-kind defaults (lvs/health.h), which match the parser's.
  const auto& c = ch.explicit_timing;
  const auto& r = rs.check_defaults;
  const auto& v = vs.check_defaults;
  p.retry = inherited<unsigned>(c, r, v, &CheckTimingDefaults::retry);
  p.delay_before_retry = inherited<Duration>(c, r, v, &CheckTimingDefaults::delay_before_retry);
  // Unset warmup spreads first probes over delay_loop (check_data.c).
  p.warmup = inherited<Duration>(c, r, v, &CheckTimingDefaults::warmup).value_or(ch.delay_loop);
  for (const auto& u : ch.urls) {
    HttpUrl url;
    url.path = u.path;
    for (const auto& sr : u.status_codes) url.status_codes.push_back({sr.low, sr.high});
    p.urls.push_back(std::move(url));
  }
  p.misc_timeout = ch.misc_timeout;
  p.misc_dynamic = ch.misc_dynamic;
  return p;
}

VirtualServiceHealthConfig build(const config::VirtualServerConfig& vs, std::vector<ServiceKey> keys,
                                 std::vector<std::string>* skipped) {
  VirtualServiceHealthConfig out;
  out.keys = std::move(keys);
  out.quorum = vs.quorum;
  out.hysteresis = vs.hysteresis;
  out.sorry_server = vs.sorry_server;
  out.sorry_server_inhibit = vs.sorry_server_inhibit;
  for (const auto& rs : vs.real_servers) {
    RealServerHealthConfig r;
    r.dest = rs.rs;
    r.inhibit_on_failure = rs.inhibit_on_failure;
    r.alpha = vs.alpha;
    for (const auto& ch : rs.checkers) {
      if (auto k = kind_of(ch.kind)) {
        r.checkers.push_back(params_of(ch, *k, rs, vs));
      } else if (skipped) {
        skipped->push_back(std::string(config::checker_keyword(ch.kind)) + " for " +
                           format_ip4(rs.rs.addr) + ":" + std::to_string(rs.rs.port) +
                           " is not modelled");
      }
    }
    out.real_servers.push_back(std::move(r));
  }
  return out;
}

}  // namespace

VirtualServiceHealthConfig health_config_from(const config::VirtualServerConfig& vs,
                                              std::vector<std::string>* skipped) {
  return build(vs, {vs.service.key}, skipped);
}

HealthConfig health_config_from(const config::ClusterConfig& cfg, std::vector<std::string>* skipped) {
  HealthConfig out;
  for (const auto& vs : cfg.virtual_servers) {
    std::vector<ServiceKey> keys;
    if (!vs.is_group()) {
      keys.push_back(vs.service.key);
    } else if (const config::VirtualServerGroup* g = cfg.find_group(vs.group)) {
      for (const auto& e : g->entries) {
        ServiceKey key;
        key.proto = vs.service.key.proto;
        if (e.fwmark != 0) {
          key.fwmark = e.fwmark;
          keys.push_back(key);
          continue;
        }
        key.port = e.port;
        for (std::uint64_t a = e.first; a <= e.last; ++a) {
          key.addr = static_cast<Ip4>(a);
          keys.push_back(key);
        }
      }
    }
    out.services.push_back(build(vs, std::move(keys), skipped));
  }
  return out;
}

}  // namespace lvs
