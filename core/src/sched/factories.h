#pragma once
// One factory per policy file; registry.cc maps ipvsadm names onto them.

#include <memory>

#include "lvs/scheduler.h"

namespace lvs::sched {

std::unique_ptr<Scheduler> make_rr();
std::unique_ptr<Scheduler> make_wrr();
std::unique_ptr<Scheduler> make_lc();
std::unique_ptr<Scheduler> make_wlc();
std::unique_ptr<Scheduler> make_sed();
std::unique_ptr<Scheduler> make_nq();
std::unique_ptr<Scheduler> make_lblc();
std::unique_ptr<Scheduler> make_lblcr();
std::unique_ptr<Scheduler> make_dh();
std::unique_ptr<Scheduler> make_sh();
std::unique_ptr<Scheduler> make_mh();
std::unique_ptr<Scheduler> make_fo();
std::unique_ptr<Scheduler> make_ovf();
std::unique_ptr<Scheduler> make_twos(RandomSource rng);

}  // namespace lvs::sched
