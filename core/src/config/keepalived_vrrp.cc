// vrrp_instance and vrrp_sync_group.

#include "keepalived_context.h"

namespace lvs::config::detail {
namespace {

// A virtual_ipaddress line: ADDR[/PREFIX] [dev IF] [label L] [other options].
void virtual_address(Context& ctx, const Statement& line, VrrpInstance& vi, bool excluded) {
  ctx.forbid_block(line);
  const Token& a = line.keyword;
  const std::size_t slash = a.text.find('/');
  const std::string addr_text = a.text.substr(0, slash);
  if (looks_like_ipv6(addr_text)) {
    ctx.warn(a, a.text, "IPv6 virtual address " + a.text + " is not modelled (lvsim is IPv4 only)");
    return;
  }
  VirtualIpAddress v;
  Token addr_tok = a;
  addr_tok.text = addr_text;
  v.addr = ctx.ip4_value(addr_tok, "virtual address");
  v.excluded = excluded;
  if (slash != std::string::npos) {
    Token prefix = a;
    prefix.text = a.text.substr(slash + 1);
    prefix.column += static_cast<int>(slash) + 1;
    v.prefix = static_cast<unsigned>(ctx.uint_value(prefix, 0, 32, "prefix length"));
  }
  for (std::size_t i = 0; i < line.args.size(); ++i) {
    const Token& opt = line.args[i];
    if (opt.text == "dev") {
      v.dev = ctx.arg(line, ++i, "an interface after 'dev'").text;
    } else if (opt.text == "label") {
      v.label = ctx.arg(line, ++i, "a label after 'label'").text;
    } else if (opt.text == "brd" || opt.text == "broadcast" || opt.text == "scope" ||
               opt.text == "preferred_lft" || opt.text == "track_group") {
      ctx.warn(opt, opt.text, "address option '" + opt.text + "' is not modelled; ignored");
      ++i;
    } else {
      ctx.warn(opt, opt.text, "address option '" + opt.text + "' is not modelled; ignored");
    }
  }
  vi.virtual_ipaddresses.push_back(v);
}

void virtual_ipaddress(Context& ctx, const Statement& st, VrrpInstance& vi) {
  ctx.require_block(st);
  for (const auto& line : st.children) virtual_address(ctx, line, vi, false);
}

void virtual_ipaddress_excluded(Context& ctx, const Statement& st, VrrpInstance& vi) {
  ctx.require_block(st);
  for (const auto& line : st.children) virtual_address(ctx, line, vi, true);
}

void track_interface(Context& ctx, const Statement& st, VrrpInstance& vi) {
  ctx.require_block(st);
  for (const auto& line : st.children) {
    ctx.forbid_block(line);
    TrackedInterface t;
    t.name = line.keyword.text;
    if (!line.args.empty()) {
      if (line.args[0].text != "weight") ctx.fail(line.args[0], "expected 'weight' or end of line");
      t.weight = static_cast<int>(ctx.int_value(ctx.arg(line, 1, "a weight"), -253, 253, "weight"));
      ctx.extra_args(line, 2);
    }
    vi.track_interfaces.push_back(t);
  }
}

void unicast_peer(Context& ctx, const Statement& st, VrrpInstance& vi) {
  ctx.require_block(st);
  for (const auto& line : st.children) {
    ctx.forbid_block(line);
    if (looks_like_ipv6(line.keyword.text)) {
      ctx.warn(line.keyword, line.keyword.text, "IPv6 unicast peer is not modelled");
      continue;
    }
    vi.unicast_peers.push_back(ctx.ip4_value(line.keyword, "unicast peer address"));
    for (const auto& opt : line.args) {
      if (opt.text == "min_ttl" || opt.text == "max_ttl") {
        ctx.warn(opt, opt.text, "unicast peer option '" + opt.text + "' is not modelled; ignored");
        break;
      }
    }
  }
}

void authentication(Context& ctx, const Statement& st, VrrpInstance& vi) {
  ctx.require_block(st);
  for (const auto& line : st.children) {
    if (line.keyword.text == "auth_type") {
      const Token& t = ctx.arg(line, 0, "PASS or AH");
      if (t.text != "PASS" && t.text != "AH") ctx.fail(t, "expected PASS or AH, got '" + t.text + "'");
      vi.auth_type = t.text;
      ctx.value_only(line, 1);
    } else if (line.keyword.text == "auth_pass") {
      vi.auth_pass = ctx.string_value(line, "a password");
      if (vi.auth_pass.size() > 8) vi.auth_pass.resize(8);  // VRRPv2 carries 8 bytes
    } else {
      ctx.unmodelled(line, "authentication");
    }
  }
}

std::uint64_t single_uint(Context& c, const Statement& s, std::uint64_t lo, std::uint64_t hi,
                          const char* what) {
  const auto v = c.uint_value(c.arg(s, 0, what), lo, hi, what);
  c.value_only(s, 1);
  return v;
}

Duration single_seconds(Context& c, const Statement& s, const char* what) {
  const Duration d = c.seconds_value(c.arg(s, 0, what), what);
  c.value_only(s, 1);
  return d;
}

const KeywordHandler<VrrpInstance> kInstanceHandlers[] = {
    {"state",
     [](Context& c, const Statement& s, VrrpInstance& vi) {
       const Token& t = c.arg(s, 0, "MASTER or BACKUP");
       if (t.text == "MASTER") {
         vi.state = VrrpState::kMaster;
       } else if (t.text == "BACKUP") {
         vi.state = VrrpState::kBackup;
       } else {
         c.fail(t, "expected MASTER or BACKUP, got '" + t.text + "'");
       }
       c.value_only(s, 1);
     }},
    {"interface",
     [](Context& c, const Statement& s, VrrpInstance& vi) {
       vi.interface = c.arg(s, 0, "an interface name").text;
       c.value_only(s, 1);
     }},
    {"virtual_router_id",
     [](Context& c, const Statement& s, VrrpInstance& vi) {
       vi.virtual_router_id = static_cast<unsigned>(single_uint(c, s, 1, 255, "virtual router id"));
     }},
    {"priority",
     [](Context& c, const Statement& s, VrrpInstance& vi) {
       vi.priority = static_cast<unsigned>(single_uint(c, s, 1, 255, "priority"));
     }},
    {"advert_int",
     [](Context& c, const Statement& s, VrrpInstance& vi) {
       vi.advert_int = single_seconds(c, s, "advert interval");
       if (vi.advert_int <= Duration{0} || vi.advert_int > seconds(255)) {
         c.fail(s.args[0], "expected advert interval in (0, 255] seconds");
       }
     }},
    {"version",
     [](Context& c, const Statement& s, VrrpInstance& vi) {
       vi.version = static_cast<unsigned>(single_uint(c, s, 2, 3, "VRRP version"));
     }},
    {"nopreempt", [](Context& c, const Statement& s, VrrpInstance& vi) { vi.nopreempt = c.bool_flag(s); }},
    {"preempt",
     [](Context& c, const Statement& s, VrrpInstance& vi) { vi.nopreempt = !c.bool_flag(s); }},
    {"preempt_delay",
     [](Context& c, const Statement& s, VrrpInstance& vi) {
       vi.preempt_delay = single_seconds(c, s, "preempt delay");
     }},
    {"use_vmac",
     [](Context& c, const Statement& s, VrrpInstance& vi) {
       c.value_only(s, 1);
       vi.use_vmac = true;
       if (!s.args.empty()) vi.vmac_name = s.args[0].text;
     }},
    {"unicast_src_ip",
     [](Context& c, const Statement& s, VrrpInstance& vi) {
       const Token& t = c.arg(s, 0, "an address");
       c.value_only(s, 1);
       if (looks_like_ipv6(t.text)) {
         c.warn(t, "unicast_src_ip", "IPv6 unicast_src_ip is not modelled");
       } else {
         vi.unicast_src_ip = c.ip4_value(t, "unicast source address");
       }
     }},
    {"unicast_peer", unicast_peer},
    {"authentication", authentication},
    {"virtual_ipaddress", virtual_ipaddress},
    {"virtual_ipaddress_excluded", virtual_ipaddress_excluded},
    {"track_interface", track_interface},
    {"garp_master_delay",
     [](Context& c, const Statement& s, VrrpInstance& vi) {
       vi.garp_master_delay = single_seconds(c, s, "garp master delay");
     }},
    {"garp_master_repeat",
     [](Context& c, const Statement& s, VrrpInstance& vi) {
       vi.garp_master_repeat = static_cast<unsigned>(single_uint(c, s, 0, 1000000, "garp repeat"));
     }},
    {"garp_master_refresh",
     [](Context& c, const Statement& s, VrrpInstance& vi) {
       vi.garp_master_refresh = single_seconds(c, s, "garp refresh interval");
     }},
    {"lvs_sync_daemon_interface",
     [](Context& c, const Statement& s, VrrpInstance& vi) {
       vi.lvs_sync_daemon_interface = c.arg(s, 0, "an interface name").text;
       c.value_only(s, 1);
       c.warn(s.keyword, s.keyword.text,
              "'lvs_sync_daemon_interface' is deprecated; use global_defs lvs_sync_daemon");
       if (!c.cfg.global.lvs_sync_daemon) {
         LvsSyncDaemon d;
         d.interface = vi.lvs_sync_daemon_interface;
         d.instance = vi.name;
         c.cfg.global.lvs_sync_daemon = d;
       }
     }},
};

}  // namespace

void parse_vrrp_instance(Context& ctx, const Statement& st) {
  const Token& name = ctx.arg(st, 0, "an instance name");
  ctx.require_block(st);
  ctx.extra_args(st, 1);
  const GlobalDefs& g = ctx.cfg.global;
  VrrpInstance vi;
  vi.name = name.text;
  vi.pos = ctx.pos(st.keyword);
  vi.version = g.vrrp_version;
  vi.garp_master_delay = g.vrrp_garp_master_delay;
  vi.garp_master_repeat = g.vrrp_garp_master_repeat;
  vi.garp_master_refresh = g.vrrp_garp_master_refresh;
  dispatch(ctx, st.children, kInstanceHandlers, vi, "vrrp_instance");
  ctx.cfg.vrrp_instances.push_back(std::move(vi));
}

void parse_vrrp_sync_group(Context& ctx, const Statement& st) {
  const Token& name = ctx.arg(st, 0, "a sync group name");
  ctx.require_block(st);
  ctx.extra_args(st, 1);
  VrrpSyncGroup sg;
  sg.name = name.text;
  sg.pos = ctx.pos(st.keyword);
  static const char* const kFlagKeywords[] = {"smtp_alert", "global_tracking",
                                              "sync_group_tracking_weight", "notify_priority_changes"};
  for (const auto& line : st.children) {
    if (line.keyword.text == "group") {
      ctx.require_block(line);
      for (const auto& member : line.children) {
        ctx.forbid_block(member);
        sg.group.push_back(member.keyword.text);
        for (const auto& more : member.args) sg.group.push_back(more.text);
      }
      continue;
    }
    bool is_flag = false;
    for (const char* k : kFlagKeywords) is_flag = is_flag || line.keyword.text == k;
    if (!is_flag && line.args.empty() && !line.has_block) {
      // keepalived before 1.2 listed members directly in the sync group.
      sg.group.push_back(line.keyword.text);
      ctx.warn(line.keyword, line.keyword.text,
               "sync group member '" + line.keyword.text + "' outside a 'group { }' block "
               "(old syntax); accepted");
      continue;
    }
    ctx.unmodelled(line, "vrrp_sync_group");
  }
  ctx.cfg.sync_groups.push_back(std::move(sg));
}

}  // namespace lvs::config::detail
