// Names, keepalived's per-kind defaults, MiscSchedule and the engine applier.

#include <algorithm>

#include "lvs/engine.h"
#include "lvs/health.h"

namespace lvs {

std::string_view check_kind_name(CheckKind kind) {
  switch (kind) {
    case CheckKind::kTcp: return "TCP_CHECK";
    case CheckKind::kHttpGet: return "HTTP_GET";
    case CheckKind::kSslGet: return "SSL_GET";
    case CheckKind::kMisc: return "MISC_CHECK";
  }
  return "?";
}

unsigned default_retry(CheckKind kind) { return kind == CheckKind::kMisc ? 0 : 1; }

Duration default_delay_before_retry(CheckKind kind) {
  return kind == CheckKind::kHttpGet || kind == CheckKind::kSslGet ? seconds(3) : seconds(1);
}

bool HttpUrl::matches(int status) const {
  if (status_codes.empty()) return status >= 200 && status <= 299;
  return std::any_of(status_codes.begin(), status_codes.end(),
                     [status](const HttpStatusRange& r) { return status >= r.low && status <= r.high; });
}

std::string describe(const ProbeOutcome& o) {
  switch (o.status) {
    case ProbeOutcome::Status::kOk: return "ok";
    case ProbeOutcome::Status::kConnectFailed: return "connect failed";
    case ProbeOutcome::Status::kTimeout: return "timeout";
    case ProbeOutcome::Status::kHttpStatus: return "HTTP status " + std::to_string(o.code);
    case ProbeOutcome::Status::kMiscExit: return "exit " + std::to_string(o.code);
  }
  return "?";
}

MiscSchedule::MiscSchedule(std::vector<Step> steps, int initial)
    : steps_(std::move(steps)), initial_(initial) {
  std::stable_sort(steps_.begin(), steps_.end(),
                   [](const Step& a, const Step& b) { return a.at < b.at; });
}

int MiscSchedule::exit_code(Time now) const {
  auto it = std::upper_bound(steps_.begin(), steps_.end(), now,
                             [](Time t, const Step& s) { return t < s.at; });
  return it == steps_.begin() ? initial_ : std::prev(it)->exit_code;
}

std::string_view action_kind_name(HealthAction::Kind k) {
  switch (k) {
    case HealthAction::Kind::kAddDest: return "add_dest";
    case HealthAction::Kind::kRemoveDest: return "remove_dest";
    case HealthAction::Kind::kSetWeight: return "set_weight";
    case HealthAction::Kind::kAddSorryServer: return "add_sorry_server";
    case HealthAction::Kind::kRemoveSorryServer: return "remove_sorry_server";
  }
  return "?";
}

std::string_view event_kind_name(HealthEvent::Kind k) {
  switch (k) {
    case HealthEvent::Kind::kServerDown: return "server_down";
    case HealthEvent::Kind::kServerUp: return "server_up";
    case HealthEvent::Kind::kQuorumLost: return "quorum_lost";
    case HealthEvent::Kind::kQuorumGained: return "quorum_gained";
    case HealthEvent::Kind::kSorryServerIn: return "sorry_server_in";
    case HealthEvent::Kind::kSorryServerOut: return "sorry_server_out";
    case HealthEvent::Kind::kWeightChanged: return "weight_changed";
  }
  return "?";
}

ControlResult apply(Engine& engine, const HealthAction& a) {
  switch (a.kind) {
    case HealthAction::Kind::kAddDest:
    case HealthAction::Kind::kAddSorryServer:
      return engine.add_dest(a.service, a.dest);
    case HealthAction::Kind::kRemoveDest:
    case HealthAction::Kind::kRemoveSorryServer:
      return engine.del_dest(a.service, a.dest.addr, a.dest.port);
    case HealthAction::Kind::kSetWeight: {
      // ipvsadm -e keeps thresholds and method; only the weight changes.
      RealServerConfig d = a.dest;
      if (const RealServer* rs = engine.find_dest(a.service, d.addr, d.port)) {
        const std::int32_t w = d.weight;
        d = rs->cfg;
        d.weight = w;
      }
      return engine.edit_dest(a.service, d);
    }
  }
  return {};
}

}  // namespace lvs
