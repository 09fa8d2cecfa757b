// `ipvsadm -S -n` rules: reading (ipvsadm-restore's input) and writing.

#include "lvs/config/ipvsadm_rules.h"

#include <algorithm>
#include <optional>

namespace lvs::config {
namespace {

constexpr std::uint64_t kMaxTimeout = 86400ull * 31;  // ipvsadm's MAX_TIMEOUT
constexpr long kDefaultPersistence = 300;             // ipvsadm: -p without a value

struct Tok {
  std::string text;
  int column = 0;
};

struct OptionName {
  const char* short_name;
  const char* long_name;
  char id;
  enum Arg { kNone, kRequired, kOptional } arg;
};

constexpr OptionName kOptions[] = {
    {"-A", "--add-service", 'A', OptionName::kNone},
    {"-E", "--edit-service", 'E', OptionName::kNone},
    {"-D", "--delete-service", 'D', OptionName::kNone},
    {"-C", "--clear", 'C', OptionName::kNone},
    {"-a", "--add-server", 'a', OptionName::kNone},
    {"-e", "--edit-server", 'e', OptionName::kNone},
    {"-d", "--delete-server", 'd', OptionName::kNone},
    {"-t", "--tcp-service", 't', OptionName::kRequired},
    {"-u", "--udp-service", 'u', OptionName::kRequired},
    {"-f", "--fwmark-service", 'f', OptionName::kRequired},
    {nullptr, "--sctp-service", 'S', OptionName::kRequired},
    {"-s", "--scheduler", 's', OptionName::kRequired},
    {"-b", "--sched-flags", 'b', OptionName::kRequired},
    {"-p", "--persistent", 'p', OptionName::kOptional},
    {"-M", "--netmask", 'M', OptionName::kRequired},
    {"-o", "--ops", 'o', OptionName::kNone},
    {nullptr, "--pe", 'P', OptionName::kRequired},
    {"-r", "--real-server", 'r', OptionName::kRequired},
    {"-m", "--masquerading", 'm', OptionName::kNone},
    {"-g", "--gatewaying", 'g', OptionName::kNone},
    {"-i", "--ipip", 'i', OptionName::kNone},
    {"-w", "--weight", 'w', OptionName::kRequired},
    {"-x", "--u-threshold", 'x', OptionName::kRequired},
    {"-y", "--l-threshold", 'y', OptionName::kRequired},
    {"-6", "--ipv6", '6', OptionName::kNone},
};

struct Command {
  char cmd = 0;
  Tok cmd_tok;
  char svc_kind = 0;  // 't', 'u', 'f' or 'S'
  Tok svc;
  std::optional<Tok> sched, sched_flags, netmask, pe, real, weight, u_threshold, l_threshold;
  bool persistent = false;
  std::optional<Tok> timeout;
  bool ops = false;
  std::optional<ForwardMethod> fwd;
  bool ipv6 = false;
};

class LineParser {
 public:
  LineParser(const std::string& file, int line) : file_(file), line_(line) {}

  [[noreturn]] void fail(int column, const std::string& message) const {
    throw ConfigError(SourcePos{file_, line_, column}, message);
  }

  std::vector<Tok> split(const std::string& text) const {
    std::vector<Tok> out;
    std::size_t i = 0;
    while (i < text.size()) {
      if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r') {
        ++i;
        continue;
      }
      const std::size_t start = i;
      while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\r') ++i;
      std::string word = text.substr(start, i - start);
      const std::size_t eq = word.find('=');
      if (word.rfind("--", 0) == 0 && eq != std::string::npos) {
        out.push_back({word.substr(0, eq), static_cast<int>(start) + 1});
        out.push_back({word.substr(eq + 1), static_cast<int>(start + eq) + 2});
      } else {
        out.push_back({word, static_cast<int>(start) + 1});
      }
    }
    return out;
  }

