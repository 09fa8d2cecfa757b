#pragma once

// A run's output directory, written atomically: files go into a hidden
// temporary directory beside the target, which replaces the target (and only
// the target) when the run succeeds. A failed or interrupted run leaves any
// earlier result of the same name untouched.

#include <string>

namespace lvs::runner {

class ResultsDir {
 public:
  // `target` is e.g. results/nat-basic. Creates the temporary directory.
  explicit ResultsDir(std::string target);
  ~ResultsDir();  // removes the temporary directory unless committed
  ResultsDir(const ResultsDir&) = delete;
  ResultsDir& operator=(const ResultsDir&) = delete;

  // Where to write files during the run.
  const std::string& staging() const { return staging_; }
  std::string path(const std::string& file) const { return staging_ + "/" + file; }
  const std::string& target() const { return target_; }

  // Moves the staging directory into place; the earlier result, if any, is
  // removed only after the new one is in place.
  void commit();

 private:
  std::string target_;
  std::string staging_;
  bool committed_ = false;
};

}  // namespace lvs::runner

