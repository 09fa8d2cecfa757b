#pragma once
// `lvsim replay`: a capture taken at the client side, run through the engine
// in batches (Engine::process_batch), every packet at its capture timestamp,
// with the result one process() call per packet would give.
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
#include <utility>
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
  // kBatch: frames go to the engine through Engine::process_batch, up to
  // Engine::kBatch at a time, each at its own capture time; kOneByOne: one
  // process() call per frame. Both give the same output, byte for byte.
  enum class Mode : std::uint8_t { kBatch, kOneByOne };

  Replayer(const std::vector<config::IpvsService>& services, LinkType link,
           const EngineSetup& setup = {}, Mode mode = Mode::kBatch);

  // Every packet of `in`; output records go to `out`, new connections to `log`
  // when given.
  void run(PcapReader& in, PcapWriter& out, AssignmentLog* log);

  // One captured frame. `emit(hdr, bytes)` receives what the director sends,
  // and `log` the connections it makes, in capture order; in kBatch mode that
  // may wait for later frames or for flush(), with the same `emit` and `log`.
  template <class Emit>
  void replay_frame(const pcap_pkthdr& hdr, const std::uint8_t* frame, Emit&& emit,
                    AssignmentLog* log);
  // Runs the frames replay_frame() holds back.
  template <class Emit>
  void flush(Emit&& emit, AssignmentLog* log);

  // IPVS shows counters as of the last estimator pass (every 2 s): let one
  // pass run after the last packet so the listing holds the final figures.
  // Returns the time to take the listing at. flush() first.
  Time finish();

  const ReplayCounters& counters() const { return counters_; }
  // Calls into the engine's data path: batches, or frames in kOneByOne.
  std::uint64_t engine_calls() const { return engine_calls_; }
  const Engine& engine() const { return *engine_; }
  Time now() const { return now_; }

 private:
  enum class Role : std::uint8_t { kRequest, kReply, kOther };

  // A frame on its way to the engine.
  struct Slot {
    pcap_pkthdr hdr{};
    std::vector<std::uint8_t> bytes;  // the frame (the engine rewrites it in place)
    std::size_t ip_off = 0;
    PacketView p;  // as parsed (a reply: turned into its real server's packet by flush())
    Side side = Side::kOutside;
    bool reply = false;
    bool skip = false;         // a reply that cannot be fed back (counted): not for the engine
    ConnTable::Probe probe{};  // a reply's connection lookup
    Time at{0};
    // The client's end, by which the engine indexes connections: what no
    // other frame of the same batch may share (see replay_frame).
    std::uint64_t client = 0;
  };

  Role role_of(const PacketView& p) const;
  bool is_service(Proto proto, Ip4 addr, std::uint16_t port) const;
  Time capture_time(const timeval& ts);
  // Replies: rewritten to the real server's source; false when they cannot be.
  bool to_real_server_source(PacketView& p, const ConnTable::Probe& k);
  // Whether a frame whose client end is `client` must wait for the held
  // frames to run first (kAnyClient: a frame that may touch any connection).
  bool must_flush_before(std::uint64_t client, Time at) const;
  void count(const Verdict& v);
  std::size_t build_icmp_error(const Slot& s);
  template <class Emit>
  void deliver(const Slot& s, const Verdict& v, Emit& emit, AssignmentLog* log);

  static constexpr std::uint64_t kAnyClient = ~std::uint64_t{0};

  std::unique_ptr<Engine> engine_;
  LinkType link_;
  Mode mode_;
  // proto|addr|port of the non-fwmark services: a handful, scanned linearly.
  std::vector<std::uint64_t> service_keys_;
  // Frames held for the next batch: slots_[0..held_). A slot keeps its
  // buffer from batch to batch (no allocation per packet).
  std::vector<Slot> slots_;
  std::size_t held_ = 0;
  Time batch_until_{0};  // the engine's next_due() when the batch began
  std::vector<PacketRef> refs_;
  std::vector<Time> times_;
  std::vector<Verdict> verdicts_;
  std::vector<std::uint8_t> icmp_;  // an ICMP error the director answers with
  ReplayCounters counters_;
  std::uint64_t engine_calls_ = 0;
  Time now_{0};
  bool started_ = false;
  std::int64_t first_us_ = 0;
};

