// piranha lvs.cf: `key = value` lines, `virtual NAME {` and `server NAME {` blocks.

#include "lvs/config/lvs_cf.h"

#include <optional>

namespace lvs::config {
namespace {

struct Line {
  int number = 0;
  int key_col = 0;
  std::string key;
  int value_col = 0;
  std::string value;  // after '=', trimmed, quotes removed
  enum Kind { kAssign, kOpen, kClose } kind = kAssign;
  std::string block_name;
};

class LvsCfParser {
 public:
  LvsCfParser(const std::string& file, ClusterConfig& cfg) : file_(file), cfg_(cfg) {}

  void run(std::string_view text) {
    PiranhaConfig pc;
    int number = 0;
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      auto line = split(std::string(text.substr(start, end - start)), ++number);
      start = end + 1;
      if (line) handle(*line, pc);
    }
    if (skip_depth_ > 0 || virtual_open_ || server_open_) {
      fail(open_pos_.line, open_pos_.column, "unbalanced braces: expected '}' to close this block before end of input");
    }
    cfg_.piranha = std::move(pc);
  }

 private:
  [[noreturn]] void fail(int line, int column, const std::string& message) const {
    throw ConfigError(SourcePos{file_, line, column}, message);
  }

  std::optional<Line> split(std::string raw, int number) const {
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    bool in_quote = false;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '"') in_quote = !in_quote;
      if (raw[i] == '#' && !in_quote) {
        raw.resize(i);
        break;
      }
    }
    const std::size_t b = raw.find_first_not_of(" \t");
    if (b == std::string::npos) return std::nullopt;
    std::size_t e = raw.find_last_not_of(" \t");
    Line l;
    l.number = number;
    l.key_col = static_cast<int>(b) + 1;
    const std::string body = raw.substr(b, e - b + 1);
    if (body == "}") {
      l.kind = Line::kClose;
      return l;
    }
    const std::size_t eq = body.find('=');
    if (eq == std::string::npos) return block_line(l, body);
    l.key = body.substr(0, body.find_last_not_of(" \t", eq == 0 ? 0 : eq - 1) + 1);
    if (eq == 0 || l.key.find_first_of(" \t") != std::string::npos) {
      fail(number, l.key_col, "expected 'key = value'");
    }
    std::size_t v = body.find_first_not_of(" \t", eq + 1);
    l.value = v == std::string::npos ? "" : body.substr(v);
    l.value_col = l.key_col + static_cast<int>(v == std::string::npos ? eq + 1 : v);
    if (l.value.size() >= 2 && l.value.front() == '"' && l.value.back() == '"') {
      l.value = l.value.substr(1, l.value.size() - 2);
    } else if (!l.value.empty() && l.value.front() == '"') {
      fail(number, l.value_col, "unterminated quoted string: expected '\"' at end of line");
    }
    return l;
  }

  Line block_line(Line l, const std::string& body) const {
    // "virtual NAME {" / "server NAME {"
    if (body.size() < 2 || body.back() != '{') {
      fail(l.number, l.key_col, "expected 'key = value', 'virtual NAME {', 'server NAME {' or '}'");
    }
    std::string head = body.substr(0, body.size() - 1);
    head.erase(head.find_last_not_of(" \t") + 1);
    const std::size_t sp = head.find_first_of(" \t");
    if (sp == std::string::npos) fail(l.number, l.key_col, "expected a block name before '{'");
    l.kind = Line::kOpen;
    l.key = head.substr(0, sp);
    l.block_name = head.substr(head.find_first_not_of(" \t", sp));
    return l;
  }

  void handle(const Line& l, PiranhaConfig& pc) {
    if (skip_depth_ > 0) {
      if (l.kind == Line::kOpen) ++skip_depth_;
      if (l.kind == Line::kClose) --skip_depth_;
      return;
    }
    switch (l.kind) {
      case Line::kClose: close(l, pc); return;
      case Line::kOpen: open(l, pc); return;
      case Line::kAssign: break;
    }
    if (server_open_) {
      server_key(l, pc.virtuals.back().servers.back());
    } else if (virtual_open_) {
      virtual_key(l, pc.virtuals.back());
    } else {
      global_key(l, pc.globals);
    }
  }

  void open(const Line& l, PiranhaConfig& pc) {
    const SourcePos pos{file_, l.number, l.key_col};
    if (l.key == "virtual" && !virtual_open_) {
      PiranhaVirtual v;
      v.name = l.block_name;
      v.pos = pos;
      pc.virtuals.push_back(v);
      virtual_open_ = true;
    } else if (l.key == "server" && virtual_open_ && !server_open_) {
      PiranhaServer s;
      s.name = l.block_name;
      s.pos = pos;
      pc.virtuals.back().servers.push_back(s);
      server_open_ = true;
    } else if (l.key == "server" || l.key == "virtual") {
      fail(l.number, l.key_col, "'" + l.key + "' block not allowed here");
    } else {
      unmodelled(l, "block");
      skip_depth_ = 1;
    }
    open_pos_ = pos;
  }

  void close(const Line& l, PiranhaConfig& pc) {
    if (server_open_) {
      server_open_ = false;
    } else if (virtual_open_) {
      virtual_open_ = false;
      add_virtual_server(pc.globals, pc.virtuals.back());
    } else {
      fail(l.number, l.key_col, "unexpected '}': no block is open");
    }
  }

  void unmodelled(const Line& l, const std::string& section) {
    const SourcePos pos{file_, l.number, l.key_col};
    cfg_.unmodelled.push_back(UnmodelledKeyword{pos, section, l.key, {l.value}, l.kind == Line::kOpen});
    cfg_.warnings.push_back(Warning{pos, l.key, "lvs.cf key '" + l.key + "' is not modelled by lvsim; ignored"});
  }

  std::uint64_t number(const Line& l, std::uint64_t max) const {
    bool ok = !l.value.empty() && l.value.size() <= 10;
    for (char c : l.value) ok = ok && c >= '0' && c <= '9';
    const std::uint64_t v = ok ? std::stoull(l.value) : 0;
    if (!ok || v > max) {
      fail(l.number, l.value_col, "expected a number (0.." + std::to_string(max) + ") for '" + l.key + "'");
    }
    return v;
  }

  bool boolean(const Line& l) const {
    if (l.value == "1" || l.value == "yes" || l.value == "true") return true;
    if (l.value == "0" || l.value == "no" || l.value == "false") return false;
    fail(l.number, l.value_col, "expected 0 or 1 for '" + l.key + "'");
  }

  // "IP [DEV]"
  Ip4 address(const Line& l, std::string* dev = nullptr) const {
    const std::size_t sp = l.value.find_first_of(" \t");
    auto a = parse_ip4(l.value.substr(0, sp));
    if (!a) fail(l.number, l.value_col, "expected an IPv4 address for '" + l.key + "'");
    // Only blanks after the address (a quoted "10.0.0.10 "): no device.
    const std::size_t dev_at = sp == std::string::npos ? sp : l.value.find_first_not_of(" \t", sp);
    if (dev != nullptr && dev_at != std::string::npos) *dev = l.value.substr(dev_at);
    return *a;
  }

  void global_key(const Line& l, PiranhaGlobals& g);
  void virtual_key(const Line& l, PiranhaVirtual& v);
  void server_key(const Line& l, PiranhaServer& s);
  void add_virtual_server(const PiranhaGlobals& g, const PiranhaVirtual& v);

  const std::string& file_;
  ClusterConfig& cfg_;
  bool virtual_open_ = false;
  bool server_open_ = false;
  int skip_depth_ = 0;
  SourcePos open_pos_;
};

