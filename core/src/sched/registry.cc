#include <string>

#include "lvs/scheduler.h"
#include "sched/factories.h"

namespace lvs {

const std::vector<std::string_view>& scheduler_names() {
  static const std::vector<std::string_view> names = {
      "rr", "wrr", "lc", "wlc", "sed", "nq", "lblc", "lblcr", "dh", "sh", "mh", "fo", "ovf", "twos"};
  return names;
}

std::unique_ptr<Scheduler> make_scheduler(std::string_view name, RandomSource rng) {
  using namespace sched;
  if (name == "rr") return make_rr();
  if (name == "wrr") return make_wrr();
  if (name == "lc") return make_lc();
  if (name == "wlc") return make_wlc();
  if (name == "sed") return make_sed();
  if (name == "nq") return make_nq();
  if (name == "lblc") return make_lblc();
  if (name == "lblcr") return make_lblcr();
  if (name == "dh") return make_dh();
  if (name == "sh") return make_sh();
  if (name == "mh") return make_mh();
  if (name == "fo") return make_fo();
  if (name == "ovf") return make_ovf();
  if (name == "twos") return rng ? make_twos(std::move(rng)) : nullptr;
  return nullptr;
}

}  // namespace lvs
