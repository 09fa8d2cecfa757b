#include "scenario/overrides.h"

#include <algorithm>
#include <cctype>

#include "lvs/config/diagnostics.h"
#include "scenario/schema.h"

namespace lvs::scenario {
namespace {

using config::ConfigError;
using config::SourcePos;

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = path.find('.', start);
    out.push_back(path.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

bool is_index(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// Walks one segment at a time; `node` is a handle into the tree, so writing
// through it changes `root` (yaml-cpp nodes share their data).
class Walker {
 public:
  explicit Walker(const Override& o) : o_(o), segs_(split_path(o.path)) {}

  void set(YAML::Node node, std::size_t i, const std::string& done) {
    const std::string& seg = segs_[i];
    const std::string here = done.empty() ? seg : done + "." + seg;
    if (seg.empty()) fail("'" + o_.path + "' has an empty path segment");
    const std::string parent_pattern = schema_pattern(done);
    if (schema_is_list(parent_pattern)) {
      step_list(node, i, here, done);
    } else if (const auto* keys = schema_keys(parent_pattern)) {
      if (std::find(keys->begin(), keys->end(), seg) == keys->end()) {
        fail("unknown field '" + here + "'" + did_you_mean(seg, *keys));
      }
      step_map(node, i, here);
    } else {
      fail("'" + done + "' is a value, not a section, so '" + here + "' does not exist");
    }
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw ConfigError(SourcePos{"<--set " + o_.path + ">", 1, 1}, message);
  }

  bool last(std::size_t i) const { return i + 1 == segs_.size(); }

  void step_list(YAML::Node node, std::size_t i, const std::string& here, const std::string& done) {
    const std::string& seg = segs_[i];
    if (!is_index(seg)) fail("'" + done + "' is a list: expected an index after it, not '" + seg + "'");
    const std::size_t size = node.IsSequence() ? node.size() : 0;
    // Digits only (is_index), but maybe more than fit in an integer.
    const std::size_t idx = seg.size() > 9 ? size : std::stoul(seg);
    if (idx >= size) {
      fail("'" + here + "': " + done + " has " + std::to_string(size) + " entr" + (size == 1 ? "y" : "ies"));
    }
    if (last(i)) {
      node[idx] = value();
    } else {
      set(node[idx], i + 1, here);
    }
  }

  void step_map(YAML::Node node, std::size_t i, const std::string& here) {
    const std::string& seg = segs_[i];
    if (!node.IsMap()) {
      // A distribution written as a plain number becomes {mean: N} so that
      // one of its parameters can be set.
      const YAML::Node old = YAML::Clone(node);
      node = YAML::Node(YAML::NodeType::Map);
      if (old.IsScalar()) node["mean"] = old;
    }
    if (last(i)) {
      node[seg] = value();
      return;
    }
    YAML::Node child = node[seg];
    if (!child.IsDefined() || child.IsNull()) {
      if (schema_is_list(schema_pattern(here))) fail("'" + here + "' is empty: there is no entry to change");
      node[seg] = YAML::Node(YAML::NodeType::Map);
    }
    set(node[seg], i + 1, here);
  }

  YAML::Node value() const {
    try {
      return YAML::Load(o_.value);
    } catch (const YAML::Exception& e) {
      throw ConfigError(SourcePos{"<--set " + o_.path + ">", 1, e.mark.column + 1}, "bad YAML value: " + e.msg);
    }
  }

  const Override& o_;
  std::vector<std::string> segs_;
};

}  // namespace

Override parse_override(const std::string& text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError(SourcePos{"<--set " + text + ">", 1, 1}, "expected KEY=VALUE, e.g. workloads.0.rate=500");
  }
  return Override{text.substr(0, eq), text.substr(eq + 1)};
}

void apply_override(YAML::Node root, const Override& o) {
  if (!root.IsMap()) root = YAML::Node(YAML::NodeType::Map);
  Walker(o).set(root, 0, "");
}

}  // namespace lvs::scenario
