// keepalived.conf: tokens -> statements -> per-section handlers.

#include <algorithm>

#include "keepalived_context.h"
#include "lvs/config/keepalived.h"

namespace lvs::config {
namespace {

using detail::Context;
using detail::Statement;

void parse_top_level(Context& ctx, const std::vector<Statement>& top) {
  // global_defs first: VRRP instances take their defaults from it wherever
  // it appears in the file, as keepalived resolves them after reading.
  for (const Statement& st : top) {
    if (st.keyword.text == "global_defs") detail::parse_global_defs(ctx, st);
  }
  for (const Statement& st : top) {
    const std::string& k = st.keyword.text;
    if (k == "global_defs") continue;
    if (k == "vrrp_instance") {
      detail::parse_vrrp_instance(ctx, st);
    } else if (k == "vrrp_sync_group") {
      detail::parse_vrrp_sync_group(ctx, st);
    } else if (k == "virtual_server") {
      detail::parse_virtual_server(ctx, st);
    } else if (k == "virtual_server_group") {
      detail::parse_virtual_server_group(ctx, st);
    } else {
      ctx.unmodelled(st, "");
    }
  }
}

void check_group_references(Context& ctx, const std::vector<Statement>& top) {
  for (const Statement& st : top) {
    if (st.keyword.text != "virtual_server" || st.args.size() < 2 || st.args[0].text != "group") {
      continue;
    }
    if (ctx.cfg.find_group(st.args[1].text) == nullptr) {
      ctx.warn(st.args[1], "virtual_server",
               "virtual_server_group '" + st.args[1].text + "' is not defined; no services created");
    }
  }
}

// Warnings in file order (files in the order they were read).
void sort_warnings(const detail::TokenStream& stream, std::vector<Warning>& warnings) {
  auto file_rank = [&](const std::string& f) {
    return std::find(stream.files.begin(), stream.files.end(), f) - stream.files.begin();
  };
  std::stable_sort(warnings.begin(), warnings.end(), [&](const Warning& a, const Warning& b) {
    const auto fa = file_rank(a.pos.file);
    const auto fb = file_rank(b.pos.file);
    if (fa != fb) return fa < fb;
    if (a.pos.line != b.pos.line) return a.pos.line < b.pos.line;
    return a.pos.column < b.pos.column;
  });
}

}  // namespace

ClusterConfig parse_keepalived(std::string_view text, const std::string& file,
                               const KeepalivedOptions& options) {
  detail::TokenStream stream = detail::tokenize_keepalived(text, file, options);
  const std::vector<Statement> top = detail::parse_blocks(stream);
  ClusterConfig cfg;
  cfg.warnings = stream.warnings;
  Context ctx(stream, cfg);
  parse_top_level(ctx, top);
  check_group_references(ctx, top);
  sort_warnings(stream, cfg.warnings);
  return cfg;
}

}  // namespace lvs::config
