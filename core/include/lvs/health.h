#pragma once
// keepalived's health checker (the "checkers" half of keepalived 2.2.x), I/O-free.
//
// HealthChecker decides when each checker probes and what each outcome means
// for its real server and virtual service: retry counting, alpha, inhibit_on_failure,
// quorum with hysteresis and the sorry server. It never opens a socket or reads
// a clock. An adapter (the ns-3 model, a test) asks next_due(), calls
// on_timer(now) for the probes to start, performs them for real (TCP connect,
// HTTP GET, a scripted MISC_CHECK outcome), reports each with on_probe_result(),
// and applies the IPVS changes take_actions() returns (apply() does that on an
// lvs::Engine). events() is the log the failover report reads.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lvs/service.h"
#include "lvs/types.h"

namespace lvs {

class Engine;
struct ControlResult;
namespace config {
struct ClusterConfig;
struct VirtualServerConfig;
}  // namespace config

// ---- configuration ------------------------------------------------------------

enum class CheckKind : std::uint8_t { kTcp, kHttpGet, kSslGet, kMisc };
// The keepalived keyword: "TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK".
std::string_view check_kind_name(CheckKind kind);
// keepalived's per-kind defaults (check_api.c queue_checker, check_misc.c,
// check_http.c): retry 1 (MISC_CHECK 0); delay_before_retry 1 s (HTTP/SSL_GET 3 s).
unsigned default_retry(CheckKind kind);
Duration default_delay_before_retry(CheckKind kind);
// Checkers start at random in [0, warmup] after this (check_api.h BOOTSTRAP_DELAY).
inline constexpr Duration kBootstrapDelay = seconds(1);

struct HttpStatusRange {
  int low = 200;
  int high = 299;
};

struct HttpUrl {
  std::string path = "/";
  std::vector<HttpStatusRange> status_codes;  // empty: keepalived's default 200-299
  bool matches(int status) const;
};

struct CheckerParams {
  CheckKind kind = CheckKind::kTcp;
  Ip4 connect_ip = 0;              // 0 = the real server's address
  std::uint16_t connect_port = 0;  // 0 = the real server's port
  Duration connect_timeout = seconds(5);
  Duration delay_loop = seconds(60);
  std::optional<unsigned> retry;                // unset: default_retry(kind)
  std::optional<Duration> delay_before_retry;   // unset: default_delay_before_retry(kind)
  Duration warmup{0};  // first probe at kBootstrapDelay + U[0, warmup]
  std::vector<HttpUrl> urls;  // HTTP_GET / SSL_GET: checked one per probe, in order
  Duration misc_timeout{0};   // MISC_CHECK: 0 = delay_loop
  bool misc_dynamic = false;  // MISC_CHECK: exit 2..255 sets weight exit-2
};

struct RealServerHealthConfig {
  RealServerConfig dest;  // what goes into IPVS: address, port, weight, method
  bool inhibit_on_failure = false;  // failure sets weight 0 instead of removing
  bool alpha = false;               // start DOWN until every checker has passed once
  std::vector<CheckerParams> checkers;  // none: always up
};

struct VirtualServiceHealthConfig {
  // One key normally; every expanded entry of a virtual_server_group.
  std::vector<ServiceKey> keys;
  std::uint32_t quorum = 1;
  std::uint32_t hysteresis = 0;
  std::optional<RealServerConfig> sorry_server;
  bool sorry_server_inhibit = false;
  std::vector<RealServerHealthConfig> real_servers;
};

struct HealthConfig {
  std::vector<VirtualServiceHealthConfig> services;
  std::uint64_t seed = 1;  // the warmup draws
};

// From the parsed keepalived.conf. Per-kind retry / delay_before_retry defaults
// and warmup (unset: delay_loop) are re-resolved from what the file set
// explicitly; checkers lvsim cannot probe (UDP/PING/DNS/SMTP/FILE) are left
// out and named in `skipped`.
HealthConfig health_config_from(const config::ClusterConfig& cfg,
                                std::vector<std::string>* skipped = nullptr);
VirtualServiceHealthConfig health_config_from(const config::VirtualServerConfig& vs,
                                              std::vector<std::string>* skipped = nullptr);

// ---- probes ---------------------------------------------------------------------

using CheckerId = std::uint32_t;

// What the adapter must do: one TCP connect, one HTTP(S) GET of `path`, or one
// run of the MISC_CHECK script. It must report back exactly once, giving up
// after `timeout` (connect_timeout; misc_timeout for MISC_CHECK).
struct ProbeRequest {
  CheckerId id = 0;
  CheckKind kind = CheckKind::kTcp;
  Ip4 addr = 0;
  std::uint16_t port = 0;
  std::string path;  // HTTP/SSL_GET
  Duration timeout{0};
  ServiceKey service;  // whose real server this is, for the adapter's bookkeeping
  Ip4 server_addr = 0;
  std::uint16_t server_port = 0;
};

struct ProbeOutcome {
  enum class Status : std::uint8_t {
    kOk,             // TCP connected
    kConnectFailed,  // refused / unreachable
    kTimeout,        // no answer within the request's timeout (MISC: script killed)
    kHttpStatus,     // an HTTP response arrived with status `code`
    kMiscExit,       // the MISC_CHECK script exited with `code`
  };
  Status status = Status::kOk;
  int code = 0;

