#include <gtest/gtest.h>

#include "lvs/conn_state.h"

namespace lvs {
namespace {

// Defaults are the kernel's tcp_timeouts[] and udp_timeouts[].
TEST(TimeoutsTest, KernelDefaults) {
  const Timeouts t;
  const struct {
    TcpState s;
    long secs;
  } cases[] = {
      {TcpState::kNone, 2},       {TcpState::kEstablished, 900}, {TcpState::kSynSent, 120},
      {TcpState::kSynRecv, 60},   {TcpState::kFinWait, 120},     {TcpState::kTimeWait, 120},
      {TcpState::kClose, 10},     {TcpState::kCloseWait, 60},    {TcpState::kLastAck, 30},
      {TcpState::kListen, 120},   {TcpState::kSynAck, 120},
  };
  for (const auto& c : cases) EXPECT_EQ(t.for_tcp(c.s), seconds(c.secs)) << tcp_state_name(c.s);
  EXPECT_EQ(t.udp, seconds(300));
}

// ipvsadm --set tcp tcpfin udp: each nonzero value replaces one timeout, 0 keeps it.
TEST(TimeoutsTest, SetLikeIpvsadm) {
  struct Case {
    long tcp, tcpfin, udp;
    long want_est, want_fin, want_udp;
  };
  const Case cases[] = {
      {0, 0, 0, 900, 120, 300},   {7200, 0, 0, 7200, 120, 300}, {0, 30, 0, 900, 30, 300},
      {0, 0, 45, 900, 120, 45},   {1, 2, 3, 1, 2, 3},
  };
  for (const Case& c : cases) {
    Timeouts t;
    EXPECT_TRUE(t.set(seconds(c.tcp), seconds(c.tcpfin), seconds(c.udp)));
    EXPECT_EQ(t.for_tcp(TcpState::kEstablished), seconds(c.want_est));
    EXPECT_EQ(t.for_tcp(TcpState::kFinWait), seconds(c.want_fin));
    EXPECT_EQ(t.udp, seconds(c.want_udp));
    // --set never touches the other states.
    EXPECT_EQ(t.for_tcp(TcpState::kTimeWait), seconds(120));
    EXPECT_EQ(t.for_tcp(TcpState::kClose), seconds(10));
    EXPECT_EQ(t.for_tcp(TcpState::kSynRecv), seconds(60));
  }
}

// A negative value is rejected as a whole, like the kernel's EINVAL.
TEST(TimeoutsTest, NegativeRejectsWholeSet) {
  Timeouts t;
  EXPECT_FALSE(t.set(seconds(100), seconds(-1), seconds(50)));
  EXPECT_EQ(t.for_tcp(TcpState::kEstablished), seconds(900));
  EXPECT_EQ(t.udp, seconds(300));
}

}  // namespace
}  // namespace lvs