void LvsCfParser::global_key(const Line& l, PiranhaGlobals& g) {
  const std::string& k = l.key;
  if (k == "serial_no") g.serial_no = static_cast<unsigned>(number(l, 0xffffffffu));
  else if (k == "primary") g.primary = address(l);
  else if (k == "primary_private") g.primary_private = address(l);
  else if (k == "backup") g.backup = address(l);
  else if (k == "backup_private") g.backup_private = address(l);
  else if (k == "service") g.service = l.value;
  else if (k == "backup_active") g.backup_active = boolean(l);
  else if (k == "heartbeat") g.heartbeat = boolean(l);
  else if (k == "heartbeat_port") g.heartbeat_port = static_cast<std::uint16_t>(number(l, 65535));
  else if (k == "keepalive") g.keepalive = static_cast<unsigned>(number(l, 86400));
  else if (k == "deadtime") g.deadtime = static_cast<unsigned>(number(l, 86400));
  else if (k == "nat_router") g.nat_router = address(l, &g.nat_router_dev);
  else if (k == "nat_nmask") g.nat_nmask = address(l);
  else if (k == "debug_level") g.debug_level = l.value;
  else if (k == "monitor_links") g.monitor_links = boolean(l);
  else if (k == "syncdaemon") g.syncdaemon = boolean(l);
  else if (k == "network") {
    if (l.value != "nat" && l.value != "direct" && l.value != "tunnel") {
      fail(l.number, l.value_col, "expected nat, direct or tunnel for 'network'");
    }
    g.network = l.value;
  } else {
    unmodelled(l, "");
  }
}

