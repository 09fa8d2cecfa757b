#include "lvs/config/cluster_config.h"

namespace lvs::config {

const char* checker_keyword(CheckerKind kind) {
  switch (kind) {
    case CheckerKind::kHttpGet: return "HTTP_GET";
    case CheckerKind::kSslGet: return "SSL_GET";
    case CheckerKind::kTcpCheck: return "TCP_CHECK";
    case CheckerKind::kMiscCheck: return "MISC_CHECK";
    case CheckerKind::kUdpCheck: return "UDP_CHECK";
    case CheckerKind::kPingCheck: return "PING_CHECK";
    case CheckerKind::kDnsCheck: return "DNS_CHECK";
    case CheckerKind::kSmtpCheck: return "SMTP_CHECK";
  }
  return "?";
}

unsigned checker_default_retry(CheckerKind kind) {
  switch (kind) {
    case CheckerKind::kMiscCheck: return 0;
    case CheckerKind::kDnsCheck: return 3;  // DNS_DEFAULT_RETRY
    default: return 1;
  }
}

Duration checker_default_delay_before_retry(CheckerKind kind, Duration delay_loop) {
  switch (kind) {
    case CheckerKind::kHttpGet:
    case CheckerKind::kSslGet: return seconds(3);
    case CheckerKind::kDnsCheck: return delay_loop;  // its default of 0 means delay_loop
    default: return seconds(1);
  }
}

const VirtualServerGroup* ClusterConfig::find_group(const std::string& name) const {
  for (const auto& g : groups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

bool same_ipvs_fields(const ServiceConfig& a, const ServiceConfig& b) {
  // A firewall-mark service has no protocol of its own (ipvsadm -f takes none).
  const bool key_equal =
      a.key.fwmark == b.key.fwmark &&
      (a.key.fwmark != 0 ||
       (a.key.proto == b.key.proto && a.key.addr == b.key.addr && a.key.port == b.key.port));
  // Timeout and netmask only mean something for persistent services.
  const bool persist_equal =
      !a.persistent() || (a.timeout == b.timeout && a.netmask == b.netmask && a.pe_name == b.pe_name);
  return key_equal && a.scheduler == b.scheduler && a.flags == b.flags && persist_equal;
}

bool same_ipvs_fields(const RealServerConfig& a, const RealServerConfig& b) {
  return a.addr == b.addr && a.port == b.port && a.weight == b.weight &&
         a.u_threshold == b.u_threshold && a.l_threshold == b.l_threshold && a.fwd == b.fwd;
}

bool same_ipvs_fields(const IpvsService& a, const IpvsService& b) {
  if (!same_ipvs_fields(a.svc, b.svc) || a.dests.size() != b.dests.size()) return false;
  for (std::size_t i = 0; i < a.dests.size(); ++i) {
    if (!same_ipvs_fields(a.dests[i], b.dests[i])) return false;
  }
  return true;
}

namespace {

IpvsService make_service(const VirtualServerConfig& vs, const ServiceKey& key) {
  IpvsService out;
  out.svc = vs.service;
  out.svc.key = key;
  if (!out.svc.persistent()) {
    // ipvsadm never shows these for a non-persistent service; keep the model canonical.
    out.svc.timeout = seconds(300);
    out.svc.netmask = 0xffffffffu;
  }
  for (const auto& r : vs.real_servers) {
    RealServerConfig d = r.rs;
    if (d.port == 0 && !key.is_fwmark()) d.port = key.port;
    out.dests.push_back(d);
  }
  return out;
}

}  // namespace

std::vector<IpvsService> ipvs_services(const ClusterConfig& cfg) {
  std::vector<IpvsService> out;
  for (const auto& vs : cfg.virtual_servers) {
    if (!vs.is_group()) {
      out.push_back(make_service(vs, vs.service.key));
      continue;
    }
    const VirtualServerGroup* g = cfg.find_group(vs.group);
    if (g == nullptr) continue;
    for (const auto& e : g->entries) {
      ServiceKey key;
      key.proto = vs.service.key.proto;
      if (e.fwmark != 0) {
        key.fwmark = e.fwmark;
        out.push_back(make_service(vs, key));
        continue;
      }
      key.port = e.port;
      for (std::uint64_t a = e.first; a <= e.last; ++a) {
        key.addr = static_cast<Ip4>(a);
        out.push_back(make_service(vs, key));
      }
    }
  }
  return out;
}

}  // namespace lvs::config
