#include "keepalived_context.h"

#include <limits>

namespace lvs::config::detail {

SourcePos Context::pos(const Token& t) const {
  return SourcePos{stream_.files[static_cast<std::size_t>(t.file)], t.line, t.column};
}

void Context::fail(const Token& t, const std::string& message) const {
  throw ConfigError(pos(t), message);
}

void Context::warn(const Token& t, const std::string& keyword, const std::string& message) {
  cfg.warnings.push_back(Warning{pos(t), keyword, message});
}

void Context::unmodelled(const Statement& st, const std::string& section) {
  UnmodelledKeyword u;
  u.pos = pos(st.keyword);
  u.section = section;
  u.keyword = st.keyword.text;
  for (const auto& a : st.args) u.args.push_back(a.text);
  u.has_block = st.has_block;
  cfg.unmodelled.push_back(u);
  const std::string where = section.empty() ? "at top level" : "in " + section;
  warn(st.keyword, st.keyword.text,
       "keyword '" + st.keyword.text + "' " + where + " is not modelled by lvsim; ignored");
}

const Token& Context::arg(const Statement& st, std::size_t i, const char* expected) const {
  if (i < st.args.size()) return st.args[i];
  Token at = st.args.empty() ? st.keyword : st.args.back();
  at.column += static_cast<int>(at.text.size()) + (at.quoted ? 2 : 0);
  fail(at, std::string("expected ") + expected + " after '" + st.keyword.text + "'");
}

void Context::require_block(const Statement& st) const {
  if (st.has_block) return;
  Token at = st.args.empty() ? st.keyword : st.args.back();
  at.column += static_cast<int>(at.text.size()) + (at.quoted ? 2 : 0);
  fail(at, "expected '{' to open the '" + st.keyword.text + "' block");
}

void Context::forbid_block(const Statement& st) const {
  if (st.has_block) fail(st.open, "unexpected '{': '" + st.keyword.text + "' takes no block");
}

void Context::extra_args(const Statement& st, std::size_t used) {
  if (st.args.size() > used) {
    warn(st.args[used], st.keyword.text,
         "extra arguments after '" + st.keyword.text + "' ignored");
  }
}

void Context::value_only(const Statement& st, std::size_t nargs) {
  forbid_block(st);
  extra_args(st, nargs);
}

std::uint64_t Context::uint_value(const Token& t, std::uint64_t min, std::uint64_t max,
                                  const char* expected) const {
  const std::string& s = t.text;
  std::uint64_t v = 0;
  bool ok = !s.empty() && s.size() <= 19;
  for (char c : s) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (!ok || v < min || v > max) {
    fail(t, std::string("expected ") + expected + " (" + std::to_string(min) + ".." +
                std::to_string(max) + "), got '" + s + "'");
  }
  return v;
}

std::int64_t Context::int_value(const Token& t, std::int64_t min, std::int64_t max,
                                const char* expected) const {
  Token unsigned_part = t;
  const bool negative = !t.text.empty() && t.text[0] == '-';
  if (negative || (!t.text.empty() && t.text[0] == '+')) unsigned_part.text.erase(0, 1);
  const std::uint64_t limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t mag = 0;
  const std::string& s = unsigned_part.text;
  bool ok = !s.empty() && s.size() <= 18;
  for (char c : s) {
    if (c < '0' || c > '9') ok = false;
  }
  if (ok) mag = std::stoull(s);
  const std::int64_t v = negative ? -static_cast<std::int64_t>(mag) : static_cast<std::int64_t>(mag);
  if (!ok || mag > limit || v < min || v > max) {
    fail(t, std::string("expected ") + expected + " (" + std::to_string(min) + ".." +
                std::to_string(max) + "), got '" + t.text + "'");
  }
  return v;
}

Duration Context::seconds_value(const Token& t, const char* expected) const {
  // keepalived reads timers as decimal seconds with microsecond resolution.
  const std::string& s = t.text;
  std::uint64_t whole = 0;
  std::uint64_t micros = 0;
  std::size_t i = 0;
  bool ok = !s.empty();
  int int_digits = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    whole = whole * 10 + static_cast<unsigned>(s[i] - '0');
    if (++int_digits > 9) ok = false;
  }
  if (int_digits == 0) ok = false;
  if (ok && i < s.size() && s[i] == '.') {
    ++i;
    std::uint64_t scale = 100000;
    int frac_digits = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++frac_digits) {
      if (frac_digits < 6) micros += static_cast<unsigned>(s[i] - '0') * scale;
      scale /= 10;
    }
    if (frac_digits == 0) ok = false;
  }
  if (!ok || i != s.size()) {
    fail(t, std::string("expected ") + expected + " in seconds, got '" + s + "'");
  }
  return std::chrono::seconds(whole) + std::chrono::microseconds(micros);
}

Ip4 Context::ip4_value(const Token& t, const char* expected) const {
  auto a = parse_ip4(t.text);
  if (!a) fail(t, std::string("expected ") + expected + " (IPv4 address), got '" + t.text + "'");
  return *a;
}

Ip4 Context::netmask_value(const Token& t) const {
  if (auto a = parse_ip4(t.text)) return *a;
  const auto bits = uint_value(t, 0, 32, "netmask (dotted quad or prefix length)");
  return prefix_mask(static_cast<unsigned>(bits));
}

bool Context::bool_flag(const Statement& st) {
  forbid_block(st);
  if (st.args.empty()) return true;
  const std::string& v = st.args[0].text;
  extra_args(st, 1);
  if (v == "true" || v == "on" || v == "yes") return true;
  if (v == "false" || v == "off" || v == "no") return false;
  fail(st.args[0], "expected true/false after '" + st.keyword.text + "', got '" + v + "'");
}

std::string Context::string_value(const Statement& st, const char* expected) const {
  arg(st, 0, expected);
  forbid_block(st);
  std::string out;
  for (const auto& a : st.args) {
    if (!out.empty()) out += ' ';
    out += a.text;
  }
  return out;
}

bool looks_like_ipv6(const std::string& text) {
  if (text.find(':') == std::string::npos) return false;
  for (char c : text) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex && c != ':' && c != '.' && c != '-' && c != '/' && c != '[' && c != ']') return false;
  }
  return true;
}

}  // namespace lvs::config::detail