void LvsCfParser::virtual_key(const Line& l, PiranhaVirtual& v) {
  const std::string& k = l.key;
  if (k == "active") v.active = boolean(l);
  else if (k == "address") v.address = address(l, &v.device);
  else if (k == "vip_nmask") v.vip_nmask = address(l);
  else if (k == "port") v.port = static_cast<std::uint16_t>(number(l, 65535));
  else if (k == "fwmark") v.fwmark = static_cast<std::uint32_t>(number(l, 0xffffffffu));
  else if (k == "persistent") v.persistent = static_cast<std::uint32_t>(number(l, 86400ull * 31));
  else if (k == "pmask") v.pmask = address(l);
  else if (k == "send") v.send = l.value;
  else if (k == "expect") v.expect = l.value;
  else if (k == "use_regex") v.use_regex = boolean(l);
  else if (k == "load_monitor") v.load_monitor = l.value;
  else if (k == "scheduler") v.scheduler = l.value;
  else if (k == "timeout") v.timeout = static_cast<unsigned>(number(l, 86400));
  else if (k == "reentry") v.reentry = static_cast<unsigned>(number(l, 86400));
  else if (k == "quiesce_server") v.quiesce_server = boolean(l);
  else if (k == "sorry_server") v.sorry_server = address(l);
  else if (k == "protocol") {
    if (l.value != "tcp" && l.value != "udp") fail(l.number, l.value_col, "expected tcp or udp for 'protocol'");
    v.protocol = l.value == "udp" ? Proto::kUdp : Proto::kTcp;
  } else {
    unmodelled(l, "virtual");
  }
}

void LvsCfParser::server_key(const Line& l, PiranhaServer& s) {
  if (l.key == "address") s.address = address(l);
  else if (l.key == "active") s.active = boolean(l);
  else if (l.key == "weight") s.weight = static_cast<std::int32_t>(number(l, 65535));
  else if (l.key == "port") s.port = static_cast<std::uint16_t>(number(l, 65535));
  else unmodelled(l, "server");
}

// What pulse asks IPVS for: active virtuals with their active servers.
void LvsCfParser::add_virtual_server(const PiranhaGlobals& g, const PiranhaVirtual& v) {
  if (!v.active) return;
  VirtualServerConfig vs;
  vs.pos = v.pos;
  vs.service.key.proto = v.protocol;
  if (v.fwmark != 0) {
    vs.service.key.fwmark = v.fwmark;
  } else {
    vs.service.key.addr = v.address;
    vs.service.key.port = v.port;
  }
  vs.service.scheduler = v.scheduler;
  if (v.persistent > 0) {
    vs.service.flags |= kSvcPersistent;
    vs.service.timeout = seconds(v.persistent);
    vs.service.netmask = v.pmask;
  }
  vs.method = g.network == "direct"   ? ForwardMethod::kDirectRoute
              : g.network == "tunnel" ? ForwardMethod::kTunnel
                                      : ForwardMethod::kMasq;
  vs.inhibit_on_failure = v.quiesce_server;
  for (const auto& s : v.servers) {
    if (!s.active) continue;
    RealServerEntry e;
    e.pos = s.pos;
    e.rs.addr = s.address;
    e.rs.port = s.port;
    e.rs.weight = s.weight;
    e.rs.fwd = vs.method;
    e.inhibit_on_failure = v.quiesce_server;
    vs.real_servers.push_back(e);
  }
  cfg_.virtual_servers.push_back(std::move(vs));
}

}  // namespace

ClusterConfig parse_lvs_cf(std::string_view text, const std::string& file) {
  ClusterConfig cfg;
  LvsCfParser parser(file, cfg);
  parser.run(text);
  return cfg;
}

}  // namespace lvs::config
