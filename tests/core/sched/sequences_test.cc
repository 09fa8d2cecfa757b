// Pick sequences for every scheduler against hand-worked kernel behaviour.

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sched/reference_schedulers.h"
#include "sched/sched_world.h"

namespace lvs {
namespace {

// A server is named by a letter; its address is 10.0.0.<letter>.
Ip4 addr_of(char name) { return 0x0a000000u + static_cast<Ip4>(name); }
std::string name_of(const RealServer* d) { return d ? std::string(1, static_cast<char>(d->cfg.addr & 0xff)) : "-"; }

struct Server {
  char name;
  std::int32_t weight;
  std::int32_t active = 0;
  std::int32_t inactive = 0;
};

// A service whose list order is `servers` (added last-to-first) with the
// scheduler bound afterwards (init_service sees them all, as after
// `ipvsadm -E -s <sched>`).
class Fixture {
 public:
  Fixture(std::string_view sched, const std::vector<Server>& servers, std::uint32_t flags = 0,
          RandomSource rng = [] { return 0u; })
      : world_(flags), sched_(make_scheduler(sched, std::move(rng))) {
    for (auto it = servers.rbegin(); it != servers.rend(); ++it) {
      RealServer& d = world_.add(addr_of(it->name), 80, it->weight);
      world_.set_counts(d, it->active, it->inactive);
    }
    world_.attach(sched_.get());
  }
  RealServer& server(char name) {
    for (auto* d : world_.dests())
      if (d->cfg.addr == addr_of(name)) return *d;
    throw std::runtime_error("no such server");
  }
  // `n` picks of the same packet, as letters.
  std::string picks(int n, const SchedPacket& p = {}, Time now = Time{0}) {
    std::string out;
    for (int i = 0; i < n; ++i) out += name_of(world_.schedule(p, now));
    return out;
  }
  test::SchedWorld& world() { return world_; }

