// libFuzzer target for `lvsim replay`'s frame path: link-layer parsing, the
// reply rewrite and the batches. Each input is one capture: its first byte
// picks the link type, then records {ctl, time step, length, bytes...}
// follow (the step is in 10 µs, or in ms when ctl has 0x80). A record with
// 0x20 set in ctl is instead four bytes that describe a well-formed TCP or
// UDP packet (client, port, flags, direction and service), so that
// connections open, answer and close; 0x40 makes the frame's wire length
// longer than its capture (a truncated capture). Every input is replayed
// twice, in batches and one frame at a time, into two replayers that live
// across inputs (per link type); the output frames, counters and connection
// lists must stay the same. Any crash, sanitizer report or difference is a
// finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "lvs/config/ipvsadm_rules.h"
#include "lvs/ipvsadm_format.h"
#include "lvs/packet.h"
#include "tools/replay.h"

namespace {

using namespace lvs;

const char* const kRules =
    "-A -t 192.0.2.10:80 -s wlc\n"
    "-a -t 192.0.2.10:80 -r 10.1.0.11:8080 -m -w 1\n"
    "-a -t 192.0.2.10:80 -r 10.1.0.12:8080 -m -w 2\n"
    "-a -t 192.0.2.10:80 -r 10.1.0.13:80 -g -w 1\n"
    "-A -u 192.0.2.10:53 -s rr\n"
    "-a -u 192.0.2.10:53 -r 10.1.0.11:53 -m -w 1\n"
    "-A -t 192.0.2.20:0 -s lc -p 20\n"
    "-a -t 192.0.2.20:0 -r 10.1.0.21:0 -m -w 1\n"
    "-A -t 192.0.2.30:443 -s rr\n";

const std::vector<config::IpvsService>& services() {
  static const std::vector<config::IpvsService> s =
      config::parse_ipvsadm_rules(kRules, "fuzz.rules").services;
  return s;
}

constexpr tools::LinkType kLinks[] = {tools::LinkType::kEthernet, tools::LinkType::kRaw,
                                      tools::LinkType::kLinuxSll, tools::LinkType::kLinuxSll2};

// A valid IPv4 TCP/UDP packet between one of 8 clients (4 ports each) and a
// service, in either direction, with checksums right.
std::vector<std::uint8_t> synthesize(const std::uint8_t b[4]) {
  static const Ip4 kVips[] = {0xc000020a, 0xc000020a, 0xc0000214, 0xc000021e};
  static const std::uint16_t kPorts[] = {80, 53, 22, 443};
  const unsigned svc = b[3] & 3;
  const bool udp = svc == 1;
  const bool reply = (b[3] & 4) != 0;
  const Ip4 client = 0xc6336401 + (b[0] & 7);
  const std::uint16_t cport = static_cast<std::uint16_t>(40000 + (b[1] & 3));
  const std::size_t l4 = udp ? 8 : 20;
  const std::size_t payload = (b[3] >> 3) & 7;
  std::vector<std::uint8_t> ip(20 + l4 + payload, 0x5a);
  ip[0] = 0x45;
  ip[1] = 0;
  store16(&ip[2], static_cast<std::uint16_t>(ip.size()));
  store16(&ip[4], 0x1234);
  store16(&ip[6], 0);
  ip[8] = 64;
  ip[9] = udp ? 17 : 6;
  store16(&ip[10], 0);
  store32(&ip[12], reply ? kVips[svc] : client);
  store32(&ip[16], reply ? client : kVips[svc]);
  store16(&ip[10], csum_compute(ip.data(), 20));
  std::uint8_t* h = ip.data() + 20;
  store16(h, reply ? kPorts[svc] : cport);
  store16(h + 2, reply ? cport : kPorts[svc]);
  std::uint32_t pseudo = 0;
  for (std::size_t i = 12; i < 20; i += 2) pseudo += load16(&ip[i]);
  pseudo += ip[9];
  pseudo += static_cast<std::uint32_t>(l4 + payload);
  if (udp) {
    store16(h + 4, static_cast<std::uint16_t>(l4 + payload));
    store16(h + 6, 0);
    store16(h + 6, csum_compute(h, l4 + payload, pseudo));
  } else {
    store32(h + 4, 1000);
    store32(h + 8, 2000);
    h[12] = 0x50;
    h[13] = b[2] & 0x3f;  // FIN SYN RST PSH ACK URG
    store16(h + 14, 65535);
    store16(h + 16, 0);
    store16(h + 18, 0);
    store16(h + 16, csum_compute(h, l4 + payload, pseudo));
  }
  return ip;
}

// The link-layer header for `ip` on `link` (Ethernet: IPv4 ethertype).
std::vector<std::uint8_t> framed(tools::LinkType link, const std::vector<std::uint8_t>& ip) {
  std::vector<std::uint8_t> f;
  switch (link) {
    case tools::LinkType::kEthernet:
      f = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00};
      break;
    case tools::LinkType::kRaw:
      break;
    case tools::LinkType::kLinuxSll:
      f = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 2, 0, 0, 0x08, 0x00};
      break;
    case tools::LinkType::kLinuxSll2:
      f = {0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 2, 0, 0};
      break;
  }
  f.insert(f.end(), ip.begin(), ip.end());
  return f;
}

