// The sync message format of ip_vs_sync.c: version 1 (struct ip_vs_sync_mesg
// + struct ip_vs_sync_v4/v6 entries with optional parameters) and, on
// receive, the old version 0. The decoder follows ip_vs_process_message /
// ip_vs_proc_sync_conn check for check, but never reads past the datagram.
#include "lvs/conn_table.h"
#include "lvs/sync.h"

namespace lvs {
namespace {

// Entry type bit and version field (STYPE_F_INET6, SVER_SHIFT/SVER_MASK).
constexpr std::uint8_t kTypeInet6 = 0x01;
constexpr unsigned kVerShift = 12;
constexpr std::uint16_t kSizeMask = 0x0fff;
// Option types (IPVS_OPT_*); IPVS_OPT_F_PARAM marks an option a receiver may ignore.
constexpr std::uint8_t kOptSeqData = 1, kOptPeData = 2, kOptPeName = 3, kOptFParam = 0x40;
constexpr std::size_t kPeNameMax = 16;  // IP_VS_PENAME_MAXLEN
// IPPROTO_* and the number of states each protocol has (IP_VS_*_S_LAST).
constexpr std::uint8_t kIpprotoTcp = 6, kIpprotoUdp = 17;
constexpr unsigned kTcpStates = 11, kUdpStates = 1;

std::uint16_t get16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
std::uint32_t get32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}
void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
void put32(std::uint8_t* p, std::uint32_t v) {
  put16(p, static_cast<std::uint16_t>(v >> 16));
  put16(p + 2, static_cast<std::uint16_t>(v));
}

// Protocols the engine models, and their state ranges (ip_vs_proto_get).
bool supported(std::uint8_t proto, std::uint16_t state, SyncConnSkip& why) {
  if (proto != kIpprotoTcp && proto != kIpprotoUdp) {
    why = SyncConnSkip::kUnsupportedProtocol;
    return false;
  }
  if (state >= (proto == kIpprotoTcp ? kTcpStates : kUdpStates)) {
    why = SyncConnSkip::kBadState;
    return false;
  }
  return true;
}

void skip(SyncDecoded& d, SyncConnSkip s) { ++d.skipped[static_cast<std::size_t>(s)]; }

struct OptionScan {
  bool seq = false, pe_data = false, pe_name = false, unknown_mandatory = false;
};

// The optional parameters after an entry's fixed part (ip_vs_proc_sync_conn).
SyncMessageError scan_options(const std::uint8_t* p, const std::uint8_t* end, OptionScan& o) {
  while (p < end) {
    if (end - p < 2) return SyncMessageError::kOptionTruncated;
    const std::uint8_t type = p[0];
    const std::size_t len = p[1];
    p += 2;
    if (len == 0 || len > static_cast<std::size_t>(end - p))
      return SyncMessageError::kBadOptionLength;
    switch (type & ~kOptFParam) {
      case kOptSeqData:
        if (len != kSyncSeqOptionsSize || o.seq) return SyncMessageError::kBadSeqOption;
        o.seq = true;
        break;
      case kOptPeData:
        if (o.pe_data) return SyncMessageError::kBadPeData;
        o.pe_data = true;
        break;
      case kOptPeName:
        if (len > kPeNameMax || o.pe_name) return SyncMessageError::kBadPeName;
        o.pe_name = true;
        break;
      default:
        if (!(type & kOptFParam)) o.unknown_mandatory = true;
        break;
    }
    if (o.unknown_mandatory) return SyncMessageError::kNone;  // the entry is skipped
    p += len;
  }
  return SyncMessageError::kNone;
}

// One version 1 entry in [p, end): kNone with the entry appended or skipped.
SyncMessageError decode_v1_conn(const std::uint8_t* p, const std::uint8_t* end, SyncDecoded& d) {
  const std::uint8_t type = p[0];
  std::size_t fixed = kSyncConnV4Size;
  if (type & kTypeInet6) {
    fixed = kSyncConnV6Size;
  } else if (type != 0) {
    return SyncMessageError::kBadConnType;
  }
  if (fixed > static_cast<std::size_t>(end - p)) return SyncMessageError::kConnTooSmall;
  OptionScan o;
  if (SyncMessageError e = scan_options(p + fixed, end, o); e != SyncMessageError::kNone) return e;
  if (o.unknown_mandatory) {
    skip(d, SyncConnSkip::kUnknownMandatoryOption);
    return SyncMessageError::kNone;
  }

  SyncConn c;
  c.protocol = p[1];
  c.flags = (get32(p + 4) & kKBackupMask) | kKSync;
  c.state = get16(p + 8);
  SyncConnSkip why{};
  if (!(c.flags & kKTemplate) && !supported(c.protocol, c.state, why)) {
    skip(d, why);
    return SyncMessageError::kNone;
  }
  // PE data needs its engine (only "sip" exists), which is not modelled.
  if (o.pe_data) {
    skip(d, SyncConnSkip::kPersistenceEngine);
    return SyncMessageError::kNone;
  }
  if (type & kTypeInet6) {
    skip(d, SyncConnSkip::kIpv6);
    return SyncMessageError::kNone;
  }
  c.cport = get16(p + 10);
  c.vport = get16(p + 12);
  c.dport = get16(p + 14);
  c.fwmark = get32(p + 16);
  c.timeout_s = get32(p + 20);
  c.caddr = get32(p + 24);
  c.vaddr = get32(p + 28);
  c.daddr = get32(p + 32);
  d.conns.push_back(c);
  return SyncMessageError::kNone;
}

void decode_v1(const std::uint8_t* data, std::size_t len, SyncDecoded& d) {
  const unsigned nr_conns = data[4];
  std::size_t at = kSyncMesgHeaderSize;
  for (unsigned i = 0; i < nr_conns; ++i) {
    if (at > len || len - at < kSyncConnV4Size) {
      d.error = SyncMessageError::kConnTruncated;
      return;
    }
    const std::uint8_t* p = data + at;
    const std::uint16_t ver_size = get16(p + 2);
    const std::size_t size = ver_size & kSizeMask;
    if (size > len - at) {
      d.error = SyncMessageError::kConnPastEnd;
      return;
    }
    if (ver_size >> kVerShift) {
      d.error = SyncMessageError::kBadConnVersion;
      return;
    }
    d.error = decode_v1_conn(p, p + size, d);
    if (d.error != SyncMessageError::kNone) return;
    at += (size + 3) & ~std::size_t{3};  // entries are 32-bit aligned
  }
}

// The old format: no timeout, no fwmark; a backup still accepts it.
void decode_v0(const std::uint8_t* data, std::size_t len, SyncDecoded& d) {
  const unsigned nr_conns = data[0];
  std::size_t at = kSyncMesgV0HeaderSize;
  for (unsigned i = 0; i < nr_conns; ++i) {
    if (at > len || len - at < kSyncConnV0Size) {
      d.error = SyncMessageError::kConnTruncated;
      return;
    }
    const std::uint8_t* p = data + at;
    SyncConn c;
    c.flags = (get16(p + 20) | kKSync) & ~std::uint32_t{kKHashed};
    at += kSyncConnV0Size;
    if (c.flags & kKSeqMask) {
      if (len - at < kSyncSeqOptionsSize) {
        d.error = SyncMessageError::kConnTruncated;
        return;
      }
      at += kSyncSeqOptionsSize;
    }
    c.protocol = p[1];
    c.state = get16(p + 22);
    SyncConnSkip why{};
    if (!(c.flags & kKTemplate) && !supported(c.protocol, c.state, why)) {
      skip(d, why);
      continue;
    }
    c.cport = get16(p + 2);
    c.vport = get16(p + 4);
    c.dport = get16(p + 6);
    c.caddr = get32(p + 8);
    c.vaddr = get32(p + 12);
    c.daddr = get32(p + 16);
    d.conns.push_back(c);
  }
}

}  // namespace

