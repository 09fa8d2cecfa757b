#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "lvs/conn_table.h"

namespace lvs {
namespace {

using std::chrono::nanoseconds;
using Key = std::tuple<Proto, Ip4, std::uint16_t, Ip4, std::uint16_t>;  // find_in key

struct KeyHash {
  std::size_t operator()(const Key& k) const {
    return std::hash<std::uint64_t>()((std::uint64_t{std::get<1>(k)} << 32) ^
                                      (std::uint64_t{std::get<2>(k)} << 16) ^
                                      (std::uint64_t{std::get<3>(k)} * 0x9e3779b97f4a7c15ull) ^
                                      std::get<4>(k) ^ static_cast<unsigned>(std::get<0>(k)));
  }
};

struct ModelEntry {
  ConnId id;
  Conn conn;
  Time expires;
};

// How many client ends (address x port) and virtual services the random
// connections are drawn from.
struct KeySpace {
  const char* name;
  std::uint64_t caddrs, cports, vaddrs, vports;
  bool spills;  // few client ends for many services: entries must spill
};

class ConnTableModelTest : public ::testing::TestWithParam<KeySpace> {};

// 200,000 random inserts, lookups, erases, touches and expiries agree with a
// std::unordered_map model, including which entries expire and when.
TEST_P(ConnTableModelTest, AgreesWithUnorderedMap) {
  const KeySpace ks = GetParam();
  constexpr std::size_t kCap = 500;
  ConnTable table(kCap);
  std::size_t max_spilled = 0;
  std::unordered_map<Key, ModelEntry, KeyHash> model;
  std::mt19937_64 rng(12345);
  auto pick = [&](std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng); };
  // A small key space so inserts collide with live keys and keys share client sides.
  auto random_conn = [&]() {
    Conn c;
    c.proto = pick(4) == 0 ? Proto::kUdp : Proto::kTcp;
    c.caddr = 0x0a000000 + static_cast<Ip4>(pick(ks.caddrs));
    c.cport = static_cast<std::uint16_t>(pick(ks.cports));
    c.vaddr = 0xcb007100 + static_cast<Ip4>(pick(ks.vaddrs));
    c.vport = static_cast<std::uint16_t>(80 + pick(ks.vports));
    c.daddr = 0x0a010000 + static_cast<Ip4>(pick(50));
    c.dport = static_cast<std::uint16_t>(8000 + pick(3));
    return c;
  };
  auto key_of = [](const Conn& c) { return Key{c.proto, c.caddr, c.cport, c.vaddr, c.vport}; };
  Time now{0};
  auto random_expiry = [&]() {
    // Mostly short so expiry is exercised; some beyond one wheel turn.
    const std::uint64_t r = pick(100);
    const auto ns = r < 90 ? pick(5'000'000'000) : pick(200'000'000'000);
    return now + nanoseconds(static_cast<std::int64_t>(ns));
  };
  auto ceil_ms = [](Time t) { return milliseconds((t.count() + 999999) / 1000000); };
  std::size_t full_refusals = 0, expired = 0, ambiguous_out = 0;

  for (int op = 0; op < 200000; ++op) {
    const std::uint64_t kind = pick(100);
    if (kind < 35) {  // insert unless present, like the engine does
      const Conn c = random_conn();
      const Key k = key_of(c);
      if (model.count(k)) continue;
      const Time exp = random_expiry();
      const ConnId id = table.insert(c, exp);
      if (model.size() >= kCap) {
        ASSERT_EQ(id, kNoConn);
        ++full_refusals;
        continue;
      }
      ASSERT_NE(id, kNoConn) << "op " << op;
      model[k] = {id, c, exp};
    } else if (kind < 70) {  // lookups from both sides
      const Conn c = random_conn();
      const auto it = model.find(key_of(c));
      const ConnId want = it == model.end() ? kNoConn : it->second.id;
      ASSERT_EQ(table.find_in(c.proto, c.caddr, c.cport, c.vaddr, c.vport), want) << "op " << op;
      if (it != model.end()) {
        // From the real server's side: this connection, or, where several
        // services share the client end and the real server, one of them.
        const Conn& m = it->second.conn;
        const ConnId out = table.find_out(m.proto, m.daddr, m.dport, m.caddr, m.cport);
        ASSERT_NE(out, kNoConn) << "op " << op;
        const Conn& o = table[out];
        ASSERT_TRUE(o.proto == m.proto && o.caddr == m.caddr && o.cport == m.cport &&
                    o.daddr == m.daddr && o.dport == m.dport)
            << "op " << op;
        if (out != want) ++ambiguous_out;
        ASSERT_EQ(table[want].daddr, m.daddr);
      }
    } else if (kind < 80 && !model.empty()) {  // erase a random live entry
      auto it = std::next(model.begin(), static_cast<long>(pick(std::min<std::size_t>(model.size(), 64))));
      table.erase(it->second.id);
      model.erase(it);
    } else if (kind < 92 && !model.empty()) {  // touch, later or earlier
      auto it = std::next(model.begin(), static_cast<long>(pick(std::min<std::size_t>(model.size(), 64))));
      it->second.expires = random_expiry();
      table.touch(it->second.id, it->second.expires);
      ASSERT_EQ(table.expires_at(it->second.id), ceil_ms(it->second.expires));
    } else {  // advance time and expire
      now += nanoseconds(static_cast<std::int64_t>(pick(pick(50) == 0 ? 70'000'000'000 : 20'000'000)));
      std::vector<ConnId> fired;
      table.expire(now, [&](ConnId id) {
        fired.push_back(id);
        table.erase(id);
      });
      std::map<ConnId, Key> due;  // what the model says must go
      for (const auto& [k, e] : model)
        if (ceil_ms(e.expires) <= now) due.emplace(e.id, k);
      ASSERT_EQ(fired.size(), due.size()) << "op " << op;
      for (ConnId id : fired) {
        ASSERT_EQ(due.count(id), 1u) << "op " << op << " id " << id;
        model.erase(due[id]);
      }
      expired += fired.size();
    }
    ASSERT_EQ(table.size(), model.size());
    max_spilled = std::max(max_spilled, table.spilled());
  }
  std::size_t visited = 0;
  table.for_each([&](ConnId id, const Conn& c) {
    ++visited;
    const auto it = model.find(key_of(c));
    ASSERT_NE(it, model.end());
    EXPECT_EQ(it->second.id, id);
  });
  EXPECT_EQ(visited, model.size());
  // The run must have exercised every path, or it proves little.
  EXPECT_GT(full_refusals, 0u);
  EXPECT_GT(expired, 1000u);
  if (ks.spills) {
    EXPECT_GT(max_spilled, 100u);
    EXPECT_GT(ambiguous_out, 0u);
  }
  // Erasing everything leaves no spill count behind.
  std::vector<ConnId> live;
  table.for_each([&](ConnId id, const Conn&) { live.push_back(id); });
  for (ConnId id : live) table.erase(id);
  EXPECT_EQ(table.spilled(), 0u);
  EXPECT_EQ(table.size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(KeySpaces, ConnTableModelTest,
                         ::testing::Values(KeySpace{"many_clients", 300, 20, 3, 2, false},
                                           KeySpace{"few_clients", 3, 2, 10, 100, true}),
                         [](const ::testing::TestParamInfo<KeySpace>& p) { return p.param.name; });

}  // namespace
}  // namespace lvs
