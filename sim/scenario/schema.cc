#include "scenario/schema.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace lvs::scenario {
namespace {

using Keys = std::vector<std::string_view>;

const Keys kDistribution = {"dist", "mean", "sigma", "shape", "min", "max"};
const Keys kLink = {"network", "rate", "delay", "loss"};

const std::map<std::string_view, Keys>& table() {
  static const std::map<std::string_view, Keys> t = {
      {"", {"name", "description", "duration", "seed", "slo", "topology", "services", "real_servers",
            "workloads", "faults", "failover", "measurement", "tcp"}},
      {"slo", {"p99_latency", "error_rate"}},
      {"topology", {"clients", "public_lan", "private_lan", "vip", "nat_gateway_ip", "nic_rate", "routers"}},
      {"topology.clients", {"addresses", "nodes", "network", "access_link"}},
      {"topology.clients.access_link", {"rate", "delay", "loss"}},
      {"topology.public_lan", kLink},
      {"topology.private_lan", kLink},
      {"topology.routers.*", {"name", "public_ip", "private_ip", "priority", "backup", "cost_model", "keepalived",
                              "connection_table"}},
      {"topology.routers.*.cost_model", {"profile", "per_packet", "per_byte", "per_conn", "cores", "queue"}},
      // The services schema `lvsim import --yaml` writes, plus name/server and import entries.
      {"services.*", {"name", "proto", "vip", "port", "fwmark", "scheduler", "flags", "persistence", "ops",
                      "health", "real_servers", "import", "format", "config_id"}},
      {"services.*.persistence", {"timeout", "netmask", "pe"}},
      {"services.*.health", {"delay_loop", "quorum", "hysteresis", "inhibit_on_failure", "alpha", "omega",
                             "sorry_server"}},
      {"services.*.health.sorry_server", {"address", "port"}},
      {"services.*.real_servers.*", {"server", "address", "port", "weight", "method", "u_threshold",
                                     "l_threshold", "inhibit_on_failure", "health_checks"}},
      {"services.*.real_servers.*.health_checks.*",
       {"type", "connect_ip", "connect_port", "connect_timeout", "retry", "delay_before_retry", "delay_loop",
        "warmup", "urls", "misc_path", "misc_timeout", "misc_dynamic", "dns_type", "dns_name",
        "require_reply", "misc_schedule"}},
      {"services.*.real_servers.*.health_checks.*.urls.*", {"path", "digest", "status_codes"}},
      {"real_servers.*", {"name", "address", "gateway", "workers", "service_time", "speed", "backlog", "tcp", "time_wait"}},
      {"real_servers.*.service_time", kDistribution},
      {"workloads.*", {"name", "kind", "service", "rate", "schedule", "ramp", "users", "think_time", "flash",
                       "request_size", "response_size", "requests_per_connection", "timeout", "start",
                       "stop"}},
      {"workloads.*.think_time", kDistribution},
      {"workloads.*.request_size", kDistribution},
      {"workloads.*.response_size", kDistribution},
      {"workloads.*.flash", {"start", "peak", "duration"}},
      {"faults.*", {"at", "action", "target", "factor", "rate", "extra"}},
      {"failover", {"vrrp", "sync"}},
      {"failover.vrrp", {"version", "advert_int", "virtual_router_id", "mode", "nopreempt", "preempt_delay",
                         "garp_master_delay", "garp_master_repeat", "unicast"}},
      {"failover.sync", {"enabled", "threshold", "period", "refresh_period", "syncid"}},
      {"measurement", {"interval", "pcap", "flowmonitor", "netanim"}},
      {"tcp", {"segment_size"}},
  };
  return t;
}

bool is_index(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

const std::vector<std::string_view>* schema_keys(std::string_view pattern) {
  const auto& t = table();
  const auto it = t.find(pattern);
  return it == t.end() ? nullptr : &it->second;
}

bool schema_is_list(std::string_view pattern) {
  static const std::string_view kLists[] = {
      "topology.routers", "services", "services.*.real_servers", "services.*.real_servers.*.health_checks",
      "services.*.real_servers.*.health_checks.*.urls", "real_servers", "workloads", "faults"};
  return std::find(std::begin(kLists), std::end(kLists), pattern) != std::end(kLists);
}

std::string schema_pattern(std::string_view path) {
  std::string out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = path.find('.', start);
    const std::string_view seg = path.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!out.empty() || start > 0) out += '.';
    out += is_index(seg) ? std::string_view("*") : seg;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::optional<std::string_view> closest_key(std::string_view key, const std::vector<std::string_view>& candidates) {
  // Up to a third of the word may be wrong (at least 2 edits), so "rte" finds
  // "rate" but "foo" does not find "pcap".
  const std::size_t limit = std::max<std::size_t>(2, key.size() / 3);
  std::optional<std::string_view> best;
  std::size_t best_d = limit + 1;
  for (const auto c : candidates) {
    const std::size_t d = edit_distance(key, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view key, const std::vector<std::string_view>& candidates) {
  const auto best = closest_key(key, candidates);
  return best ? " (did you mean '" + std::string(*best) + "'?)" : std::string();
}

}  // namespace lvs::scenario
