#include "scenario/units.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace lvs::scenario {
namespace {

struct Unit {
  std::string_view name;
  double factor;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits "1.5 Gbps" into its number and unit, then scales by the unit.
template <std::size_t N>
std::optional<double> with_unit(std::string_view text, const Unit (&units)[N]) {
  text = trim(text);
  std::size_t split = text.size();
  while (split > 0 && std::isalpha(static_cast<unsigned char>(text[split - 1]))) --split;
  // "1e9" ends in a digit; "1e" would be caught by parse_number below.
  const std::string_view unit = trim(text.substr(split));
  const auto value = parse_number(text.substr(0, split));
  if (!value) return std::nullopt;
  if (unit.empty()) return value;
  for (const auto& u : units) {
    if (u.name == unit) return *value * u.factor;
  }
  return std::nullopt;
}

std::string printf_string(const char* fmt, double v, const char* unit) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v, unit);
  return buf;
}

}  // namespace

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  const std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  // strtod accepts hex and "inf"/"nan"; scenario numbers are decimal only.
  if (s.find_first_of("xXnN") != std::string::npos) return std::nullopt;
  return v;
}

std::optional<double> parse_rate_bps(std::string_view text) {
  static const Unit kUnits[] = {{"bps", 1},   {"kbps", 1e3}, {"Kbps", 1e3}, {"Mbps", 1e6},
                                {"Gbps", 1e9}, {"Tbps", 1e12}};
  return with_unit(text, kUnits);
}

std::optional<double> parse_seconds(std::string_view text) {
  static const Unit kUnits[] = {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1}, {"m", 60}, {"h", 3600}};
  return with_unit(text, kUnits);
}

std::optional<double> parse_bytes(std::string_view text) {
  static const Unit kUnits[] = {{"B", 1},         {"KB", 1e3},         {"kB", 1e3},
                                {"MB", 1e6},      {"GB", 1e9},         {"KiB", 1024.0},
                                {"MiB", 1048576.0}, {"GiB", 1073741824.0}};
  return with_unit(text, kUnits);
}

std::string format_rate_bps(double bps) {
  if (bps >= 1e12) return printf_string("%.3g %s", bps / 1e12, "Tbit/s");
  if (bps >= 1e9) return printf_string("%.3g %s", bps / 1e9, "Gbit/s");
  if (bps >= 1e6) return printf_string("%.3g %s", bps / 1e6, "Mbit/s");
  if (bps >= 1e3) return printf_string("%.3g %s", bps / 1e3, "kbit/s");
  return printf_string("%.3g %s", bps, "bit/s");
}

std::string format_seconds(double s) {
  if (s != 0 && std::fabs(s) < 1e-6) return printf_string("%.3g %s", s * 1e9, "ns");
  if (s != 0 && std::fabs(s) < 1e-3) return printf_string("%.3g %s", s * 1e6, "us");
  if (s != 0 && std::fabs(s) < 1) return printf_string("%.3g %s", s * 1e3, "ms");
  return printf_string("%.3g %s", s, "s");
}

std::string format_pps(double pps) {
  if (pps >= 1e6) return printf_string("%.2f %s", pps / 1e6, "Mpps");
  if (pps >= 1e3) return printf_string("%.2f %s", pps / 1e3, "kpps");
  return printf_string("%.2f %s", pps, "pps");
}

std::optional<Prefix> parse_prefix(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto addr = parse_ip4(text.substr(0, slash));
  const auto bits = parse_number(text.substr(slash + 1));
  if (!addr || !bits || *bits < 0 || *bits > 32 || std::floor(*bits) != *bits) return std::nullopt;
  const Ip4 mask = prefix_mask(static_cast<unsigned>(*bits));
  if ((*addr & ~mask) != 0) return std::nullopt;
  return Prefix{*addr, mask};
}

std::string format_prefix(const Prefix& p) {
  unsigned bits = 0;
  for (Ip4 m = p.mask; m != 0; m <<= 1) ++bits;
  return format_ip4(p.net) + "/" + std::to_string(bits);
}

}  // namespace lvs::scenario
