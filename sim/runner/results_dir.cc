#include "runner/results_dir.h"

#include <filesystem>
#include <random>
#include <stdexcept>
#include <system_error>

namespace lvs::runner {
namespace fs = std::filesystem;

namespace {

std::string unique_sibling(const fs::path& target, const char* tag) {
  std::random_device rd;
  const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path p = parent / ("." + target.filename().string() + tag + std::to_string(rd() % 1000000));
    if (!fs::exists(p)) return p.string();
  }
  throw std::runtime_error("cannot find a free temporary name next to " + target.string());
}

}  // namespace

ResultsDir::ResultsDir(std::string target) : target_(std::move(target)) {
  const fs::path t(target_);
  if (t.filename().empty()) throw std::runtime_error("bad output directory: " + target_);
  std::error_code ec;
  if (!t.parent_path().empty()) fs::create_directories(t.parent_path(), ec);
  if (ec) throw std::runtime_error("cannot create " + t.parent_path().string() + ": " + ec.message());
  staging_ = unique_sibling(t, ".tmp-");
  fs::create_directory(staging_, ec);
  if (ec) throw std::runtime_error("cannot create " + staging_ + ": " + ec.message());
}

ResultsDir::~ResultsDir() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);
}

void ResultsDir::commit() {
  std::error_code ec;
  std::string old;
  if (fs::exists(target_)) {
    old = unique_sibling(fs::path(target_), ".old-");
    fs::rename(target_, old, ec);
    if (ec) throw std::runtime_error("cannot move the earlier " + target_ + " aside: " + ec.message());
  }
  fs::rename(staging_, target_, ec);
  if (ec) {
    if (!old.empty()) fs::rename(old, target_, ec);  // put the earlier result back
    throw std::runtime_error("cannot move the new results into " + target_);
  }
  committed_ = true;
  if (!old.empty()) fs::remove_all(old, ec);
}

}  // namespace lvs::runner