  Command parse(const std::vector<Tok>& toks) const {
    Command c;
    for (std::size_t i = 0; i < toks.size(); ++i) {
      const OptionName* opt = find(toks[i].text);
      if (opt == nullptr) fail(toks[i].column, "unknown ipvsadm option '" + toks[i].text + "'");
      std::optional<Tok> value;
      if (opt->arg == OptionName::kRequired) {
        if (i + 1 >= toks.size()) {
          fail(toks[i].column + static_cast<int>(toks[i].text.size()),
               "expected a value after '" + toks[i].text + "'");
        }
        value = toks[++i];
      } else if (opt->arg == OptionName::kOptional && i + 1 < toks.size() && !toks[i + 1].text.empty() &&
                 toks[i + 1].text[0] != '-') {
        value = toks[++i];
      }
      apply(c, *opt, toks[i - (value ? 1 : 0)], value);
    }
    if (c.cmd == 0) fail(1, "expected a command (-A, -E, -D, -C, -a, -e or -d)");
    if (c.cmd != 'C' && c.svc_kind == 0) {
      fail(c.cmd_tok.column, "expected a service (-t, -u or -f) for '" + c.cmd_tok.text + "'");
    }
    if ((c.cmd == 'a' || c.cmd == 'e' || c.cmd == 'd') && !c.real) {
      fail(c.cmd_tok.column, "expected a real server (-r) for '" + c.cmd_tok.text + "'");
    }
    return c;
  }

 private:
  static const OptionName* find(const std::string& text) {
    for (const auto& o : kOptions) {
      if ((o.short_name != nullptr && text == o.short_name) || text == o.long_name) return &o;
    }
    if (text == "ops") return &kOptions[15];  // ipvsadm before 1.27 wrote a bare "ops"
    return nullptr;
  }

  void apply(Command& c, const OptionName& opt, const Tok& at, const std::optional<Tok>& v) const {
    switch (opt.id) {
      case 'A': case 'E': case 'D': case 'C': case 'a': case 'e': case 'd':
        if (c.cmd != 0) fail(at.column, "more than one command on a line");
        c.cmd = opt.id;
        c.cmd_tok = at;
        return;
      case 't': case 'u': case 'f': case 'S':
        if (c.svc_kind != 0) fail(at.column, "more than one service on a line");
        c.svc_kind = opt.id;
        c.svc = *v;
        return;
      case 's': c.sched = v; return;
      case 'b': c.sched_flags = v; return;
      case 'p': c.persistent = true; c.timeout = v; return;
      case 'M': c.netmask = v; return;
      case 'o': c.ops = true; return;
      case 'P': c.pe = v; return;
      case 'r': c.real = v; return;
      case 'm': c.fwd = ForwardMethod::kMasq; return;
      case 'g': c.fwd = ForwardMethod::kDirectRoute; return;
      case 'i': c.fwd = ForwardMethod::kTunnel; return;
      case 'w': c.weight = v; return;
      case 'x': c.u_threshold = v; return;
      case 'y': c.l_threshold = v; return;
      case '6': c.ipv6 = true; return;
      default: return;
    }
  }

  const std::string& file_;
  int line_;
};

class RulesBuilder {
 public:
  RulesBuilder(const std::string& file, int line, IpvsRules& rules) : lp_(file, line), rules_(rules) {}

  std::uint64_t number(const Tok& t, std::uint64_t min, std::uint64_t max, const char* what) const {
    std::uint64_t v = 0;
    bool ok = !t.text.empty() && t.text.size() <= 12;
    for (char ch : t.text) {
      if (ch < '0' || ch > '9') ok = false;
    }
    if (ok) v = std::stoull(t.text);
    if (!ok || v < min || v > max) {
      lp_.fail(t.column, std::string("expected ") + what + " (" + std::to_string(min) + ".." +
                             std::to_string(max) + "), got '" + t.text + "'");
    }
    return v;
  }

  // "a.b.c.d[:port]"
  void addr_port(const Tok& t, Ip4& addr, std::uint16_t& port, bool& has_port) const {
    const std::size_t colon = t.text.find(':');
    auto a = parse_ip4(t.text.substr(0, colon));
    if (!a) lp_.fail(t.column, "expected IPv4 address[:port], got '" + t.text + "'");
    addr = *a;
    has_port = colon != std::string::npos;
    if (has_port) {
      Tok p{t.text.substr(colon + 1), t.column + static_cast<int>(colon) + 1};
      port = static_cast<std::uint16_t>(number(p, 0, 65535, "port"));
    }
  }

  ServiceKey key(const Command& c) const {
    ServiceKey k;
    if (c.svc_kind == 'f') {
      k.fwmark = static_cast<std::uint32_t>(number(c.svc, 1, 0xffffffffu, "firewall mark"));
      return k;
    }
    k.proto = c.svc_kind == 'u' ? Proto::kUdp : Proto::kTcp;
    bool has_port = false;
    addr_port(c.svc, k.addr, k.port, has_port);
    return k;
  }

