// What one probe result means for its checker: keepalived 2.2's per-kind
// epilogs (check_tcp.c tcp_epilog, check_http.c epilog/timeout_epilog,
// check_misc.c misc_check_child_thread). They differ in small ways that show
// in detection and re-add times, so each is kept as keepalived has it.
//
// Common shape of a checker's health (retry_it starts at `retry`, so the very
// first failure is enough; after that, retry+1 consecutive failures):
//
//        fail, retry_it < retry: retry_it++, next in delay_before_retry
//        +----+
//        v    |
//       [ UP ]-+--fail, retries used up--> [ DOWN ]
//          ^                                  |
//          +-------------- pass --------------+   (HTTP_GET: see judge_http)

#include <algorithm>

#include "health/health_state.h"

namespace lvs::health_detail {
namespace {

using Status = ProbeOutcome::Status;

const HttpUrl& current_url(const Checker& c) {
  static const HttpUrl kDefault;
  return c.p.urls.empty() ? kDefault : c.p.urls[std::min(c.url, c.p.urls.size() - 1)];
}

// tcp_epilog: a failure either schedules a retry or, once retries are used up,
// counts; a down checker still goes through its retries every delay_loop.
Judgement judge_tcp(Checker& c, bool passed) {
  Judgement j;
  if (passed || c.retry_it >= c.retry) {
    j.delay = c.p.delay_loop;
    c.retry_it = 0;
    if (passed && (!c.is_up || !c.has_run)) j.report = Report::kUp;
    if (!passed && (c.is_up || !c.has_run)) j.report = Report::kDown;
  } else {
    j.delay = c.delay_before_retry;
    ++c.retry_it;
  }
  c.has_run = true;
  return j;
}

// epilog / timeout_epilog. Each probe fetches one URL; the next URL follows a
// delay_loop later. A down checker is not retried: it re-probes the failed URL
// every max(delay_before_retry, delay_loop), and once that URL passes, every
// URL must pass again (one per delay_loop) before the checker is up. With one
// URL, re-adding a recovered server therefore takes two passing probes.
Judgement judge_http(Checker& c, bool passed) {
  enum class Method { kNew, kRetry, kFailed };
  Method m = Method::kNew;
  if (!passed) {
    if (c.is_up || !c.has_run) {
      c.has_run = true;
      m = Method::kRetry;
    } else {
      m = Method::kFailed;
    }
  }
  const std::size_t n = std::max<std::size_t>(c.p.urls.size(), 1);
  if (m == Method::kNew) {
    ++c.url;
    c.retry_it = 0;
  } else if (m == Method::kRetry) {
    ++c.retry_it;
  }

  Judgement j;
  if (m == Method::kNew && c.url >= n && !c.failed_url) {
    if (!c.is_up || !c.has_run) {
      j.report = Report::kUp;
      c.has_run = true;
    }
    c.url = 0;
    c.retry_it = 0;
  } else if (m == Method::kRetry && c.retry_it > c.retry) {
    if (c.is_up || !c.has_run) j.report = Report::kDown;
    c.failed_url = true;
  } else if (m == Method::kNew && c.failed_url) {
    c.failed_url = false;
    c.url = 0;
    c.retry_it = 0;
  }

  if (m == Method::kNew) {
    j.delay = c.p.delay_loop;
    if (!c.has_run) c.retry_it = c.retry;
  } else if (c.failed_url) {
    j.delay = std::max(c.delay_before_retry, c.p.delay_loop);
  } else {
    j.delay = c.delay_before_retry;
  }
  return j;
}

// misc_check_child_thread: exit 0 passes (misc_dynamic: 2..255 too, setting the
// weight to exit-2); a down checker is not retried; the next run is timed from
// the start of this one.
Judgement judge_misc(Checker& c, const ProbeOutcome& o) {
  Judgement j;
  j.from_start = true;
  const int code = o.status == Status::kMiscExit ? o.code : (o.status == Status::kOk ? 0 : 1);
  const bool exited = o.status == Status::kMiscExit || o.status == Status::kOk;
  if (probe_passed(c, o)) {
    if (code != c.last_exit_code) {
      j.misc_weight = code >= 2 ? code - 2 : -1;
      c.last_exit_code = code;
    }
    if (!c.is_up || !c.has_run) j.report = Report::kUp;
    c.retry_it = 0;
  } else if (c.is_up || !c.has_run) {
    if (c.retry_it < c.retry) {
      ++c.retry_it;
    } else {
      c.retry_it = 0;
      if (exited) c.last_exit_code = code;
      j.report = Report::kDown;
    }
  }
  j.delay = c.retry_it != 0 ? c.delay_before_retry : c.p.delay_loop;
  c.has_run = true;
  return j;
}

}  // namespace

bool probe_passed(const Checker& c, const ProbeOutcome& o) {
  switch (c.p.kind) {
    case CheckKind::kTcp:
      return o.status == Status::kOk;
    case CheckKind::kHttpGet:
    case CheckKind::kSslGet:
      // A bare "ok" from an adapter that does not parse HTTP counts as 200.
      return (o.status == Status::kHttpStatus && current_url(c).matches(o.code)) ||
             (o.status == Status::kOk && current_url(c).matches(200));
    case CheckKind::kMisc: {
      if (o.status == Status::kOk) return true;
      if (o.status != Status::kMiscExit) return false;
      return o.code == 0 || (c.p.misc_dynamic && o.code >= 2 && o.code <= 255);
    }
  }
  return false;
}

Judgement judge(Checker& c, const ProbeOutcome& o) {
  switch (c.p.kind) {
    case CheckKind::kTcp:
      return judge_tcp(c, probe_passed(c, o));
    case CheckKind::kHttpGet:
    case CheckKind::kSslGet:
      return judge_http(c, probe_passed(c, o));
    case CheckKind::kMisc:
      return judge_misc(c, o);
  }
  return {};
}

}  // namespace lvs::health_detail
