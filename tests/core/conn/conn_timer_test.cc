#include <gtest/gtest.h>

#include <map>

#include <vector>

#include "lvs/conn_table.h"

namespace lvs {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

Conn client(std::uint16_t cport) {
  Conn c;
  c.caddr = 0xc6336401;
  c.cport = cport;
  c.vaddr = 0xcb007105;
  c.vport = 80;
  c.daddr = 0x0a000065;
  c.dport = 80;
  return c;
}

// Drives expire() every `step` up to `until`, recording when each id expired.
struct Clock {
  ConnTable& table;
  std::vector<std::pair<ConnId, Time>> fired;
  Time now{0};

  void run_to(Time until, Duration step) {
    while (now < until) {
      now = std::min(now + step, until);
      table.expire(now, [&](ConnId id) {
        fired.emplace_back(id, now);
        table.erase(id);
      });
    }
  }
};

// Expiry fires no earlier than the time asked and at most one 1 ms tick after it.
TEST(ConnTimerTest, ExpiryPrecision) {
  const Time times[] = {milliseconds(1),  microseconds(1500), nanoseconds(2000001),
                        milliseconds(10), seconds(5) + nanoseconds(1), seconds(60)};
  ConnTable t(16);
  std::map<ConnId, Time> want_at;
  for (std::size_t i = 0; i < std::size(times); ++i)
    want_at[t.insert(client(static_cast<std::uint16_t>(i)), times[i])] = times[i];
  Clock clock{t, {}, Time{0}};
  clock.run_to(seconds(61), microseconds(100));
  ASSERT_EQ(clock.fired.size(), std::size(times));
  for (const auto& [id, at] : clock.fired) {
    const Time want = want_at.at(id);
    EXPECT_GE(at, want) << "id " << id;
    EXPECT_LE(at, want + milliseconds(1)) << "id " << id;
  }
  EXPECT_EQ(t.size(), 0u);
}

// Nothing fires while time stands still before the expiry, even with repeated calls.
TEST(ConnTimerTest, NotBeforeItsTime) {
  ConnTable t(4);
  t.insert(client(1), milliseconds(100));
  int calls = 0;
  for (int i = 0; i < 1000; ++i) t.expire(milliseconds(99) + microseconds(999), [&](ConnId) { ++calls; });
  EXPECT_EQ(calls, 0);
  t.expire(milliseconds(100), [&](ConnId id) {
    ++calls;
    t.erase(id);
  });
  EXPECT_EQ(calls, 1);
}

// touch() pushes expiry later (no early fire) and can pull it earlier too.
TEST(ConnTimerTest, TouchMovesExpiry) {
  ConnTable t(4);
  const ConnId later = t.insert(client(1), seconds(2));
  const ConnId earlier = t.insert(client(2), seconds(900));
  t.touch(later, seconds(5));
  t.touch(earlier, seconds(10));  // e.g. an RST: ESTABLISHED -> CLOSE
  EXPECT_EQ(t.expires_at(later), seconds(5));
  EXPECT_EQ(t.expires_at(earlier), seconds(10));
  Clock clock{t, {}, Time{0}};
  clock.run_to(seconds(4), milliseconds(1));
  EXPECT_TRUE(clock.fired.empty());
  clock.run_to(seconds(20), milliseconds(1));
  ASSERT_EQ(clock.fired.size(), 2u);
  EXPECT_EQ(clock.fired[0].first, later);
  EXPECT_EQ(clock.fired[0].second, seconds(5));
  EXPECT_EQ(clock.fired[1].first, earlier);
  EXPECT_EQ(clock.fired[1].second, seconds(10));
}

// A callback that touches instead of erasing keeps the entry until the new time.
TEST(ConnTimerTest, CallbackCanRearm) {
  ConnTable t(4);
  const ConnId id = t.insert(client(1), seconds(1));
  std::vector<Time> seen;
  Time now{0};
  for (; now <= seconds(4); now += milliseconds(1)) {
    t.expire(now, [&](ConnId e) {
      seen.push_back(now);
      if (seen.size() < 3) {
        t.touch(e, now + seconds(1));
      } else {
        t.erase(e);
      }
    });
  }
  EXPECT_EQ(seen, (std::vector<Time>{seconds(1), seconds(2), seconds(3)}));
  EXPECT_FALSE(t.contains(id));
}

// The callback may erase other entries, including ones due in the same slot.
TEST(ConnTimerTest, CallbackErasesOthers) {
  ConnTable t(16);
  Conn tmpl = client(0);
  tmpl.flags = kConnTemplate;
  const ConnId tid = t.insert(tmpl, seconds(1));
  std::vector<ConnId> members;
  for (std::uint16_t p = 1; p <= 5; ++p) {
    ConnExt x;
    x.control = tid;
    members.push_back(t.insert(client(p), seconds(1), x));  // same slot as the template
  }
  const ConnId bystander = t.insert(client(99), seconds(1));
  int calls = 0;
  t.expire(seconds(1), [&](ConnId id) {
    ++calls;
    if (t.ext(id).control == tid || id == tid) {
      // Expiring anything in the group takes the whole group down.
      for (ConnId m : members)
        if (t.contains(m)) t.erase(m);
      if (t.contains(tid)) t.erase(tid);
    } else {
      t.erase(id);
    }
  });
  EXPECT_EQ(calls, 2);  // one group member, and the bystander
  EXPECT_EQ(t.size(), 0u);
  EXPECT_FALSE(t.contains(bystander));
}

// The callback may insert; a new entry due immediately fires on the next tick, not now.
TEST(ConnTimerTest, CallbackCanInsert) {
  ConnTable t(8);
  t.insert(client(1), milliseconds(5));
  ConnId spawned = kNoConn;
  t.expire(milliseconds(5), [&](ConnId id) {
    t.erase(id);
    spawned = t.insert(client(2), milliseconds(5));
  });
  ASSERT_NE(spawned, kNoConn);
  EXPECT_TRUE(t.contains(spawned));
  int calls = 0;
  t.expire(milliseconds(6), [&](ConnId id) {
    ++calls;
    EXPECT_EQ(id, spawned);
    t.erase(id);
  });
  EXPECT_EQ(calls, 1);
}

// Timeouts longer than the 65.536 s wheel period still fire on time.
TEST(ConnTimerTest, TimeoutsLongerThanWheel) {
  const Time times[] = {seconds(65) + milliseconds(536), seconds(65) + milliseconds(537),
                        seconds(900), seconds(3600) + milliseconds(7), seconds(7200) + milliseconds(3)};
  ConnTable t(8);
  std::map<ConnId, Time> want_at;
  for (std::size_t i = 0; i < std::size(times); ++i)
    want_at[t.insert(client(static_cast<std::uint16_t>(i)), times[i])] = times[i];
  ASSERT_EQ(want_at.size(), std::size(times));
  for (const auto& [id, at] : want_at) EXPECT_EQ(t.expires_at(id), at);
  Clock clock{t, {}, Time{0}};
  clock.run_to(seconds(7201), milliseconds(1));
  ASSERT_EQ(clock.fired.size(), std::size(times));
  for (const auto& [id, at] : clock.fired) EXPECT_EQ(at, want_at.at(id)) << id;
}

// Sparse calls (a long idle gap) still fire everything that became due, once.
TEST(ConnTimerTest, LongGapBetweenCalls) {
  ConnTable t(8);
  t.insert(client(1), seconds(3));
  t.insert(client(2), seconds(100));
  t.insert(client(3), seconds(500));
  std::vector<ConnId> fired;
  auto erase = [&](ConnId id) {
    fired.push_back(id);
    t.erase(id);
  };
  t.expire(seconds(200), erase);
  EXPECT_EQ(fired.size(), 2u);
  t.expire(seconds(499), erase);
  EXPECT_EQ(fired.size(), 2u);
  t.expire(seconds(500), erase);
  EXPECT_EQ(fired.size(), 3u);
}

// Expiry is rounded up to whole milliseconds; expires_at reports that time.
TEST(ConnTimerTest, ExpiresAtRoundsUpToTick) {
  ConnTable t(4);
  const ConnId a = t.insert(client(1), microseconds(1500));
  const ConnId b = t.insert(client(2), milliseconds(7));
  EXPECT_EQ(t.expires_at(a), milliseconds(2));
  EXPECT_EQ(t.expires_at(b), milliseconds(7));
}

// Expiry beyond kMaxTimeout from the table's clock is clamped to it, not wrapped.
TEST(ConnTimerTest, LongTimeoutsAreClamped) {
  ConnTable t(4);
  t.expire(seconds(10), [](ConnId) {});
  const ConnId id = t.insert(client(1), seconds(10) + ConnTable::kMaxTimeout * 3);
  EXPECT_LE(t.expires_at(id), seconds(10) + ConnTable::kMaxTimeout + milliseconds(1));
  EXPECT_GE(t.expires_at(id), seconds(10) + ConnTable::kMaxTimeout);
  int calls = 0;
  t.expire(seconds(10) + ConnTable::kMaxTimeout / 2, [&](ConnId) { ++calls; });
  EXPECT_EQ(calls, 0);  // a wrapped expiry would look overdue here
}

// Expiry stays exact across the 32-bit millisecond wrap (~49.7 days).
TEST(ConnTimerTest, WrapsPast32BitTicks) {
  ConnTable t(4);
  const Time base = milliseconds((1ull << 32) - 1000);
  t.expire(base, [](ConnId) {});  // the table's clock catches up first
  const ConnId id = t.insert(client(1), base + seconds(5));
  EXPECT_EQ(t.expires_at(id), base + seconds(5));
  Clock clock{t, {}, base};
  clock.run_to(base + seconds(6), milliseconds(1));
  ASSERT_EQ(clock.fired.size(), 1u);
  EXPECT_EQ(clock.fired[0].second, base + seconds(5));
}

// A callback that neither erases nor re-arms gets offered the entry again next tick.
TEST(ConnTimerTest, UnhandledExpiryRetriesNextTick) {
  ConnTable t(4);
  const ConnId id = t.insert(client(1), milliseconds(10));
  int calls = 0;
  t.expire(milliseconds(10), [&](ConnId) { ++calls; });
  EXPECT_EQ(calls, 1);
  t.expire(milliseconds(11), [&](ConnId e) {
    ++calls;
    t.erase(e);
  });
  EXPECT_EQ(calls, 2);
  EXPECT_FALSE(t.contains(id));
}

}  // namespace
}  // namespace lvs
