// global_defs: the few process-wide defaults lvsim models (router id, IPVS
// timeouts, the sync daemon, VRRP gratuitous-ARP timing and version).

#include "keepalived_context.h"

namespace lvs::config::detail {
namespace {

void lvs_timeouts(Context& ctx, const Statement& st, GlobalDefs& g) {
  ctx.forbid_block(st);
  ctx.arg(st, 0, "'tcp', 'tcpfin' or 'udp'");
  for (std::size_t i = 0; i < st.args.size(); i += 2) {
    const Token& key = st.args[i];
    Duration* slot = key.text == "tcp"      ? &g.lvs_timeouts.tcp
                     : key.text == "tcpfin" ? &g.lvs_timeouts.tcpfin
                     : key.text == "udp"    ? &g.lvs_timeouts.udp
                                            : nullptr;
    if (slot == nullptr) ctx.fail(key, "expected 'tcp', 'tcpfin' or 'udp', got '" + key.text + "'");
    const Token& value = ctx.arg(st, i + 1, "a timeout");
    *slot = seconds(static_cast<long>(ctx.uint_value(value, 1, 86400 * 31, "timeout in seconds")));
  }
}

// lvs_sync_daemon INTERFACE INSTANCE [id N] [maxlen N] [port N] [ttl N] [group IP]
void lvs_sync_daemon(Context& ctx, const Statement& st, GlobalDefs& g) {
  ctx.forbid_block(st);
  LvsSyncDaemon d;
  d.interface = ctx.arg(st, 0, "an interface name").text;
  std::size_t i = 1;
  if (i < st.args.size() && st.args[i].text != "id" && st.args[i].text != "maxlen" &&
      st.args[i].text != "port" && st.args[i].text != "ttl" && st.args[i].text != "group") {
    d.instance = st.args[i++].text;
  }
  for (; i < st.args.size(); i += 2) {
    const Token& key = st.args[i];
    const Token& value = ctx.arg(st, i + 1, "a value");
    if (key.text == "id") {
      d.sync_id = static_cast<std::uint32_t>(ctx.uint_value(value, 0, 255, "sync id"));
    } else if (key.text == "maxlen") {
      d.maxlen = static_cast<std::uint32_t>(ctx.uint_value(value, 1, 65535 - 20 - 8, "maxlen"));
    } else if (key.text == "port") {
      d.port = static_cast<std::uint16_t>(ctx.uint_value(value, 1, 65535, "port"));
    } else if (key.text == "ttl") {
      d.ttl = static_cast<unsigned>(ctx.uint_value(value, 1, 255, "ttl"));
    } else if (key.text == "group") {
      if (looks_like_ipv6(value.text)) {
        ctx.warn(value, "lvs_sync_daemon", "IPv6 sync group " + value.text + " is not modelled");
      } else {
        d.group = ctx.ip4_value(value, "sync group");
      }
    } else {
      ctx.fail(key, "expected 'id', 'maxlen', 'port', 'ttl' or 'group', got '" + key.text + "'");
    }
  }
  g.lvs_sync_daemon = d;
}

void router_id(Context& ctx, const Statement& st, GlobalDefs& g) {
  g.router_id = ctx.arg(st, 0, "a router id").text;
  ctx.value_only(st, 1);
}

Duration seconds_of(Context& ctx, const Statement& st, const char* what) {
  const Duration d = ctx.seconds_value(ctx.arg(st, 0, what), what);
  ctx.value_only(st, 1);
  return d;
}

unsigned count_of(Context& ctx, const Statement& st, std::uint64_t max, const char* what) {
  const auto v = ctx.uint_value(ctx.arg(st, 0, what), 0, max, what);
  ctx.value_only(st, 1);
  return static_cast<unsigned>(v);
}

const KeywordHandler<GlobalDefs> kGlobalHandlers[] = {
    {"router_id", router_id},
    {"lvs_id", router_id},  // pre-1.2 spelling
    {"lvs_timeouts", lvs_timeouts},
    {"lvs_sync_daemon", lvs_sync_daemon},
    {"vrrp_garp_master_delay",
     [](Context& c, const Statement& s, GlobalDefs& g) {
       g.vrrp_garp_master_delay = seconds_of(c, s, "garp master delay");
     }},
    {"vrrp_garp_master_repeat",
     [](Context& c, const Statement& s, GlobalDefs& g) {
       g.vrrp_garp_master_repeat = count_of(c, s, 1000000, "garp repeat count");
     }},
    {"vrrp_garp_master_refresh",
     [](Context& c, const Statement& s, GlobalDefs& g) {
       g.vrrp_garp_master_refresh = seconds_of(c, s, "garp refresh interval");
     }},
    {"vrrp_garp_master_refresh_repeat",
     [](Context& c, const Statement& s, GlobalDefs& g) {
       g.vrrp_garp_master_refresh_repeat = count_of(c, s, 1000000, "garp refresh repeat count");
     }},
    {"vrrp_garp_interval",
     [](Context& c, const Statement& s, GlobalDefs& g) {
       g.vrrp_garp_interval = seconds_of(c, s, "garp interval");
     }},
    {"vrrp_gna_interval",
     [](Context& c, const Statement& s, GlobalDefs& g) {
       g.vrrp_gna_interval = seconds_of(c, s, "unsolicited NA interval");
     }},
    {"vrrp_version",
     [](Context& c, const Statement& s, GlobalDefs& g) {
       g.vrrp_version = static_cast<unsigned>(
           c.uint_value(c.arg(s, 0, "VRRP version"), 2, 3, "VRRP version"));
       c.value_only(s, 1);
     }},
    {"vrrp_mcast_group4",
     [](Context& c, const Statement& s, GlobalDefs& g) {
       g.vrrp_mcast_group4 = c.ip4_value(c.arg(s, 0, "a multicast group"), "multicast group");
       c.value_only(s, 1);
     }},
    {"vrrp_strict", [](Context& c, const Statement& s, GlobalDefs& g) { g.vrrp_strict = c.bool_flag(s); }},
};

}  // namespace

void parse_global_defs(Context& ctx, const Statement& st) {
  ctx.require_block(st);
  ctx.extra_args(st, 0);
  dispatch(ctx, st.children, kGlobalHandlers, ctx.cfg.global, "global_defs");
}

}  // namespace lvs::config::detail