struct Frame {
  pcap_pkthdr hdr{};
  std::vector<std::uint8_t> bytes;
};

// One replayer per link type and mode, living across inputs (building an
// engine costs more than an input), fed the same frames: they stay equal.
struct Pair {
  explicit Pair(tools::LinkType link)
      : batch(services(), link, setup(), tools::Replayer::Mode::kBatch),
        one(services(), link, setup(), tools::Replayer::Mode::kOneByOne) {}
  static tools::EngineSetup setup() {
    tools::EngineSetup s;
    s.max_conns = 64;
    // Short timeouts, so that connections expire within what an input can
    // span (each record moves the clock up to 255 ms).
    s.timeouts.tcp = seconds(2);
    s.timeouts.tcpfin = seconds(1);
    s.timeouts.udp = seconds(1);
    return s;
  }
  tools::Replayer batch;
  tools::Replayer one;
};

Pair& pair_for(unsigned link) {
  static std::unique_ptr<Pair> pairs[4];
  if (!pairs[link]) pairs[link] = std::make_unique<Pair>(kLinks[link]);
  return *pairs[link];
}

std::vector<std::vector<std::uint8_t>> replay(tools::Replayer& r,
                                              const std::vector<Frame>& frames) {
  std::vector<std::vector<std::uint8_t>> out;
  auto emit = [&out](const pcap_pkthdr& h, const std::uint8_t* bytes) {
    std::vector<std::uint8_t> f(bytes, bytes + h.caplen);
    f.push_back(static_cast<std::uint8_t>(h.ts.tv_usec));  // the stamp goes with it
    out.push_back(std::move(f));
  };
  for (const Frame& f : frames) r.replay_frame(f.hdr, f.bytes.data(), emit, nullptr);
  r.flush(emit, nullptr);
  return out;
}

std::int64_t g_us = 0;  // capture time, on across inputs

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const unsigned link = data[0] & 3;
  std::vector<Frame> frames;
  std::size_t at = 1;
  while (at + 3 <= size && frames.size() < 512) {
    const std::uint8_t ctl = data[at];
    g_us += std::int64_t{data[at + 1]} * (ctl & 0x80 ? 1000 : 10);
    std::size_t len = data[at + 2];
    at += 3;
    Frame f;
    if (ctl & 0x20) {
      if (at + 4 > size) break;
      f.bytes = framed(kLinks[link], synthesize(data + at));
      at += 4;
    } else {
      if (len > size - at) len = size - at;
      f.bytes.assign(data + at, data + at + len);  // exact size: ASan sees any overread
      at += len;
    }
    f.hdr.ts.tv_sec = static_cast<long>(1700000000 + g_us / 1000000);
    f.hdr.ts.tv_usec = static_cast<long>(g_us % 1000000);
    f.hdr.caplen = static_cast<bpf_u_int32>(f.bytes.size());
    f.hdr.len = f.hdr.caplen + (ctl & 0x40 ? 4 : 0);
    frames.push_back(std::move(f));
  }
  Pair& p = pair_for(link);
  if (replay(p.batch, frames) != replay(p.one, frames)) std::abort();
  if (tools::format_summary(p.batch.counters()) != tools::format_summary(p.one.counters()))
    std::abort();
  const Time t = p.batch.now();
  if (format_conn_list(p.batch.engine().listing(t)) != format_conn_list(p.one.engine().listing(t)))
    std::abort();
  return 0;
}