  std::uint32_t sched_flags(const Tok& t) const {
    std::uint32_t flags = 0;
    std::size_t start = 0;
    while (start <= t.text.size()) {
      std::size_t end = t.text.find(',', start);
      if (end == std::string::npos) end = t.text.size();
      const std::string name = t.text.substr(start, end - start);
      if (name == "sh-fallback" || name == "mh-fallback" || name == "flag-1") {
        flags |= kSvcSched1;
      } else if (name == "sh-port" || name == "mh-port" || name == "flag-2") {
        flags |= kSvcSched2;
      } else if (name == "flag-3") {
        flags |= kSvcSched3;
      } else {
        lp_.fail(t.column + static_cast<int>(start), "unknown scheduler flag '" + name + "'");
      }
      start = end + 1;
    }
    return flags;
  }

  ServiceConfig service(const Command& c) const {
    ServiceConfig s;
    s.key = key(c);
    if (c.sched) s.scheduler = c.sched->text;
    if (c.sched_flags) s.flags |= sched_flags(*c.sched_flags);
    if (c.persistent) {
      s.flags |= kSvcPersistent;
      s.timeout = seconds(c.timeout ? static_cast<long>(number(*c.timeout, 1, kMaxTimeout, "timeout"))
                                    : kDefaultPersistence);
    }
    if (c.netmask) {
      if (auto m = parse_ip4(c.netmask->text)) {
        s.netmask = *m;
      } else {
        s.netmask = prefix_mask(static_cast<unsigned>(number(*c.netmask, 0, 32, "netmask")));
      }
    }
    if (c.ops) s.flags |= kSvcOnePacket;
    if (c.pe) s.pe_name = c.pe->text;
    return s;
  }

  RealServerConfig dest(const Command& c, const ServiceKey& k) const {
    RealServerConfig d;
    bool has_port = false;
    addr_port(*c.real, d.addr, d.port, has_port);
    if (!has_port) d.port = k.is_fwmark() ? 0 : k.port;
    if (c.fwd) d.fwd = *c.fwd;
    if (c.weight) d.weight = static_cast<std::int32_t>(number(*c.weight, 0, 65535, "weight"));
    if (c.u_threshold) d.u_threshold = static_cast<std::uint32_t>(number(*c.u_threshold, 0, 0x7fffffff, "threshold"));
    if (c.l_threshold) d.l_threshold = static_cast<std::uint32_t>(number(*c.l_threshold, 0, 0x7fffffff, "threshold"));
    return d;
  }

  std::vector<IpvsService>::iterator find(const ServiceKey& k) {
    return std::find_if(rules_.services.begin(), rules_.services.end(),
                        [&](const IpvsService& s) { return s.svc.key == k; });
  }

  void run(const Command& c) {
    if (c.cmd == 'C') {
      rules_.services.clear();
      return;
    }
    const ServiceKey k = key(c);
    auto it = find(k);
    const bool exists = it != rules_.services.end();
    if (c.cmd == 'A' && exists) lp_.fail(c.svc.column, "service " + c.svc.text + " already exists");
    if (c.cmd != 'A' && !exists) lp_.fail(c.svc.column, "no service " + c.svc.text + " to modify");
    switch (c.cmd) {
      case 'A': rules_.services.push_back(IpvsService{service(c), {}}); return;
      case 'E': it->svc = service(c); return;
      case 'D': rules_.services.erase(it); return;
      default: break;
    }
    const RealServerConfig d = dest(c, k);
    auto& dests = it->dests;
    auto rs = std::find_if(dests.begin(), dests.end(),
                           [&](const RealServerConfig& x) { return x.addr == d.addr && x.port == d.port; });
    if (c.cmd == 'a' && rs != dests.end()) lp_.fail(c.real->column, "real server " + c.real->text + " already exists");
    if (c.cmd != 'a' && rs == dests.end()) lp_.fail(c.real->column, "no real server " + c.real->text);
    if (c.cmd == 'a') dests.push_back(d);
    if (c.cmd == 'e') *rs = d;
    if (c.cmd == 'd') dests.erase(rs);
  }

