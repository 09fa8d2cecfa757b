// Loads and weights at the edges of the kernel's integer types. The fast
// least-load schedulers order servers by a scaled quotient of h/w instead of
// cross-multiplying; these cases check that the order (and who wins a tie)
// is still exactly the kernel's when fractions differ by as little as
// 2^-62, when weights reach INT_MAX, and when wlc's int overhead wraps
// negative (activeconns >= 2^23), on a quiesced server too, which the
// kernel's scan then picks.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "sched/reference_schedulers.h"
#include "sched/sched_world.h"

namespace lvs {
namespace {

constexpr std::int32_t kMaxW = 2147483647;  // INT_MAX: the kernel takes any weight >= 0

std::string who(const RealServer* d) {
  return d ? std::to_string(d->cfg.addr & 0xff) : "none";
}

TEST(ExtremeLoad, WlcSeparatesFractionsThatDifferByTwoToTheMinus62) {
  // A: (2^31-2)/(2^31-1), B: (2^31-3)/(2^31-2). They differ by 1/(wA*wB),
  // about 2^-62, and B is lighter, so B wins although A is first in list.
  // (lblc and lblcr fall back to the same choice for a new destination.)
  for (const char* name : {"wlc", "lblc", "lblcr"}) {
    test::SchedWorld world;
    auto fast = make_scheduler(name, [] { return 0u; });
    world.attach(fast.get());
    RealServer& b = world.add(0x0a000002, 80, kMaxW - 1);
    RealServer& a = world.add(0x0a000001, 80, kMaxW);  // the list's head
    world.set_counts(a, 0, kMaxW - 1);                 // overhead = inactive when active = 0
    world.set_counts(b, 0, kMaxW - 2);
    SchedPacket to;
    to.daddr = 0x0b000001;
    EXPECT_EQ(world.schedule(to), &b) << name;
    // Now A is (2^31-3)/(2^31-1): the same load over a larger weight, lighter than B.
    world.set_counts(a, 0, kMaxW - 2);
    to.daddr = 0x0b000002;
    EXPECT_EQ(world.schedule(to), &a) << name;
  }
}

TEST(ExtremeLoad, EqualFractionsTieToTheFirstInList) {
  // 3/6 == 5/10 == 1/2 exactly: the head of the list wins, as in the kernel.
  for (const char* name : {"wlc", "sed", "nq"}) {
    test::SchedWorld world;
    auto fast = make_scheduler(name, [] { return 0u; });
    world.attach(fast.get());
    RealServer& c = world.add(0x0a000003, 80, 2);
    RealServer& b = world.add(0x0a000002, 80, 10);
    RealServer& a = world.add(0x0a000001, 80, 6);
    // wlc: inactive only; sed/nq: activeconns + 1.
    const bool wlc = std::string(name) == "wlc";
    world.set_counts(a, wlc ? 0 : 2, wlc ? 3 : 0);
    world.set_counts(b, wlc ? 0 : 4, wlc ? 5 : 0);
    world.set_counts(c, wlc ? 0 : 0, wlc ? 1 : 0);  // 1/2 for wlc, 1/2 for sed; nq: idle, wins
    const RealServer* want = std::string(name) == "nq" ? &c : &a;
    EXPECT_EQ(world.schedule(), want) << name << " picked " << who(world.schedule());
  }
}

TEST(ExtremeLoad, WrappedNegativeOverheadIsLightestAsInTheKernel) {
  // activeconns = 2^23 makes activeconns*256 = 2^31, which wraps to INT_MIN
  // in the kernel's int: that server then compares as the lightest.
  test::SchedWorld world;
  auto fast = make_scheduler("wlc", [] { return 0u; });
  world.attach(fast.get());
  RealServer& b = world.add(0x0a000002, 80, 1);
  RealServer& a = world.add(0x0a000001, 80, 100);
  world.set_counts(b, 1 << 23, 0);  // -2^31 / 1
  EXPECT_EQ(world.schedule(), &b);
  world.set_weight(a, 1);
  world.set_counts(a, 1 << 23, 0);  // -2^31 / 1 too: a tie, and a is the head
  EXPECT_EQ(world.schedule(), &a);
  world.set_counts(a, 1 << 23, 1);  // (-2^31 + 1) / 1: heavier than b
  EXPECT_EQ(world.schedule(), &b);
  world.set_weight(a, 3);  // (-2^31 + 1) / 3 is above -2^31 / 1 still
  EXPECT_EQ(world.schedule(), &b);
}

TEST(ExtremeLoad, QuiescedServerWithWrappedOverheadIsPickedAsByTheKernel) {
  // The kernel's second stage compares a weight-0 server too: 0 > doh * lw
  // once its overhead wraps negative, so it replaces the running minimum and
  // then keeps its place. Only servers after the first usable one take part.
  for (const char* name : {"wlc", "lblc", "lblcr"}) {
    SCOPED_TRACE(name);
    test::SchedWorld world;
    auto fast = make_scheduler(name, [] { return 0u; });
    world.attach(fast.get());
    RealServer& d = world.add(0x0a000004, 80, 0);  // quiesced, last in list
    RealServer& c = world.add(0x0a000003, 80, 5);
    RealServer& b = world.add(0x0a000002, 80, 0);   // quiesced, before c
    RealServer& a = world.add(0x0a000001, 80, 10);  // the first usable one
    world.set_counts(c, 0, 1);
    world.set_counts(a, 0, 100);
    SchedPacket to;
    to.daddr = 0x0b000001;
    EXPECT_EQ(world.schedule(to), &c);  // 1/5 < 100/10
    world.set_counts(d, 1 << 23, 0);    // overhead -2^31
    to.daddr = 0x0b000002;
    EXPECT_EQ(world.schedule(to), &d);
    world.set_counts(b, 1 << 23, 5);  // b wraps too, and comes first after a
    to.daddr = 0x0b000003;
    EXPECT_EQ(world.schedule(to), &b);
    world.set_overload(b, true);  // overloaded servers are skipped
    to.daddr = 0x0b000004;
    EXPECT_EQ(world.schedule(to), &d);
    world.set_counts(d, 0, 0);
    world.set_counts(a, 1 << 23, 0);  // the first usable one wraps: -2^31/10 beats all
    to.daddr = 0x0b000005;
    EXPECT_EQ(world.schedule(to), &a);
  }
}

TEST(ExtremeLoad, SedAndNqDelayWrapsAtIntMaxLikeTheReference) {
  // activeconns + 1 is a C int in ip_vs_sed/nq_dest_overhead(): INT_MAX active
  // connections give INT_MIN, the lightest of all (and for sed a quiesced
  // server so loaded is taken by the second stage). Fast and reference agree
  // on every arrangement of a usable, a quiesced and an idle server.
  for (const char* name : {"sed", "nq"}) {
    SCOPED_TRACE(name);
    for (int mask = 0; mask < 64; ++mask) {
      test::SchedWorld world;
      auto fast = make_scheduler(name, [] { return 0u; });
      auto ref = ref::make_reference(name, [] { return 0u; });
      world.attach(fast.get());
      world.attach(ref.get());
      RealServer& c = world.add(0x0a000003, 80, (mask & 1) ? 0 : 3);
      RealServer& b = world.add(0x0a000002, 80, (mask & 2) ? 0 : 2);
      RealServer& a = world.add(0x0a000001, 80, 1);
      world.set_counts(a, (mask & 4) ? kMaxW : 7, 0);
      world.set_counts(b, (mask & 8) ? kMaxW : 0, 0);
      world.set_counts(c, (mask & 16) ? kMaxW : 5, 0);
      if (mask & 32) world.set_overload(a, true);
      const auto picks = world.schedule_all(SchedPacket{}, Time{0});
      EXPECT_EQ(picks[0], picks[1]) << "mask " << mask << ": fast " << who(picks[0]) << ", reference "
                                    << who(picks[1]);
    }
  }
}

// Draws spread over every magnitude: uniform in a random bit length.
class WideDraws {
 public:
  explicit WideDraws(std::uint32_t seed) : gen_(seed) {}
  std::int64_t upto(std::int64_t hi) {
    const int bits = std::uniform_int_distribution<int>(0, 31)(gen_);
    const std::int64_t cap = std::min<std::int64_t>(hi, (std::int64_t{1} << bits) - 1);
    return std::uniform_int_distribution<std::int64_t>(0, cap)(gen_);
  }
  bool one_in(int n) { return std::uniform_int_distribution<int>(0, n - 1)(gen_) == 0; }

