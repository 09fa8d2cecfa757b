#include "runner/progress.h"

#include <unistd.h>

#include <algorithm>

namespace lvs::runner {
namespace {

std::string clock_text(double s) {
  if (s < 0 || s > 1e7) return "--:--";
  const auto total = static_cast<long>(s + 0.5);
  char buf[32];
  if (total >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", total / 60, total % 60);
  }
  return buf;
}

}  // namespace

Progress::Progress(std::string label, double total_sim_s, std::FILE* out)
    : label_(std::move(label)),
      total_(total_sim_s),
      out_(out),
      tty_(isatty(fileno(out)) != 0),
      start_(Clock::now()),
      last_draw_(start_) {}

void Progress::update(double sim_s) {
  const auto now = Clock::now();
  const auto every = tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(10000);
  if (now - last_draw_ < every) return;
  last_draw_ = now;
  draw(sim_s, false);
}

void Progress::finish(double sim_s) { draw(sim_s, true); }

void Progress::draw(double sim_s, bool final) {
  const double wall = std::chrono::duration<double>(Clock::now() - start_).count();
  const double frac = total_ > 0 ? std::clamp(sim_s / total_, 0.0, 1.0) : 1.0;
  const double speed = wall > 0 ? sim_s / wall : 0;
  const double eta = speed > 0 ? (total_ - sim_s) / speed : -1;
  if (tty_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(frac * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(out_, "\r%s [%s] %5.1f%%  sim %.1f/%.1f s  %.2fx real time  ETA %s ",
                 label_.c_str(), bar.c_str(), frac * 100, sim_s, total_, speed,
                 final ? "00:00" : clock_text(eta).c_str());
    if (final) std::fputc('\n', out_);
  } else {
    std::fprintf(out_, "%s: %5.1f%% sim %.1f/%.1f s, %.2fx real time, %s elapsed, ETA %s\n",
                 label_.c_str(), frac * 100, sim_s, total_, speed, clock_text(wall).c_str(),
                 final ? "00:00" : clock_text(eta).c_str());
  }
  std::fflush(out_);
}

}  // namespace lvs::runner
