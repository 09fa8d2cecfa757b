#include "tools/replay.h"

#include <algorithm>

namespace lvs::tools {
namespace {

std::uint64_t service_key(Proto proto, Ip4 addr, std::uint16_t port) {
  return (std::uint64_t{static_cast<std::uint8_t>(proto)} << 48) | (std::uint64_t{addr} << 16) | port;
}

bool is_tcp_or_udp(Proto p) { return p == Proto::kTcp || p == Proto::kUdp; }

}  // namespace

Replayer::Replayer(const std::vector<config::IpvsService>& services, LinkType link,
                   const EngineSetup& setup, Mode mode)
    : engine_(build_engine(services, setup)),
      link_(link),
      mode_(mode),
      slots_(mode == Mode::kBatch ? Engine::kBatch : 1),
      refs_(slots_.size()),
      times_(slots_.size()),
      verdicts_(slots_.size()),
      icmp_(65536) {
  for (const auto& s : services) {
    if (!s.svc.key.is_fwmark())
      service_keys_.push_back(service_key(s.svc.key.proto, s.svc.key.addr, s.svc.key.port));
  }
}

// Port 0 services (persistent, any port) match every port of their VIP.
bool Replayer::is_service(Proto proto, Ip4 addr, std::uint16_t port) const {
  const std::uint64_t exact = service_key(proto, addr, port);
  const std::uint64_t any_port = service_key(proto, addr, 0);
  for (const std::uint64_t k : service_keys_)
    if (k == exact || k == any_port) return true;
  return false;
}

Replayer::Role Replayer::role_of(const PacketView& p) const {
  if (!is_tcp_or_udp(p.proto)) return Role::kOther;
  if (is_service(p.proto, p.daddr, p.dport)) return Role::kRequest;
  if (is_service(p.proto, p.saddr, p.sport)) return Role::kReply;
  return Role::kOther;
}

// The engine's clock starts at the first packet; a stamp that goes backwards
// (captures merged from several interfaces) does not move it back.
Time Replayer::capture_time(const timeval& ts) {
  const std::int64_t us = std::int64_t{ts.tv_sec} * 1000000 + ts.tv_usec;
  if (!started_) {
    started_ = true;
    first_us_ = us;
  }
  const Time t = std::chrono::microseconds(us - first_us_);
  now_ = std::max(now_, t);
  return now_;
}

bool Replayer::to_real_server_source(PacketView& p, const ConnTable::Probe& k) {
  const ConnTable& table = engine_->conns();
  const ConnId id = table.find_in(k, p.proto, p.daddr, p.dport, p.saddr, p.sport);
  if (id == kNoConn || (table[id].flags & kConnTemplate) != 0) {
    ++counters_.reply_without_conn;
    return false;
  }
  const Conn& c = table[id];
  if (static_cast<ForwardMethod>(c.flags & kConnFwdMask) != ForwardMethod::kMasq) {
    ++counters_.reply_bypass;
    return false;
  }
  rewrite_saddr_sport(p, c.daddr, c.dport);
  return true;
}

bool Replayer::must_flush_before(std::uint64_t client, Time at) const {
  if (at >= batch_until_ || client == kAnyClient) return true;
  for (std::size_t i = 0; i < held_; ++i)
    if (slots_[i].client == client || slots_[i].client == kAnyClient) return true;
  return false;
}

void Replayer::count(const Verdict& v) {
  switch (v.action) {
    case Action::kForward:
      ++(v.out == Side::kInside ? counters_.to_real_servers : counters_.to_clients);
      break;
    case Action::kLocal: ++counters_.local; break;
    case Action::kPass: ++counters_.passed; break;
    case Action::kDrop: ++counters_.dropped[static_cast<std::size_t>(v.reason)]; break;
  }
}

// As IPVS's ip_vs_leave(): the director answers from the address the client used.
std::size_t Replayer::build_icmp_error(const Slot& s) {
  std::copy(s.bytes.begin(), s.bytes.begin() + static_cast<std::ptrdiff_t>(s.ip_off),
            icmp_.begin());
  reverse_link_header(link_, icmp_.data(), s.ip_off);
  const std::size_t n = lvs::build_icmp_error(s.p, s.p.daddr, kIcmpDestUnreach, kIcmpPortUnreach,
                                              icmp_.data() + s.ip_off, icmp_.size() - s.ip_off);
  return n == 0 ? 0 : s.ip_off + n;
}

Time Replayer::finish() {
  now_ += kEstimatorPeriod;
  engine_->advance(now_);
  return now_;
}

void Replayer::run(PcapReader& in, PcapWriter& out, AssignmentLog* log) {
  const pcap_pkthdr* hdr = nullptr;
  const std::uint8_t* data = nullptr;
  auto emit = [&out](const pcap_pkthdr& h, const std::uint8_t* bytes) { out.write(h, bytes); };
  while (in.next(hdr, data)) replay_frame(*hdr, data, emit, log);
  flush(emit, log);
}

}  // namespace lvs::tools