 private:
  test::SchedWorld world_;
  std::unique_ptr<Scheduler> sched_;
};

struct SequenceCase {
  std::string label;
  std::string sched;
  std::vector<Server> servers;
  std::function<void(Fixture&)> before;  // optional edits before picking
  int picks;
  std::string expected;
};

class SequenceTest : public ::testing::TestWithParam<SequenceCase> {};

TEST_P(SequenceTest, PicksMatchKernel) {
  // Each case's pick sequence is the one kernel IPVS produces for the same events.
  const SequenceCase& c = GetParam();
  Fixture f(c.sched, c.servers);
  if (c.before) c.before(f);
  EXPECT_EQ(f.picks(c.picks), c.expected);
}

std::string sequence_label(const ::testing::TestParamInfo<SequenceCase>& p) { return p.param.label; }

constexpr std::int32_t kIntMax = 2147483647;

const auto kQuiesce = [](char n) { return [n](Fixture& f) { f.world().set_weight(f.server(n), 0); }; };
const auto kOverload = [](char n) { return [n](Fixture& f) { f.world().set_overload(f.server(n), true); }; };

INSTANTIATE_TEST_SUITE_P(
    Kernel, SequenceTest,
    ::testing::Values(
        SequenceCase{"rr_cycles", "rr", {{'A', 1}, {'B', 1}, {'C', 1}}, nullptr, 6, "ABCABC"},
        SequenceCase{"rr_skips_quiesced", "rr", {{'A', 1}, {'B', 1}, {'C', 1}}, kQuiesce('B'), 4, "ACAC"},
        SequenceCase{"rr_skips_overloaded", "rr", {{'A', 1}, {'B', 1}, {'C', 1}}, kOverload('A'), 4, "BCBC"},
        SequenceCase{"rr_none_usable", "rr", {{'A', 0}, {'B', 0}}, nullptr, 2, "--"},
        SequenceCase{"wrr_4_3_2", "wrr", {{'A', 4}, {'B', 3}, {'C', 2}}, nullptr, 18, "AABABCABCAABABCABC"},
        SequenceCase{"wrr_2_1", "wrr", {{'A', 2}, {'B', 1}}, nullptr, 6, "AABAAB"},
        SequenceCase{"wrr_gcd_steps", "wrr", {{'A', 4}, {'B', 2}}, nullptr, 6, "AABAAB"},
        SequenceCase{"wrr_quiesced", "wrr", {{'A', 4}, {'B', 3}, {'C', 2}}, kQuiesce('A'), 5, "BBCBC"},
        SequenceCase{"wrr_overloaded_skipped", "wrr", {{'A', 4}, {'B', 3}}, kOverload('A'), 3, "BBB"},
        SequenceCase{"wrr_all_zero", "wrr", {{'A', 0}, {'B', 0}}, nullptr, 2, "--"},
        SequenceCase{"lc_least_overhead", "lc", {{'A', 1, 1, 0}, {'B', 1, 0, 300}, {'C', 1, 0, 10}}, nullptr, 1, "C"},
        SequenceCase{"lc_tie_first_in_list", "lc", {{'A', 1, 0, 5}, {'B', 1, 0, 5}}, nullptr, 1, "A"},
        SequenceCase{"lc_skips_quiesced", "lc", {{'A', 0}, {'B', 1, 3, 0}}, nullptr, 1, "B"},
        SequenceCase{"wlc_weighted", "wlc", {{'A', 1, 1, 0}, {'B', 3, 2, 0}}, nullptr, 1, "B"},
        SequenceCase{"wlc_tie_first_in_list", "wlc", {{'A', 1, 0, 100}, {'B', 2, 0, 200}}, nullptr, 1, "A"},
        SequenceCase{"wlc_skips_overloaded", "wlc", {{'A', 5}, {'B', 1, 9, 0}}, kOverload('A'), 1, "B"},
        SequenceCase{"wlc_counts_inactive", "wlc", {{'A', 1, 1, 0}, {'B', 1, 0, 255}}, nullptr, 1, "B"},
        SequenceCase{"sed_prefers_fast_server", "sed", {{'A', 1}, {'B', 10, 1, 0}}, nullptr, 1, "B"},
        SequenceCase{"wlc_same_servers", "wlc", {{'A', 1}, {'B', 10, 1, 0}}, nullptr, 1, "A"},
        SequenceCase{"nq_idle_first", "nq", {{'A', 10, 1, 0}, {'B', 1}, {'C', 1}}, nullptr, 1, "B"},
        SequenceCase{"nq_else_sed", "nq", {{'A', 1, 1, 0}, {'B', 10, 1, 0}}, nullptr, 1, "B"},
        // sed/nq's activeconns + 1 is a C int (ip_vs_sed_dest_overhead returns int
        // since the (__s64) casts went in): INT_MAX active connections wrap to
        // INT_MIN, and 1 * 1 > INT_MIN * 1 makes B the lightest.
        SequenceCase{"sed_delay_wraps_negative", "sed", {{'A', 1}, {'B', 1, kIntMax, 0}}, nullptr, 1, "B"},
        // sed's second stage skips only overloaded servers: quiesced B has
        // loh * 0 = 0 > INT_MIN * 1, so the kernel picks it.
        SequenceCase{"sed_wrapped_quiesced_wins", "sed", {{'A', 1, 5, 0}, {'B', 0, kIntMax, 0}}, nullptr, 1, "B"},
        // nq: A is not idle and becomes `least` with INT_MIN; B's 4 * 1 is not below INT_MIN * 1.
        SequenceCase{"nq_delay_wraps_negative", "nq", {{'A', 1, kIntMax, 0}, {'B', 1, 3, 0}}, nullptr, 1, "A"},
        // An idle server is still returned at once, whatever came before it.
        SequenceCase{"nq_idle_beats_wrapped", "nq", {{'A', 1, kIntMax, 0}, {'B', 1}}, nullptr, 1, "B"},
        // nq skips weight 0 servers in its single scan, wrapped or not.
        SequenceCase{"nq_wrapped_quiesced_skipped", "nq", {{'A', 1, 5, 0}, {'B', 0, kIntMax, 0}}, nullptr, 1, "A"},
        SequenceCase{"fo_first_heaviest", "fo", {{'A', 5}, {'B', 10}, {'C', 10}}, nullptr, 2, "BB"},
        SequenceCase{"fo_fails_over", "fo", {{'A', 5}, {'B', 10}, {'C', 10}}, kOverload('B'), 1, "C"},
        SequenceCase{"ovf_skips_overflowed", "ovf", {{'A', 2, 2, 0}, {'B', 5, 6, 0}, {'C', 1}}, nullptr, 1, "A"},
        SequenceCase{"ovf_overflows", "ovf", {{'A', 2, 3, 0}, {'B', 5, 6, 0}, {'C', 1}}, nullptr, 1, "C"}),
    sequence_label);

TEST(RoundRobin, DeletingTheLastPickResumesAfterItsPredecessor) {
  // The kernel moves rr's position to the deleted server's predecessor.
  Fixture f("rr", {{'A', 1}, {'B', 1}, {'C', 1}});
  EXPECT_EQ(f.picks(2), "AB");
  f.world().remove(f.server('B'));
  EXPECT_EQ(f.picks(3), "CAC");
}

TEST(WeightedRoundRobin, WeightChangeRestartsFromTheHead) {
  // upd_dest resets wrr to the list head and re-grids the current weight.
  Fixture f("wrr", {{'A', 4}, {'B', 3}, {'C', 2}});
  EXPECT_EQ(f.picks(3), "AAB");
  f.world().set_weight(f.server('C'), 4);  // cw 3 stays (gcd 1, mw 4), from the head
  EXPECT_EQ(f.picks(6), "ABCABC");
}

TEST(WeightedRoundRobin, GrowingServiceKeepsItsCurrentWeight) {
  // Adding servers one by one leaves cw at the first server's weight (add_dest
  // only clamps it), so a 4,3,2 service built as C, B, A starts at cw = 2.
  test::SchedWorld world;
  auto wrr = make_scheduler("wrr", nullptr);
  world.attach(wrr.get());
  world.add(addr_of('C'), 80, 2);
  world.add(addr_of('B'), 80, 3);
  world.add(addr_of('A'), 80, 4);
  std::string got;
  for (int i = 0; i < 12; ++i) got += name_of(world.schedule());
  EXPECT_EQ(got, "ABCAABABCABC");
}

TEST(WeightedRoundRobin, NewServerJoinsAtTheFront) {
  // A server added later goes to the list head and is tried first.
  Fixture f("wrr", {{'A', 1}, {'B', 1}});
  EXPECT_EQ(f.picks(2), "AB");
  f.world().add(addr_of('Z'), 80, 1);
  EXPECT_EQ(f.picks(3), "ZAB");
}

SchedPacket to_daddr(Ip4 daddr) {
  SchedPacket p;
  p.daddr = daddr;
  return p;
}

TEST(DestinationHashing, BucketsFollowHash32RoundRobin) {
  // dh maps hash_32(daddr, 8) to the list entry bucket % n.
  Fixture f("dh", {{'A', 1}, {'B', 1}, {'C', 1}});
  const std::vector<std::pair<Ip4, char>> table = {{0x0b000001, 'C'}, {0x0b000002, 'B'}, {0x0b000003, 'C'},
                                                   {0x0b000004, 'B'}, {0x0b000005, 'C'}, {0x0b000006, 'A'}};
  for (const auto& [daddr, want] : table) EXPECT_EQ(f.picks(1, to_daddr(daddr)), std::string(1, want));
  f.world().set_weight(f.server('C'), 0);  // quiesced owner: no fallback in dh
  EXPECT_EQ(f.picks(1, to_daddr(0x0b000001)), "-");
}

SchedPacket from(Ip4 saddr, std::uint16_t sport = 0) {
  SchedPacket p;
  p.saddr = saddr;
  p.sport = sport;
  return p;
}

TEST(SourceHashing, WeightTilesTheTable) {
  // sh gives A (weight 3) three buckets for every one of B (weight 1).
  Fixture f("sh", {{'A', 3}, {'B', 1}});
  const std::string want = "AABABABA";  // buckets 192,34,131,229,71,169,11,108 mod 4
  std::string got;
  for (Ip4 s = 0xc0a80001; s <= 0xc0a80008; ++s) got += f.picks(1, from(s));
  EXPECT_EQ(got, want);
}

struct FlagCase {
  std::uint32_t flags;
  std::string expected;  // picks for saddr .01 with sports 1000..1003 after quiescing B
};

class SourceHashingFlags : public ::testing::TestWithParam<FlagCase> {};

TEST_P(SourceHashingFlags, PortAndFallback) {
  // sh-port hashes the source port too; sh-fallback replaces an unusable owner.
  Fixture f("sh", {{'A', 3}, {'B', 1}}, GetParam().flags);
  f.world().set_weight(f.server('B'), 0);  // B keeps its bucket, but is unusable
  std::string got;
  for (std::uint16_t port = 1000; port <= 1003; ++port) got += f.picks(1, from(0xc0a80003, port));
  for (std::uint16_t port = 1000; port <= 1003; ++port) got += f.picks(1, from(0xc0a80001, port));
  EXPECT_EQ(got, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Kernel, SourceHashingFlags,
                         ::testing::Values(FlagCase{0, "----AAAA"},                 // .03 owned by B
                                           FlagCase{kSvcSched1, "AAAAAAAA"},        // fallback to A
                                           FlagCase{kSvcSched2, "-AAA-A-A"},        // these ports hash to B's bucket
                                           FlagCase{kSvcSched1 | kSvcSched2, "AAAAAAAA"}));

TEST(MaglevHashing, SharesFollowWeightsAndSurviveRemoval) {
  // mh spreads sources by weight, and removing a server moves only its own sources.
  Fixture f("mh", {{'A', 1}, {'B', 1}, {'C', 2}});
  std::map<std::string, int> share;
  std::vector<std::string> before;
  for (Ip4 s = 0; s < 20000; ++s) {
    before.push_back(f.picks(1, from(0xc0000000u + s * 7919u)));
    ++share[before.back()];
  }
  EXPECT_NEAR(share["A"], 5000, 600);
  EXPECT_NEAR(share["B"], 5000, 600);
  EXPECT_NEAR(share["C"], 10000, 600);
  f.world().remove(f.server('B'));
  int moved = 0;
  for (Ip4 s = 0; s < 20000; ++s) {
    const std::string now = f.picks(1, from(0xc0000000u + s * 7919u));
    EXPECT_NE(now, "B");
    moved += before[s] != "B" && now != before[s];
  }
  EXPECT_LT(moved, 1000);  // Maglev's minimal disruption
}

TEST(MaglevHashing, FallbackOnlyWhenAsked) {
  // Without mh-fallback a quiesced owner yields no server; with it another one is found.
  for (const std::uint32_t flags : {0u, static_cast<std::uint32_t>(kSvcSched1)}) {
    Fixture f("mh", {{'A', 1}, {'B', 1}}, flags);
    f.world().set_weight(f.server('A'), 0);  // keeps its slots (last_weight), unusable
    int none = 0, b = 0;
    for (Ip4 s = 0; s < 2000; ++s) {
      const std::string p = f.picks(1, from(0xc0000000u + s * 104729u));
      none += p == "-";
      b += p == "B";
    }
    EXPECT_EQ(none + b, 2000);
    if (flags == 0) {
      EXPECT_GT(none, 600) << "A's sources get no server";
    } else {
      EXPECT_EQ(none, 0);
    }
  }
}

// mh and its reference, both attached to a world (whose picks must then agree).
struct MhPair {
  std::unique_ptr<Scheduler> fast = make_scheduler("mh", nullptr);
  std::unique_ptr<Scheduler> ref = ref::make_reference("mh", nullptr);
  explicit MhPair(test::SchedWorld& world) {
    world.attach(fast.get());
    world.attach(ref.get());
  }
};

TEST(MaglevHashing, PastTheTableSizeAStaleEntryStillServes) {
  // ip_vs_mh_reassign() refuses more servers than the 4093 table entries and
  // keeps the old table, whose entries hold their dests: a server deleted
  // then is still returned for its sources (is_unavailable() looks only at
  // weight and the overload flag, not at IP_VS_DEST_F_AVAILABLE).
  test::SchedWorld world;
  std::vector<RealServer*> servers;
  for (std::uint32_t i = 0; i < 4093; ++i) servers.push_back(&world.add(0x0a100000u + i, 80, 1));
  const MhPair mh(world);  // a full table over 4093 servers
  RealServer* victim = servers[0];
  SchedPacket p;
  for (Ip4 s = 0xc0000000u; world.schedule(p) != victim; ++s) p.saddr = s;
  world.add(0x0a200001u, 80, 1);  // 4094 servers: the table stays as it was
  world.add(0x0a200002u, 80, 1);  // 4095
  world.remove(*victim);          // 4094, still too many: still as it was
  EXPECT_FALSE(victim->available());
  const std::vector<RealServer*> want = {victim, victim};  // fast and reference
  EXPECT_EQ(world.schedule_all(p, Time{0}), want);
  world.svc().cfg.flags |= kSvcSched1;  // mh-fallback: the stale owner is usable, no probing
  EXPECT_EQ(world.schedule_all(p, Time{0}), want);
}

// The picks for `n` source addresses as letters; every attached scheduler must agree.
std::string mh_picks(test::SchedWorld& world, int n) {
  std::string out;
  for (Ip4 s = 0; s < static_cast<Ip4>(n); ++s) {
    const auto picks = world.schedule_all(from(0xc0000000u + s * 7919u), Time{0});
    for (RealServer* d : picks) EXPECT_EQ(d, picks.front()) << "source " << s;
    out += name_of(picks.front());
  }
  return out;
}

TEST(MaglevHashing, BoundAfterQuiescingBuildsFromTheLastWeight) {
  // ip_vs_mh_init_svc() weighs each server by last_weight: mh bound (ipvsadm
  // -E) after A was set to weight 0 builds the table A had before, so A's
  // sources find no server (no mh-fallback), as when A is quiesced under mh.
  // (The sequence is the reference transliteration's, for A and B at 1 : 1.)
  const std::string kernel = "B-B--BB-BBBB--BBB---BBBB";
  test::SchedWorld bound_late;
  bound_late.add(addr_of('B'), 80, 1);
  bound_late.set_weight(bound_late.add(addr_of('A'), 80, 1), 0);
  const MhPair late(bound_late);
  EXPECT_EQ(mh_picks(bound_late, 24), kernel);

  test::SchedWorld bound_first;
  bound_first.add(addr_of('B'), 80, 1);
  RealServer& a = bound_first.add(addr_of('A'), 80, 1);
  auto first = make_scheduler("mh", nullptr);
  bound_first.attach(first.get());
  bound_first.set_weight(a, 0);
  EXPECT_EQ(mh_picks(bound_first, 24), kernel);
}

TEST(MaglevHashing, LastWeightSetsTheShiftOfEveryServer) {
  // gcd and rshift come from last_weight too: A, quiesced from 100, keeps
  // 100 >> 1 = 50 turns to B's 1, so nearly every source is A's and finds no server.
  test::SchedWorld world;
  world.add(addr_of('B'), 80, 1);
  world.set_weight(world.add(addr_of('A'), 80, 100), 0);
  const MhPair mh(world);
  EXPECT_EQ(mh_picks(world, 24), "-----B------------------");
  int b = 0;
  for (Ip4 s = 0; s < 5000; ++s) b += world.schedule(from(0xd0000000u + s)) != nullptr;
  EXPECT_NEAR(b, 5000 / 51, 40);
}

TEST(MaglevHashing, ReaddedAtWeightZeroClaimsNothing) {
  // Adding sets last_weight even to 0, also for a server back from the trash:
  // A, re-added at weight 0 after weight 2, has no table entries, so every source is B's.
  test::SchedWorld world;
  world.add(addr_of('B'), 80, 1);
  RealServer& a = world.add(addr_of('A'), 80, 2);
  const MhPair mh(world);
  world.remove(a);
  EXPECT_EQ(&world.add(addr_of('A'), 80, 0), &a);
  EXPECT_EQ(a.last_weight, 0);
  EXPECT_EQ(mh_picks(world, 24), "BBBBBBBBBBBBBBBBBBBBBBBB");
}

struct TimerCase {
  std::string sched;
  int bound_s;  // when the scheduler is bound
  int probe_s;  // when the entry made at 1000 s is looked up again
  std::string expected;
};

class LocalityTimerPhase : public ::testing::TestWithParam<TimerCase> {};

TEST_P(LocalityTimerPhase, FullPassesCountFromTheBinding) {
  // init_svc arms the 60 s check timer at the binding, so the full pass that
  // drops an entry idle for 24 h runs every 30th tick from there, not from
  // the first pick: the entry made at 1000 s is dropped by the first pass at
  // or after 87400 s, and the destination then goes to the lighter B.
  const TimerCase& c = GetParam();
  test::SchedWorld world;
  world.add(addr_of('B'), 80, 1);
  RealServer& a = world.add(addr_of('A'), 80, 1);  // the list's head
  auto sched = make_scheduler(c.sched, nullptr);
  auto ref = ref::make_reference(c.sched, nullptr);
  world.attach(sched.get(), std::chrono::seconds(c.bound_s));
  world.attach(ref.get(), std::chrono::seconds(c.bound_s));
  const SchedPacket p = to_daddr(0x0b000001);
  EXPECT_EQ(name_of(world.schedule(p, std::chrono::seconds(1000))), "A");
  world.set_counts(a, 1, 0);  // heavier than B, not overloaded (1 active, weight 1)
  const auto picks = world.schedule_all(p, std::chrono::seconds(c.probe_s));
  EXPECT_EQ(name_of(picks[0]), c.expected);
  EXPECT_EQ(name_of(picks[1]), c.expected) << "reference";
}

std::string timer_label(const ::testing::TestParamInfo<TimerCase>& p) {
  return p.param.sched + "_bound" + std::to_string(p.param.bound_s) + "_probe" + std::to_string(p.param.probe_s);
}

INSTANTIATE_TEST_SUITE_P(
    Kernel, LocalityTimerPhase,
    ::testing::Values(TimerCase{"lblc", 0, 88199, "A"},     // passes at k * 1800 s: the 49th at 88200
                      TimerCase{"lblc", 0, 88200, "B"},
                      TimerCase{"lblc", 700, 88899, "A"},   // 700 + k * 1800 s: 88900
                      TimerCase{"lblc", 700, 88900, "B"},
                      TimerCase{"lblc", 1000, 87400, "B"},  // bound at the first pick: 87400
                      TimerCase{"lblcr", 0, 88199, "A"},
                      TimerCase{"lblcr", 0, 88200, "B"},
                      TimerCase{"lblcr", 700, 88899, "A"},
                      TimerCase{"lblcr", 700, 88900, "B"}),
    timer_label);

TEST(LocalityLeastConn, StickyUntilOverloaded) {
  // lblc keeps a destination on its server until that one has more active
  // connections than weight while another server is below half its weight.
  Fixture f("lblc", {{'A', 2}, {'B', 4, 0, 1}});
  const SchedPacket p = to_daddr(0x0b000001);
  EXPECT_EQ(f.picks(1, p), "A");
  f.world().set_counts(f.server('A'), 3, 0);  // A over weight, B (0 active) below half
  f.world().set_counts(f.server('B'), 1, 1);
  EXPECT_EQ(f.picks(1, p), "B");
  f.world().set_counts(f.server('A'), 0, 0);
  EXPECT_EQ(f.picks(1, p), "B") << "the entry now points at B";
}

TEST(LocalityLeastConn, EntriesExpireAfterADayIdle) {
  // The full GC pass (every 30 min) drops entries idle for 24 h, so wlc chooses afresh.
  Fixture f("lblc", {{'A', 1}, {'B', 1, 0, 1}});
  const SchedPacket p = to_daddr(0x0b000001);
  EXPECT_EQ(f.picks(1, p, Time{0}), "A");
  f.world().set_counts(f.server('A'), 0, 5);  // A now heavier than B
  EXPECT_EQ(f.picks(1, p, std::chrono::hours(23)), "A");
  EXPECT_EQ(f.picks(1, p, std::chrono::hours(48)), "B");
}

TEST(LocalityLeastConnReplicated, SetGrowsAndServesItsLeastLoaded) {
  // lblcr adds a server to the destination's set when the set's best is overloaded.
  Fixture f("lblcr", {{'A', 2}, {'B', 4, 0, 1}, {'C', 4, 0, 2}});
  const SchedPacket p = to_daddr(0x0b000001);
  EXPECT_EQ(f.picks(1, p), "A");
  f.world().set_counts(f.server('A'), 3, 0);
  EXPECT_EQ(f.picks(1, p), "B");  // set {B, A}
  f.world().set_counts(f.server('B'), 1, 0);
  f.world().set_counts(f.server('A'), 0, 0);
  EXPECT_EQ(f.picks(1, p), "A");  // A lighter than B within the set; C never joined
}

TEST(LocalityLeastConnReplicated, ExpiryWeighsADeletedMemberByItsLiveLoad) {
  // A deleted server stays in a set (the kernel's trashed dest) and
  // ip_vs_dest_set_max() reads its counters as its connections end, not as
  // they were when it left.
  Fixture f("lblcr", {{'A', 1}, {'B', 1}, {'C', 1, 0, 5}});
  const SchedPacket p = to_daddr(0x0b000001);
  using std::chrono::hours;
  using std::chrono::seconds;
  EXPECT_EQ(f.picks(1, p, seconds(0)), "A");  // wlc: A (0) before B (0) and C (5)
  RealServer& a = f.server('A');
  f.world().set_counts(a, 2, 0);  // 2 > weight 1 while C has 0 * 2 < 1: overloaded
  EXPECT_EQ(f.picks(1, p, seconds(1)), "B");  // wlc adds B: set {B, A}, lastmod 1 s
  f.world().set_counts(a, 10, 0);
  f.world().remove(a);
  f.world().set_counts(a, 0, 0);  // A's connections end after it left
  f.world().set_counts(f.server('B'), 1, 0);
  for (int h = 1; h <= 24; ++h) EXPECT_EQ(f.picks(1, p, hours(h)), "B") << h;  // A unavailable
  // 24 h after lastmod: set_max over {B (256/1), A (0/1)} drops B, the
  // heavier now; B still serves this packet (set_min ran first).
  EXPECT_EQ(f.picks(1, p, hours(24) + seconds(2)), "B");
  // Left with {A}, unavailable: wlc over the service gives C (5 < 256).
  EXPECT_EQ(f.picks(1, p, hours(24) + seconds(3)), "C");
}

TEST(TwoChoices, DrawsMapThroughGetRandomU32Below) {
  // twos turns each 32-bit draw into [0, total] with Lemire's method (rejecting draw 0 here).
  std::vector<std::uint32_t> draws = {0u, 858993460u, 2576980378u, 1717986919u, 858993460u};
  std::size_t next = 0;
  Fixture f("twos", {{'A', 1, 1, 0}, {'B', 3, 1, 0}}, 0, [&] { return draws[next++]; });
  // ceil 5: draw 0 is rejected, 858993460 -> 1 (A); 2576980378 -> 3 (B): B is lighter.
  EXPECT_EQ(f.picks(1), "B");
  // 1717986919 -> 2 (B), 858993460 -> 1 (A): choice 2 is not strictly lighter.
  EXPECT_EQ(f.picks(1), "B");
  EXPECT_EQ(next, draws.size());
}

TEST(TwoChoices, WeightSumPastIntMaxWrapsAsInTheKernel) {
  // total_weight and rweight are C ints in ip_vs_twos_schedule(). A and B
  // weigh 0x60000000 each: the sum 0xC0000000 wraps negative, plus 1 gives
  // get_random_u32_below(0xC0000001).
  //   draw 0xF0000000 -> 0xB4000000, as int -1275068416; minus A's weight
  //     wraps to +1409286144 (not <= 0), minus B's gives -201326592: choice 1 is B.
  //   draw 0x80000000 -> 0x60000000; minus A's weight is 0: choice 2 is A.
  // Both idle: 0 > 0 fails, so choice 1 (B) stays.
  std::vector<std::uint32_t> draws = {0xF0000000u, 0x80000000u};
  std::size_t next = 0;
  Fixture f("twos", {{'A', 0x60000000}, {'B', 0x60000000}}, 0, [&] { return draws[next++]; });
  EXPECT_EQ(f.picks(1), "B");
  EXPECT_EQ(next, draws.size());
}

TEST(TwoChoices, WeightSumOfExactlyIntMax) {
  // A sum of INT_MAX makes total_weight + 1 wrap to INT_MIN, i.e. a ceiling of
  // 2^31 for get_random_u32_below: 0xFFFFFFFF -> 0x7FFFFFFF, which only the
  // running sum of A and B reaches: choice 1 is B, choice 2 (draw 0 -> 0) is A.
  // B has one inactive connection: 0x40000000 * 1 > 0x3FFFFFFF * 0, so A.
  std::vector<std::uint32_t> draws = {0xFFFFFFFFu, 0u};
  std::size_t next = 0;
  Fixture f("twos", {{'A', 0x40000000}, {'B', 0x3FFFFFFF, 0, 1}}, 0, [&] { return draws[next++]; });
  EXPECT_EQ(f.picks(1), "A");
}

TEST(Registry, KnowsTheIpvsadmNames) {
  // Every ipvsadm scheduler name builds a scheduler reporting that name; others do not.
  for (std::string_view name : scheduler_names()) {
    auto s = make_scheduler(name, [] { return 1u; });
    ASSERT_NE(s, nullptr) << name;
    EXPECT_EQ(s->name(), name);
  }
  EXPECT_EQ(scheduler_names().size(), 14u);
  EXPECT_EQ(make_scheduler("wlc2", [] { return 1u; }), nullptr);
}

}  // namespace
}  // namespace lvs
