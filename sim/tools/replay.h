#pragma once
// `lvsim replay`: a capture taken at the client side, run through the engine
// packet by packet at its capture timestamps.
//
// Requests (to a VIP:port of a configured service) enter from the outside.
// Replies (from a VIP:port) are what the real server sent, seen after the
// director masqueraded them; each is turned back into that real server's
// packet (source VIP:vport -> the connection's real server address:port) and
// enters from the inside, so both directions go through the engine. Anything
// else enters from the outside and the engine decides (local, pass, ...).
// Replies of DR/TUN connections never pass a real director and are skipped.
// Firewall-mark services see no traffic: a capture carries no netfilter marks.
//
// What the director sends (kForward, plus the ICMP port unreachable it
// answers with when no real server is available) is written out with the
// link-layer header as captured: Ethernet MACs are kept, only the IP layer
// changes.

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "lvs/config/cluster_config.h"
#include "lvs/engine.h"
#include "tools/assignment_log.h"
#include "tools/engine_setup.h"
#include "tools/link_layer.h"
#include "tools/pcap_io.h"
#include "tools/replay_counters.h"

namespace lvs::tools {

class Replayer {
 public:
  Replayer(const std::vector<config::IpvsService>& services, LinkType link,
           const EngineSetup& setup = {});

  // Every packet of `in`; output records go to `out`, new connections to `log`
  // when given.
  void run(PcapReader& in, PcapWriter& out, AssignmentLog* log);

  // One captured frame. `emit(hdr, bytes)` receives what the director sends.
  template <class Emit>
  void replay_frame(const pcap_pkthdr& hdr, const std::uint8_t* frame, Emit&& emit,
                    AssignmentLog* log);

  // IPVS shows counters as of the last estimator pass (every 2 s): let one
  // pass run after the last packet so the listing holds the final figures.
  // Returns the time to take the listing at.
  Time finish();

  const ReplayCounters& counters() const { return counters_; }
  const Engine& engine() const { return *engine_; }
  Time now() const { return now_; }

 private:
  enum class Role : std::uint8_t { kRequest, kReply, kOther };

  Role role_of(const PacketView& p) const;
  bool is_service(Proto proto, Ip4 addr, std::uint16_t port) const;
  Time capture_time(const timeval& ts);
  // Replies: rewritten to the real server's source; false when they cannot be.
  bool to_real_server_source(PacketView& p);
  void count(const Verdict& v);
  std::size_t build_icmp_error(const PacketView& offending, std::size_t ip_off);

  std::unique_ptr<Engine> engine_;
  LinkType link_;
  // proto|addr|port of the non-fwmark services: a handful, scanned linearly.
  std::vector<std::uint64_t> service_keys_;
  std::vector<std::uint8_t> buf_;   // the frame being processed (the engine rewrites in place)
  std::vector<std::uint8_t> icmp_;  // an ICMP error the director answers with
  ReplayCounters counters_;
  Time now_{0};
  bool started_ = false;
  std::int64_t first_us_ = 0;
};

template <class Emit>
void Replayer::replay_frame(const pcap_pkthdr& hdr, const std::uint8_t* frame, Emit&& emit,
                            AssignmentLog* log) {
  ++counters_.read;
  const Time now = capture_time(hdr.ts);
  if (hdr.caplen < hdr.len) {
    ++counters_.unparsable[static_cast<std::size_t>(Unparsable::kCaptureTruncated)];
    return;
  }
  const FrameL3 l3 = locate_ipv4(link_, frame, hdr.caplen);
  if (l3.kind != FrameKind::kIpv4) {
    ++counters_.unparsable[static_cast<std::size_t>(
        l3.kind == FrameKind::kTruncated ? Unparsable::kLinkTruncated : Unparsable::kNotIpv4)];
    return;
  }
  if (buf_.size() < hdr.caplen) buf_.resize(hdr.caplen);
  std::memcpy(buf_.data(), frame, hdr.caplen);
  std::uint8_t* ip = buf_.data() + l3.ip_off;
  const std::size_t ip_cap = hdr.caplen - l3.ip_off;
  PacketView p;
  const ParseStatus st = parse_ipv4(ip, ip_cap, p);
  if (st != ParseStatus::kOk) {
    ++counters_.unparsable[static_cast<std::size_t>(unparsable_from(st))];
    return;
  }
  Side side = Side::kOutside;
  if (role_of(p) == Role::kReply) {
    engine_->advance(now);  // the lookup must see the table as it is now
    if (!to_real_server_source(p)) return;
    side = Side::kInside;
  }
  const Verdict v = engine_->process(ip, ip_cap, side, now);
  count(v);
  if (v.action == Action::kForward) {
    ++counters_.written;
    emit(hdr, buf_.data());
    if (v.new_conn && v.conn != kNoConn) {
      ++counters_.new_conns;
      if (log != nullptr) log->add(hdr.ts.tv_sec, hdr.ts.tv_usec, engine_->conns()[v.conn]);
    }
  } else if (v.action == Action::kDrop && v.icmp_unreachable) {
    const std::size_t n = build_icmp_error(p, l3.ip_off);
    if (n == 0) return;
    pcap_pkthdr out = hdr;
    out.caplen = out.len = static_cast<bpf_u_int32>(n);
    ++counters_.icmp_errors;
    ++counters_.written;
    emit(out, icmp_.data());
  }
}

}  // namespace lvs::tools
