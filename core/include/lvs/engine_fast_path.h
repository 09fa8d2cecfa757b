#pragma once
// The established-flow shortcut, shared by process() (inline, through
// lvs/engine.h, which includes this header) and process_batch().
//
// Nearly every packet a NAT director sees is a plain ACK of an ESTABLISHED
// connection: IPVS's set_tcp_state leaves the state where it is, so the
// packet only re-arms the connection's timer, counts towards the real
// server (its service and the totals follow from there, Engine::fold_stats),
// and gets its address rewritten. This path does exactly that and nothing
// else, in under half the instructions of the general path and with no branch
// whose outcome varies from packet to packet (tests/bench/README.md,
// "core_bench"). Anything else (SYN/FIN/RST, other states, DR/TUN, masquerade
// entries, templates, a sync master, a deleted real server, a tag collision,
// a timer that would move earlier) goes the general way: the shortcut changes
// nothing before it has decided, and the general path then finds the same
// entry.
#include <cstring>

#include "lvs/engine.h"

namespace lvs {

// What the shortcut needs of a plain IPv4/TCP segment, in host order: kept in
// registers, where a PacketView (which the general path takes by reference)
// would have to be written out whole for every packet. The addresses and the
// ports are one word each, compared with the connection's at once (see
// Conn's layout).
struct PlainTcp {
  std::uint8_t* data;
  std::uint64_t addrs;  // saddr << 32 | daddr
  std::uint32_t ports;  // sport << 16 | dport
  std::uint32_t len;    // IPv4 total length
  std::uint8_t flags;

