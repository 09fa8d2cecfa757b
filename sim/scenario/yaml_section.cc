#include "scenario/yaml_section.h"

#include <algorithm>
#include <cmath>

#include "scenario/schema.h"
#include "scenario/units.h"

namespace lvs::scenario {
namespace {

using config::ConfigError;

// Quoting a value in an error: long values are cut so the line stays one line.
std::string quoted(const std::string& v) {
  return "'" + (v.size() > 40 ? v.substr(0, 40) + "..." : v) + "'";
}

std::string kind_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "empty";
    default: return "a value";
  }
}

}  // namespace

std::string join_path(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}

SourcePos node_pos(const ReadContext& ctx, const YAML::Node& node, const std::string& path) {
  const YAML::Mark m = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
  for (std::string p = path;;) {
    if (ctx.overridden.count(p) != 0) return SourcePos{"<--set " + p + ">", 1, m.is_null() ? 1 : m.column + 1};
    const auto dot = p.rfind('.');
    if (dot == std::string::npos) break;
    p.resize(dot);
  }
  if (m.is_null()) return SourcePos{ctx.file, 1, 1};
  return SourcePos{ctx.file, m.line + 1, m.column + 1};
}

Section::Section(ReadContext& ctx, const YAML::Node& node, std::string path)
    : ctx_(&ctx), node_(node), path_(std::move(path)) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    throw ConfigError(node_pos(*ctx_, node_, path_),
                      (path_.empty() ? std::string("the scenario") : path_) + " must be a mapping, not " +
                          kind_name(node_));
  }
  if (ctx_->positions != nullptr && node_.IsDefined() && !node_.IsNull())
    (*ctx_->positions)[path_] = node_pos(*ctx_, node_, path_);
  check_keys();
}

void Section::check_keys() const {
  if (!node_.IsMap()) return;
  const auto* keys = schema_keys(schema_pattern(path_));
  std::set<std::string> seen;
  for (const auto& kv : node_) {
    const std::string key = kv.first.Scalar();
    const std::string at = path_.empty() ? "" : path_ + ": ";
    if (!seen.insert(key).second)
      throw ConfigError(node_pos(*ctx_, kv.first, field(key)), at + "duplicate key '" + key + "'");
    if (keys != nullptr && std::find(keys->begin(), keys->end(), key) == keys->end()) {
      throw ConfigError(node_pos(*ctx_, kv.first, field(key)),
                        at + "unknown key '" + key + "'" + did_you_mean(key, *keys));
    }
  }
}

SourcePos Section::pos() const { return node_pos(*ctx_, node_, path_); }

SourcePos Section::pos(std::string_view key) const {
  return contains(key) ? node_pos(*ctx_, node(key), field(key)) : pos();
}

bool Section::contains(std::string_view key) const {
  if (!node_.IsMap()) return false;
  for (const auto& kv : node_) {
    if (kv.first.Scalar() == key) return true;
  }
  return false;
}

bool Section::has(std::string_view key) const { return contains(key) && !node(key).IsNull(); }

// By iteration: yaml-cpp's const operator[] returns an invalid node for a
// missing key, and the non-const one inserts it.
YAML::Node Section::node(std::string_view key) const {
  if (node_.IsMap()) {
    for (const auto& kv : node_) {
      if (kv.first.Scalar() == key) return kv.second;
    }
  }
  return YAML::Node();
}

void Section::fail(std::string_view key, const std::string& message) const {
  throw ConfigError(pos(key), field(key) + ": " + message);
}

void Section::fail_missing(std::string_view key) const {
  throw ConfigError(pos(), field(key) + ": required field is missing" +
                               (path_.empty() ? std::string() : " in " + path_));
}

Section Section::child(std::string_view key) const { return Section(*ctx_, node(key), field(key)); }

std::string Section::scalar(std::string_view key) const {
  const YAML::Node n = node(key);
  if (!n.IsScalar()) fail(key, "expected a value, not " + kind_name(n));
  if (ctx_->positions != nullptr) (*ctx_->positions)[field(key)] = pos(key);
  return n.Scalar();
}

std::string Section::text(std::string_view key, const std::string& fallback) const {
  return has(key) ? scalar(key) : fallback;
}

std::string Section::required_text(std::string_view key) const {
  if (!has(key)) fail_missing(key);
  return scalar(key);
}

bool Section::boolean(std::string_view key, bool fallback) const {
  if (!has(key)) return fallback;
  const std::string v = scalar(key);
  if (v == "true" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "no" || v == "off") return false;
  fail(key, quoted(v) + " is not true or false");
}

