#include "packet_builder.h"

#include <cstdio>
#include <stdexcept>

namespace lvs::test {
namespace {

void put16(Bytes& b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(Bytes& b, std::size_t at, std::uint32_t v) {
  put16(b, at, v >> 16);
  put16(b, at + 2, v & 0xffff);
}
std::uint32_t get16(const Bytes& b, std::size_t at) { return (std::uint32_t{b[at]} << 8) | b[at + 1]; }
std::uint32_t get32(const Bytes& b, std::size_t at) { return (get16(b, at) << 16) | get16(b, at + 2); }

// Plain RFC 1071 sum, deliberately separate from the engine's code.
std::uint32_t sum16(const Bytes& b, std::size_t from, std::size_t len) {
  std::uint32_t s = 0;
  for (std::size_t i = 0; i < len; i += 2) {
    std::uint32_t hi = b[from + i];
    std::uint32_t lo = i + 1 < len ? b[from + i + 1] : 0;
    s += (hi << 8) | lo;
  }
  return s;
}
std::uint16_t finish(std::uint32_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<std::uint16_t>(~s & 0xffff);
}
std::uint32_t pseudo(const Bytes& b, std::size_t l4_len) {
  return sum16(b, 12, 8) + b[9] + static_cast<std::uint32_t>(l4_len);
}

}  // namespace

Ip4 ip(const std::string& dotted) {
  auto a = parse_ip4(dotted);
  if (!a) throw std::invalid_argument("bad address in test: " + dotted);
  return *a;
}

Bytes make_packet(const PacketSpec& s) {
  std::size_t l4 = 0;
  switch (s.proto) {
    case Proto::kTcp: l4 = 20; break;
    case Proto::kUdp: l4 = 8; break;
    case Proto::kIcmp: l4 = 8; break;
    default: l4 = 0; break;
  }
  const std::size_t total = 20 + l4 + s.payload;
  Bytes b(total, 0);
  b[0] = 0x45;
  put16(b, 2, static_cast<std::uint32_t>(total));
  put16(b, 4, s.ip_id);
  put16(b, 6, s.frag);
  b[8] = s.ttl;
  b[9] = static_cast<std::uint8_t>(s.proto);
  put32(b, 12, ip(s.src));
  put32(b, 16, ip(s.dst));
  for (std::size_t i = 0; i < s.payload; ++i) b[20 + l4 + i] = static_cast<std::uint8_t>(i * 7 + 3);
  if (s.proto == Proto::kTcp) {
    put16(b, 20, s.sport);
    put16(b, 22, s.dport);
    put32(b, 24, 1000);
    put32(b, 28, (s.tcp_flags & 0x10) ? 2000 : 0);
    b[32] = 0x50;
    b[33] = s.tcp_flags;
    put16(b, 34, 65535);
    put16(b, 36, finish(pseudo(b, l4 + s.payload) + sum16(b, 20, l4 + s.payload)));
  } else if (s.proto == Proto::kUdp) {
    put16(b, 20, s.sport);
    put16(b, 22, s.dport);
    put16(b, 24, static_cast<std::uint32_t>(l4 + s.payload));
    if (!s.udp_zero_checksum) {
      std::uint16_t c = finish(pseudo(b, l4 + s.payload) + sum16(b, 20, l4 + s.payload));
      put16(b, 26, c == 0 ? 0xffff : c);
    }
  } else if (s.proto == Proto::kIcmp) {
    b[20] = s.icmp_type;
    b[21] = s.icmp_code;
    put16(b, 24, s.icmp_id);
    put16(b, 26, 1);
    put16(b, 22, finish(sum16(b, 20, l4 + s.payload)));
  }
  put16(b, 10, finish(sum16(b, 0, 20)));
  return b;
}

Bytes make_icmp_error(const std::string& src, const std::string& dst, std::uint8_t type,
                      std::uint8_t code, const Bytes& offending, std::size_t quote_len) {
  if (quote_len == 0) quote_len = std::size_t{offending[0] & 0x0fu} * 4 + 8;
  if (quote_len > offending.size()) quote_len = offending.size();
  PacketSpec s;
  s.proto = Proto::kIcmp;
  s.src = src;
  s.dst = dst;
  s.icmp_type = type;
  s.icmp_code = code;
  s.icmp_id = 0;
  s.payload = quote_len;
  Bytes b = make_packet(s);
  put16(b, 24, 0);
  put16(b, 26, 0);
  for (std::size_t i = 0; i < quote_len; ++i) b[28 + i] = offending[i];
  put16(b, 22, 0);
  put16(b, 22, finish(sum16(b, 20, 8 + quote_len)));
  return b;
}

bool checksums_valid(const Bytes& b, std::string* why) {
  auto fail = [why](const char* m) {
    if (why) *why = m;
    return false;
  };
  if (b.size() < 20) return fail("short");
  const std::size_t ihl = std::size_t{b[0] & 0x0fu} * 4;
  const std::size_t total = get16(b, 2);
  if (finish(sum16(b, 0, ihl)) != 0) return fail("ip header checksum");
  const std::size_t l4_len = total - ihl;
  switch (static_cast<Proto>(b[9])) {
    case Proto::kTcp:
      if (finish(pseudo(b, l4_len) + sum16(b, ihl, l4_len)) != 0) return fail("tcp checksum");
      break;
    case Proto::kUdp:
      if (get16(b, ihl + 6) != 0 && finish(pseudo(b, l4_len) + sum16(b, ihl, l4_len)) != 0)
        return fail("udp checksum");
      break;
    case Proto::kIcmp: {
      if (finish(sum16(b, ihl, l4_len)) != 0) return fail("icmp checksum");
      const std::uint8_t type = b[ihl];
      if ((type == 3 || type == 11) && l4_len >= 28) {
        const std::size_t q = ihl + 8;
        const std::size_t qihl = std::size_t{b[q] & 0x0fu} * 4;
        if (q + qihl <= total && finish(sum16(b, q, qihl)) != 0) return fail("quoted ip checksum");
      }
      break;
    }
    default:
      break;
  }
  (void)get32;
  return true;
}

std::string hex(const Bytes& b) {
  std::string out;
  char buf[4];
  for (std::size_t i = 0; i < b.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%02x", b[i]);
    out += buf;
    out += (i % 16 == 15) ? '\n' : ' ';
  }
  return out;
}

}  // namespace lvs::test
