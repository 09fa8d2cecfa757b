// lvsim: one command, git-style subcommands (lvsim import, lvsim replay, ...).
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "subcommand.h"

int main(int argc, char** argv) {
  using namespace lvs::cli;
  CLI::App app{"lvsim: simulate, emulate and replay Linux Virtual Server (LVS/IPVS) NAT clusters"};
  app.name("lvsim");
  app.set_version_flag("--version", std::string("lvsim ") + LVSIM_VERSION);
  app.require_subcommand(1);
  std::function<int()> run;
  for (const Subcommand& s : subcommands()) {
    CLI::App* cmd = app.add_subcommand(s.name, s.summary);
    auto runner = s.setup(*cmd);
    cmd->callback([&run, runner] { run = runner; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    // --help and --version are successes; a bad command line is an error.
    return rc == 0 ? kExitOk : kExitError;
  }
  return run ? run() : kExitError;
}