double Section::number(std::string_view key, double fallback, double min, double max) const {
  if (!has(key)) return fallback;
  const std::string v = scalar(key);
  const auto x = parse_number(v);
  if (!x) fail(key, quoted(v) + " is not a number");
  if (*x < min || *x > max) fail(key, quoted(v) + " is out of range");
  return *x;
}

std::int64_t Section::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                              std::int64_t max) const {
  if (!has(key)) return fallback;
  const std::string v = scalar(key);
  const auto x = parse_number(v);
  if (!x || std::floor(*x) != *x) fail(key, quoted(v) + " is not a whole number");
  if (*x < static_cast<double>(min) || *x > static_cast<double>(max))
    fail(key, quoted(v) + " is out of range (" + std::to_string(min) + ".." + std::to_string(max) + ")");
  return static_cast<std::int64_t>(*x);
}

double Section::seconds(std::string_view key, double fallback) const {
  if (!has(key)) return fallback;
  const std::string v = scalar(key);
  const auto x = parse_seconds(v);
  if (!x) fail(key, quoted(v) + " is not a time (use e.g. 1.5s, 2ms, 300us; a bare number is seconds)");
  if (*x < 0) fail(key, quoted(v) + " is negative");
  return *x;
}

double Section::rate_bps(std::string_view key, double fallback) const {
  if (!has(key)) return fallback;
  const std::string v = scalar(key);
  const auto x = parse_rate_bps(v);
  if (!x) fail(key, quoted(v) + " is not a rate (use e.g. 100Mbps, 1Gbps; a bare number is bit/s)");
  if (*x <= 0) fail(key, quoted(v) + " must be positive");
  return *x;
}

double Section::bytes(std::string_view key, double fallback) const {
  if (!has(key)) return fallback;
  const std::string v = scalar(key);
  const auto x = parse_bytes(v);
  if (!x) fail(key, quoted(v) + " is not a size (use e.g. 512, 1500B, 64KiB; a bare number is bytes)");
  if (*x < 0) fail(key, quoted(v) + " is negative");
  return *x;
}

Ip4 Section::ip(std::string_view key, Ip4 fallback) const {
  if (!has(key)) return fallback;
  const std::string v = scalar(key);
  const auto a = parse_ip4(v);
  if (!a) fail(key, quoted(v) + " is not an IPv4 address");
  return *a;
}

Ip4 Section::required_ip(std::string_view key) const {
  if (!has(key)) fail_missing(key);
  return ip(key, 0);
}

Prefix Section::network(std::string_view key, Prefix fallback) const {
  if (!has(key)) return fallback;
  const std::string v = scalar(key);
  const auto p = parse_prefix(v);
  if (!p) fail(key, quoted(v) + " is not a network (use ADDRESS/BITS with no host bits set, e.g. 10.1.0.0/24)");
  return *p;
}

Distribution Section::distribution(std::string_view key, const Distribution& fallback, bool in_seconds) const {
  if (!has(key)) return fallback;
  Distribution d;
  const YAML::Node n = node(key);
  if (!n.IsMap()) {
    d.kind = Distribution::Kind::kConstant;
    d.mean = in_seconds ? seconds(key, 0) : bytes(key, 0);
    d.pos = pos(key);
    return d;
  }
  const Section s = child(key);
  d.pos = s.pos();
  const std::string dist = s.text("dist", "constant");
  static const std::pair<const char*, Distribution::Kind> kKinds[] = {
      {"constant", Distribution::Kind::kConstant}, {"exponential", Distribution::Kind::kExponential},
      {"lognormal", Distribution::Kind::kLognormal}, {"pareto", Distribution::Kind::kPareto},
      {"uniform", Distribution::Kind::kUniform}};
  bool known = false;
  for (const auto& [name, kind] : kKinds) {
    if (dist == name) {
      d.kind = kind;
      known = true;
    }
  }
  if (!known) s.fail("dist", quoted(dist) + " is not one of constant, exponential, lognormal, pareto, uniform");
  auto value = [&](const char* k) { return in_seconds ? s.seconds(k, 0) : s.bytes(k, 0); };
  d.mean = value("mean");
  d.min = value("min");
  d.max = value("max");
  d.sigma = s.number("sigma", 0, 0);
  d.shape = s.number("shape", 0, 0);
  if (d.kind == Distribution::Kind::kUniform) {
    if (!s.has("max")) s.fail_missing("max");
    if (d.max < d.min) s.fail("max", "is below min");
  } else if (!s.has("mean")) {
    s.fail_missing("mean");
  }
  if (d.kind == Distribution::Kind::kLognormal && !s.has("sigma")) s.fail_missing("sigma");
  if (d.kind == Distribution::Kind::kPareto && d.shape <= 1)
    s.fail("shape", "a Pareto distribution needs shape > 1 for a finite mean");
  return d;
}

}  // namespace lvs::scenario