 private:
  std::mt19937 gen_;
};

// Lockstep with the O(n) references, weights up to INT_MAX and loads up to
// the wrap, quiesced servers with wrapped overheads included.
void run_wide_lockstep(const char* name, std::uint32_t seed) {
  SCOPED_TRACE(name);
  WideDraws draw(seed);
  test::SchedWorld world;
  auto fast = make_scheduler(name, [] { return 0u; });
  auto ref = ref::make_reference(name, [] { return 0u; });
  world.attach(fast.get());
  world.attach(ref.get());
  const std::int64_t max_active = kMaxW;  // lblc/lblcr's activeconns*2 wraps past 2^30
  std::vector<RealServer*> servers;
  for (int i = 0; i < 40; ++i)
    servers.push_back(&world.add(0x0a000000u + static_cast<Ip4>(i + 1), 80,
                                 static_cast<std::int32_t>(draw.upto(kMaxW))));
  int picks = 0;
  for (int e = 0; e < 20000; ++e) {
    RealServer& d = *servers[static_cast<std::size_t>(draw.upto(39) % 40)];
    if (draw.one_in(8))
      world.set_weight(d,
                       draw.one_in(10) ? 0 : static_cast<std::int32_t>(1 + draw.upto(kMaxW - 1)));
    world.set_counts(d, static_cast<std::int32_t>(draw.upto(max_active)),
                     static_cast<std::int32_t>(draw.upto(kMaxW)));
    SchedPacket pkt;
    pkt.daddr = 0x0b000000u + static_cast<Ip4>(draw.upto(15));
    const Time now{std::chrono::milliseconds(e)};
    RealServer* got = fast->schedule(world.svc(), pkt, now);
    RealServer* want = ref->schedule(world.svc(), pkt, now);
    ASSERT_EQ(got, want) << "event " << e << ": fast " << who(got) << ", reference " << who(want);
    if (got) {
      ++picks;
      if (got->active_conns < max_active)
        world.set_counts(*got, got->active_conns + 1, got->inactive_conns);
    }
  }
  EXPECT_GT(picks, 10000);
}

TEST(ExtremeLoad, TwosMatchesReferenceWithWeightSumsPastIntMax) {
  // twos sums weights in a C int: past INT_MAX (and at 2^32 - 1, a ceiling
  // of 0) the fast version must pick as the reference's wrapping scan does.
  WideDraws draw(6);
  test::SchedWorld world;
  std::mt19937 g1(7), g2(7);  // the same draws for both
  auto fast = make_scheduler("twos", [&g1] { return static_cast<std::uint32_t>(g1()); });
  auto ref = ref::make_reference("twos", [&g2] { return static_cast<std::uint32_t>(g2()); });
  world.attach(fast.get());
  world.attach(ref.get());
  std::vector<RealServer*> servers;
  for (int i = 0; i < 6; ++i)
    servers.push_back(&world.add(0x0a000000u + static_cast<Ip4>(i + 1), 80, kMaxW / 3));
  for (int e = 0; e < 20000; ++e) {
    RealServer& d = *servers[static_cast<std::size_t>(draw.upto(5) % 6)];
    if (draw.one_in(4)) world.set_weight(d, draw.one_in(10) ? 0 : static_cast<std::int32_t>(draw.upto(kMaxW)));
    if (draw.one_in(50)) {  // three at INT_MAX: a wrapped sum of 2^32 - 1 with the rest at 0
      for (std::size_t i = 0; i < servers.size(); ++i) world.set_weight(*servers[i], i < 3 ? kMaxW : 0);
    }
    world.set_counts(d, static_cast<std::int32_t>(draw.upto(1 << 20)), static_cast<std::int32_t>(draw.upto(1 << 20)));
    const auto picks = world.schedule_all(SchedPacket{}, Time{0});
    ASSERT_EQ(picks[0], picks[1]) << "event " << e << ": fast " << who(picks[0]) << ", reference " << who(picks[1]);
  }
}

TEST(ExtremeLoad, WlcMatchesReferenceAcrossTheWholeRange) {
  run_wide_lockstep("wlc", 1);
}
TEST(ExtremeLoad, SedMatchesReferenceAcrossTheWholeRange) {
  run_wide_lockstep("sed", 2);
}
TEST(ExtremeLoad, NqMatchesReferenceAcrossTheWholeRange) {
  run_wide_lockstep("nq", 3);
}
TEST(ExtremeLoad, LblcMatchesReferenceAcrossTheWholeRange) {
  run_wide_lockstep("lblc", 4);
}
TEST(ExtremeLoad, LblcrMatchesReferenceAcrossTheWholeRange) {
  run_wide_lockstep("lblcr", 5);
}

}  // namespace
}  // namespace lvs
