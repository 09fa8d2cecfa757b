#include "lvs/config/diagnostics.h"

namespace lvs::config {

std::string SourcePos::str() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

ConfigError::ConfigError(SourcePos pos, const std::string& message)
    : std::runtime_error(pos.str() + ": error: " + message), pos_(std::move(pos)), message_(message) {}

}  // namespace lvs::config
