#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "lvs/conn_state.h"

namespace lvs {
namespace {

// Two-letter names used by the kernel source (sNO, sES, ...), in state order.
const char* const kShort[] = {"NO", "ES", "SS", "SR", "FW", "TW", "CL", "CW", "LA", "LI", "SA"};

TcpState from_short(const std::string& s) {
  for (int i = 0; i < static_cast<int>(TcpState::kCount); ++i)
    if (s == kShort[i]) return static_cast<TcpState>(i);
  ADD_FAILURE() << "bad state " << s;
  return TcpState::kCount;
}

struct Row {
  ConnDir dir;
  std::uint8_t flags;  // one representative segment of the flag class
  const char* next;    // next state for current = NO ES SS SR FW TW CL CW LA LI SA
};

// Copied by hand from tcp_states[] in net/netfilter/ipvs/ip_vs_proto_tcp.c (6.1).
const Row kKernelTable[] = {
    {ConnDir::kInput, kTcpSyn, "SR ES ES SR SR SR SR SR SR SR SR"},
    {ConnDir::kInput, kTcpFin, "CL CW SS TW TW TW CL CW LA LI TW"},
    {ConnDir::kInput, kTcpAck, "ES ES SS ES FW TW CL CW CL LI ES"},
    {ConnDir::kInput, kTcpRst, "CL CL CL SR CL CL CL CL LA LI SR"},
    {ConnDir::kOutput, kTcpSyn, "SS ES SS SR SS SS SS SS SS LI SR"},
    {ConnDir::kOutput, kTcpFin, "TW FW SS TW FW TW CL TW LA LI TW"},
    {ConnDir::kOutput, kTcpAck, "ES ES SS ES FW TW CL CW LA ES ES"},
    {ConnDir::kOutput, kTcpRst, "CL CL SS CL CL TW CL CL CL CL CL"},
    {ConnDir::kInputOnly, kTcpSyn, "SR ES ES SR SR SR SR SR SR SR SR"},
    {ConnDir::kInputOnly, kTcpFin, "CL FW SS TW FW TW CL CW LA LI TW"},
    {ConnDir::kInputOnly, kTcpAck, "ES ES SS ES FW TW CL CW CL LI ES"},
    {ConnDir::kInputOnly, kTcpRst, "CL CL CL SR CL CL CL CL LA LI CL"},
};

std::vector<TcpState> parse_row(const char* text) {
  std::istringstream in(text);
  std::vector<TcpState> out;
  for (std::string s; in >> s;) out.push_back(from_short(s));
  return out;
}

// Every state x direction x flag class matches the kernel's table.
TEST(TcpStateTest, FullTransitionTableMatchesKernel) {
  int checked = 0;
  for (const Row& row : kKernelTable) {
    const std::vector<TcpState> next = parse_row(row.next);
    ASSERT_EQ(next.size(), static_cast<std::size_t>(TcpState::kCount));
    for (int s = 0; s < static_cast<int>(TcpState::kCount); ++s) {
      const auto cur = static_cast<TcpState>(s);
      EXPECT_EQ(tcp_next_state(cur, row.dir, row.flags), next[s])
          << "dir " << static_cast<int>(row.dir) << " flags " << int{row.flags} << " from "
          << tcp_state_name(cur);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 3 * 4 * 11);
}

// Mixed flags pick the row by priority RST > SYN > FIN > ACK; PSH/URG never count.
TEST(TcpStateTest, FlagClassPriority) {
  struct Case {
    std::uint8_t flags;
    std::uint8_t as;
  };
  const Case cases[] = {
      {kTcpSyn | kTcpAck, kTcpSyn}, {kTcpFin | kTcpAck, kTcpFin},
      {kTcpRst | kTcpAck, kTcpRst}, {kTcpRst | kTcpSyn | kTcpFin, kTcpRst},
      {kTcpSyn | kTcpFin, kTcpSyn}, {kTcpPsh | kTcpAck, kTcpAck},
      {kTcpPsh | kTcpFin | kTcpAck, kTcpFin}, {0x20 /* URG */ | kTcpAck, kTcpAck},
  };
  for (const Case& c : cases) {
    for (ConnDir dir : {ConnDir::kInput, ConnDir::kOutput, ConnDir::kInputOnly}) {
      for (int s = 0; s < static_cast<int>(TcpState::kCount); ++s) {
        const auto cur = static_cast<TcpState>(s);
        EXPECT_EQ(tcp_next_state(cur, dir, c.flags), tcp_next_state(cur, dir, c.as))
            << "flags " << int{c.flags} << " from " << tcp_state_name(cur);
      }
    }
  }
}

// With none of RST/SYN/FIN/ACK the kernel's set_tcp_state() falls through to CLOSE.
TEST(TcpStateTest, SegmentWithoutClassFlagsGoesToClose) {
  for (std::uint8_t flags : {std::uint8_t{0}, std::uint8_t{kTcpPsh}, std::uint8_t{0x20},
                             std::uint8_t{0xc0}}) {
    for (int s = 0; s < static_cast<int>(TcpState::kCount); ++s) {
      EXPECT_EQ(tcp_next_state(static_cast<TcpState>(s), ConnDir::kInput, flags),
                TcpState::kClose);
      EXPECT_EQ(tcp_next_state(static_cast<TcpState>(s), ConnDir::kOutput, flags),
                TcpState::kClose);
    }
  }
}

struct Step {
  ConnDir dir;
  std::uint8_t flags;
  TcpState expect;
};

void run(const char* name, TcpState start, const std::vector<Step>& steps) {
  TcpState s = start;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    s = tcp_next_state(s, steps[i].dir, steps[i].flags);
    EXPECT_EQ(s, steps[i].expect) << name << " step " << i << " got " << tcp_state_name(s);
  }
}

constexpr ConnDir I = ConnDir::kInput, O = ConnDir::kOutput, IO = ConnDir::kInputOnly;
constexpr std::uint8_t SYN = kTcpSyn, ACK = kTcpAck, FIN = kTcpFin | kTcpAck,
                       RST = kTcpRst, SYNACK = kTcpSyn | kTcpAck, DATA = kTcpPsh | kTcpAck;

// Real NAT conversations walk the table the way ipvsadm -c shows them.
TEST(TcpStateTest, RealSequences) {
  using S = TcpState;
  run("client closes first", S::kNone,
      {{I, SYN, S::kSynRecv}, {O, SYNACK, S::kSynRecv}, {I, ACK, S::kEstablished},
       {I, DATA, S::kEstablished}, {O, DATA, S::kEstablished}, {I, FIN, S::kCloseWait},
       {O, ACK, S::kCloseWait}, {O, FIN, S::kTimeWait}, {I, ACK, S::kTimeWait}});
  run("server closes first", S::kNone,
      {{I, SYN, S::kSynRecv}, {O, SYNACK, S::kSynRecv}, {I, ACK, S::kEstablished},
       {O, FIN, S::kFinWait}, {I, ACK, S::kFinWait}, {I, FIN, S::kTimeWait},
       {O, ACK, S::kTimeWait}});
  run("simultaneous close", S::kEstablished,
      {{I, FIN, S::kCloseWait}, {O, FIN, S::kTimeWait}, {I, ACK, S::kTimeWait},
       {O, ACK, S::kTimeWait}});
  run("server refuses", S::kNone, {{I, SYN, S::kSynRecv}, {O, RST, S::kClose}});
  run("client resets established", S::kEstablished, {{I, RST, S::kClose}, {O, ACK, S::kClose}});
  run("client rst in SYN_RECV is ignored", S::kSynRecv, {{I, RST, S::kSynRecv}});
  run("DR input only", S::kNone,
      {{IO, SYN, S::kSynRecv}, {IO, ACK, S::kEstablished}, {IO, DATA, S::kEstablished},
       {IO, FIN, S::kFinWait}, {IO, ACK, S::kFinWait}, {IO, RST, S::kClose}});
  run("SYN retransmit on TIME_WAIT reopens", S::kTimeWait, {{I, SYN, S::kSynRecv}});
}

// Active are SYN_SENT, SYN_RECV, SYNACK and ESTABLISHED (tcp_state_active_table, 6.1).
TEST(TcpStateTest, ActiveStatesMatchKernel) {
  const bool active[] = {false, true, true, true, false, false, false, false, false, false, true};
  for (int s = 0; s < static_cast<int>(TcpState::kCount); ++s)
    EXPECT_EQ(tcp_state_active(static_cast<TcpState>(s)), active[s]) << kShort[s];
}

// State names are ipvsadm -c's (the kernel's tcp_state_name_table).
TEST(TcpStateTest, NamesMatchIpvsadm) {
  const char* const names[] = {"NONE",  "ESTABLISHED", "SYN_SENT", "SYN_RECV",
                               "FIN_WAIT", "TIME_WAIT", "CLOSE",  "CLOSE_WAIT",
                               "LAST_ACK", "LISTEN",    "SYNACK"};
  for (int s = 0; s < static_cast<int>(TcpState::kCount); ++s)
    EXPECT_EQ(tcp_state_name(static_cast<TcpState>(s)), names[s]);
  EXPECT_EQ(tcp_state_name(TcpState::kCount), "ERR!");
}

}  // namespace
}  // namespace lvs
