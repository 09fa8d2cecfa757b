#include "scenario/services_reader.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenario/import_services.h"
#include "scenario/schema.h"
#include "scenario/units.h"

namespace lvs::scenario {
namespace {

using config::ConfigError;

Duration to_duration(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

const std::vector<std::string_view>& scheduler_names() {
  static const std::vector<std::string_view> names = {"rr",  "wrr", "lc", "wlc", "sed", "nq", "lblc",
                                                      "lblcr", "dh", "sh", "mh",  "fo",  "ovf", "twos"};
  return names;
}

ForwardMethod read_method(const Section& s) {
  const std::string m = s.text("method", "nat");
  if (m == "nat") return ForwardMethod::kMasq;
  if (m == "dr") return ForwardMethod::kDirectRoute;
  if (m == "tun") return ForwardMethod::kTunnel;
  if (m == "local") return ForwardMethod::kLocalNode;
  if (m == "bypass") return ForwardMethod::kBypass;
  s.fail("method", "'" + m + "' is not nat, dr, tun, local or bypass");
}

// ipvsadm -b names; like ipvsadm, any scheduler takes any of them.
std::uint32_t read_flags(const Section& s) {
  std::uint32_t flags = 0;
  const YAML::Node n = s.node("flags");
  if (!n.IsDefined() || n.IsNull()) return flags;
  if (!n.IsSequence()) s.fail("flags", "expected a list, e.g. [sh-port]");
  for (const auto& f : n) {
    const std::string v = f.Scalar();
    if (v == "sh-fallback" || v == "mh-fallback" || v == "flag-1") {
      flags |= kSvcSched1;
    } else if (v == "sh-port" || v == "mh-port" || v == "flag-2") {
      flags |= kSvcSched2;
    } else if (v == "flag-3") {
      flags |= kSvcSched3;
    } else {
      throw ConfigError(node_pos(s.context(), f, s.field("flags")),
                        s.field("flags") + ": '" + v + "' is not sh-fallback, sh-port, mh-fallback, mh-port or flag-1..3");
    }
  }
  return flags;
}

std::vector<config::StatusRange> read_status_codes(const Section& s) {
  std::vector<config::StatusRange> out;
  const YAML::Node n = s.node("status_codes");
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) s.fail("status_codes", "expected a list, e.g. [200, 300-399]");
  for (const auto& c : n) {
    const std::string v = c.Scalar();
    const auto dash = v.find('-');
    const auto lo = parse_number(v.substr(0, dash));
    const auto hi = dash == std::string::npos ? lo : parse_number(v.substr(dash + 1));
    if (!lo || !hi || *lo > *hi)
      throw ConfigError(node_pos(s.context(), c, s.field("status_codes")),
                        s.field("status_codes") + ": '" + v + "' is not a status code or LOW-HIGH range");
    out.push_back({static_cast<int>(*lo), static_cast<int>(*hi)});
  }
  return out;
}

config::CheckerConfig read_checker(const Section& s) {
  static const config::CheckerKind kKinds[] = {
      config::CheckerKind::kHttpGet,  config::CheckerKind::kSslGet,   config::CheckerKind::kTcpCheck,
      config::CheckerKind::kMiscCheck, config::CheckerKind::kUdpCheck, config::CheckerKind::kPingCheck,
      config::CheckerKind::kDnsCheck, config::CheckerKind::kSmtpCheck};
  config::CheckerConfig c;
  c.pos = s.pos();
  const std::string type = s.required_text("type");
  std::vector<std::string_view> names;
  bool known = false;
  for (const auto k : kKinds) {
    names.push_back(config::checker_keyword(k));
    if (type == config::checker_keyword(k)) {
      c.kind = k;
      known = true;
    }
  }
  if (!known) s.fail("type", "'" + type + "' is not a keepalived checker" + did_you_mean(type, names));
  c.connect_ip = s.ip("connect_ip", 0);
  c.connect_port = static_cast<std::uint16_t>(s.integer("connect_port", 0, 0, 65535));
  c.connect_timeout = to_duration(s.seconds("connect_timeout", 5));
  c.delay_loop = to_duration(s.seconds("delay_loop", 60));
  // Unset: keepalived's defaults for the kind, and warmup = delay_loop.
  c.retry = static_cast<unsigned>(s.integer("retry", config::checker_default_retry(c.kind), 0, 1000000));
  c.delay_before_retry = s.has("delay_before_retry")
                             ? to_duration(s.seconds("delay_before_retry", 0))
                             : config::checker_default_delay_before_retry(c.kind, c.delay_loop);
  c.warmup = s.has("warmup") ? to_duration(s.seconds("warmup", 0)) : c.delay_loop;
  // What the entry set itself; the rest follows the service and keepalived's
  // per-checker defaults (lvs::health_config_from).
  if (s.has("connect_timeout")) c.explicit_timing.connect_timeout = c.connect_timeout;
  if (s.has("retry")) c.explicit_timing.retry = c.retry;
  if (s.has("delay_before_retry")) c.explicit_timing.delay_before_retry = c.delay_before_retry;
  if (s.has("delay_loop")) c.explicit_timing.delay_loop = c.delay_loop;
  if (s.has("warmup")) c.explicit_timing.warmup = c.warmup;
  for_each_item(s, "urls", [&](const Section& u) {
    config::UrlCheck url;
    url.path = u.required_text("path");
    url.digest = u.text("digest", "");
    url.status_codes = read_status_codes(u);
    c.urls.push_back(url);
  });
  c.misc_path = s.text("misc_path", "");
  c.misc_timeout = s.has("misc_timeout") ? to_duration(s.seconds("misc_timeout", 0)) : c.delay_loop;
  c.misc_dynamic = s.boolean("misc_dynamic", false);
  c.dns_type = s.text("dns_type", c.dns_type);
  c.dns_name = s.text("dns_name", c.dns_name);
  c.require_reply = s.boolean("require_reply", false);
  return c;
}

// MISC_CHECK in the simulation: the script's exit code over time,
// [[time, exit code], ...]; 0 (success) before the first step.
std::vector<std::pair<double, int>> read_misc_schedule(const Section& s) {
  std::vector<std::pair<double, int>> out;
  const YAML::Node n = s.node("misc_schedule");
  if (!n.IsDefined() || n.IsNull()) return out;
  const std::string field = s.field("misc_schedule");
  if (!n.IsSequence()) s.fail("misc_schedule", "expected a list of [time, exit code] pairs");
  for (const auto& step : n) {
    const SourcePos pos = node_pos(s.context(), step, field);
    if (!step.IsSequence() || step.size() != 2)
      throw ConfigError(pos, field + ": each step is [time, exit code], e.g. [5s, 1]");
    const auto t = parse_seconds(step[0].Scalar());
    const auto code = parse_number(step[1].Scalar());
    if (!t || *t < 0) throw ConfigError(pos, field + ": '" + step[0].Scalar() + "' is not a time");
    if (!code || *code < 0 || *code > 255)
      throw ConfigError(pos, field + ": '" + step[1].Scalar() + "' is not an exit code (0-255)");
    if (!out.empty() && *t < out.back().first)
      throw ConfigError(pos, field + ": steps must be in time order");
    out.emplace_back(*t, static_cast<int>(*code));
  }
  return out;  // other checker kinds ignore it, as they ignore misc_path
}

ServiceHealth read_health(const Section& s) {
  ServiceHealth h;
  h.delay_loop_s = s.seconds("delay_loop", h.delay_loop_s);
  h.quorum = static_cast<std::uint32_t>(s.integer("quorum", h.quorum, 0, 1000000));
  h.hysteresis = static_cast<std::uint32_t>(s.integer("hysteresis", h.hysteresis, 0, 1000000));
  h.inhibit_on_failure = s.boolean("inhibit_on_failure", false);
  h.alpha = s.boolean("alpha", false);
  h.omega = s.boolean("omega", false);
  if (s.has("sorry_server")) {
    const Section ss = s.child("sorry_server");
    RealServerConfig rs;
    rs.addr = ss.required_ip("address");
    rs.port = static_cast<std::uint16_t>(ss.integer("port", 0, 0, 65535));
    h.sorry_server = rs;
  }
  return h;
}

Service::Member read_member(const Section& s, const Service& svc, const std::vector<RealServer>& servers) {
  Service::Member m;
  m.pos = s.pos();
  const RealServer* rs = nullptr;
  if (s.has("server")) {
    const std::string name = s.text("server", "");
    std::vector<std::string_view> names;
    for (const auto& r : servers) {
      names.push_back(r.name);
      if (r.name == name) rs = &r;
    }
    if (rs == nullptr)
      s.fail("server", "no real server is called '" + name + "' in real_servers" + did_you_mean(name, names));
    if (s.has("address") && s.ip("address", 0) != rs->address)
      s.fail("address", "is not the address of real server '" + name + "' (" + format_ip4(rs->address) + ")");
  } else {
    if (!s.has("address")) s.fail("address", "required field is missing (or name the real server with server:)");
    const Ip4 addr = s.ip("address", 0);
    for (const auto& r : servers) {
      if (r.address == addr) rs = &r;
    }
    if (rs == nullptr) s.fail("address", format_ip4(addr) + " is not the address of any entry in real_servers");
  }
  m.server = rs->name;
  m.ipvs.addr = rs->address;
  m.ipvs.port = static_cast<std::uint16_t>(s.integer("port", svc.ipvs.key.port, 0, 65535));
  m.ipvs.weight = static_cast<std::int32_t>(s.integer("weight", 1, 0, 65535));
  m.ipvs.fwd = read_method(s);
  m.ipvs.u_threshold = static_cast<std::uint32_t>(s.integer("u_threshold", 0, 0, 0xffffffffLL));
  m.ipvs.l_threshold = static_cast<std::uint32_t>(s.integer("l_threshold", 0, 0, 0xffffffffLL));
  m.inhibit_on_failure = s.boolean("inhibit_on_failure", false);
  for_each_item(s, "health_checks", [&](const Section& c) {
    m.health_checks.push_back(read_checker(c));
    m.misc_schedules.push_back(read_misc_schedule(c));
  });
  return m;
}

void read_key(const Section& s, Service& svc, const Topology& t) {
  ServiceKey& k = svc.ipvs.key;
  const std::string proto = s.text("proto", "tcp");
  if (proto == "tcp") {
    k.proto = Proto::kTcp;
  } else if (proto == "udp") {
    k.proto = Proto::kUdp;
  } else {
    s.fail("proto", "'" + proto + "' is not tcp or udp");
  }
  k.fwmark = static_cast<std::uint32_t>(s.integer("fwmark", 0, 0, 0xffffffffLL));
  if (k.is_fwmark()) {
    if (s.has("vip") || s.has("port")) s.fail("fwmark", "a firewall-mark service has no vip or port");
    return;
  }
  k.addr = s.ip("vip", t.vip);
  if (!s.has("port")) s.fail_missing("port");
  k.port = static_cast<std::uint16_t>(s.integer("port", 0, 0, 65535));
}

Service read_inline(const Section& s, const Topology& t, const std::vector<RealServer>& servers) {
  Service svc;
  svc.pos = s.pos();
  svc.name = s.text("name", "");
  read_key(s, svc, t);
  svc.ipvs.scheduler = s.text("scheduler", "wlc");
  const auto& scheds = scheduler_names();
  if (std::find(scheds.begin(), scheds.end(), svc.ipvs.scheduler) == scheds.end())
    s.fail("scheduler", "'" + svc.ipvs.scheduler + "' is not an IPVS scheduler" +
                            did_you_mean(svc.ipvs.scheduler, scheds));
  svc.ipvs.flags = read_flags(s);
  if (s.has("persistence")) {
    const Section p = s.child("persistence");
    svc.ipvs.flags |= kSvcPersistent;
    svc.ipvs.timeout = to_duration(p.seconds("timeout", 300));
    svc.ipvs.netmask = p.ip("netmask", 0xffffffffu);
    svc.ipvs.pe_name = p.text("pe", "");
  }
  if (s.boolean("ops", false)) svc.ipvs.flags |= kSvcOnePacket;
  if (s.has("health")) svc.health = read_health(s.child("health"));
  if (!s.has("real_servers")) s.fail_missing("real_servers");
  for_each_item(s, "real_servers", [&](const Section& m) { svc.members.push_back(read_member(m, svc, servers)); });
  return svc;
}

void read_entry(const Section& s, const std::string& base_dir, const Topology& t,
                const std::vector<RealServer>& servers, std::vector<Service>& out) {
  if (s.has("import")) {
    for (const char* k : {"name", "proto", "vip", "port", "fwmark", "scheduler", "flags", "persistence", "ops",
                          "health", "real_servers"}) {
      if (s.has(k)) s.fail(k, "an import entry takes only import, format and config_id");
    }
    for (auto& svc : import_services(s, base_dir, servers)) out.push_back(std::move(svc));
    return;
  }
  if (s.has("format") || s.has("config_id")) s.fail(s.has("format") ? "format" : "config_id", "needs import:");
  out.push_back(read_inline(s, t, servers));
}

}  // namespace

std::string read_text_file(const std::string& path, const SourcePos& at, const std::string& what) {
  // Only regular files: a device or FIFO named by mistake would never end.
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    throw ConfigError(at, "cannot read " + what + " file '" + path + "': not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(at, "cannot read " + what + " file '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<Service> read_services(ReadContext& ctx, const YAML::Node& node, const std::string& base_dir,
                                   const Topology& topology, const std::vector<RealServer>& servers) {
  std::vector<Service> out;
  if (node.IsMap()) {
    // `services: {import: FILE}` is shorthand for a one-entry list.
    read_entry(Section(ctx, node, "services.0"), base_dir, topology, servers, out);
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      read_entry(Section(ctx, node[i], "services." + std::to_string(i)), base_dir, topology, servers, out);
  } else {
    throw ConfigError(node_pos(ctx, node, "services"), "services: expected a list of services or {import: FILE}");
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const ServiceKey& k = out[i].ipvs.key;
      if (k != out[j].ipvs.key) continue;
      const std::string what = k.is_fwmark() ? "fwmark " + std::to_string(k.fwmark)
                                             : std::string(proto_name(k.proto)) + " " + format_ip4(k.addr) + ":" +
                                                   std::to_string(k.port);
      throw ConfigError(out[i].pos, "services: " + what + " is defined twice (first at " + out[j].pos.str() + ")");
    }
  }
  return out;
}

}  // namespace lvs::scenario
