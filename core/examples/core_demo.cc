// The engine at work, without a simulator: a director with a VIP and three
// real servers (wrr, weights 3:2:1) takes 60 simulated seconds of HTTP-like
// client connections, built as wire-format packets and pushed through both
// directions, then prints what ipvsadm would show.
#include <cstdio>
#include <random>
#include <vector>

#include "lvs/engine.h"
#include "lvs/ipvsadm_format.h"
#include "lvs/packet.h"

namespace {

using namespace lvs;

constexpr std::uint8_t kSyn = 0x02, kAck = 0x10, kFin = 0x01;

// A TCP segment with valid checksums.
std::vector<std::uint8_t> segment(Ip4 src, std::uint16_t sport, Ip4 dst, std::uint16_t dport,
                                  std::uint8_t flags, std::size_t payload) {
  std::vector<std::uint8_t> b(40 + payload, 0);
  b[0] = 0x45;
  store16(&b[2], static_cast<std::uint16_t>(b.size()));
  b[8] = 64;
  b[9] = 6;
  store32(&b[12], src);
  store32(&b[16], dst);
  store16(&b[10], csum_compute(b.data(), 20));
  store16(&b[20], sport);
  store16(&b[22], dport);
  b[32] = 0x50;
  b[33] = flags;
  store16(&b[34], 65535);
  std::uint32_t pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 +
                         static_cast<std::uint32_t>(20 + payload);
  store16(&b[36], csum_compute(&b[20], 20 + payload, pseudo));
  return b;
}

}  // namespace

int main() {
  const Ip4 vip = *parse_ip4("192.0.2.10");
  EngineConfig cfg;
  cfg.local_addrs = {*parse_ip4("192.0.2.1"), vip, *parse_ip4("10.1.0.1"), *parse_ip4("10.1.0.254")};
  cfg.inside_nets = {Prefix{*parse_ip4("10.1.0.0"), prefix_mask(24)}};
  cfg.masq_addr = *parse_ip4("192.0.2.1");
  Engine engine(cfg);

  ServiceConfig http;
  http.key.proto = Proto::kTcp;
  http.key.addr = vip;
  http.key.port = 80;
  http.scheduler = "wrr";
  engine.add_service(http);
  const int weights[] = {3, 2, 1};
  for (int i = 0; i < 3; ++i) {
    RealServerConfig rs;
    rs.addr = *parse_ip4("10.1.0." + std::to_string(11 + i));
    rs.port = 8080;
    rs.weight = weights[i];
    rs.fwd = ForwardMethod::kMasq;
    engine.add_dest(http.key, rs);
  }

  std::mt19937 rng(1);
  std::exponential_distribution<double> gap(100.0);  // 100 new connections/s
  double t = 0;
  std::uint64_t sent = 0;
  auto push = [&](std::vector<std::uint8_t> pkt, Side side) {
    const Verdict v = engine.process(pkt.data(), pkt.size(), side, Time{static_cast<std::int64_t>(t * 1e9)});
    ++sent;
    return v;
  };
  for (std::uint32_t n = 0; t < 60; ++n) {
    t += gap(rng);
    const Ip4 client = *parse_ip4("203.0.113.0") + 1 + n % 250;
    const auto cport = static_cast<std::uint16_t>(20000 + n % 40000);
    const Verdict syn = push(segment(client, cport, vip, 80, kSyn, 0), Side::kOutside);
    if (syn.action != Action::kForward) continue;
    const Ip4 rs = syn.next_hop;
    push(segment(rs, 8080, client, cport, kSyn | kAck, 0), Side::kInside);
    push(segment(client, cport, vip, 80, kAck, 120), Side::kOutside);
    push(segment(rs, 8080, client, cport, kAck, 1400), Side::kInside);
    if (n % 4 != 0) {  // most connections close; a quarter stay open (keep-alive)
      push(segment(rs, 8080, client, cport, kFin | kAck, 0), Side::kInside);
      push(segment(client, cport, vip, 80, kFin | kAck, 0), Side::kOutside);
    }
  }
  const Time end{static_cast<std::int64_t>(t * 1e9)};
  engine.advance(end);
  const IpvsListing listing = engine.listing(end);
  std::printf("lvs-core-demo: %llu packets through the engine over %.1f simulated seconds\n\n",
              static_cast<unsigned long long>(sent), t);
  std::printf("$ ipvsadm -L -n\n%s\n", format_service_list(listing).c_str());
  ListOptions stats;
  stats.view = ListView::kStats;
  std::printf("$ ipvsadm -L -n --stats\n%s\n", format_service_list(listing, stats).c_str());
  ListOptions rate;
  rate.view = ListView::kRate;
  std::printf("$ ipvsadm -L -n --rate\n%s\n", format_service_list(listing, rate).c_str());
  std::printf("connection table: %zu entries (bounded at %zu); packets forwarded %llu\n",
              engine.conns().size(), engine.conns().capacity(),
              static_cast<unsigned long long>(engine.forwarded()));
  for (std::size_t r = 1; r < static_cast<std::size_t>(DropReason::kCount); ++r)
    if (engine.drops(static_cast<DropReason>(r)))
      std::printf("dropped (%s): %llu\n", std::string(drop_reason_name(static_cast<DropReason>(r))).c_str(),
                  static_cast<unsigned long long>(engine.drops(static_cast<DropReason>(r))));
  return 0;
}
