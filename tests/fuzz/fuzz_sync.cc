// libFuzzer target for the sync message decoder and the backup's install path:
// each input is one received datagram, decoded (exact-size heap copy, so any
// read past it is an ASan report) and applied to one engine that lives across
// inputs. A valid decode must re-encode to entries that decode the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "lvs/engine.h"
#include "lvs/sync.h"

namespace {

using namespace lvs;

constexpr Ip4 kVip = 0xc000020a;  // 192.0.2.10

Engine& engine() {
  static Engine* e = [] {
    EngineConfig cfg;
    cfg.max_conns = 4096;
    cfg.local_addrs = {kVip, 0x0a0100feu};
    cfg.inside_nets = {Prefix{0x0a010000u, prefix_mask(24)}};
    auto* en = new Engine(cfg);
    for (const Proto p : {Proto::kTcp, Proto::kUdp}) {
      ServiceConfig svc;
      svc.key.proto = p;
      svc.key.addr = kVip;
      svc.key.port = 80;
      svc.scheduler = "rr";
      svc.flags = p == Proto::kTcp ? kSvcPersistent : 0;
      en->add_service(svc);
      RealServerConfig rs;
      rs.addr = 0x0a01000bu;
      rs.port = 80;
      rs.fwd = ForwardMethod::kMasq;
      en->add_dest(svc.key, rs);
    }
    return en;
  }();
  return *e;
}

Time g_now{std::int64_t{1} << 40};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> msg(data, data + size);
  const SyncDecoded d = decode_sync_message(msg.data(), msg.size());
  if (d.error == SyncMessageError::kNone && d.version == kSyncProtoVersion) {
    const std::vector<std::uint8_t> again = encode_sync_message(d.syncid, d.conns);
    const SyncDecoded d2 = decode_sync_message(again.data(), again.size());
    if (d.conns.size() <= 255 && !(d2.conns == d.conns)) std::abort();
  }
  static SyncBackup backup(SyncDaemonConfig{});
  g_now += milliseconds(size > 0 ? data[0] : 1);
  backup.receive(msg.data(), msg.size(), g_now, engine());
  if (engine().conns().size() > engine().conns().capacity()) std::abort();
  return 0;
}
