#pragma once
// HealthChecker's private state: one Checker per configured checker, and the
// real-server / virtual-service bookkeeping of keepalived's ipwrapper.c.

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "lvs/health.h"

namespace lvs::health_detail {

// A checker's probe cadence: it either waits for `due` or has a probe out.
//
//   kWaiting --due <= now / on_timer--> kProbing --on_probe_result--> kWaiting
enum class Phase : std::uint8_t { kWaiting, kProbing };

struct Checker {
  CheckerParams p;
  std::size_t svc = 0;
  std::size_t rs = 0;
  unsigned retry = 0;       // resolved
  Duration delay_before_retry{0};  // resolved
  Phase phase = Phase::kWaiting;
  Time due{0};
  Time probe_started{0};
  // keepalived's checker_t fields, with the same meaning.
  bool is_up = true;
  bool has_run = false;
  unsigned retry_it = 0;
  std::size_t url = 0;      // HTTP: the URL the next probe fetches
  bool failed_url = false;  // HTTP: that URL failed and the checker is down
  int last_exit_code = 0;   // MISC
  // Start of the first failing / passing probe of the current streak.
  std::optional<Time> fail_since;
  std::optional<Time> ok_since;

  std::string target(Ip4 rs_addr, std::uint16_t rs_port) const;
};

enum class Report : std::uint8_t { kNone, kUp, kDown };

// What one probe result means for its checker (the per-kind "epilog").
struct Judgement {
  Report report = Report::kNone;
  Duration delay{0};        // until the next probe
  bool from_start = false;  // MISC: delay counts from the probe's start, not its end
  std::optional<int> misc_weight;  // misc_dynamic: new weight; -1 = the configured one
};

bool probe_passed(const Checker& c, const ProbeOutcome& o);
Judgement judge(Checker& c, const ProbeOutcome& o);

struct RealServerState {
  RealServerHealthConfig cfg;
  std::int64_t effective_weight = 1;
  unsigned num_failed = 0;  // checkers currently down
  bool alive = false;       // keepalived's ISALIVE(rs)
  bool set = false;         // present in IPVS (possibly at weight 0 when inhibited)
  std::int32_t ipvs_weight = 0;
};

struct SorryState {
  RealServerConfig cfg;
  bool inhibit = false;
  bool alive = false;  // serving: in IPVS at its weight
  bool set = false;
};

struct ServiceState {
  VirtualServiceHealthConfig cfg;
  std::uint32_t quorum = 1;
  std::uint32_t hysteresis = 0;
  bool quorum_up = false;
  std::optional<SorryState> sorry;
  std::vector<RealServerState> rs;
};

}  // namespace lvs::health_detail

namespace lvs {

struct HealthChecker::State {
  std::vector<health_detail::ServiceState> svcs;
  std::vector<health_detail::Checker> checkers;
  std::vector<HealthAction> actions;
  std::vector<HealthEvent> events;
  std::mt19937_64 rng;

  // ipwrapper.c, one method per keepalived function it mirrors.
  void init_service(std::size_t svc, Time now);
  void update_checker_state(health_detail::Checker& c, bool alive, Time now, Time since,
                            const std::string& reason);
  void set_checker_state(health_detail::Checker& c, bool up);
  void perform_svr_state(std::size_t svc, std::size_t rs, bool alive, Time now, Time since,
                         const std::string& reason);
  void update_quorum_state(std::size_t svc, bool init, Time now);
  void perform_quorum_state(std::size_t svc, bool add);
  void update_weight(std::size_t svc, std::size_t rs, std::int64_t weight, Time now);
  std::int64_t weigh_live(std::size_t svc) const;

  // ipvswrapper.c ipvs_cmd() with its inhibit rewriting.
  void ipvs_add(std::size_t svc, std::size_t rs, bool failed);
  void ipvs_del(std::size_t svc, std::size_t rs);
  void ipvs_edit(std::size_t svc, std::size_t rs);
  void sorry_add(std::size_t svc, bool parked);
  void sorry_del(std::size_t svc);
  void emit(std::size_t svc, HealthAction::Kind kind, RealServerConfig dest, bool sorry);
  void event(std::size_t svc, HealthEvent::Kind what, Time now, Ip4 addr, std::uint16_t port,
             Time since, std::string reason);
};

}  // namespace lvs
