// virtual_server, its real_server blocks, and virtual_server_group.

#include "keepalived_context.h"

namespace lvs::config::detail {
namespace {

constexpr std::uint64_t kMaxPersistence = 86400ull * 31;  // ipvsadm's MAX_TIMEOUT
constexpr std::uint64_t kDefaultPersistence = 360;       // keepalived: 6 minutes

struct RsBuild {
  RealServerEntry entry;
  std::optional<bool> inhibit;
  std::optional<ForwardMethod> method;
};

struct VsBuild {
  VirtualServerConfig vs;
  std::vector<RsBuild> rs;
};

ForwardMethod forward_method(Context& ctx, const Token& t) {
  if (t.text == "NAT") return ForwardMethod::kMasq;
  if (t.text == "DR") return ForwardMethod::kDirectRoute;
  if (t.text == "TUN") return ForwardMethod::kTunnel;
  ctx.fail(t, "expected NAT, DR or TUN, got '" + t.text + "'");
}

std::uint16_t port_value(Context& ctx, const Token& t) {
  return static_cast<std::uint16_t>(ctx.uint_value(t, 0, 65535, "port"));
}

Duration one_seconds(Context& c, const Statement& s, const char* what) {
  const Duration d = c.seconds_value(c.arg(s, 0, what), what);
  c.value_only(s, 1);
  return d;
}

// Timing keys shared by virtual_server and real_server (checker defaults).
bool timing_default(Context& c, const Statement& s, CheckTimingDefaults& d) {
  const std::string& k = s.keyword.text;
  if (k == "connect_timeout") {
    d.connect_timeout = one_seconds(c, s, "connect timeout");
  } else if (k == "retry" || k == "nb_get_retry") {
    d.retry = static_cast<unsigned>(c.uint_value(c.arg(s, 0, "retry count"), 0, 1000000, "retry count"));
    c.value_only(s, 1);
  } else if (k == "delay_before_retry") {
    d.delay_before_retry = one_seconds(c, s, "delay before retry");
  } else if (k == "warmup") {
    d.warmup = one_seconds(c, s, "warmup");
  } else {
    return false;
  }
  return true;
}

void set_flag(Context& c, const Statement& s, ServiceConfig& svc, std::uint32_t flag) {
  if (c.bool_flag(s)) {
    svc.flags |= flag;
  } else {
    svc.flags &= ~flag;
  }
}

const KeywordHandler<RsBuild> kRealServerHandlers[] = {
    {"weight",
     [](Context& c, const Statement& s, RsBuild& b) {
       b.entry.rs.weight = static_cast<std::int32_t>(
           c.uint_value(c.arg(s, 0, "a weight"), 0, 65535, "weight"));
       c.value_only(s, 1);
     }},
    {"inhibit_on_failure", [](Context& c, const Statement& s, RsBuild& b) { b.inhibit = c.bool_flag(s); }},
    {"notify_up",
     [](Context& c, const Statement& s, RsBuild& b) { b.entry.notify_up = c.string_value(s, "a script"); }},
    {"notify_down",
     [](Context& c, const Statement& s, RsBuild& b) {
       b.entry.notify_down = c.string_value(s, "a script");
     }},
    {"uthreshold",
     [](Context& c, const Statement& s, RsBuild& b) {
       b.entry.rs.u_threshold = static_cast<std::uint32_t>(
           c.uint_value(c.arg(s, 0, "a connection count"), 0, 0xffffffffu, "upper threshold"));
       c.value_only(s, 1);
     }},
    {"lthreshold",
     [](Context& c, const Statement& s, RsBuild& b) {
       b.entry.rs.l_threshold = static_cast<std::uint32_t>(
           c.uint_value(c.arg(s, 0, "a connection count"), 0, 0xffffffffu, "lower threshold"));
       c.value_only(s, 1);
     }},
    {"lvs_method",
     [](Context& c, const Statement& s, RsBuild& b) {
       b.method = forward_method(c, c.arg(s, 0, "NAT, DR or TUN"));
       c.value_only(s, 1);
     }},
    {"delay_loop",
     [](Context& c, const Statement& s, RsBuild& b) {
       b.entry.check_defaults.delay_loop = one_seconds(c, s, "delay loop");
     }},
};

void parse_real_server(Context& ctx, const Statement& st, VsBuild& b) {
  const Token& addr = ctx.arg(st, 0, "a real server address");
  if (looks_like_ipv6(addr.text)) {
    ctx.warn(addr, "real_server", "IPv6 real server " + addr.text + " is not modelled (lvsim is IPv4 only)");
    return;
  }
  RsBuild rs;
  rs.entry.pos = ctx.pos(st.keyword);
  rs.entry.rs.addr = ctx.ip4_value(addr, "real server address");
  rs.entry.rs.port = st.args.size() > 1 ? port_value(ctx, st.args[1]) : 0;
  ctx.extra_args(st, 2);
  for (const Statement& child : st.children) {
    if (timing_default(ctx, child, rs.entry.check_defaults)) continue;
    bool handled = false;
    for (const auto& h : kRealServerHandlers) {
      if (child.keyword.text == h.name) {
        h.handle(ctx, child, rs);
        handled = true;
        break;
      }
    }
    if (!handled && !parse_checker(ctx, child, rs.entry)) ctx.unmodelled(child, "real_server");
  }
  b.rs.push_back(std::move(rs));
}

void sorry_server(Context& c, const Statement& s, VsBuild& b) {
  const Token& addr = c.arg(s, 0, "a sorry server address");
  c.value_only(s, 2);
  if (looks_like_ipv6(addr.text)) {
    c.warn(addr, "sorry_server", "IPv6 sorry server is not modelled");
    return;
  }
  RealServerConfig rs;
  rs.addr = c.ip4_value(addr, "sorry server address");
  rs.port = s.args.size() > 1 ? port_value(c, s.args[1]) : 0;
  b.vs.sorry_server = rs;
}

void scheduler(Context& c, const Statement& s, VsBuild& b) {
  const Token& t = c.arg(s, 0, "a scheduler name");
  c.value_only(s, 1);
  static const char* const kKnown[] = {"rr",  "wrr", "lc", "wlc", "sed", "nq",  "lblc",
                                       "lblcr", "dh", "sh", "mh",  "fo",  "ovf", "twos"};
  bool known = false;
  for (const char* k : kKnown) known = known || t.text == k;
  if (!known) c.warn(t, s.keyword.text, "unknown IPVS scheduler '" + t.text + "'");
  b.vs.service.scheduler = t.text;
}

void persistence_timeout(Context& c, const Statement& s, VsBuild& b) {
  c.value_only(s, 1);
  const std::uint64_t t =
      s.args.empty() ? kDefaultPersistence
                     : c.uint_value(s.args[0], 0, kMaxPersistence, "persistence timeout in seconds");
  ServiceConfig& svc = b.vs.service;
  svc.timeout = seconds(static_cast<long>(t));
  if (t == 0) {
    svc.flags &= ~static_cast<std::uint32_t>(kSvcPersistent);
  } else {
    svc.flags |= kSvcPersistent;
  }
}

void protocol(Context& c, const Statement& s, VsBuild& b) {
  const Token& t = c.arg(s, 0, "TCP, UDP or SCTP");
  c.value_only(s, 1);
  if (t.text == "TCP") {
    b.vs.service.key.proto = Proto::kTcp;
  } else if (t.text == "UDP") {
    b.vs.service.key.proto = Proto::kUdp;
  } else if (t.text == "SCTP") {
    c.warn(t, "protocol", "SCTP services are not modelled; treated as TCP");
  } else {
    c.fail(t, "expected TCP, UDP or SCTP, got '" + t.text + "'");
  }
}

const KeywordHandler<VsBuild> kVirtualServerHandlers[] = {
    {"delay_loop",
     [](Context& c, const Statement& s, VsBuild& b) { b.vs.delay_loop = one_seconds(c, s, "delay loop"); }},
    {"lb_algo", scheduler},
    {"lvs_sched", scheduler},
    {"lb_kind",
     [](Context& c, const Statement& s, VsBuild& b) {
       b.vs.method = forward_method(c, c.arg(s, 0, "NAT, DR or TUN"));
       c.value_only(s, 1);
     }},
    {"lvs_method",
     [](Context& c, const Statement& s, VsBuild& b) {
       b.vs.method = forward_method(c, c.arg(s, 0, "NAT, DR or TUN"));
       c.value_only(s, 1);
     }},
    {"protocol", protocol},
    {"persistence_timeout", persistence_timeout},
    {"persistence_granularity",
     [](Context& c, const Statement& s, VsBuild& b) {
       b.vs.service.netmask = c.netmask_value(c.arg(s, 0, "a netmask"));
       c.value_only(s, 1);
     }},
    {"persistence_engine",
     [](Context& c, const Statement& s, VsBuild& b) {
       b.vs.service.pe_name = c.arg(s, 0, "a persistence engine name").text;
       c.value_only(s, 1);
     }},
    {"ops", [](Context& c, const Statement& s, VsBuild& b) { set_flag(c, s, b.vs.service, kSvcOnePacket); }},
    {"sh-fallback", [](Context& c, const Statement& s, VsBuild& b) { set_flag(c, s, b.vs.service, kSvcSched1); }},
    {"mh-fallback", [](Context& c, const Statement& s, VsBuild& b) { set_flag(c, s, b.vs.service, kSvcSched1); }},
    {"flag-1", [](Context& c, const Statement& s, VsBuild& b) { set_flag(c, s, b.vs.service, kSvcSched1); }},
    {"sh-port", [](Context& c, const Statement& s, VsBuild& b) { set_flag(c, s, b.vs.service, kSvcSched2); }},
    {"mh-port", [](Context& c, const Statement& s, VsBuild& b) { set_flag(c, s, b.vs.service, kSvcSched2); }},
    {"flag-2", [](Context& c, const Statement& s, VsBuild& b) { set_flag(c, s, b.vs.service, kSvcSched2); }},
    {"flag-3", [](Context& c, const Statement& s, VsBuild& b) { set_flag(c, s, b.vs.service, kSvcSched3); }},
    {"quorum",
     [](Context& c, const Statement& s, VsBuild& b) {
       b.vs.quorum = static_cast<std::uint32_t>(
           c.uint_value(c.arg(s, 0, "a quorum weight"), 1, 0xffffffffu, "quorum"));
       c.value_only(s, 1);
     }},
    {"hysteresis",
     [](Context& c, const Statement& s, VsBuild& b) {
       b.vs.hysteresis = static_cast<std::uint32_t>(
           c.uint_value(c.arg(s, 0, "a hysteresis"), 0, 0xffffffffu, "hysteresis"));
       c.value_only(s, 1);
     }},
    {"quorum_up",
     [](Context& c, const Statement& s, VsBuild& b) { b.vs.quorum_up = c.string_value(s, "a script"); }},
    {"quorum_down",
     [](Context& c, const Statement& s, VsBuild& b) { b.vs.quorum_down = c.string_value(s, "a script"); }},
    {"alpha", [](Context& c, const Statement& s, VsBuild& b) { b.vs.alpha = c.bool_flag(s); }},
    {"omega", [](Context& c, const Statement& s, VsBuild& b) { b.vs.omega = c.bool_flag(s); }},
    {"ha_suspend", [](Context& c, const Statement& s, VsBuild& b) { b.vs.ha_suspend = c.bool_flag(s); }},
    {"inhibit_on_failure",
     [](Context& c, const Statement& s, VsBuild& b) { b.vs.inhibit_on_failure = c.bool_flag(s); }},
    {"sorry_server", sorry_server},
    {"sorry_server_inhibit",
     [](Context& c, const Statement& s, VsBuild& b) { b.vs.sorry_server_inhibit = c.bool_flag(s); }},
    {"virtualhost",
     [](Context& c, const Statement& s, VsBuild& b) { b.vs.virtualhost = c.string_value(s, "a host name"); }},
    {"real_server", parse_real_server},
};

void resolve_checker(CheckerConfig& ch, const RealServerEntry& rs, const VirtualServerConfig& vs) {
  const CheckTimingDefaults& e = ch.explicit_timing;
  const CheckTimingDefaults& r = rs.check_defaults;
  const CheckTimingDefaults& v = vs.check_defaults;
  ch.connect_timeout = e.connect_timeout.value_or(r.connect_timeout.value_or(v.connect_timeout.value_or(seconds(5))));
  ch.delay_loop = e.delay_loop.value_or(r.delay_loop.value_or(vs.delay_loop));
  ch.retry = e.retry.value_or(r.retry.value_or(v.retry.value_or(checker_default_retry(ch.kind))));
  ch.delay_before_retry = e.delay_before_retry.value_or(r.delay_before_retry.value_or(
      v.delay_before_retry.value_or(checker_default_delay_before_retry(ch.kind, ch.delay_loop))));
  // Unset warmup spreads the first probes over delay_loop (check_data.c).
  ch.warmup = e.warmup.value_or(r.warmup.value_or(v.warmup.value_or(ch.delay_loop)));
  if (ch.kind == CheckerKind::kMiscCheck && ch.misc_timeout == Duration{0}) ch.misc_timeout = ch.delay_loop;
  if (ch.virtualhost.empty()) ch.virtualhost = vs.virtualhost;
}

// Values a real server takes from its virtual server once the whole block is read.
void finish_virtual_server(VsBuild& b) {
  VirtualServerConfig& vs = b.vs;
  for (RsBuild& r : b.rs) {
    RealServerEntry& e = r.entry;
    e.rs.fwd = r.method.value_or(vs.method);
    e.inhibit_on_failure = r.inhibit.value_or(vs.inhibit_on_failure);
    for (CheckerConfig& ch : e.checkers) resolve_checker(ch, e, vs);
    vs.real_servers.push_back(std::move(e));
  }
  if (vs.sorry_server) vs.sorry_server->fwd = vs.method;
}

}  // namespace

void parse_virtual_server(Context& ctx, const Statement& st) {
  const Token& first = ctx.arg(st, 0, "an address, 'fwmark N' or 'group NAME'");
  ctx.require_block(st);
  VsBuild b;
  b.vs.pos = ctx.pos(st.keyword);
  if (first.text == "fwmark") {
    b.vs.service.key.fwmark = static_cast<std::uint32_t>(
        ctx.uint_value(ctx.arg(st, 1, "a firewall mark"), 1, 0xffffffffu, "firewall mark"));
  } else if (first.text == "group") {
    b.vs.group = ctx.arg(st, 1, "a virtual_server_group name").text;
  } else if (looks_like_ipv6(first.text)) {
    UnmodelledKeyword u{ctx.pos(st.keyword), "", st.keyword.text, {}, true};
    for (const auto& a : st.args) u.args.push_back(a.text);
    ctx.cfg.unmodelled.push_back(u);
    ctx.warn(st.keyword, "virtual_server",
             "IPv6 virtual server " + first.text + " is not modelled (lvsim is IPv4 only); block ignored");
    return;
  } else {
    b.vs.service.key.addr = ctx.ip4_value(first, "virtual server address");
    if (st.args.size() > 1) b.vs.service.key.port = port_value(ctx, st.args[1]);
  }
  ctx.extra_args(st, 2);
  for (const Statement& child : st.children) {
    if (timing_default(ctx, child, b.vs.check_defaults)) continue;
    bool handled = false;
    for (const auto& h : kVirtualServerHandlers) {
      if (child.keyword.text == h.name) {
        h.handle(ctx, child, b);
        handled = true;
        break;
      }
    }
    if (!handled) ctx.unmodelled(child, "virtual_server");
  }
  finish_virtual_server(b);
  ctx.cfg.virtual_servers.push_back(std::move(b.vs));
}

void parse_virtual_server_group(Context& ctx, const Statement& st) {
  const Token& name = ctx.arg(st, 0, "a group name");
  ctx.require_block(st);
  ctx.extra_args(st, 1);
  VirtualServerGroup g;
  g.name = name.text;
  g.pos = ctx.pos(st.keyword);
  for (const Statement& line : st.children) {
    ctx.forbid_block(line);
    VirtualServerGroupEntry e;
    e.pos = ctx.pos(line.keyword);
    const std::string& text = line.keyword.text;
    if (text == "fwmark") {
      e.fwmark = static_cast<std::uint32_t>(
          ctx.uint_value(ctx.arg(line, 0, "a firewall mark"), 1, 0xffffffffu, "firewall mark"));
      ctx.extra_args(line, 1);
      g.entries.push_back(e);
      continue;
    }
    if (looks_like_ipv6(text)) {
      ctx.warn(line.keyword, text, "IPv6 group entry " + text + " is not modelled (lvsim is IPv4 only)");
      continue;
    }
    const std::size_t dash = text.find('-');
    Token addr = line.keyword;
    addr.text = text.substr(0, dash);
    e.first = e.last = ctx.ip4_value(addr, "group entry address");
    if (dash != std::string::npos) {
      Token last = line.keyword;
      last.text = text.substr(dash + 1);
      last.column += static_cast<int>(dash) + 1;
      const auto octet = ctx.uint_value(last, e.first & 0xffu, 255, "last octet of the range");
      e.last = (e.first & 0xffffff00u) | static_cast<Ip4>(octet);
    }
    if (!line.args.empty()) e.port = port_value(ctx, line.args[0]);
    ctx.extra_args(line, 1);
    g.entries.push_back(e);
  }
  ctx.cfg.groups.push_back(std::move(g));
}

}  // namespace lvs::config::detail
