#include "scenario/scenario_reader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "scenario/failover_reader.h"
#include "scenario/import_services.h"
#include "scenario/overrides.h"
#include "scenario/schema.h"
#include "scenario/services_reader.h"
#include "scenario/units.h"
#include "scenario/workload_reader.h"
#include "scenario/yaml_section.h"

namespace lvs::scenario {
namespace {

using config::ConfigError;

std::string dir_of(const std::string& file) {
  const auto slash = file.rfind('/');
  return slash == std::string::npos ? std::string(".") : file.substr(0, slash);
}

std::string stem_of(const std::string& file) {
  const auto slash = file.rfind('/');
  std::string base = slash == std::string::npos ? file : file.substr(slash + 1);
  const auto dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

Link read_link(const Section& s, Link link) {
  link.pos = s.pos();
  link.rate_bps = s.rate_bps("rate", link.rate_bps);
  link.delay_s = s.seconds("delay", link.delay_s);
  link.loss = s.number("loss", link.loss, 0, 1);
  return link;
}

CostModel read_cost_model(const Section& s) {
  const std::string profile = s.text("profile", "ipvs-nat");
  CostModel c;
  try {
    c = cost_profile(profile);
  } catch (const std::out_of_range&) {
    s.fail("profile", "'" + profile + "' is not a cost model profile (ipvs-nat, none, custom)");
  }
  c.pos = s.pos();
  c.per_packet_s = s.seconds("per_packet", c.per_packet_s);
  c.per_byte_s = s.seconds("per_byte", c.per_byte_s);
  c.per_conn_s = s.seconds("per_conn", c.per_conn_s);
  c.cores = static_cast<int>(s.integer("cores", c.cores, 1, 1024));
  c.queue_packets = static_cast<std::uint32_t>(s.integer("queue", c.queue_packets, 1, 100000000));
  if (profile == "custom" && !s.has("per_packet") && !s.has("per_byte") && !s.has("per_conn"))
    s.fail("profile", "a custom cost model needs per_packet, per_byte or per_conn");
  return c;
}

Router read_router(const Section& s) {
  Router r;
  r.pos = s.pos();
  r.name = s.required_text("name");
  r.public_ip = s.required_ip("public_ip");
  r.private_ip = s.required_ip("private_ip");
  r.priority = static_cast<int>(s.integer("priority", r.priority, 1, 255));
  r.backup = s.boolean("backup", r.backup);
  r.cost = read_cost_model(s.child("cost_model"));
  r.connection_table = static_cast<std::uint32_t>(s.integer("connection_table", 0, 0, 0x7fffffff));
  if (s.has("keepalived")) {
    r.keepalived_file = s.text("keepalived", "");
    const std::string path =
        !r.keepalived_file.empty() && r.keepalived_file[0] == '/' ? r.keepalived_file
                                                                   : dir_of(s.context().file) + "/" + r.keepalived_file;
    r.keepalived = std::make_shared<const config::ClusterConfig>(read_keepalived_file(path, s.pos("keepalived")));
  }
  return r;
}

Topology read_topology(const Section& s) {
  Topology t;
  t.pos = s.pos();
  const Section clients = s.child("clients");
  t.client_addresses = static_cast<std::uint32_t>(clients.integer("addresses", t.client_addresses, 1, 1 << 24));
  t.client_nodes = static_cast<std::uint32_t>(clients.integer("nodes", t.client_nodes, 1, 4096));
  t.client_network = clients.network("network", *parse_prefix("100.64.0.0/16"));
  Link access;
  access.rate_bps = 100e6;
  access.delay_s = 0.01;
  t.access_link = read_link(clients.child("access_link"), access);

  if (!s.has("public_lan")) s.fail_missing("public_lan");
  if (!s.has("private_lan")) s.fail_missing("private_lan");
  const Section pub = s.child("public_lan");
  const Section priv = s.child("private_lan");
  if (!pub.has("network")) pub.fail_missing("network");
  if (!priv.has("network")) priv.fail_missing("network");
  t.public_network = pub.network("network", {});
  t.private_network = priv.network("network", {});
  t.public_lan = read_link(pub, Link{});
  t.private_lan = read_link(priv, Link{});
  t.nic_rate_bps = s.rate_bps("nic_rate", t.nic_rate_bps);
  t.vip = s.required_ip("vip");
  t.nat_gateway_ip = s.required_ip("nat_gateway_ip");

  if (!s.has("routers")) s.fail_missing("routers");
  for_each_item(s, "routers", [&](const Section& item) { t.routers.push_back(read_router(item)); });
  if (t.routers.empty()) s.fail("routers", "at least one router is needed");
  return t;
}

// ns-3 TypeId names of the TCP congestion controls ns-3 3.37 ships.
std::string tcp_type_id(const Section& s) {
  static const char* const kVariants[] = {"NewReno",  "LinuxReno", "Bbr",   "Bic",     "Cubic", "Dctcp",
                                          "HighSpeed", "Htcp",     "Hybla", "Illinois", "Ledbat", "Lp",
                                          "Scalable", "Vegas",     "Veno",  "Westwood", "Yeah"};
  std::string v = s.text("tcp", "NewReno");
  if (v.size() > 3 && v.compare(0, 3, "Tcp") == 0) v = v.substr(3);
  auto lower = [](std::string x) {
    std::transform(x.begin(), x.end(), x.begin(), [](unsigned char c) { return std::tolower(c); });
    return x;
  };
  std::vector<std::string_view> names;
  for (const char* k : kVariants) {
    if (lower(k) == lower(v)) return std::string("Tcp") + k;
    names.push_back(k);
  }
  s.fail("tcp", "'" + v + "' is not a TCP variant ns-3 has" + did_you_mean(v, names));
}

RealServer read_real_server(const Section& s, const Topology& t) {
  RealServer r;
  r.pos = s.pos();
  r.name = s.required_text("name");
  r.address = s.required_ip("address");
  r.gateway = s.ip("gateway", t.nat_gateway_ip);
  r.workers = static_cast<int>(s.integer("workers", r.workers, 1, 1000000));
  if (!s.has("service_time")) s.fail_missing("service_time");
  r.service_time = s.distribution("service_time", {}, true);
  r.speed = s.number("speed", r.speed, 1e-9);
  r.backlog = static_cast<std::uint32_t>(s.integer("backlog", r.backlog, 1, 1000000));
  r.tcp_variant = tcp_type_id(s);
  r.time_wait_s = s.seconds("time_wait", r.time_wait_s);
  return r;
}

void check_unique_names(const Scenario& sc) {
  std::map<std::string, std::string> seen;  // name -> field that defined it
  auto add = [&](const std::string& name, const std::string& field) {
    const auto [it, fresh] = seen.emplace(name, field);
    if (!fresh) throw ConfigError(sc.pos_of(field), field + ": the name '" + name + "' is already used by " + it->second);
  };
  for (std::size_t i = 0; i < sc.topology.routers.size(); ++i)
    add(sc.topology.routers[i].name, "topology.routers." + std::to_string(i) + ".name");
  for (std::size_t i = 0; i < sc.real_servers.size(); ++i)
    add(sc.real_servers[i].name, "real_servers." + std::to_string(i) + ".name");
}

Scenario read_root(ReadContext& ctx, const YAML::Node& root) {
  Scenario sc;
  sc.file = ctx.file;
  ctx.positions = &sc.field_pos;
  const Section s(ctx, root, "");
  sc.name = s.text("name", stem_of(ctx.file));
  sc.description = s.text("description", "");
  sc.duration_s = s.seconds("duration", sc.duration_s);
  if (sc.duration_s <= 0) s.fail("duration", "must be positive");
  sc.seed = static_cast<std::uint64_t>(s.integer("seed", 1, 0, std::int64_t{1} << 53));
  const Section slo = s.child("slo");
  sc.slo.p99_latency_s = slo.seconds("p99_latency", 0);
  sc.slo.error_rate = slo.number("error_rate", 0, 0, 1);

  if (!s.has("topology")) s.fail_missing("topology");
  sc.topology = read_topology(s.child("topology"));
  if (!s.has("real_servers")) s.fail_missing("real_servers");
  for_each_item(s, "real_servers",
                [&](const Section& item) { sc.real_servers.push_back(read_real_server(item, sc.topology)); });
  check_unique_names(sc);
  if (!s.has("services")) s.fail_missing("services");
  sc.services = read_services(ctx, s.node("services"), dir_of(ctx.file), sc.topology, sc.real_servers);
  for_each_item(s, "workloads", [&](const Section& item) { sc.workloads.push_back(read_workload(item, sc)); });
  for_each_item(s, "faults", [&](const Section& item) { sc.faults.push_back(read_fault(item, sc)); });
  if (s.has("failover")) {
    sc.failover = read_failover(s.child("failover"));
    if (sc.topology.routers.size() < 2) s.fail("failover", "VRRP failover needs two routers");
  }
  check_keepalived_routers(s, sc);

  const Section m = s.child("measurement");
  sc.measurement.pos = m.pos();
  sc.measurement.interval_s = m.seconds("interval", sc.measurement.interval_s);
  if (sc.measurement.interval_s <= 0) m.fail("interval", "must be positive");
  sc.measurement.pcap = m.boolean("pcap", false);
  sc.measurement.flowmonitor = m.boolean("flowmonitor", false);
  sc.measurement.netanim = m.boolean("netanim", false);

  // Up to 1448: a full segment with the timestamp option then fills a
  // 1500-byte Ethernet frame, as on Linux; ns-3 would fragment a larger one.
  const Section tcp = s.child("tcp");
  sc.tcp.pos = tcp.pos();
  sc.tcp.segment_size = static_cast<std::uint32_t>(tcp.integer("segment_size", sc.tcp.segment_size, 64, 1448));
  return sc;
}

}  // namespace

CostModel cost_profile(const std::string& name) {
  CostModel c;
  c.profile = name;
  if (name == "ipvs-nat") {
    // Kernel IPVS NAT forwarding at ~1.2 Mpps per core (Høiland-Jørgensen et
    // al., "The eXpress Data Path", CoNEXT 2018: the kernel stack's per-core
    // forwarding rate, which IPVS NAT rides on).
    c.per_packet_s = 1.0 / 1.2e6;
  } else if (name != "none" && name != "custom") {
    throw std::out_of_range(name);
  }
  return c;
}

Scenario parse_scenario(std::string_view text, const std::string& file, const std::vector<std::string>& overrides) {
  ReadContext ctx;
  ctx.file = file;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw ConfigError(SourcePos{file, e.mark.line + 1, e.mark.column + 1}, "bad YAML: " + e.msg);
  }
  if (root.IsNull() || !root.IsDefined()) root = YAML::Node(YAML::NodeType::Map);
  for (const auto& text_override : overrides) {
    const Override o = parse_override(text_override);
    apply_override(root, o);
    ctx.overridden.insert(o.path);
  }
  return read_root(ctx, root);
}

Scenario read_scenario_file(const std::string& path, const std::vector<std::string>& overrides) {
  return parse_scenario(read_text_file(path, SourcePos{path, 0, 0}, "scenario"), path, overrides);
}

}  // namespace lvs::scenario
