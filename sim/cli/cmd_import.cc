// lvsim import FILE: a keepalived.conf / ipvsadm -S / lvs.cf file, printed as
// the ipvsadm rules it programs (or the scenario's services: section).
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "lvs/config/diagnostics.h"
#include "lvs/config/ipvsadm_rules.h"
#include "subcommand.h"
#include "tools/config_loader.h"
#include "tools/services_yaml.h"
#include "tools/tool_error.h"

namespace lvs::cli {
namespace {

struct ImportArgs {
  std::string file;
  std::string format;
  std::string config_id;
  bool yaml = false;
  bool strict = false;
};

int run_import(const ImportArgs& a) {
  tools::LoadOptions opts;
  if (!a.format.empty()) opts.format = tools::parse_format_name(a.format);
  if (!a.config_id.empty()) opts.config_id = a.config_id;
  tools::LoadedConfig cfg;
  try {
    cfg = tools::load_config(a.file, opts);
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << '\n';
    return kExitError;
  } catch (const tools::ToolError& e) {
    std::cerr << e.what() << '\n';
    return kExitError;
  }
  for (const auto& w : cfg.warnings) std::cerr << tools::format_warning(w) << '\n';
  std::cout << (a.yaml ? tools::services_yaml(cfg) : config::write_ipvsadm_rules(cfg.services));
  std::cout.flush();
  return a.strict && !cfg.warnings.empty() ? kExitWarnings : kExitOk;
}

}  // namespace

Subcommand import_command() {
  return {"import", "Read a keepalived.conf, ipvsadm -S rules or lvs.cf; print it as ipvsadm -S rules",
          [](CLI::App& cmd) -> std::function<int()> {
            auto a = std::make_shared<ImportArgs>();
            cmd.add_option("FILE", a->file, "configuration file")->required();
            cmd.add_option("--format", a->format,
                           "keepalived | ipvsadm | lvs.cf (default: detected from the text)")
                ->check(CLI::IsMember({"keepalived", "ipvsadm", "lvs.cf"}));
            cmd.add_option("--config-id", a->config_id, "keepalived --config-id: which @ID lines apply");
            cmd.add_flag("--yaml", a->yaml, "print the services: section of an lvsim scenario instead");
            cmd.add_flag("--strict", a->strict, "exit 1 when the file has warnings");
            cmd.footer(
                "Exit status: 0 clean (warnings go to stderr), 1 warnings with --strict, 2 errors.\n"
                "Format detection: first line starting with '-' -> ipvsadm; 'NAME = value' -> lvs.cf;\n"
                "anything else -> keepalived.");
            return [a] { return run_import(*a); };
          }};
}

}  // namespace lvs::cli