  static ProbeOutcome ok() { return {}; }
  static ProbeOutcome connect_failed() { return {Status::kConnectFailed, 0}; }
  static ProbeOutcome timeout() { return {Status::kTimeout, 0}; }
  static ProbeOutcome http_status(int c) { return {Status::kHttpStatus, c}; }
  static ProbeOutcome misc_exit(int c) { return {Status::kMiscExit, c}; }
};
std::string describe(const ProbeOutcome& o);

// A MISC_CHECK script's outcomes over time, for the simulation: the exit code
// of the last step at or before `now` (steps sorted by time; before the first,
// `initial`).
class MiscSchedule {
 public:
  struct Step {
    Time at{0};
    int exit_code = 0;
  };
  explicit MiscSchedule(std::vector<Step> steps, int initial = 0);
  int exit_code(Time now) const;
  ProbeOutcome outcome(Time now) const { return ProbeOutcome::misc_exit(exit_code(now)); }

 private:
  std::vector<Step> steps_;
  int initial_;
};

// ---- output -----------------------------------------------------------------------

// One IPVS control operation, mapped 1:1 onto the engine by apply().
struct HealthAction {
  enum class Kind : std::uint8_t {
    kAddDest,            // ipvsadm -a
    kRemoveDest,         // ipvsadm -d
    kSetWeight,          // ipvsadm -e: inhibit (0) or restore / misc_dynamic weight
    kAddSorryServer,     // ipvsadm -a of the sorry server
    kRemoveSorryServer,  // ipvsadm -d of the sorry server
  };
  Kind kind = Kind::kAddDest;
  ServiceKey service;
  RealServerConfig dest;  // weight is the weight to install
  bool sorry_server = false;
};
std::string_view action_kind_name(HealthAction::Kind k);

struct HealthEvent {
  enum class Kind : std::uint8_t {
    kServerDown,
    kServerUp,
    kQuorumLost,
    kQuorumGained,
    kSorryServerIn,
    kSorryServerOut,
    kWeightChanged,  // misc_dynamic
  };
  Time time{0};
  Kind what = Kind::kServerDown;
  ServiceKey service;
  Ip4 addr = 0;  // the real (or sorry) server; 0 for quorum events
  std::uint16_t port = 0;
  // kServerDown: when the first failed probe of this failure started, so
  // time - since is the detection time. kServerUp: when the first passing
  // probe of the recovery started (re-add time). Otherwise == time.
  Time since{0};
  std::string reason;
};
std::string_view event_kind_name(HealthEvent::Kind k);

// ---- the checker ----------------------------------------------------------------

class HealthChecker {
 public:
  // Programs the initial IPVS state (keepalived's init_services) at `start`:
  // see take_actions(). The services themselves must already exist.
  HealthChecker(HealthConfig cfg, Time start);
  ~HealthChecker();
  HealthChecker(HealthChecker&&) noexcept;
  HealthChecker& operator=(HealthChecker&&) noexcept;

  // The earliest time a checker wants to start a probe; Time::max() if none.
  Time next_due() const;
  // Starts every probe due at or before `now`.
  std::vector<ProbeRequest> on_timer(Time now);
  // The result of the probe started for `id`; ignored if none is outstanding.
  void on_probe_result(CheckerId id, const ProbeOutcome& outcome, Time now);

  // IPVS changes produced since the last call, in order.
  std::vector<HealthAction> take_actions();
  const std::vector<HealthEvent>& events() const;

  // ---- observation (indices follow the config) ----
  std::size_t num_checkers() const;
  bool server_alive(std::size_t svc, std::size_t rs) const;
  bool checker_up(CheckerId id) const;
  bool quorum_up(std::size_t svc) const;
  bool sorry_server_active(std::size_t svc) const;
  // Sum of the effective weights of the alive real servers (weigh_live_realservers).
  std::int64_t alive_weight(std::size_t svc) const;
  // The quorum / hysteresis after keepalived's validation (quorum capped at the
  // total weight, hysteresis below quorum).
  std::uint32_t effective_quorum(std::size_t svc) const;
  std::uint32_t effective_hysteresis(std::size_t svc) const;

  struct State;

 private:
  std::unique_ptr<State> s_;
};

// Performs one action on the engine's control plane.
ControlResult apply(Engine& engine, const HealthAction& action);

}  // namespace lvs
