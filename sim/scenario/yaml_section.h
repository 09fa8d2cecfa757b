#pragma once
// Reading one YAML mapping of a scenario file into typed fields. A Section
// knows its dotted path, rejects keys the schema does not list (with a
// "did you mean" hint), records where each field was written, and throws
// config::ConfigError naming file:line:column and the field on any bad value.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "scenario/scenario.h"
#include "scenario/units.h"

namespace lvs::scenario {

// What every Section of one file shares.
struct ReadContext {
  std::string file;
  std::map<std::string, SourcePos>* positions = nullptr;  // filled as fields are read
  std::set<std::string> overridden;                        // paths replaced by --set
};

// Where `node` was written; nodes that came from --set point at the option.
SourcePos node_pos(const ReadContext& ctx, const YAML::Node& node, const std::string& path);
// "a.b" + "c" -> "a.b.c"; "" + "c" -> "c".
std::string join_path(const std::string& base, std::string_view key);

class Section {
 public:
  // `node` must be a mapping (or absent/null: an empty section).
  Section(ReadContext& ctx, const YAML::Node& node, std::string path);

  const std::string& path() const { return path_; }
  ReadContext& context() const { return *ctx_; }
  SourcePos pos() const;
  SourcePos pos(std::string_view key) const;
  std::string field(std::string_view key) const { return join_path(path_, key); }
  bool has(std::string_view key) const;
  YAML::Node node(std::string_view key) const;
  [[noreturn]] void fail(std::string_view key, const std::string& message) const;
  [[noreturn]] void fail_missing(std::string_view key) const;

  Section child(std::string_view key) const;

  std::string text(std::string_view key, const std::string& fallback) const;
  std::string required_text(std::string_view key) const;
  bool boolean(std::string_view key, bool fallback) const;
  double number(std::string_view key, double fallback, double min = -std::numeric_limits<double>::max(),
                double max = std::numeric_limits<double>::max()) const;
  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max) const;
  double seconds(std::string_view key, double fallback) const;
  double rate_bps(std::string_view key, double fallback) const;
  double bytes(std::string_view key, double fallback) const;
  Ip4 ip(std::string_view key, Ip4 fallback) const;
  Ip4 required_ip(std::string_view key) const;
  Prefix network(std::string_view key, Prefix fallback) const;
  // A plain value is a constant; `seconds` picks the unit of mean/min/max
  // (time, else bytes).
  Distribution distribution(std::string_view key, const Distribution& fallback, bool seconds) const;

 private:
  bool contains(std::string_view key) const;  // present, even if null
  std::string scalar(std::string_view key) const;  // the value as text; fails if not a scalar
  void check_keys() const;

  ReadContext* ctx_;
  YAML::Node node_;
  std::string path_;
};

// Calls f(Section) for each mapping in the list at `key` (absent: none).
template <class F>
void for_each_item(const Section& parent, std::string_view key, F f) {
  const YAML::Node n = parent.node(key);
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsSequence()) parent.fail(key, "expected a list");
  for (std::size_t i = 0; i < n.size(); ++i)
    f(Section(parent.context(), n[i], parent.field(key) + "." + std::to_string(i)));
}

}  // namespace lvs::scenario
