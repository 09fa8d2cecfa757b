// The master daemon's buffering: messages sized to the sync MTU, full ones
// sent after IPVS_SYNC_SEND_DELAY (or at once at IPVS_SYNC_WAKEUP_RATE), partial
// ones at the thread's once-a-second check once IPVS_SYNC_FLUSH_TIME old.
#include <gtest/gtest.h>

#include "lvs/config/cluster_config.h"
#include "lvs/sync.h"

namespace lvs {
namespace {

Time ms(std::int64_t v) { return Time{milliseconds(v)}; }

SyncConn entry(std::uint16_t cport) {
  SyncConn c;
  c.cport = cport;
  c.state = 1;
  c.timeout_s = 900;
  return c;
}

SyncDaemonConfig daemon(std::uint8_t syncid = 5) {
  SyncDaemonConfig c;
  c.mcast_ifn = "eth1";
  c.syncid = syncid;
  return c;
}

// A 1500-byte MTU leaves 1472 bytes: 40 entries (1448 bytes) per message.
TEST(SyncMaster, SplitsAtTheMtu) {
  SyncMaster m(daemon(), ms(0));
  EXPECT_EQ(m.maxlen(), 1472u);
  for (std::uint16_t i = 0; i < 100; ++i) m.on_conn_changed(entry(i), ms(100));
  const auto out = m.collect(ms(10000));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].nr_conns, 40u);
  EXPECT_EQ(out[0].bytes.size(), 8 + 40 * 36u);
  EXPECT_EQ(out[2].nr_conns, 20u);
  std::uint16_t next = 0;
  for (const SyncDatagram& d : out) {
    EXPECT_EQ(d.group, kSyncMcastGroup);
    EXPECT_EQ(d.port, 8848);
    EXPECT_LE(d.bytes.size(), m.maxlen());
    const SyncDecoded dec = decode_sync_message(d.bytes.data(), d.bytes.size());
    EXPECT_EQ(dec.error, SyncMessageError::kNone);
    EXPECT_EQ(dec.syncid, 5);
    for (const SyncConn& c : dec.conns) EXPECT_EQ(c.cport, next++);
  }
  EXPECT_EQ(next, 100);
  EXPECT_EQ(m.stats().messages_sent, 3u);
  EXPECT_EQ(m.stats().conns_queued, 100u);
  EXPECT_EQ(m.stats().wire_bytes_sent, m.stats().bytes_sent + 3 * 28u);
}

struct MaxlenCase {
  std::uint32_t sync_maxlen, ifmtu;
  std::size_t master, backup;
};

// start_sync_thread's limits: master 1500 - 28 unless set; backup follows the MTU, >= 1024.
TEST(SyncMaster, MaxlenPerRole) {
  const std::vector<MaxlenCase> cases = {
      {0, 1500, 1472, 1472}, {0, 9000, 1472, 8972}, {0, 576, 1472, 1472},
      {100, 1500, 100, 1024}, {70000, 1500, 65507, 65507},
  };
  for (const MaxlenCase& c : cases) {
    SyncDaemonConfig d;
    d.sync_maxlen = c.sync_maxlen;
    d.ifmtu = c.ifmtu;
    EXPECT_EQ(sync_master_maxlen(d), c.master) << c.sync_maxlen << "/" << c.ifmtu;
    EXPECT_EQ(sync_backup_maxlen(d), c.backup) << c.sync_maxlen << "/" << c.ifmtu;
  }
}

// A tiny maxlen still carries one entry per message.
TEST(SyncMaster, TinyMaxlenOneEntryEach) {
  SyncDaemonConfig d = daemon();
  d.sync_maxlen = 10;
  SyncMaster m(d, ms(0));
  for (std::uint16_t i = 0; i < 3; ++i) m.on_conn_changed(entry(i), ms(1));
  const auto out = m.collect(ms(5000));
  ASSERT_EQ(out.size(), 3u);
  for (const SyncDatagram& d2 : out) EXPECT_EQ(d2.nr_conns, 1u);
}

struct FlushCase {
  std::int64_t started, first_use, sent;
};

