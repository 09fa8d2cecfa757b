#pragma once
// What `lvsim replay` did with every captured packet.

#include <array>
#include <cstdint>
#include <string>

#include "lvs/engine.h"
#include "lvs/packet.h"

namespace lvs::tools {

// Why a captured frame never reached the engine.
enum class Unparsable : std::uint8_t {
  kNotIpv4,          // another ethertype / IP version (ARP, IPv6, ...)
  kLinkTruncated,    // the capture cut the link-layer header short
  kCaptureTruncated, // snaplen shorter than the frame
  kIpTruncated,      // parse_ipv4: the ParseStatus values, in order
  kBadVersion,
  kBadIhl,
  kBadLength,
  kFragment,
  kBadL4Header,
  kCount
};
std::string_view unparsable_name(Unparsable u);
Unparsable unparsable_from(ParseStatus st);

struct ReplayCounters {
  std::uint64_t read = 0;
  std::uint64_t written = 0;          // records in OUT.pcap
  std::uint64_t to_real_servers = 0;  // kForward out of eth1
  std::uint64_t to_clients = 0;       // kForward out of eth0
  std::uint64_t icmp_errors = 0;      // port unreachable the director answers with
  std::uint64_t local = 0;            // for the director itself (kLocal)
  std::uint64_t passed = 0;           // not LVS traffic (kPass)
  std::uint64_t new_conns = 0;        // rows of the assignments CSV
  // Replies (from a VIP) that could not be fed back through the engine.
  std::uint64_t reply_without_conn = 0;  // no connection (never seen, or expired)
  std::uint64_t reply_bypass = 0;        // DR/TUN connection: replies skip the director
  std::array<std::uint64_t, static_cast<std::size_t>(DropReason::kCount)> dropped{};
  std::array<std::uint64_t, static_cast<std::size_t>(Unparsable::kCount)> unparsable{};

  std::uint64_t forwarded() const { return to_real_servers + to_clients; }
  std::uint64_t dropped_total() const;
  std::uint64_t unparsable_total() const;
};

// One line: "replay: N packets read, F forwarded (...), ..., U unparsable (reason n, ...)".
std::string format_summary(const ReplayCounters& c);

}  // namespace lvs::tools
