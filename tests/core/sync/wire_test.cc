// The sync message wire format: byte layout, round trips and the decoder's
// handling of every malformed shape ip_vs_process_message rejects.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "lvs/conn_table.h"
#include "lvs/sync.h"

namespace lvs {
namespace {

using Bytes = std::vector<std::uint8_t>;

SyncConn sample(std::uint16_t cport = 0x1122) {
  SyncConn c;
  c.protocol = 6;
  c.flags = kKInactive | kKSync | 0x0000;  // NAT, not established
  c.state = 3;                             // SYN_RECV
  c.cport = cport;
  c.vport = 0x0050;
  c.dport = 0x1f90;
  c.fwmark = 0x01020304;
  c.timeout_s = 60;
  c.caddr = 0xcb007109;  // 203.0.113.9
  c.vaddr = 0xc000020a;  // 192.0.2.10
  c.daddr = 0x0a01000b;  // 10.1.0.11
  return c;
}

void put16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}

// Header and entry bytes sit at the offsets of struct ip_vs_sync_mesg / ip_vs_sync_v4.
TEST(SyncWire, ByteLayoutMatchesKernelStructs) {
  const Bytes msg = encode_sync_message(7, {sample()});
  const Bytes want = {
      0x00, 0x07, 0x00, 0x2c, 0x01, 0x01, 0x00, 0x00,  // reserved syncid size=44 nr_conns version spare
      0x00, 0x06, 0x00, 0x24,                          // type protocol ver_size=(0<<12)|36
      0x00, 0x00, 0x01, 0x20,                          // flags: INACTIVE|SYNC
      0x00, 0x03, 0x11, 0x22,                          // state cport
      0x00, 0x50, 0x1f, 0x90,                          // vport dport
      0x01, 0x02, 0x03, 0x04,                          // fwmark
      0x00, 0x00, 0x00, 0x3c,                          // timeout (s)
      0xcb, 0x00, 0x71, 0x09,                          // caddr
      0xc0, 0x00, 0x02, 0x0a,                          // vaddr
      0x0a, 0x01, 0x00, 0x0b,                          // daddr
  };
  EXPECT_EQ(msg, want);
  EXPECT_EQ(kSyncConnV4Size, 36u);
  EXPECT_EQ(kSyncMesgHeaderSize, 8u);
}

// Whatever is encoded decodes to the same entries (flags through BACKUP_MASK + SYNC).
TEST(SyncWire, RoundTrip) {
  std::vector<SyncConn> conns;
  for (std::uint16_t i = 0; i < 40; ++i) {
    SyncConn c = sample(static_cast<std::uint16_t>(1000 + i));
    c.protocol = i % 3 == 0 ? 17 : 6;
    c.state = c.protocol == 17 ? 0 : static_cast<std::uint16_t>(i % 11);
    c.flags = (i % 2 ? kKInactive : 0u) | kKSync | (i % 4 == 3 ? 3u | kKNoOutput : 0u);
    conns.push_back(c);
  }
  SyncConn tmpl = sample(0);
  tmpl.protocol = 0;
  tmpl.flags = kKTemplate | kKSync;
  tmpl.timeout_s = 300;
  conns.push_back(tmpl);
  const Bytes msg = encode_sync_message(200, conns);
  ASSERT_EQ(msg.size(), 8 + 41 * 36u);
  const SyncDecoded d = decode_sync_message(msg.data(), msg.size());
  EXPECT_EQ(d.error, SyncMessageError::kNone);
  EXPECT_EQ(d.syncid, 200);
  EXPECT_EQ(d.version, 1);
  EXPECT_EQ(d.conns, conns);
}

// Flags the master may send but a backup must not take (ONE_PACKET, HASHED) are masked.
TEST(SyncWire, BackupMaskStripsFlags) {
  SyncConn c = sample();
  c.flags = kKOnePacket | kKHashed | kKNoOutput | 2u;
  Bytes msg = encode_sync_message(1, {c});
  msg[12 + 3] |= 0x40;  // HASHED on the wire, as an old sender might
  const SyncDecoded d = decode_sync_message(msg.data(), msg.size());
  ASSERT_EQ(d.conns.size(), 1u);
  EXPECT_EQ(d.conns[0].flags, kKNoOutput | 2u | kKSync);
}

// The engine's ConnFlag bits and IP_VS_CONN_F_* map one to one.
TEST(SyncWire, FlagMappingRoundTrips) {
  for (std::uint16_t f : {std::uint16_t{0}, std::uint16_t{kConnTemplate | 3},
                          std::uint16_t{kConnInactive | kConnNoOutput | 2},
                          std::uint16_t{kConnSynced | kConnNoCport | kConnOnePacket}}) {
    EXPECT_EQ(conn_flags_from_kernel(kernel_conn_flags(f)), f);
  }
  EXPECT_EQ(kernel_conn_flags(kConnTemplate | kConnInactive), kKTemplate | kKInactive);
}

struct Malformed {
  const char* what;
  std::function<void(Bytes&)> mutate;
  SyncMessageError error;
  std::size_t conns;  // entries decoded before the error
};

// Each kernel "Dropping buffer" path has its named error; earlier entries are kept.
TEST(SyncWire, MalformedMessagesAreNamed) {
  const std::vector<Malformed> cases = {
      {"three bytes", [](Bytes& b) { b.resize(3); }, SyncMessageError::kHeaderTooShort, 0},
      {"size field says more", [](Bytes& b) { put16(b, 2, 200); }, SyncMessageError::kBadSize, 0},
      {"datagram cut short", [](Bytes& b) { b.resize(60); }, SyncMessageError::kBadSize, 0},
      {"nr_conns past the data",
       [](Bytes& b) { b[4] = 3; }, SyncMessageError::kConnTruncated, 2},
      {"entry size past the data",
       [](Bytes& b) { put16(b, 8 + 36 + 2, 40); }, SyncMessageError::kConnPastEnd, 1},
      {"entry version 1",
       [](Bytes& b) { put16(b, 8 + 36 + 2, 0x1000 | 36); }, SyncMessageError::kBadConnVersion, 1},
      {"entry type 2", [](Bytes& b) { b[8] = 2; }, SyncMessageError::kBadConnType, 0},
      {"entry size below the fixed part",
       [](Bytes& b) { put16(b, 8 + 2, 20); }, SyncMessageError::kConnTooSmall, 0},
      {"IPv6 entry in a v4-sized slot", [](Bytes& b) { b[8] = 1; }, SyncMessageError::kConnTooSmall, 0},
  };
  for (const Malformed& m : cases) {
    Bytes msg = encode_sync_message(1, {sample(1), sample(2)});
    m.mutate(msg);
    const SyncDecoded d = decode_sync_message(msg.data(), msg.size());
    EXPECT_EQ(d.error, m.error) << m.what << ": " << sync_message_error_name(d.error);
    EXPECT_EQ(d.conns.size(), m.conns) << m.what;
  }
}

// An entry with options: builds {entry + options}, padded, as the only entry.
Bytes with_options(const Bytes& opts, std::uint32_t flags = kKSync) {
  SyncConn c = sample();
  c.flags = flags;
  Bytes msg = encode_sync_message(1, {c});
  msg.insert(msg.end(), opts.begin(), opts.end());
  const std::size_t entry = 36 + opts.size();
  put16(msg, 8 + 2, static_cast<std::uint16_t>(entry));
  while ((msg.size() & 3) != 0) msg.push_back(0);
  put16(msg, 2, static_cast<std::uint16_t>(msg.size()));
  return msg;
}

struct OptionCase {
  const char* what;
  Bytes opts;
  SyncMessageError error;
  std::size_t conns;
  SyncConnSkip skipped;
};

// Optional parameters: sequence data accepted, PE data skips the entry, bad lengths drop.
TEST(SyncWire, OptionParameters) {
  Bytes seq = {1, 24};
  seq.resize(26, 0);
  Bytes seq_twice = seq;
  seq_twice.insert(seq_twice.end(), seq.begin(), seq.end());
  const std::vector<OptionCase> cases = {
      {"sequence data", seq, SyncMessageError::kNone, 1, SyncConnSkip::kCount},
      {"sequence data twice", seq_twice, SyncMessageError::kBadSeqOption, 0, SyncConnSkip::kCount},
      {"sequence data of 8", {1, 8, 0, 0, 0, 0, 0, 0, 0, 0}, SyncMessageError::kBadSeqOption, 0,
       SyncConnSkip::kCount},
      {"PE data + name", {2, 2, 'a', 'b', 3, 3, 's', 'i', 'p'}, SyncMessageError::kNone, 0,
       SyncConnSkip::kPersistenceEngine},
      {"PE name too long", {3, 17, 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x',
                            'x', 'x', 'x', 'x'},
       SyncMessageError::kBadPeName, 0, SyncConnSkip::kCount},
      {"unknown mandatory", {9, 1, 0}, SyncMessageError::kNone, 0,
       SyncConnSkip::kUnknownMandatoryOption},
      {"unknown optional", {0x49, 1, 0}, SyncMessageError::kNone, 1, SyncConnSkip::kCount},
      {"zero length", {1, 0}, SyncMessageError::kBadOptionLength, 0, SyncConnSkip::kCount},
      {"length past entry", {1, 30, 0}, SyncMessageError::kBadOptionLength, 0, SyncConnSkip::kCount},
      {"lone type byte", {1}, SyncMessageError::kOptionTruncated, 0, SyncConnSkip::kCount},
  };
  for (const OptionCase& c : cases) {
    const Bytes msg = with_options(c.opts);
    const SyncDecoded d = decode_sync_message(msg.data(), msg.size());
    EXPECT_EQ(d.error, c.error) << c.what << ": " << sync_message_error_name(d.error);
    EXPECT_EQ(d.conns.size(), c.conns) << c.what;
    if (c.skipped != SyncConnSkip::kCount) {
      EXPECT_EQ(d.skipped[static_cast<std::size_t>(c.skipped)], 1u) << c.what;
    }
  }
}

// Entries the engine cannot model are skipped one by one; the message goes on.
TEST(SyncWire, UnsupportedEntriesAreSkipped) {
  SyncConn sctp = sample(1);
  sctp.protocol = 132;
  SyncConn bad_state = sample(2);
  bad_state.state = 11;
  SyncConn udp_state = sample(3);
  udp_state.protocol = 17;
  udp_state.state = 1;
  SyncConn ok = sample(4);
  const Bytes msg = encode_sync_message(1, {sctp, bad_state, udp_state, ok});
  const SyncDecoded d = decode_sync_message(msg.data(), msg.size());
  EXPECT_EQ(d.error, SyncMessageError::kNone);
  ASSERT_EQ(d.conns.size(), 1u);
  EXPECT_EQ(d.conns[0].cport, 4);
  EXPECT_EQ(d.skipped[static_cast<std::size_t>(SyncConnSkip::kUnsupportedProtocol)], 1u);
  EXPECT_EQ(d.skipped[static_cast<std::size_t>(SyncConnSkip::kBadState)], 2u);
}

// A well-formed IPv6 entry is stepped over (the engine is IPv4 only).
TEST(SyncWire, Ipv6EntrySkipped) {
  Bytes msg = encode_sync_message(1, {sample(1)});
  Bytes v6(72, 0);
  v6[0] = 1;
  v6[1] = 6;
  v6[3] = 72;
  msg.insert(msg.begin() + 8, v6.begin(), v6.end());
  msg[4] = 2;
  put16(msg, 2, static_cast<std::uint16_t>(msg.size()));
  const SyncDecoded d = decode_sync_message(msg.data(), msg.size());
  EXPECT_EQ(d.error, SyncMessageError::kNone);
  EXPECT_EQ(d.conns.size(), 1u);
  EXPECT_EQ(d.skipped[static_cast<std::size_t>(SyncConnSkip::kIpv6)], 1u);
}

// Version 0 messages (no version byte) are still understood, with no timeout or fwmark.
TEST(SyncWire, Version0Message) {
  Bytes msg = {1, 9, 0, 28,                                   // nr_conns syncid size
               0, 17, 0x30, 0x39, 0, 53, 0, 53,               // reserved proto cport vport dport
               203, 0, 113, 9, 192, 0, 2, 10, 10, 1, 0, 11,   // caddr vaddr daddr
               0x01, 0x00, 0, 0};                             // flags INACTIVE, state
  const SyncDecoded d = decode_sync_message(msg.data(), msg.size());
  EXPECT_EQ(d.error, SyncMessageError::kNone);
  EXPECT_EQ(d.version, 0);
  EXPECT_EQ(d.syncid, 9);
  ASSERT_EQ(d.conns.size(), 1u);
  EXPECT_EQ(d.conns[0].protocol, 17);
  EXPECT_EQ(d.conns[0].cport, 12345);
  EXPECT_EQ(d.conns[0].flags, kKInactive | kKSync);
  EXPECT_EQ(d.conns[0].timeout_s, 0u);
  msg[0] = 2;  // claims a second entry that is not there
  EXPECT_EQ(decode_sync_message(msg.data(), msg.size()).error, SyncMessageError::kConnTruncated);
}

// Every prefix of a valid message decodes without reading past it (ASan checks the reads).
TEST(SyncWire, EveryTruncationIsSafe) {
  const Bytes full = encode_sync_message(1, {sample(1), sample(2), sample(3)});
  for (std::size_t n = 0; n < full.size(); ++n) {
    Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    if (n >= 4) put16(cut, 2, static_cast<std::uint16_t>(n));  // a consistent size field
    const SyncDecoded d = decode_sync_message(cut.data(), cut.size());
    EXPECT_LE(d.conns.size(), (n - std::min<std::size_t>(n, 8)) / 36) << n;
    if (n < 4) {
      EXPECT_EQ(d.error, SyncMessageError::kHeaderTooShort);
    }
  }
}

}  // namespace
}  // namespace lvs
