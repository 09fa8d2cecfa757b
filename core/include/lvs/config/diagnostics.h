#pragma once
// Where configuration text came from, and what loading it had to say about it.
// Loading fails loudly (ConfigError) on syntax errors; anything lvsim does not
// model is kept and reported as a Warning instead, the way keepalived logs
// unknown keywords and carries on.

#include <stdexcept>
#include <string>
#include <vector>

namespace lvs::config {

struct SourcePos {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in bytes

  std::string str() const;  // "FILE:LINE:COL"
};

struct Warning {
  SourcePos pos;
  std::string keyword;  // the keyword (or token) the warning is about
  std::string message;
};

// A statement lvsim parsed but does not model, kept with its arguments so a
// caller can still see (or re-emit) it.
struct UnmodelledKeyword {
  SourcePos pos;
  std::string section;  // enclosing block keyword, "" at top level
  std::string keyword;
  std::vector<std::string> args;
  bool has_block = false;
};

// The one exception type every parser throws. what() is a single line:
// "FILE:LINE:COL: error: MESSAGE".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(SourcePos pos, const std::string& message);

  const SourcePos& pos() const { return pos_; }
  const std::string& message() const { return message_; }

 private:
  SourcePos pos_;
  std::string message_;
};

}  // namespace lvs::config
