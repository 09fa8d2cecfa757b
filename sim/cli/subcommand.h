#pragma once
// lvsim's git-style subcommands. Each lives in its own file and is listed
// once in registry.cc; main.cc knows nothing about any of them.

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace lvs::cli {

// Exit statuses every subcommand uses.
constexpr int kExitOk = 0;
constexpr int kExitWarnings = 1;  // with --strict
constexpr int kExitError = 2;

struct Subcommand {
  const char* name;
  const char* summary;
  // Declares the subcommand's options on `cmd` and returns what runs it once
  // the command line is parsed (its exit status).
  std::function<std::function<int()>(CLI::App& cmd)> setup;
};

const std::vector<Subcommand>& subcommands();

// The subcommands, one file each.
Subcommand import_command();
Subcommand replay_command();
Subcommand check_command();
Subcommand run_command();

}  // namespace lvs::cli
