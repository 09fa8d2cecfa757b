#pragma once
// A director as in the LVS NAT figure: eth0 on 192.0.2.0/24 with the VIP
// 192.0.2.10, eth1 on 10.1.0.0/24 with the NAT gateway IP 10.1.0.254.

#include <gtest/gtest.h>

#include <string>

#include "lvs/engine.h"
#include "packet_builder.h"

namespace lvs::test {

inline constexpr const char* kVip = "192.0.2.10";
inline constexpr const char* kPublic = "192.0.2.1";
inline constexpr const char* kNatGw = "10.1.0.254";
inline constexpr const char* kRs1 = "10.1.0.11";
inline constexpr const char* kRs2 = "10.1.0.12";
inline constexpr const char* kClient = "203.0.113.9";

inline constexpr std::uint8_t kSyn = 0x02, kAck = 0x10, kFin = 0x01, kRst = 0x04;
inline constexpr std::uint8_t kSynAck = kSyn | kAck, kFinAck = kFin | kAck;

inline EngineConfig director_config(std::size_t max_conns = 1024) {
  EngineConfig cfg;
  cfg.max_conns = max_conns;
  cfg.local_addrs = {ip(kPublic), ip(kVip), ip("10.1.0.1"), ip(kNatGw)};
  cfg.inside_nets = {Prefix{ip("10.1.0.0"), prefix_mask(24)}};
  cfg.masq_addr = ip(kPublic);
  return cfg;
}

inline ServiceKey tcp_service(const char* vip = kVip, std::uint16_t port = 80) {
  ServiceKey k;
  k.proto = Proto::kTcp;
  k.addr = ip(vip);
  k.port = port;
  return k;
}

inline RealServerConfig nat_dest(const char* addr, std::uint16_t port = 8080, int weight = 1) {
  RealServerConfig d;
  d.addr = ip(addr);
  d.port = port;
  d.weight = weight;
  d.fwd = ForwardMethod::kMasq;
  return d;
}

inline RealServerConfig dr_dest(const char* addr, std::uint16_t port = 80) {
  RealServerConfig d = nat_dest(addr, port);
  d.fwd = ForwardMethod::kDirectRoute;
  return d;
}

inline ServiceConfig service_config(const ServiceKey& key = tcp_service(), const char* sched = "rr") {
  ServiceConfig s;
  s.key = key;
  s.scheduler = sched;
  return s;
}

inline Time at(double secs) {
  return Time{static_cast<std::int64_t>(secs * 1e9)};
}

class DirectorTest : public ::testing::Test {
 protected:
  explicit DirectorTest(EngineConfig cfg = director_config()) : engine_(std::move(cfg)) {}

  void add_service(const ServiceConfig& s) { ASSERT_TRUE(engine_.add_service(s)); }
  void add_dest(const ServiceKey& k, const RealServerConfig& d) {
    ASSERT_TRUE(engine_.add_dest(k, d));
  }
  ServiceConfig service(const char* sched = "rr") { return service_config(tcp_service(), sched); }
  // Runs one packet through; `pkt` is rewritten in place.
  Verdict run(Bytes& pkt, Side side, Time now) {
    return engine_.process(pkt.data(), pkt.size(), side, now);
  }
  Verdict in(const PacketSpec& s, Time now, Bytes* out = nullptr) {
    Bytes b = make_packet(s);
    Verdict v = run(b, Side::kOutside, now);
    if (out) *out = b;
    return v;
  }
  Verdict out(const PacketSpec& s, Time now, Bytes* rewritten = nullptr) {
    Bytes b = make_packet(s);
    Verdict v = run(b, Side::kInside, now);
    if (rewritten) *rewritten = b;
    return v;
  }
  const RealServer& dest(const char* addr, std::uint16_t port = 8080) {
    const RealServer* rs = engine_.find_dest(tcp_service(), ip(addr), port);
    EXPECT_NE(rs, nullptr);
    return *rs;
  }

  Engine engine_;
};

}  // namespace lvs::test
