#include "tools/replay_counters.h"

#include <fmt/format.h>

#include <numeric>

namespace lvs::tools {
namespace {

template <std::size_t N, class NameOf>
std::string breakdown(const std::array<std::uint64_t, N>& counts, NameOf name_of) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    if (counts[i] == 0) continue;
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", name_of(i), counts[i]);
  }
  return out.empty() ? "" : " (" + out + ")";
}

}  // namespace

std::string_view unparsable_name(Unparsable u) {
  switch (u) {
    case Unparsable::kNotIpv4: return "not_ipv4";
    case Unparsable::kLinkTruncated: return "link_header_truncated";
    case Unparsable::kCaptureTruncated: return "capture_truncated";
    case Unparsable::kIpTruncated: return "ip_truncated";
    case Unparsable::kBadVersion: return "bad_version";
    case Unparsable::kBadIhl: return "bad_ihl";
    case Unparsable::kBadLength: return "bad_length";
    case Unparsable::kFragment: return "fragment";
    case Unparsable::kBadL4Header: return "bad_l4_header";
    case Unparsable::kCount: break;
  }
  return "?";
}

Unparsable unparsable_from(ParseStatus st) {
  return static_cast<Unparsable>(static_cast<int>(Unparsable::kIpTruncated) + static_cast<int>(st) - 1);
}

std::uint64_t ReplayCounters::dropped_total() const {
  return std::accumulate(dropped.begin(), dropped.end(), std::uint64_t{0});
}

std::uint64_t ReplayCounters::unparsable_total() const {
  return std::accumulate(unparsable.begin(), unparsable.end(), std::uint64_t{0});
}

std::string format_summary(const ReplayCounters& c) {
  const std::string drops = breakdown(c.dropped, [](std::size_t i) {
    return drop_reason_name(static_cast<DropReason>(i));
  });
  const std::string unparsable = breakdown(c.unparsable, [](std::size_t i) {
    return unparsable_name(static_cast<Unparsable>(i));
  });
  return fmt::format(
      "replay: {} packets read, {} forwarded ({} to real servers, {} to clients), {} new connections, "
      "{} ICMP errors sent, {} local, {} passed, {} replies without connection, {} DR/TUN replies "
      "skipped, {} dropped{}, {} unparsable{}; {} packets written",
      c.read, c.forwarded(), c.to_real_servers, c.to_clients, c.new_conns, c.icmp_errors, c.local,
      c.passed, c.reply_without_conn, c.reply_bypass, c.dropped_total(), drops, c.unparsable_total(),
      unparsable, c.written);
}

}  // namespace lvs::tools