// A partial buffer goes out at the first 1 s thread check at least 2 s after its first use.
TEST(SyncMaster, PartialBufferFlushTiming) {
  const std::vector<FlushCase> cases = {
      {0, 100, 3000},   // checks at 1000, 2000, 3000: 2900 >= 2000 first at 3000
      {0, 1000, 3000},  // exactly 2 s old at the 3000 check
      {0, 1001, 4000},
      {250, 5000, 7250},
  };
  for (const FlushCase& c : cases) {
    SyncMaster m(daemon(), ms(c.started));
    m.on_conn_changed(entry(1), ms(c.first_use));
    ASSERT_TRUE(m.next_due().has_value());
    EXPECT_EQ(*m.next_due(), ms(c.sent)) << c.first_use;
    EXPECT_TRUE(m.collect(ms(c.sent - 1)).empty()) << c.first_use;
    const auto out = m.collect(ms(c.sent));
    ASSERT_EQ(out.size(), 1u) << c.first_use;
    EXPECT_EQ(out[0].sent_at, ms(c.sent));
    EXPECT_EQ(out[0].first_use, ms(c.first_use));
    EXPECT_FALSE(m.next_due().has_value());
  }
}

// A full buffer is sent IPVS_SYNC_SEND_DELAY (20 ms) after it is queued.
TEST(SyncMaster, FullBufferSentAfterSendDelay) {
  SyncMaster m(daemon(), ms(0));
  for (std::uint16_t i = 0; i < 41; ++i) m.on_conn_changed(entry(i), ms(500));
  EXPECT_EQ(m.queue_len(), 1u);
  EXPECT_EQ(*m.next_due(), ms(520));
  EXPECT_TRUE(m.collect(ms(519)).empty());
  const auto out = m.collect(ms(520));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].nr_conns, 40u);
  EXPECT_EQ(out[0].sent_at, ms(520));
  // The 41st entry waits for the flush: thread checks restart at 520 + 1 s.
  EXPECT_EQ(*m.next_due(), ms(2520));
}

// At IPVS_SYNC_WAKEUP_RATE (8) queued buffers the thread is woken at once.
TEST(SyncMaster, WakeupRateSendsAtOnce) {
  SyncMaster m(daemon(), ms(0));
  for (std::uint16_t i = 0; i < 8 * 40 + 1; ++i) m.on_conn_changed(entry(i), ms(300));
  EXPECT_EQ(*m.next_due(), ms(300));
  const auto out = m.collect(ms(300));
  EXPECT_EQ(out.size(), 8u);
  for (const SyncDatagram& d : out) EXPECT_EQ(d.sent_at, ms(300));
}

// Beyond sync_qlen_max queued buffers, new full buffers are dropped and counted.
TEST(SyncMaster, QueueLimitDrops) {
  SyncMaster m(daemon(), ms(0), 2);
  for (std::uint16_t i = 0; i < 4 * 40 + 1; ++i) m.on_conn_changed(entry(i), ms(10));
  EXPECT_EQ(m.queue_len(), 2u);
  EXPECT_EQ(m.stats().messages_dropped, 2u);
  EXPECT_EQ(m.stats().conns_dropped, 80u);
  EXPECT_EQ(m.collect(ms(30)).size(), 2u);
}

// Stopping the daemon discards what was not sent.
TEST(SyncMaster, StopDiscards) {
  SyncMaster m(daemon(), ms(0));
  m.on_conn_changed(entry(1), ms(10));
  m.stop();
  EXPECT_FALSE(m.next_due().has_value());
  EXPECT_TRUE(m.collect(ms(10000)).empty());
  EXPECT_EQ(m.stats().conns_dropped, 1u);
}

// lvs_sync_daemon settings; sync id defaults to the named VRRP instance's vrid.
TEST(SyncConfig, FromKeepalived) {
  config::ClusterConfig cfg;
  config::VrrpInstance vi;
  vi.name = "VI_1";
  vi.virtual_router_id = 51;
  cfg.vrrp_instances.push_back(vi);
  EXPECT_FALSE(sync_daemon_config(cfg).has_value());
  config::LvsSyncDaemon d;
  d.interface = "eth1";
  d.instance = "VI_1";
  d.port = 9000;
  d.ttl = 2;
  d.maxlen = 1200;
  cfg.global.lvs_sync_daemon = d;
  auto s = sync_daemon_config(cfg);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->mcast_ifn, "eth1");
  EXPECT_EQ(s->syncid, 51);
  EXPECT_EQ(s->mcast_port, 9000);
  EXPECT_EQ(s->mcast_ttl, 2);
  EXPECT_EQ(s->sync_maxlen, 1200u);
  EXPECT_EQ(s->mcast_group, kSyncMcastGroup);
  cfg.global.lvs_sync_daemon->sync_id = 7;
  EXPECT_EQ(sync_daemon_config(cfg)->syncid, 7);
  // The deprecated per-instance interface.
  cfg.global.lvs_sync_daemon.reset();
  cfg.vrrp_instances[0].lvs_sync_daemon_interface = "eth2";
  s = sync_daemon_config(cfg);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->mcast_ifn, "eth2");
  EXPECT_EQ(s->syncid, 51);
}

}  // namespace
}  // namespace lvs
