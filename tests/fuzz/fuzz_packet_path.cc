// libFuzzer target for the engine's packet path. Each input is a sequence of
// records {side+flags byte, time step byte, length byte, bytes...}: packets from
// either side, at advancing times, into one engine that lives across inputs,
// so connection state, templates, expiry and masquerading all get exercised.
// Records with both 0x04 and 0x08 set in the first byte are gathered and go
// through process_batch together (up to Engine::kBatch, at the time of the
// last one), so the batch path's staged lookups meet the same inputs.
// Any crash, sanitizer report or broken invariant is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "lvs/engine.h"

namespace {

using namespace lvs;

constexpr Ip4 kVip = 0xc000020a;  // 192.0.2.10

Engine& engine() {
  static Engine* e = [] {
    EngineConfig cfg;
    cfg.max_conns = 4096;
    cfg.local_addrs = {kVip, 0xc0000201u, 0x0a0100feu};
    cfg.inside_nets = {Prefix{0x0a010000u, prefix_mask(24)}};
    cfg.masq_addr = 0xc0000201u;
    cfg.expire_nodest_conn = true;
    auto* en = new Engine(cfg);
    const char* scheds[] = {"rr", "wlc", "sh", "mh"};
    const Proto protos[] = {Proto::kTcp, Proto::kUdp, Proto::kTcp, Proto::kUdp};
    for (int s = 0; s < 4; ++s) {
      ServiceConfig svc;
      svc.key.proto = protos[s];
      svc.key.addr = kVip;
      svc.key.port = static_cast<std::uint16_t>(80 + s);
      svc.scheduler = scheds[s];
      if (s >= 2) {
        svc.flags = kSvcPersistent;
        svc.netmask = prefix_mask(24);
      }
      en->add_service(svc);
      for (int d = 0; d < 3; ++d) {
        RealServerConfig rs;
        rs.addr = 0x0a01000bu + static_cast<Ip4>(d);
        rs.port = static_cast<std::uint16_t>(8080 + s);
        rs.weight = d;
        rs.u_threshold = d == 1 ? 2 : 0;
        rs.fwd = d == 2 ? ForwardMethod::kDirectRoute : ForwardMethod::kMasq;
        en->add_dest(svc.key, rs);
      }
    }
    ServiceConfig fwm;
    fwm.key.fwmark = 9;
    fwm.scheduler = "lblcr";
    fwm.flags = kSvcPersistent;
    en->add_service(fwm);
    RealServerConfig rs;
    rs.addr = 0x0a01000bu;
    rs.fwd = ForwardMethod::kMasq;
    en->add_dest(fwm.key, rs);
    return en;
  }();
  return *e;
}

Time g_now{std::int64_t{1} << 40};

void check(const Engine& e, const Verdict& v) {
  if (v.action == Action::kDrop && v.reason == DropReason::kNone) std::abort();
  if (e.conns().size() > e.conns().capacity()) std::abort();
}

// Packets waiting for process_batch, each in an exact-size heap copy.
struct PendingBatch {
  std::vector<std::vector<std::uint8_t>> bufs;
  std::vector<PacketRef> refs;

  void flush(Engine& e) {
    if (refs.empty()) return;
    std::vector<Verdict> out(refs.size());
    e.process_batch(refs.data(), out.data(), refs.size(), g_now);
    for (const Verdict& v : out) check(e, v);
    bufs.clear();
    refs.clear();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Engine& e = engine();
  std::size_t at = 0;
  std::vector<std::uint8_t> buf;
  PendingBatch batch;
  batch.bufs.reserve(Engine::kBatch);
  while (at + 3 <= size) {
    const std::uint8_t ctl = data[at];
    g_now += milliseconds(data[at + 1]) * (ctl & 0x80 ? 100 : 1);
    std::size_t len = data[at + 2];
    at += 3;
    if (len > size - at) len = size - at;
    const Side side = (ctl & 1) ? Side::kInside : Side::kOutside;
    const std::uint32_t fwmark = (ctl & 2) ? 9 : 0;
    if ((ctl & 0x0c) == 0x0c) {
      // The buffers are reserved, so the refs to them stay valid.
      batch.bufs.emplace_back(data + at, data + at + len);
      batch.refs.push_back(PacketRef{batch.bufs.back().data(), len, side, fwmark});
      at += len;
      if (batch.refs.size() == Engine::kBatch) batch.flush(e);
      continue;
    }
    batch.flush(e);
    // Exact-size heap copy: any read past the packet is an ASan report.
    buf.assign(data + at, data + at + len);
    at += len;
    const std::size_t before = buf.size();
    const Verdict v = e.process(buf.data(), buf.size(), side, g_now, fwmark);
    if (buf.size() != before) std::abort();
    check(e, v);
    if ((ctl & 0x70) == 0x70) e.advance(g_now);
  }
  batch.flush(e);
  return 0;
}