  Ip4 saddr() const { return static_cast<Ip4>(addrs >> 32); }
  Ip4 daddr() const { return static_cast<Ip4>(addrs); }
  std::uint16_t sport() const { return static_cast<std::uint16_t>(ports >> 16); }
  std::uint16_t dport() const { return static_cast<std::uint16_t>(ports); }
  // ConnTable::client_key of its client end: the source from a client, the
  // destination from a real server.
  template <bool kFromClient>
  std::uint64_t client_key() const {
    constexpr auto kTcp = static_cast<std::uint64_t>(Proto::kTcp);
    if (kFromClient) return (addrs & 0xffffffff00000000u) | (ports & 0xffff0000u) | kTcp;
    return (addrs << 32) | ((ports << 16) & 0xffff0000u) | kTcp;
  }
};

// Header fields are read at their own width and never merged into wider
// loads (the empty asm hides one half from the pass that would merge them).
// A packet written just before it is handled (a NIC's DMA, a builder writing
// field by field, the benchmarks' memcpy and stores) may still sit in the
// store buffer, and a load wider than the store that wrote part of its bytes,
// or across two stores, cannot take its data from them: it waits until they
// retire, which is after every earlier packet's cache miss, so consecutive
// packets' misses stop overlapping (one packet per call fell from 7.3 to 3.6
// Mpps with the addresses as one 8-byte load; tests/bench/README.md,
// session 13).
template <typename T>
inline T opaque(T v) {
#if defined(__GNUC__)
  asm("" : "+r"(v));
#endif
  return v;
}
// saddr << 32 | daddr.
inline std::uint64_t load_addrs(const std::uint8_t* ip) {
  return (std::uint64_t{load32(ip + 12)} << 32) | opaque(load32(ip + 16));
}
// sport << 16 | dport.
inline std::uint32_t load_ports(const std::uint8_t* tcp) {
  return (std::uint32_t{load16(tcp)} << 16) | opaque(load16(tcp + 2));
}

// A plain IPv4/TCP segment: 20-byte IP header, not a fragment, lengths
// consistent. False for anything else (which parse_ipv4 then handles, or
// rejects with its counters).
inline bool read_plain_tcp(std::uint8_t* data, std::size_t len, PlainTcp& t) {
  if (len < 40) return false;
  const std::size_t total = load16(data + 2);
  const std::size_t doff = static_cast<std::size_t>(data[32] >> 4) * 4;
  // 40 <= total <= len and 20 <= doff <= total - 20, as two unsigned
  // compares (a value below its lower bound wraps round to a huge one).
  const bool plain = (data[0] == 0x45) & (data[9] == static_cast<std::uint8_t>(Proto::kTcp)) &
                     ((load16(data + 6) & 0x3fff) == 0) & (total - 40 <= len - 40) &
                     (doff - 20 <= total - 40);
  if (!plain) return false;
  t.data = data;
  t.len = static_cast<std::uint32_t>(total);
  t.addrs = load_addrs(data);
  t.ports = load_ports(data + 20);
  t.flags = data[33];
  return true;
}

// The PacketView parse_ipv4 would give for it.
inline PacketView plain_tcp_view(const PlainTcp& t) {
  PacketView p;
  p.data = t.data;
  p.len = t.len;
  p.l4_off = 20;
  p.proto = Proto::kTcp;
  p.saddr = t.saddr();
  p.daddr = t.daddr();
  p.sport = t.sport();
  p.dport = t.dport();
  p.tcp_flags = t.flags;
  return p;
}

namespace fast_path {

template <class T>
T field(const Conn& c, std::size_t offset) {
  T v;
  std::memcpy(&v, reinterpret_cast<const char*>(&c) + offset, sizeof v);
  return v;
}

// Conn's proto, state and flags as one little-endian word, and what it must
// be: TCP, ESTABLISHED, forwarding method 0 (NAT) and no flag but "synced"
// (no template, no masquerade entry, not inactive, replies through us). On a
// big-endian host the word never matches, and every packet goes the general
// way.
static_assert(offsetof(Conn, state) == offsetof(Conn, proto) + 1 &&
                  offsetof(Conn, flags) == offsetof(Conn, proto) + 2,
              "proto, state and flags form one 32-bit word");
// And the addresses (ports) as the words PlainTcp holds: (vaddr, caddr) read
// as one little-endian word is caddr << 32 | vaddr, a client's packet's
// saddr << 32 | daddr; (caddr, daddr) is a real server's packet's.
static_assert(offsetof(Conn, caddr) == offsetof(Conn, vaddr) + 4 &&
                  offsetof(Conn, daddr) == offsetof(Conn, caddr) + 4 &&
                  offsetof(Conn, cport) == offsetof(Conn, vport) + 2 &&
                  offsetof(Conn, dport) == offsetof(Conn, cport) + 2,
              "vaddr, caddr, daddr and vport, cport, dport are adjacent");
constexpr std::uint32_t kWordMask = ~(std::uint32_t{kConnSynced} << 16);
constexpr std::uint32_t kWordWant = static_cast<std::uint32_t>(Proto::kTcp) |
                                    static_cast<std::uint32_t>(TcpState::kEstablished) << 8;

// Packet fields as the bytes lie in memory, and values in that form.
template <class T>
T raw(const std::uint8_t* at) {
  T v;
  std::memcpy(&v, at, sizeof v);
  return v;
}
template <class T>
void set_raw(std::uint8_t* at, T v) {
  std::memcpy(at, &v, sizeof v);
}
inline std::uint32_t wire32(std::uint32_t v) {
  std::uint8_t b[4];
  store32(b, v);
  return raw<std::uint32_t>(b);
}
inline std::uint16_t wire16(std::uint16_t v) {
  std::uint8_t b[2];
  store16(b, v);
  return raw<std::uint16_t>(b);
}

}  // namespace fast_path

inline bool Engine::fast_path_on() const {
  return shortcut_;
}

// Re-arming to ESTABLISHED's timeout at `now`: the table's tick for it. The
// same tick serves every `now` of a 1 ms window, so only the first packet of
// each window divides (one compare instead, for every other).
inline std::uint32_t Engine::established_expiry(Time now) {
  const auto offset =
      static_cast<std::uint64_t>(now.count()) - static_cast<std::uint64_t>(expiry_from_.count());
  if (offset < static_cast<std::uint64_t>(ConnTable::kTickLength.count())) return expiry_tick_;
  return established_expiry_slow(now);
}

// TCP flags with ACK and none of SYN, FIN, RST: IPVS's "ACK" class, which
// keeps ESTABLISHED in every direction.
inline bool plain_ack(std::uint8_t tcp_flags) {
  return (tcp_flags & (kTcpSyn | kTcpFin | kTcpRst | kTcpAck)) == kTcpAck;
}

// Inlined into its two callers: as a call it spent a fifth of its
// instructions saving and restoring registers.
template <bool kFromClient>
[[gnu::always_inline]] inline bool Engine::forward_established(const PlainTcp& p, ConnId id,
                                                               std::uint32_t expires, Verdict& v) {
  using namespace fast_path;
  Conn& c = (*table_)[id];
  // The key find_in (from a client) or find_out (from the real server)
  // matches: the client's end, and the virtual service resp. the real server.
  constexpr std::size_t kAddrsAt = kFromClient ? offsetof(Conn, vaddr) : offsetof(Conn, caddr);
  constexpr std::size_t kPortsAt = kFromClient ? offsetof(Conn, vport) : offsetof(Conn, cport);
  const std::uint64_t mismatch =
      (field<std::uint64_t>(c, kAddrsAt) ^ p.addrs) |
      (field<std::uint32_t>(c, kPortsAt) ^ p.ports) |
      ((field<std::uint32_t>(c, offsetof(Conn, proto)) & kWordMask) ^ kWordWant);
  const std::uint32_t dest = c.dest;
  if (mismatch != 0 || dest >= n_dest_slots_) return false;
  RealServer* rs = dests_[dest].rs.get();
  // A deleted real server is the general path's business: from a client,
  // expire_nodest_conn decides; its replies still flow, uncounted.
  if (rs == nullptr || !rs->available()) return false;

  // set_state: ESTABLISHED stays, the timer restarts. Restarting it earlier
  // (the timeouts were shortened) moves the entry between timer lists: the
  // general path's business. Nothing has changed before this point.
  if (!table_->touch_later(id, expires)) return false;
  // ip_vs_in_stats / ip_vs_out_stats.
  const std::uint64_t bytes = p.len;
  auto count = [bytes](StatsCounters& s) {
    if (kFromClient) {
      ++s.inpkts;
      s.inbytes += bytes;
    } else {
      ++s.outpkts;
      s.outbytes += bytes;
    }
  };
  count(rs->stats.counters);  // the service's and the totals' follow (fold_stats)
  if (kFromClient) ++c.aux;   // in_pkts
  ++forwarded_;

  // NAT: the destination becomes the real server, or the source the virtual
  // service; one incremental update per checksum. The sums run on the
  // packet's bytes as they lie in memory: a one's-complement sum of
  // byte-swapped words is the byte-swapped sum (RFC 1071 2.B), so no field
  // needs converting except the two new values.
  constexpr std::size_t kAddrAt = kFromClient ? 16 : 12;
  constexpr std::size_t kPortAt = kFromClient ? 2 : 0;
  std::uint8_t* ip = p.data;
  std::uint8_t* tcp = ip + 20;
  const Ip4 new_addr = kFromClient ? c.daddr : c.vaddr;
  const std::uint16_t new_port = kFromClient ? c.dport : c.vport;
  const std::uint32_t old_addr_raw = raw<std::uint32_t>(ip + kAddrAt);
  const std::uint16_t old_port_raw = raw<std::uint16_t>(tcp + kPortAt);
  const std::uint32_t new_addr_raw = wire32(new_addr);
  const std::uint16_t new_port_raw = wire16(new_port);
  // RFC 1624 eqn. 3 in 32-bit one's-complement words (RFC 1071 2.B: any
  // word size, folded at the end): ~m + m' for the address once, for both.
  const std::uint32_t addr_delta = csum_add32(~old_addr_raw, new_addr_raw);
  const std::uint32_t ip_sum = csum_add32(addr_delta, std::uint16_t(~raw<std::uint16_t>(ip + 10)));
  const std::uint32_t tcp_sum =
      csum_add32(addr_delta, std::uint32_t{std::uint16_t(~raw<std::uint16_t>(tcp + 16))} +
                                 std::uint16_t(~old_port_raw) + new_port_raw);
  set_raw(ip + 10, static_cast<std::uint16_t>(~csum_fold32(ip_sum)));
  set_raw(tcp + 16, static_cast<std::uint16_t>(~csum_fold32(tcp_sum)));
  set_raw(ip + kAddrAt, new_addr_raw);
  set_raw(tcp + kPortAt, new_port_raw);

  v = Verdict{};
  v.action = Action::kForward;
  v.out = kFromClient ? Side::kInside : Side::kOutside;
  v.next_hop = kFromClient ? new_addr : p.daddr();
  v.conn = id;
  return true;
}

// Inline in process(), so that a caller's loop holds its registers once
// rather than a call saving and restoring them for every packet.
[[gnu::always_inline]] inline bool Engine::shortcut(std::uint8_t* data, std::size_t len, Side side,
                                                    Time now, Verdict& v) {
  if (!fast_path_on()) return false;
  PlainTcp t;
  if (!read_plain_tcp(data, len, t) || !plain_ack(t.flags)) return false;
  // Connections are indexed by their client side. A candidate, found just
  // now, is a live entry.
  if (side == Side::kOutside) {
    const ConnTable::Probe k = table_->probe_key(t.client_key<true>());
    table_->prefetch_preferred(k);
    const ConnId candidate = table_->first_candidate(k);
    return candidate != kNoConn &&
           forward_established<true>(t, candidate, established_expiry(now), v);
  }
  const ConnTable::Probe k = table_->probe_key(t.client_key<false>());
  table_->prefetch_preferred(k);
  const ConnId candidate = table_->first_candidate(k);
  return candidate != kNoConn &&
         forward_established<false>(t, candidate, established_expiry(now), v);
}

}  // namespace lvs
