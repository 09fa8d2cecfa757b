// Reference lblc and lblcr: hash buckets of lists with head insertion, the
// periodic GC timer armed 60 s after the binding (start_timers) and run for
// every tick up to `now` (HZ=250 jiffies).

#include <list>
#include <vector>

#include "sched/reference_parts.h"

namespace lvs::ref {
namespace {

constexpr std::int64_t kHz = 250;
constexpr std::int64_t kInterval = 60 * kHz, kTimeout = 6 * 60 * kHz, kExpire = 24 * 60 * 60 * kHz;
constexpr int kBits = 10, kSize = 1 << kBits, kMax = kSize * 16;

std::int64_t jiffies(Time t) { return t.count() / 4'000'000; }

bool is_overloaded(const RealServer* dest, const VirtualService& svc) {
  if (dest->active_conns > dest->weight())
    for (auto* d : svc.dests)
      if (static_cast<std::int32_t>(static_cast<std::uint32_t>(d->active_conns) * 2u) < d->weight())
        return true;  // activeconns*2 in a C int: it wraps
  return false;
}

// The table and its timer; Entry has addr and lastuse.
template <typename Entry>
struct Table {
  std::vector<std::list<Entry>> bucket = std::vector<std::list<Entry>>(kSize);
  int entries = 0, rover = 0, counter = 1;
  bool armed = false;
  std::int64_t expires = 0;

  std::list<Entry>& of(Ip4 a) { return bucket[hash32(a, kBits)]; }
  Entry* get(Ip4 a) {
    for (auto& e : of(a))
      if (e.addr == a) return &e;
    return nullptr;
  }
  void arm(std::int64_t now) {
    if (!armed) armed = true, expires = now + kInterval;
  }
  void tick(std::int64_t now) {
    arm(now);
    while (expires <= now) {
      fire(expires);
      expires += kInterval;
    }
  }
  int sweep(int j, std::int64_t now, std::int64_t age) {
    int n = 0;
    for (auto it = bucket[j].begin(); it != bucket[j].end();) {
      if (now < it->lastuse + age) {
        ++it;
        continue;
      }
      it = bucket[j].erase(it);
      --entries, ++n;
    }
    return n;
  }
  void fire(std::int64_t now) {
    if (counter % 30 == 0) {
      int j = rover;
      for (int i = 0; i < kSize; ++i) j = (j + 1) & (kSize - 1), sweep(j, now, kExpire);
      rover = j;
      counter = 1;
      return;
    }
    if (entries <= kMax) {
      ++counter;
      return;
    }
    int goal = (entries - kMax) * 4 / 3;
    if (goal > kMax / 2) goal = kMax / 2;
    int j = rover;
    for (int i = 0; i < kSize; ++i) {
      j = (j + 1) & (kSize - 1);
      goal -= sweep(j, now, kTimeout);
      if (goal <= 0) break;
    }
    rover = j;
  }
};

struct LblcEntry {
  Ip4 addr;
  RealServer* dest;
  std::int64_t lastuse;
};

class Lblc final : public RefBase {
 public:
  Lblc() : RefBase("lblc") {}
  void start_timers(VirtualService&, Time t) override { tbl_.arm(jiffies(t)); }
  RealServer* schedule(VirtualService& svc, const SchedPacket& p, Time t) override {
    const std::int64_t now = jiffies(t);
    tbl_.tick(now);
    if (LblcEntry* en = tbl_.get(p.daddr)) {
      en->lastuse = now;
      RealServer* d = en->dest;
      if (d->available() && d->weight() > 0 && !is_overloaded(d, svc)) return d;
    }
    RealServer* d = reference_wlc_fallback(svc);
    if (!d) return nullptr;
    if (LblcEntry* en = tbl_.get(p.daddr)) {
      if (en->dest == d) return d;
      tbl_.of(p.daddr).remove_if([&](const LblcEntry& e) { return e.addr == p.daddr; });  // no entries--
    }
    tbl_.of(p.daddr).push_front({p.daddr, d, now});
    ++tbl_.entries;
    return d;
  }

 private:
  Table<LblcEntry> tbl_;
};

struct LblcrEntry {
  Ip4 addr;
  std::list<RealServer*> set;
  std::int64_t lastmod;
  std::int64_t lastuse;
};

RealServer* set_min(const std::list<RealServer*>& set) {
  auto it = set.begin();
  RealServer* least = nullptr;
  for (; it != set.end(); ++it) {
    if ((*it)->overloaded()) continue;
    if ((*it)->weight() > 0 && (*it)->available()) {
      least = *it++;
      break;
    }
  }
  if (!least) return nullptr;
  std::int64_t loh = reference_overhead(least);
  for (; it != set.end(); ++it) {
    RealServer* d = *it;
    if (d->overloaded()) continue;
    const std::int64_t doh = reference_overhead(d);
    if (loh * d->weight() > doh * least->weight() && d->available()) least = d, loh = doh;
  }
  return least;
}

RealServer* set_max(const std::list<RealServer*>& set) {
  auto it = set.begin();
  RealServer* most = nullptr;
  for (; it != set.end(); ++it)
    if ((*it)->weight() > 0) {
      most = *it++;
      break;
    }
  if (!most) return nullptr;
  std::int64_t moh = reference_overhead(most);
  for (; it != set.end(); ++it) {
    RealServer* d = *it;
    const std::int64_t doh = reference_overhead(d);
    if (moh * d->weight() < doh * most->weight() && d->weight() > 0) most = d, moh = doh;
  }
  return most;
}

class Lblcr final : public RefBase {
 public:
  Lblcr() : RefBase("lblcr") {}
  void start_timers(VirtualService&, Time t) override { tbl_.arm(jiffies(t)); }
  RealServer* schedule(VirtualService& svc, const SchedPacket& p, Time t) override {
    const std::int64_t now = jiffies(t);
    tbl_.tick(now);
    if (LblcrEntry* en = tbl_.get(p.daddr)) {
      en->lastuse = now;
      RealServer* d = set_min(en->set);
      if (en->set.size() > 1 && now > en->lastmod + kExpire) {
        if (RealServer* m = set_max(en->set)) {
          for (auto it = en->set.begin(); it != en->set.end(); ++it)
            if (*it == m) {
              en->set.erase(it);
              en->lastmod = now;
              break;
            }
        }
      }
      if (d && !is_overloaded(d, svc)) return d;
      d = reference_wlc_fallback(svc);
      if (!d) return nullptr;
      bool present = false;
      for (auto* m : en->set) present |= m == d;
      if (!present) en->set.push_front(d), en->lastmod = now;
      return d;
    }
    RealServer* d = reference_wlc_fallback(svc);
    if (!d) return nullptr;
    tbl_.of(p.daddr).push_front({p.daddr, {d}, now, now});
    ++tbl_.entries;
    return d;
  }

 private:
  Table<LblcrEntry> tbl_;
};

}  // namespace

std::unique_ptr<Scheduler> make_locality_reference(std::string_view name) {
  if (name == "lblc") return std::make_unique<Lblc>();
  if (name == "lblcr") return std::make_unique<Lblcr>();
  return nullptr;
}

}  // namespace lvs::ref