bool operator==(const SyncConn& a, const SyncConn& b) {
  return a.protocol == b.protocol && a.flags == b.flags && a.state == b.state &&
         a.cport == b.cport && a.vport == b.vport && a.dport == b.dport && a.fwmark == b.fwmark &&
         a.timeout_s == b.timeout_s && a.caddr == b.caddr && a.vaddr == b.vaddr &&
         a.daddr == b.daddr;
}

std::uint32_t kernel_conn_flags(std::uint16_t f) {
  std::uint32_t k = f & kConnFwdMask;
  if (f & kConnTemplate) k |= kKTemplate;
  if (f & kConnInactive) k |= kKInactive;
  if (f & kConnOnePacket) k |= kKOnePacket;
  if (f & kConnNoOutput) k |= kKNoOutput;
  if (f & kConnSynced) k |= kKSync;
  if (f & kConnNoCport) k |= kKNoCport;
  return k;
}

std::uint16_t conn_flags_from_kernel(std::uint32_t k) {
  std::uint16_t f = static_cast<std::uint16_t>(k & kKFwdMask);
  if (k & kKTemplate) f |= kConnTemplate;
  if (k & kKInactive) f |= kConnInactive;
  if (k & kKOnePacket) f |= kConnOnePacket;
  if (k & kKNoOutput) f |= kConnNoOutput;
  if (k & kKSync) f |= kConnSynced;
  if (k & kKNoCport) f |= kConnNoCport;
  return f;
}

