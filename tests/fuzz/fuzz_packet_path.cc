// libFuzzer target for the engine's packet path. Each input is a sequence of
// records {side+flags byte, time step byte, length byte, bytes...}: packets from
// either side, at advancing times, into one engine that lives across inputs,
// so connection state, templates, expiry and masquerading all get exercised.
// Records with both 0x04 and 0x08 set in the first byte are gathered and go
// through process_batch together (up to Engine::kBatch): at the time of the
// last one, or, when one of them also has 0x20 set, each at its own time
// (timers then fire inside the batch), so the batch path's staged lookups
// meet the same inputs.
// Records whose first byte has 0x78 set and 0x04 clear carry no packet:
// their length byte picks a control operation (delete, add or edit a real
// server, edit or re-create a service), so the trash, scheduler rebinding
// and template timeouts meet the same traffic.
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

// The five services and their real servers, as built at the start and as
// control records put them back.
constexpr int kServices = 5;  // four address services, then firewall mark 9
constexpr const char* kScheds[] = {"rr", "wlc", "sh", "mh", "lblc", "lblcr"};

ServiceConfig service_config(int s) {
  ServiceConfig svc;
  if (s == 4) {
    svc.key.fwmark = 9;
    svc.scheduler = "lblcr";
    svc.flags = kSvcPersistent;
    return svc;
  }
  const Proto protos[] = {Proto::kTcp, Proto::kUdp, Proto::kTcp, Proto::kUdp};
  svc.key.proto = protos[s];
  svc.key.addr = kVip;
  svc.key.port = static_cast<std::uint16_t>(80 + s);
  svc.scheduler = kScheds[s];
  if (s >= 2) {
    svc.flags = kSvcPersistent;
    svc.netmask = prefix_mask(24);
  }
  return svc;
}

int dest_count(int s) { return s == 4 ? 1 : 3; }

RealServerConfig dest_config(int s, int d) {
  RealServerConfig rs;
  rs.addr = 0x0a01000bu + static_cast<Ip4>(d);
  if (s == 4) {
    rs.fwd = ForwardMethod::kMasq;
    return rs;
  }
  rs.port = static_cast<std::uint16_t>(8080 + s);
  rs.weight = d;
  rs.u_threshold = d == 1 ? 2 : 0;
  rs.fwd = d == 2 ? ForwardMethod::kDirectRoute : ForwardMethod::kMasq;
  return rs;
}

void add_service_with_dests(Engine& e, int s) {
  const ServiceConfig svc = service_config(s);
  e.add_service(svc);
  for (int d = 0; d < dest_count(s); ++d) e.add_dest(svc.key, dest_config(s, d));
}

Engine& engine() {
  static Engine* e = [] {
    EngineConfig cfg;
    cfg.max_conns = 4096;
    cfg.local_addrs = {kVip, 0xc0000201u, 0x0a0100feu};
    cfg.inside_nets = {Prefix{0x0a010000u, prefix_mask(24)}};
    cfg.masq_addr = 0xc0000201u;
    cfg.expire_nodest_conn = true;
    auto* en = new Engine(cfg);
    for (int s = 0; s < kServices; ++s) add_service_with_dests(*en, s);
    return en;
  }();
  return *e;
}

// A control record (ipvsadm between packets): `op` picks the service, the
// real server and what to do. Operations that fail (a server already there,
// or not) change nothing, as ipvsadm's would.
void control(Engine& e, std::uint8_t op) {
  const int s = op % kServices;
  const int d = (op / kServices) % dest_count(s);
  const ServiceConfig svc = service_config(s);
  switch ((op / 15) % 5) {
    case 0:  // ipvsadm -d: into the trash
      e.del_dest(svc.key, dest_config(s, d).addr, dest_config(s, d).port);
      break;
    case 1:  // ipvsadm -a: back from the trash, or new
      e.add_dest(svc.key, dest_config(s, d));
      break;
    case 2: {  // ipvsadm -e: quiesce or restore
      RealServerConfig rs = dest_config(s, d);
      rs.weight = (op & 0x80) ? 0 : rs.weight + 1;
      e.edit_dest(svc.key, rs);
      break;
    }
    case 3: {  // ipvsadm -E: another scheduler and persistence timeout
      if (const VirtualService* cur = e.find_service(svc.key)) {
        ServiceConfig edited = cur->cfg;
        edited.scheduler = kScheds[op % 6];
        edited.timeout = seconds(1 + op % 7 * 50);
        e.edit_service(edited);
      }
      break;
    }
    default:  // ipvsadm -D, then -A again: servers come back from the trash
      e.del_service(svc.key);
      add_service_with_dests(e, s);
      break;
  }
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
  std::vector<Time> times;
  bool timed = false;

  void flush(Engine& e) {
    if (refs.empty()) return;
    std::vector<Verdict> out(refs.size());
    if (timed)
      e.process_batch(refs.data(), out.data(), refs.size(), times.data());
    else
      e.process_batch(refs.data(), out.data(), refs.size(), g_now);
    for (const Verdict& v : out) check(e, v);
    bufs.clear();
    refs.clear();
    times.clear();
    timed = false;
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
    if ((ctl & 0x7c) == 0x78) {  // a control record: its length byte picks the operation
      batch.flush(e);
      control(e, data[at - 1]);
      continue;
    }
    const Side side = (ctl & 1) ? Side::kInside : Side::kOutside;
    const std::uint32_t fwmark = (ctl & 2) ? 9 : 0;
    if ((ctl & 0x0c) == 0x0c) {
      // The buffers are reserved, so the refs to them stay valid.
      batch.bufs.emplace_back(data + at, data + at + len);
      batch.refs.push_back(PacketRef{batch.bufs.back().data(), len, side, fwmark});
      batch.times.push_back(g_now);
      batch.timed = batch.timed || (ctl & 0x20) != 0;
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
