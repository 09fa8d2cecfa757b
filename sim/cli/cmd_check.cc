// lvsim check SCENARIO: validate a scenario file and print what its topology
// implies (addresses, routes, single points of failure, the bottleneck).
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "scenario/check.h"
#include "subcommand.h"

namespace lvs::cli {

Subcommand check_command() {
  return {"check", "Validate a scenario file; print its topology, routes, SPOFs and bottleneck",
          [](CLI::App& cmd) -> std::function<int()> {
            struct Args {
              std::string file;
              std::vector<std::string> sets;
            };
            auto a = std::make_shared<Args>();
            cmd.add_option("SCENARIO", a->file, "scenario file (YAML, see scenarios/README.md)")->required();
            cmd.add_option("--set", a->sets, "override a field before checking: KEY=VALUE, e.g. workloads.0.rate=500")
                ->take_all()
                ->allow_extra_args(false);
            cmd.footer("Exit status: 0 valid (warnings go to stderr), 2 errors.");
            return [a] {
              const int rc = scenario::run_check(a->file, a->sets, std::cout, std::cerr);
              std::cout.flush();
              return rc == 0 ? kExitOk : kExitError;
            };
          }};
}

}  // namespace lvs::cli
