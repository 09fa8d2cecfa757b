#pragma once
// Failures of the tools' own I/O (a file that cannot be read or written, a
// capture libpcap refuses). Like config::ConfigError, what() is one line that
// the command prints as it is.

#include <stdexcept>
#include <string>

namespace lvs::tools {

class ToolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace lvs::tools
