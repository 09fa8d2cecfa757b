#include "lvs/types.h"

#include <cstdio>

namespace lvs {

std::optional<Ip4> parse_ip4(std::string_view text) {
  Ip4 addr = 0;
  int octets = 0;
  std::size_t i = 0;
  while (octets < 4) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
    unsigned value = 0;
    std::size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
      if (++digits > 3 || value > 255) return std::nullopt;
      ++i;
    }
    addr = (addr << 8) | value;
    ++octets;
    if (octets < 4) {
      if (i >= text.size() || text[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != text.size()) return std::nullopt;
  return addr;
}

std::string format_ip4(Ip4 addr) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", (addr >> 24) & 0xff, (addr >> 16) & 0xff,
                (addr >> 8) & 0xff, addr & 0xff);
  return buf;
}

std::string_view proto_name(Proto p) {
  switch (p) {
    case Proto::kTcp: return "TCP";
    case Proto::kUdp: return "UDP";
    case Proto::kIcmp: return "ICMP";
    case Proto::kIp: return "IP";
  }
  return "?";
}

}  // namespace lvs
