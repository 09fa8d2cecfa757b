#pragma once
// Internal glue between the reference scheduler files.

#include <string_view>

#include "sched/reference_schedulers.h"

namespace lvs::ref {

class RefBase : public Scheduler {
 public:
  explicit RefBase(std::string_view name) : name_(name) {}
  std::string_view name() const override { return name_; }

 private:
  std::string_view name_;
};

std::unique_ptr<Scheduler> make_simple_reference(std::string_view name, RandomSource rng);
std::unique_ptr<Scheduler> make_hashing_reference(std::string_view name);
std::unique_ptr<Scheduler> make_locality_reference(std::string_view name);
RealServer* reference_wlc_fallback(const VirtualService& svc);
std::int64_t reference_overhead(const RealServer* d);

}  // namespace lvs::ref