// Frames are held back and handed to the engine as one batch, which gives
// exactly what one process() call per frame would, because of what a batch
// may hold:
// - no timer tick inside it: it ends before the engine's next_due() (ticks
//   come every millisecond, so a busy capture still fills batches); until
//   then only packets change connections;
// - no two frames with the same client end (address, port, protocol), and no
//   frame that is neither TCP nor UDP with others: so no frame of the batch
//   changes the connection of another. That is what lets a reply be turned
//   into its real server's packet before the frames ahead of it have run,
//   and the assignment log read a new connection after the batch.
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
  const std::size_t at = held_;
  Slot* s = &slots_[at];
  if (s->bytes.size() < hdr.caplen) s->bytes.resize(hdr.caplen);
  std::memcpy(s->bytes.data(), frame, hdr.caplen);
  const ParseStatus st = parse_ipv4(s->bytes.data() + l3.ip_off, hdr.caplen - l3.ip_off, s->p);
  if (st != ParseStatus::kOk) {
    ++counters_.unparsable[static_cast<std::size_t>(unparsable_from(st))];
    return;
  }
  const Role role = role_of(s->p);
  s->side = role == Role::kReply ? Side::kInside : Side::kOutside;
  s->client = kAnyClient;
  if (s->p.proto == Proto::kTcp || s->p.proto == Proto::kUdp) {
    const bool from_client = s->side == Side::kOutside;
    s->client = (std::uint64_t{static_cast<std::uint8_t>(s->p.proto)} << 48) |
                (std::uint64_t{from_client ? s->p.saddr : s->p.daddr} << 16) |
                (from_client ? s->p.sport : s->p.dport);
  }
  if (held_ != 0 && must_flush_before(s->client, now)) {
    flush(emit, log);
    std::swap(slots_[0], slots_[at]);  // buffers and all: the view stays valid
    s = &slots_[0];
  }
  if (held_ == 0) {
    // What process() would do first; a reply's lookup must see the table as
    // it is at `now`.
    engine_->advance(now);
    batch_until_ = engine_->next_due();
  }
  s->reply = role == Role::kReply;
  s->hdr = hdr;
  s->ip_off = l3.ip_off;
  s->at = now;
  if (++held_ == slots_.size()) flush(emit, log);
}

template <class Emit>
void Replayer::flush(Emit&& emit, AssignmentLog* log) {
  const std::size_t n = held_;
  if (n == 0) return;
  held_ = 0;
  // Replies first become their real servers' packets. The table is as it was
  // when each was held (see replay_frame), so the lookups can wait until now
  // and overlap their cache misses: every reply's tags, then its entry.
  const ConnTable& table = engine_->conns();
  for (std::size_t i = 0; i < n; ++i) {
    Slot& s = slots_[i];
    if (!s.reply) continue;
    s.probe = table.probe(s.p.proto, s.p.daddr, s.p.dport);
    table.prefetch(s.probe);
  }
  for (std::size_t i = 0; i < n; ++i)
    if (slots_[i].reply) table.prefetch_entry(table.first_candidate(slots_[i].probe));
  for (std::size_t i = 0; i < n; ++i) {
    Slot& s = slots_[i];
    s.skip = s.reply && !to_real_server_source(s.p, s.probe);
  }
  auto ip_of = [](Slot& s) { return s.bytes.data() + s.ip_off; };
  auto ip_len = [](const Slot& s) { return std::size_t{s.hdr.caplen} - s.ip_off; };
  if (mode_ == Mode::kOneByOne) {
    for (std::size_t i = 0; i < n; ++i) {
      if (slots_[i].skip) continue;
      ++engine_calls_;
      verdicts_[i] =
          engine_->process(ip_of(slots_[i]), ip_len(slots_[i]), slots_[i].side, slots_[i].at);
    }
  } else {
    std::size_t m = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (slots_[i].skip) continue;
      refs_[m] = PacketRef{ip_of(slots_[i]), ip_len(slots_[i]), slots_[i].side, 0};
      times_[m++] = slots_[i].at;
    }
    if (m != 0) {
      ++engine_calls_;
      engine_->process_batch(refs_.data(), verdicts_.data(), m, times_.data());
    }
    // Spread the verdicts back over their slots, last first.
    for (std::size_t i = n; i-- > 0;)
      if (!slots_[i].skip) verdicts_[i] = verdicts_[--m];
  }
  for (std::size_t i = 0; i < n; ++i)
    if (!slots_[i].skip) deliver(slots_[i], verdicts_[i], emit, log);
}

template <class Emit>
void Replayer::deliver(const Slot& s, const Verdict& v, Emit& emit, AssignmentLog* log) {
  count(v);
  if (v.action == Action::kForward) {
    ++counters_.written;
    emit(s.hdr, s.bytes.data());
    if (v.new_conn && v.conn != kNoConn) {
      ++counters_.new_conns;
      if (log != nullptr) log->add(s.hdr.ts.tv_sec, s.hdr.ts.tv_usec, engine_->conns()[v.conn]);
    }
  } else if (v.action == Action::kDrop && v.icmp_unreachable) {
    const std::size_t n = build_icmp_error(s);
    if (n == 0) return;
    pcap_pkthdr out = s.hdr;
    out.caplen = out.len = static_cast<bpf_u_int32>(n);
    ++counters_.icmp_errors;
    ++counters_.written;
    emit(out, icmp_.data());
  }
}

}  // namespace lvs::tools
