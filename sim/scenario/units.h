#pragma once
// Quantities written as text in scenario files: "1Gbps", "2ms", "1.5KiB".
// Each returns nullopt on anything it does not fully understand, so the
// caller can name the field in its error. A bare number takes the base unit
// (bit/s, seconds, bytes).

#include <optional>
#include <string>
#include <string_view>

#include "lvs/engine.h"  // lvs::Prefix

namespace lvs::scenario {

// A plain decimal number (no unit, nothing trailing).
std::optional<double> parse_number(std::string_view text);
// bps, kbps, Mbps, Gbps, Tbps (decimal, as link rates are quoted).
std::optional<double> parse_rate_bps(std::string_view text);
// ns, us, ms, s, m (minutes), h.
std::optional<double> parse_seconds(std::string_view text);
// B, KB/MB/GB (decimal) and KiB/MiB/GiB (binary).
std::optional<double> parse_bytes(std::string_view text);

// "10.0.0.0/24"; nullopt when malformed or when host bits are set.
std::optional<Prefix> parse_prefix(std::string_view text);
std::string format_prefix(const Prefix& p);

// The inverse, for messages and reports: "9.83 Gbit/s", "2 ms", "1.20 Mpps".
std::string format_rate_bps(double bps);
std::string format_seconds(double s);
std::string format_pps(double pps);

}  // namespace lvs::scenario
