#pragma once
// Shared state and value readers for the keepalived section handlers.
// Every reader throws ConfigError pointing at the offending token (or just
// past the keyword when a value is missing).

#include <cstdint>
#include <string>
#include <vector>

#include "keepalived_block.h"
#include "lvs/config/cluster_config.h"

namespace lvs::config::detail {

class Context {
 public:
  Context(const TokenStream& stream, ClusterConfig& config) : stream_(stream), cfg(config) {}

  SourcePos pos(const Token& t) const;
  [[noreturn]] void fail(const Token& t, const std::string& message) const;
  void warn(const Token& t, const std::string& keyword, const std::string& message);
  // Keeps a statement lvsim does not model and warns about it.
  void unmodelled(const Statement& st, const std::string& section);

  // Shape checks.
  const Token& arg(const Statement& st, std::size_t i, const char* expected) const;
  void require_block(const Statement& st) const;
  void forbid_block(const Statement& st) const;
  void extra_args(const Statement& st, std::size_t used);
  void value_only(const Statement& st, std::size_t nargs);  // forbid_block + extra_args

  // Values.
  std::uint64_t uint_value(const Token& t, std::uint64_t min, std::uint64_t max,
                           const char* expected) const;
  std::int64_t int_value(const Token& t, std::int64_t min, std::int64_t max,
                         const char* expected) const;
  Duration seconds_value(const Token& t, const char* expected) const;  // decimal seconds
  Ip4 ip4_value(const Token& t, const char* expected) const;
  Ip4 netmask_value(const Token& t) const;  // dotted quad or prefix length
  bool bool_flag(const Statement& st);      // bare keyword, or explicit true/false
  // keepalived's set_value: the arguments joined by single spaces.
  std::string string_value(const Statement& st, const char* expected) const;

  const TokenStream& stream_;
  ClusterConfig& cfg;
};

bool looks_like_ipv6(const std::string& text);

template <typename T>
struct KeywordHandler {
  const char* name;
  void (*handle)(Context&, const Statement&, T&);
};

// Runs the matching handler for each child; anything else is unmodelled.
template <typename T, std::size_t N>
void dispatch(Context& ctx, const std::vector<Statement>& children,
              const KeywordHandler<T> (&table)[N], T& target, const char* section) {
  for (const Statement& child : children) {
    bool handled = false;
    for (const auto& h : table) {
      if (child.keyword.text == h.name) {
        h.handle(ctx, child, target);
        handled = true;
        break;
      }
    }
    if (!handled) ctx.unmodelled(child, section);
  }
}

// Section handlers (one file each).
void parse_global_defs(Context& ctx, const Statement& st);
void parse_vrrp_instance(Context& ctx, const Statement& st);
void parse_vrrp_sync_group(Context& ctx, const Statement& st);
void parse_virtual_server_group(Context& ctx, const Statement& st);
void parse_virtual_server(Context& ctx, const Statement& st);
// Returns false (after warning) for a block that is not a known checker.
bool parse_checker(Context& ctx, const Statement& st, RealServerEntry& rs);

}  // namespace lvs::config::detail