  LineParser lp_;
  IpvsRules& rules_;
};

bool skip_unmodelled(const Command& c, const std::string& file, int line, IpvsRules& rules) {
  std::string why;
  if (c.ipv6 || (c.svc_kind != 0 && c.svc.text.find('[') != std::string::npos)) why = "IPv6 service";
  if (c.svc_kind == 'S') why = "SCTP service";
  if (why.empty()) return false;
  rules.warnings.push_back(Warning{SourcePos{file, line, c.cmd_tok.column}, c.cmd_tok.text,
                                   why + " is not modelled (lvsim is IPv4 TCP/UDP); line ignored"});
  return true;
}

std::string service_name(const ServiceKey& k) {
  if (k.is_fwmark()) return "-f " + std::to_string(k.fwmark);
  return std::string(k.proto == Proto::kUdp ? "-u " : "-t ") + format_ip4(k.addr) + ":" + std::to_string(k.port);
}

const char* fwd_switch(ForwardMethod m) {
  switch (m) {
    case ForwardMethod::kMasq: return "-m";
    case ForwardMethod::kTunnel: return "-i";
    case ForwardMethod::kLocalNode:
    case ForwardMethod::kDirectRoute:
    case ForwardMethod::kBypass: return "-g";
  }
  return "-g";
}

// libipvs' ipvs_cmp_services / ipvs_cmp_dests order.
bool service_less(const IpvsService& a, const IpvsService& b) {
  const ServiceKey& x = a.svc.key;
  const ServiceKey& y = b.svc.key;
  if (x.fwmark != y.fwmark) return x.fwmark < y.fwmark;
  if (x.is_fwmark()) return false;
  if (x.proto != y.proto) return x.proto < y.proto;
  if (x.addr != y.addr) return x.addr < y.addr;
  return x.port < y.port;
}

}  // namespace

IpvsRules parse_ipvsadm_rules(std::string_view text, const std::string& file) {
  IpvsRules rules;
  int lineno = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string line(text.substr(start, end - start));
    start = end + 1;
    ++lineno;
    LineParser lp(file, lineno);
    const auto toks = lp.split(line);
    if (toks.empty() || toks[0].text[0] == '#') continue;
    const Command c = lp.parse(toks);
    if (skip_unmodelled(c, file, lineno, rules)) continue;
    RulesBuilder(file, lineno, rules).run(c);
  }
  return rules;
}

std::string sched_flags_text(const ServiceConfig& svc) {
  const bool sh = svc.scheduler == "sh";
  const bool mh = svc.scheduler == "mh";
  const char* names[3] = {sh ? "sh-fallback" : mh ? "mh-fallback" : "flag-1",
                          sh ? "sh-port" : mh ? "mh-port" : "flag-2", "flag-3"};
  const std::uint32_t bits[3] = {kSvcSched1, kSvcSched2, kSvcSched3};
  std::string out;
  for (int i = 0; i < 3; ++i) {
    if ((svc.flags & bits[i]) == 0) continue;
    if (!out.empty()) out += ',';
    out += names[i];
  }
  return out;
}

std::string write_ipvsadm_rules(const std::vector<IpvsService>& services, const IpvsWriteOptions& options) {
  std::vector<IpvsService> list = services;
  if (options.sort) std::stable_sort(list.begin(), list.end(), service_less);
  std::string out;
  for (auto& s : list) {
    const std::string name = service_name(s.svc.key);
    out += "-A " + name + " -s " + s.svc.scheduler;
    const std::string flags = sched_flags_text(s.svc);
    if (!flags.empty()) out += " -b " + flags;
    if (s.svc.persistent()) {
      out += " -p " + std::to_string(std::chrono::duration_cast<seconds>(s.svc.timeout).count());
      if (s.svc.netmask != 0xffffffffu) out += " -M " + format_ip4(s.svc.netmask);
      if (!s.svc.pe_name.empty()) out += " --pe " + s.svc.pe_name;
    }
    if ((s.svc.flags & kSvcOnePacket) != 0) out += " -o";
    out += '\n';
    if (options.sort) {
      std::stable_sort(s.dests.begin(), s.dests.end(), [](const RealServerConfig& a, const RealServerConfig& b) {
        return a.addr != b.addr ? a.addr < b.addr : a.port < b.port;
      });
    }
    for (const auto& d : s.dests) {
      out += "-a " + name + " -r " + format_ip4(d.addr) + ":" + std::to_string(d.port) + " " + fwd_switch(d.fwd) +
             " -w " + std::to_string(d.weight);
      if (d.u_threshold != 0) out += " -x " + std::to_string(d.u_threshold);
      if (d.l_threshold != 0) out += " -y " + std::to_string(d.l_threshold);
      out += '\n';
    }
  }
  return out;
}

}  // namespace lvs::config
