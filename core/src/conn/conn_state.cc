#include "lvs/conn_state.h"

namespace lvs {
namespace {

constexpr std::size_t kStates = static_cast<std::size_t>(TcpState::kCount);

// Flag classes in the kernel's row order (tcp_state_idx()).
enum FlagClass : std::size_t { kSyn = 0, kFin = 1, kAck = 2, kRst = 3, kNoClass = 4 };

// RST wins over SYN over FIN over ACK, whatever else is set.
FlagClass flag_class(std::uint8_t flags) {
  if (flags & kTcpRst) return kRst;
  if (flags & kTcpSyn) return kSyn;
  if (flags & kTcpFin) return kFin;
  if (flags & kTcpAck) return kAck;
  return kNoClass;
}

// The usual NAT path through the table (I = client->server, O = server->client):
//
//   NONE --I syn--> SYN_RECV --O syn/ack--> SYN_RECV --I ack--> ESTABLISHED
//   ESTABLISHED --I fin--> CLOSE_WAIT --O fin--> TIME_WAIT
//   ESTABLISHED --O fin--> FIN_WAIT  --I fin--> TIME_WAIT
//   any --rst--> CLOSE (mostly; see the rows)        TIME_WAIT/CLOSE: timers end it
//
// DR/TUN connections (kInputOnly) see only the client: a client FIN on
// ESTABLISHED means FIN_WAIT, not CLOSE_WAIT.
using S = TcpState;
// NO and SA never appear as a next state; they are named for the column comments.
[[maybe_unused]] constexpr S NO = S::kNone;
[[maybe_unused]] constexpr S SA = S::kSynAck;
constexpr S ES = S::kEstablished, SS = S::kSynSent, SR = S::kSynRecv,
            FW = S::kFinWait, TW = S::kTimeWait, CL = S::kClose, CW = S::kCloseWait,
            LA = S::kLastAck, LI = S::kListen;

using Row = std::array<S, kStates>;
// [direction][flag class][current state], the kernel's tcp_states[] (Linux 6.1).
constexpr Row kTable[3][4] = {
    // INPUT     NO  ES  SS  SR  FW  TW  CL  CW  LA  LI  SA
    {/* syn */ {SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR},
     /* fin */ {CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, TW},
     /* ack */ {ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES},
     /* rst */ {CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, SR}},
    // OUTPUT    NO  ES  SS  SR  FW  TW  CL  CW  LA  LI  SA
    {/* syn */ {SS, ES, SS, SR, SS, SS, SS, SS, SS, LI, SR},
     /* fin */ {TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW},
     /* ack */ {ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES},
     /* rst */ {CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL}},
    // INPUT_ONLY NO ES  SS  SR  FW  TW  CL  CW  LA  LI  SA
    {/* syn */ {SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR},
     /* fin */ {CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW},
     /* ack */ {ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES},
     /* rst */ {CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL}},
};

constexpr std::string_view kNames[kStates] = {
    "NONE",  "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT",
    "CLOSE", "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "SYNACK",
};

}  // namespace

TcpState tcp_next_state(TcpState current, ConnDir dir, std::uint8_t tcp_flags) {
  const auto state = static_cast<std::size_t>(current);
  const auto d = static_cast<std::size_t>(dir);
  const FlagClass cls = flag_class(tcp_flags);
  // The kernel starts from CLOSE and keeps it when no row applies.
  if (cls == kNoClass || state >= kStates || d >= 3) return TcpState::kClose;
  return kTable[d][cls][state];
}

std::string_view tcp_state_name(TcpState s) {
  const auto i = static_cast<std::size_t>(s);
  return i < kStates ? kNames[i] : std::string_view("ERR!");
}

Timeouts::Timeouts()
    : tcp{seconds(2),   seconds(900), seconds(120), seconds(60),  seconds(120), seconds(120),
          seconds(10),  seconds(60),  seconds(30),  seconds(120), seconds(120)},
      udp(seconds(300)) {}

bool Timeouts::set(seconds tcp_established, seconds tcp_fin_wait, seconds udp_timeout) {
  if (tcp_established.count() < 0 || tcp_fin_wait.count() < 0 || udp_timeout.count() < 0)
    return false;
  if (tcp_established.count() > 0) tcp[static_cast<std::size_t>(TcpState::kEstablished)] = tcp_established;
  if (tcp_fin_wait.count() > 0) tcp[static_cast<std::size_t>(TcpState::kFinWait)] = tcp_fin_wait;
  if (udp_timeout.count() > 0) udp = udp_timeout;
  return true;
}

}  // namespace lvs
