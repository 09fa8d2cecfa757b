#include "subcommand.h"

namespace lvs::cli {

const std::vector<Subcommand>& subcommands() {
  static const std::vector<Subcommand> all = {
      import_command(),
      replay_command(),
      check_command(),
      run_command(),
  };
  return all;
}

}  // namespace lvs::cli
