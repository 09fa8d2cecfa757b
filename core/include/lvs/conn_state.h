#pragma once
// The IPVS connection state machine (ip_vs_proto_tcp.c / ip_vs_proto_udp.c)
// and its timeouts, settable as with `ipvsadm --set tcp tcpfin udp`.

#include <array>
#include <cstdint>
#include <string_view>

#include "lvs/types.h"

namespace lvs {

// IP_VS_TCP_S_* in kernel order.
enum class TcpState : std::uint8_t {
  kNone = 0,
  kEstablished,
  kSynSent,
  kSynRecv,
  kFinWait,
  kTimeWait,
  kClose,
  kCloseWait,
  kLastAck,
  kListen,
  kSynAck,
  kCount
};

// IP_VS_UDP_S_NORMAL: the single UDP state.
constexpr std::uint8_t kUdpStateNormal = 0;
// A persistence template's state (IP_VS_CTPL_S_*): NONE until a connection
// it controls reaches ESTABLISHED (TCP) or gets a reply (UDP), then ASSURED.
constexpr std::uint8_t kTemplateNone = 0;
constexpr std::uint8_t kTemplateAssured = 1;

// Which way a packet crosses the director, as IPVS's IP_VS_DIR_*.
enum class ConnDir : std::uint8_t {
  kInput = 0,      // client -> real server
  kOutput = 1,     // real server -> client (NAT only)
  kInputOnly = 2,  // client -> real server on a connection whose replies bypass us (DR/TUN)
};

// TCP header flag bits as they appear on the wire.
enum TcpFlag : std::uint8_t {
  kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpPsh = 0x08, kTcpAck = 0x10,
};

// The next TCP state for a segment with `tcp_flags` seen in direction `dir`
// (the kernel's normal, non-secure_tcp table). Flags are classed RST > SYN >
// FIN > ACK; a segment with none of them goes to CLOSE, as set_tcp_state()
// does in the kernel. The caller picks kInputOnly for kConnNoOutput connections.
TcpState tcp_next_state(TcpState current, ConnDir dir, std::uint8_t tcp_flags);

// Whether a TCP connection in state `s` counts in its real server's
// active_conns rather than inactive_conns: the handshake states and
// ESTABLISHED, as the kernel's tcp_state_active_table (Linux 4.8 and later).
constexpr bool tcp_state_active(TcpState s) {
  return s == TcpState::kEstablished || s == TcpState::kSynSent || s == TcpState::kSynRecv ||
         s == TcpState::kSynAck;
}

// "ESTABLISHED", "SYN_RECV", ... as ipvsadm -c prints them; "ERR!" out of range.
std::string_view tcp_state_name(TcpState s);

struct Timeouts {
  // Kernel defaults: NONE 2 s, ESTABLISHED 900 s, SYN_SENT 120 s, SYN_RECV 60 s,
  // FIN_WAIT 120 s, TIME_WAIT 120 s, CLOSE 10 s, CLOSE_WAIT 60 s, LAST_ACK 30 s,
  // LISTEN 120 s, SYNACK 120 s; UDP 300 s.
  std::array<Duration, static_cast<std::size_t>(TcpState::kCount)> tcp;
  Duration udp;

  Timeouts();
  Duration for_tcp(TcpState s) const { return tcp[static_cast<std::size_t>(s)]; }
  // ipvsadm --set tcp tcpfin udp: each value in seconds; 0 leaves that timeout
  // unchanged, tcpfin sets FIN_WAIT. Like the kernel (EINVAL), a negative value
  // rejects the whole call: nothing changes and it returns false.
  bool set(seconds tcp_established, seconds tcp_fin_wait, seconds udp_timeout);
};

}  // namespace lvs
