#pragma once
// Progress of a long run on stderr: a redrawn bar with simulated time,
// speed (x real time) and ETA when stderr is a terminal; plain periodic lines
// otherwise (CI logs, pipes).

#include <chrono>
#include <cstdio>
#include <string>

namespace lvs::runner {

class Progress {
 public:
  Progress(std::string label, double total_sim_s, std::FILE* out = stderr);
  // Reports simulated time `sim_s`; draws at most every 0.2 s (terminal) or
  // every 10 s (plain lines), whatever the call rate.
  void update(double sim_s);
  void finish(double sim_s);
  bool interactive() const { return tty_; }

 private:
  using Clock = std::chrono::steady_clock;
  void draw(double sim_s, bool final);

  std::string label_;
  double total_;
  std::FILE* out_;
  bool tty_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
};

}  // namespace lvs::runner
