// Health checker blocks inside real_server: HTTP_GET, SSL_GET, TCP_CHECK,
// MISC_CHECK, UDP_CHECK, PING_CHECK, DNS_CHECK, SMTP_CHECK.

#include "keepalived_context.h"

namespace lvs::config::detail {
namespace {

Duration seconds_arg(Context& c, const Statement& s, const char* what) {
  const Duration d = c.seconds_value(c.arg(s, 0, what), what);
  c.value_only(s, 1);
  return d;
}

Ip4 address_arg(Context& c, const Statement& s, const char* what) {
  const Token& t = c.arg(s, 0, what);
  c.value_only(s, 1);
  if (looks_like_ipv6(t.text)) {
    c.warn(t, s.keyword.text, "IPv6 address " + t.text + " is not modelled; ignored");
    return 0;
  }
  return c.ip4_value(t, what);
}

std::uint16_t port_arg(Context& c, const Statement& s) {
  const auto p = c.uint_value(c.arg(s, 0, "a port"), 0, 65535, "port");
  c.value_only(s, 1);
  return static_cast<std::uint16_t>(p);
}

// Keys every checker accepts. Returns false when `s` is not one of them.
bool common_key(Context& c, const Statement& s, CheckerConfig& ch) {
  const std::string& k = s.keyword.text;
  CheckTimingDefaults& t = ch.explicit_timing;
  if (k == "connect_ip") {
    ch.connect_ip = address_arg(c, s, "connect address");
  } else if (k == "connect_port") {
    ch.connect_port = port_arg(c, s);
  } else if (k == "bindto") {
    ch.bindto = address_arg(c, s, "bind address");
  } else if (k == "bind_port") {
    ch.bind_port = port_arg(c, s);
  } else if (k == "connect_timeout") {
    t.connect_timeout = seconds_arg(c, s, "connect timeout");
  } else if (k == "retry" || k == "nb_get_retry") {
    t.retry = static_cast<unsigned>(c.uint_value(c.arg(s, 0, "retry count"), 0, 1000000, "retry count"));
    c.value_only(s, 1);
  } else if (k == "delay_before_retry") {
    t.delay_before_retry = seconds_arg(c, s, "delay before retry");
  } else if (k == "warmup") {
    t.warmup = seconds_arg(c, s, "warmup");
  } else if (k == "delay_loop") {
    t.delay_loop = seconds_arg(c, s, "delay loop");
  } else {
    return false;
  }
  return true;
}

// status_code 200 | 200-299 ..., one or more per line.
void status_codes(Context& c, const Statement& s, UrlCheck& url) {
  c.arg(s, 0, "an HTTP status code or range");
  c.forbid_block(s);
  for (const Token& t : s.args) {
    const std::size_t dash = t.text.find('-');
    Token lo = t;
    lo.text = t.text.substr(0, dash);
    StatusRange r;
    r.low = r.high = static_cast<int>(c.uint_value(lo, 100, 999, "HTTP status code"));
    if (dash != std::string::npos) {
      Token hi = t;
      hi.text = t.text.substr(dash + 1);
      hi.column += static_cast<int>(dash) + 1;
      r.high = static_cast<int>(c.uint_value(hi, static_cast<std::uint64_t>(r.low), 999, "HTTP status code"));
    }
    url.status_codes.push_back(r);
  }
}

void url_block(Context& c, const Statement& s, CheckerConfig& ch) {
  c.require_block(s);
  UrlCheck url;
  for (const Statement& k : s.children) {
    if (k.keyword.text == "path") {
      url.path = c.string_value(k, "a URL path");
    } else if (k.keyword.text == "digest") {
      url.digest = c.arg(k, 0, "an MD5 digest").text;
      c.value_only(k, 1);
    } else if (k.keyword.text == "status_code") {
      status_codes(c, k, url);
    } else if (k.keyword.text == "virtualhost") {
      url.virtualhost = c.string_value(k, "a host name");
    } else {
      c.unmodelled(k, "url");
    }
  }
  if (url.path.empty()) c.fail(s.keyword, "url block needs a 'path'");
  ch.urls.push_back(std::move(url));
}

void smtp_host(Context& c, const Statement& s, CheckerConfig& ch) {
  c.require_block(s);
  SmtpHost h;
  for (const Statement& k : s.children) {
    if (k.keyword.text == "connect_ip") {
      h.connect_ip = address_arg(c, k, "connect address");
    } else if (k.keyword.text == "connect_port") {
      h.connect_port = port_arg(c, k);
    } else if (k.keyword.text == "bindto") {
      h.bindto = address_arg(c, k, "bind address");
    } else {
      c.unmodelled(k, "host");
    }
  }
  ch.smtp_hosts.push_back(h);
}

// Keys specific to one checker kind. Returns false when `s` is not one of them.
bool kind_key(Context& c, const Statement& s, CheckerConfig& ch) {
  const std::string& k = s.keyword.text;
  switch (ch.kind) {
    case CheckerKind::kHttpGet:
    case CheckerKind::kSslGet:
      if (k == "url") {
        url_block(c, s, ch);
      } else if (k == "virtualhost") {
        ch.virtualhost = c.string_value(s, "a host name");
      } else {
        return false;
      }
      return true;
    case CheckerKind::kMiscCheck:
      if (k == "misc_path") {
        ch.misc_path = c.string_value(s, "a script path");
      } else if (k == "misc_timeout") {
        ch.misc_timeout = seconds_arg(c, s, "misc timeout");
      } else if (k == "misc_dynamic") {
        ch.misc_dynamic = c.bool_flag(s);
      } else {
        return false;
      }
      return true;
    case CheckerKind::kUdpCheck:
      if (k != "require_reply") return false;
      ch.require_reply = true;
      c.forbid_block(s);
      return true;
    case CheckerKind::kDnsCheck:
      if (k == "type") {
        ch.dns_type = c.arg(s, 0, "a DNS record type").text;
        c.value_only(s, 1);
      } else if (k == "name") {
        ch.dns_name = c.arg(s, 0, "a DNS name").text;
        c.value_only(s, 1);
      } else {
        return false;
      }
      return true;
    case CheckerKind::kSmtpCheck:
      if (k == "helo_name") {
        ch.helo_name = c.string_value(s, "a HELO name");
      } else if (k == "host") {
        smtp_host(c, s, ch);
      } else {
        return false;
      }
      return true;
    case CheckerKind::kTcpCheck:
    case CheckerKind::kPingCheck:
      return false;
  }
  return false;
}

struct KindName {
  const char* name;
  CheckerKind kind;
};
constexpr KindName kKinds[] = {
    {"HTTP_GET", CheckerKind::kHttpGet},    {"SSL_GET", CheckerKind::kSslGet},
    {"TCP_CHECK", CheckerKind::kTcpCheck},  {"MISC_CHECK", CheckerKind::kMiscCheck},
    {"UDP_CHECK", CheckerKind::kUdpCheck},  {"PING_CHECK", CheckerKind::kPingCheck},
    {"ICMP_CHECK", CheckerKind::kPingCheck}, {"DNS_CHECK", CheckerKind::kDnsCheck},
    {"SMTP_CHECK", CheckerKind::kSmtpCheck},
};

}  // namespace

bool parse_checker(Context& ctx, const Statement& st, RealServerEntry& rs) {
  const KindName* found = nullptr;
  for (const auto& k : kKinds) {
    if (st.keyword.text == k.name) found = &k;
  }
  if (found == nullptr) return false;
  ctx.require_block(st);
  ctx.extra_args(st, 0);
  CheckerConfig ch;
  ch.kind = found->kind;
  ch.pos = ctx.pos(st.keyword);
  for (const Statement& child : st.children) {
    if (!common_key(ctx, child, ch) && !kind_key(ctx, child, ch)) {
      ctx.unmodelled(child, found->name);
    }
  }
  if (ch.kind == CheckerKind::kMiscCheck && ch.misc_path.empty()) {
    ctx.fail(st.keyword, "MISC_CHECK needs a 'misc_path'");
  }
  rs.checkers.push_back(std::move(ch));
  return true;
}

}  // namespace lvs::config::detail