void append_sync_conn(std::vector<std::uint8_t>& msg, const SyncConn& c) {
  const std::size_t at = msg.size();
  msg.resize(at + kSyncConnV4Size, 0);
  std::uint8_t* p = msg.data() + at;
  p[0] = 0;  // IPv4
  p[1] = c.protocol;
  put16(p + 2, static_cast<std::uint16_t>(kSyncConnV4Size));  // version 0, size
  put32(p + 4, c.flags & ~std::uint32_t{kKHashed});
  put16(p + 8, c.state);
  put16(p + 10, c.cport);
  put16(p + 12, c.vport);
  put16(p + 14, c.dport);
  put32(p + 16, c.fwmark);
  put32(p + 20, c.timeout_s);
  put32(p + 24, c.caddr);
  put32(p + 28, c.vaddr);
  put32(p + 32, c.daddr);
  // Header fields: size and nr_conns follow the entries added.
  put16(msg.data() + 2, static_cast<std::uint16_t>(msg.size()));
  ++msg[4];
}

std::vector<std::uint8_t> encode_sync_message(std::uint8_t syncid,
                                              const std::vector<SyncConn>& conns) {
  std::vector<std::uint8_t> msg(kSyncMesgHeaderSize, 0);
  msg[1] = syncid;
  msg[5] = kSyncProtoVersion;
  put16(msg.data() + 2, static_cast<std::uint16_t>(kSyncMesgHeaderSize));
  for (const SyncConn& c : conns) append_sync_conn(msg, c);
  return msg;
}

SyncDecoded decode_sync_message(const std::uint8_t* data, std::size_t len) {
  SyncDecoded d;
  if (len < kSyncMesgV0HeaderSize) {
    d.error = SyncMessageError::kHeaderTooShort;
    return d;
  }
  d.syncid = data[1];
  if (get16(data + 2) != len) {
    d.error = SyncMessageError::kBadSize;
    return d;
  }
  // Version 1 has a zero first byte (a v0 receiver sees no entries) and zero spare.
  if (len >= kSyncMesgHeaderSize && data[5] == kSyncProtoVersion && data[0] == 0 &&
      get16(data + 6) == 0) {
    d.version = kSyncProtoVersion;
    decode_v1(data, len, d);
  } else {
    decode_v0(data, len, d);
  }
  return d;
}

std::string_view sync_message_error_name(SyncMessageError e) {
  switch (e) {
    case SyncMessageError::kNone: return "none";
    case SyncMessageError::kHeaderTooShort: return "header_too_short";
    case SyncMessageError::kBadSize: return "bad_size";
    case SyncMessageError::kConnTruncated: return "conn_truncated";
    case SyncMessageError::kConnPastEnd: return "conn_past_end";
    case SyncMessageError::kBadConnVersion: return "bad_conn_version";
    case SyncMessageError::kBadConnType: return "bad_conn_type";
    case SyncMessageError::kConnTooSmall: return "conn_too_small";
    case SyncMessageError::kOptionTruncated: return "option_truncated";
    case SyncMessageError::kBadOptionLength: return "bad_option_length";
    case SyncMessageError::kBadSeqOption: return "bad_seq_option";
    case SyncMessageError::kBadPeData: return "bad_pe_data";
    case SyncMessageError::kBadPeName: return "bad_pe_name";
    case SyncMessageError::kCount: break;
  }
  return "?";
}

std::string_view sync_conn_skip_name(SyncConnSkip s) {
  switch (s) {
    case SyncConnSkip::kUnknownMandatoryOption: return "unknown_mandatory_option";
    case SyncConnSkip::kUnsupportedProtocol: return "unsupported_protocol";
    case SyncConnSkip::kBadState: return "bad_state";
    case SyncConnSkip::kPersistenceEngine: return "persistence_engine";
    case SyncConnSkip::kIpv6: return "ipv6";
    case SyncConnSkip::kCount: break;
  }
  return "?";
}

}  // namespace lvs
