// Reference rr, wrr, lc, wlc, sed, nq, fo, ovf, twos.

#include <algorithm>
#include <numeric>

#include "sched/reference_parts.h"

namespace lvs::ref {
namespace {

int index_of(const VirtualService& svc, const RealServer* d) {
  for (std::size_t i = 0; i < svc.dests.size(); ++i)
    if (svc.dests[i] == d) return static_cast<int>(i);
  return -1;
}

std::int64_t overhead(const RealServer* d) {
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(d->active_conns) << 8) +
                                   static_cast<std::uint32_t>(d->inactive_conns));
}

class Rr final : public RefBase {
 public:
  Rr() : RefBase("rr") {}
  void init_service(VirtualService& svc) override { before_ = svc.dests, cl_ = nullptr; }
  void add_dest(VirtualService& svc, RealServer&) override { before_ = svc.dests; }
  void upd_dest(VirtualService& svc, RealServer&) override { before_ = svc.dests; }
  void del_dest(VirtualService& svc, RealServer& d) override {
    if (cl_ == &d) {
      const auto it = std::find(before_.begin(), before_.end(), &d);
      cl_ = it == before_.begin() ? nullptr : *(it - 1);
    }
    before_ = svc.dests;
  }
  RealServer* schedule(VirtualService& svc, const SchedPacket&, Time) override {
    const int last = index_of(svc, cl_);
    const int n = static_cast<int>(svc.dests.size());
    for (int pass = 0, pos = last; pass < 2; ++pass, pos = -1) {
      for (int i = pos + 1; i < n; ++i) {
        RealServer* d = svc.dests[i];
        if (!d->overloaded() && d->weight() > 0) return cl_ = d;
        if (i == last) return nullptr;
      }
      if (last == -1) break;
    }
    return nullptr;
  }

 private:
  std::vector<RealServer*> before_;
  RealServer* cl_ = nullptr;
};

class Wrr final : public RefBase {
 public:
  Wrr() : RefBase("wrr") {}
  void init_service(VirtualService& svc) override {
    cl_ = nullptr;
    di_ = gcd(svc);
    mw_ = maxw(svc) - (di_ - 1);
    cw_ = mw_;
  }
  void add_dest(VirtualService& svc, RealServer&) override { changed(svc); }
  void del_dest(VirtualService& svc, RealServer&) override { changed(svc); }
  void upd_dest(VirtualService& svc, RealServer&) override { changed(svc); }
  RealServer* schedule(VirtualService& svc, const SchedPacket&, Time) override {
    if (mw_ == 0) return nullptr;
    const int last = index_of(svc, cl_);
    const int n = static_cast<int>(svc.dests.size());
    int pos = last, stop = -2;
    bool last_pass = false, restarted = false;
    for (;;) {
      for (int i = pos + 1; i < n; ++i) {
        RealServer* d = svc.dests[i];
        if (!d->overloaded() && d->weight() >= cw_) return cl_ = d;
        if (i == stop) {
          cl_ = d;
          return nullptr;
        }
      }
      pos = -1;
      cw_ -= di_;
      if (cw_ <= 0) {
        cw_ = mw_;
        if (last_pass || last == -1) {
          cl_ = nullptr;
          return nullptr;
        }
        restarted = true;
      }
      last_pass = cw_ <= di_;
      if (last_pass && restarted && last != -1) stop = last;
    }
  }

 private:
  static int gcd(const VirtualService& svc) {
    int g = 0;
    for (auto* d : svc.dests)
      if (d->weight() > 0) g = g > 0 ? std::gcd(d->weight(), g) : d->weight();
    return g ? g : 1;
  }
  static int maxw(const VirtualService& svc) {
    int w = 0;
    for (auto* d : svc.dests) w = std::max(w, d->weight());
    return w;
  }
  void changed(const VirtualService& svc) {
    cl_ = nullptr;
    di_ = gcd(svc);
    mw_ = maxw(svc) - (di_ - 1);
    if (cw_ > mw_ || !cw_)
      cw_ = mw_;
    else if (di_ > 1)
      cw_ = (cw_ / di_) * di_ + 1;
  }
  RealServer* cl_ = nullptr;
  int cw_ = 0, mw_ = 0, di_ = 1;
};

class Lc final : public RefBase {
 public:
  Lc() : RefBase("lc") {}
  RealServer* schedule(VirtualService& svc, const SchedPacket&, Time) override {
    RealServer* least = nullptr;
    std::uint32_t loh = 0;
    for (auto* d : svc.dests) {
      if (d->overloaded() || d->weight() == 0) continue;
      const auto doh = static_cast<std::uint32_t>(overhead(d));
      if (!least || doh < loh) least = d, loh = doh;
    }
    return least;
  }
};

// wlc, sed and the lblc/lblcr fallback share this two-stage scan shape.
RealServer* two_stage_least(const VirtualService& svc, std::int64_t (*cost)(const RealServer*)) {
  std::size_t i = 0;
  RealServer* least = nullptr;
  for (; i < svc.dests.size(); ++i) {
    RealServer* d = svc.dests[i];
    if (!d->overloaded() && d->weight() > 0) {
      least = d;
      break;
    }
  }
  if (!least) return nullptr;
  std::int64_t loh = cost(least);
  for (++i; i < svc.dests.size(); ++i) {
    RealServer* d = svc.dests[i];
    if (d->overloaded()) continue;
    const std::int64_t doh = cost(d);
    if (loh * d->weight() > doh * least->weight()) least = d, loh = doh;
  }
  return least;
}
// ip_vs_sed/nq_dest_overhead(): activeconns + 1 as a C int.
std::int64_t sed_cost(const RealServer* d) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(d->active_conns) + 1u);
}

class Wlc final : public RefBase {
 public:
  Wlc() : RefBase("wlc") {}
  RealServer* schedule(VirtualService& svc, const SchedPacket&, Time) override {
    return two_stage_least(svc, overhead);
  }
};

class Sed final : public RefBase {
 public:
  Sed() : RefBase("sed") {}
  RealServer* schedule(VirtualService& svc, const SchedPacket&, Time) override {
    return two_stage_least(svc, sed_cost);
  }
};

class Nq final : public RefBase {
 public:
  Nq() : RefBase("nq") {}
  RealServer* schedule(VirtualService& svc, const SchedPacket&, Time) override {
    RealServer* least = nullptr;
    std::int64_t loh = 0;
    for (auto* d : svc.dests) {
      if (d->overloaded() || d->weight() == 0) continue;
      const std::int64_t doh = sed_cost(d);
      if (d->active_conns == 0) return d;
      if (!least || loh * d->weight() > doh * least->weight()) least = d, loh = doh;
    }
    return least;
  }
};

class Fo final : public RefBase {
 public:
  Fo() : RefBase("fo") {}
  RealServer* schedule(VirtualService& svc, const SchedPacket&, Time) override {
    RealServer* h = nullptr;
    int hw = 0;
    for (auto* d : svc.dests)
      if (!d->overloaded() && d->weight() > hw) h = d, hw = d->weight();
    return h;
  }
};

class Ovf final : public RefBase {
 public:
  Ovf() : RefBase("ovf") {}
  RealServer* schedule(VirtualService& svc, const SchedPacket&, Time) override {
    RealServer* h = nullptr;
    int hw = 0;
    for (auto* d : svc.dests) {
      const int w = d->weight();
      if (d->overloaded() || d->active_conns > w || w == 0) continue;
      if (!h || w > hw) h = d, hw = w;
    }
    return h;
  }
};

class Twos final : public RefBase {
 public:
  explicit Twos(RandomSource rng) : RefBase("twos"), rng_(std::move(rng)) {}
  // The kernel's ints wrap (-fno-strict-overflow): sums and differences in u32.
  RealServer* schedule(VirtualService& svc, const SchedPacket&, Time) override {
    const auto wrap = [](std::uint32_t v) { return static_cast<std::int32_t>(v); };
    RealServer *c1 = nullptr, *c2 = nullptr;
    std::int32_t total = 0, w1 = -1, w2 = -1, o1 = 0, o2 = 0;
    for (auto* d : svc.dests)
      if (!d->overloaded() && d->weight() > 0)
        total = wrap(static_cast<std::uint32_t>(total) + static_cast<std::uint32_t>(d->weight())), c1 = d;
    if (!c1) return nullptr;
    total = wrap(static_cast<std::uint32_t>(total) + 1u);
    std::int32_t r1 = wrap(get_random_u32_below(rng_, static_cast<std::uint32_t>(total)));
    std::int32_t r2 = wrap(get_random_u32_below(rng_, static_cast<std::uint32_t>(total)));
    for (auto* d : svc.dests) {
      if (d->overloaded() || d->weight() <= 0) continue;
      r1 = wrap(static_cast<std::uint32_t>(r1) - static_cast<std::uint32_t>(d->weight()));
      r2 = wrap(static_cast<std::uint32_t>(r2) - static_cast<std::uint32_t>(d->weight()));
      if (r1 <= 0 && w1 == -1) c1 = d, w1 = d->weight(), o1 = static_cast<int>(overhead(d));
      if (r2 <= 0 && w2 == -1) c2 = d, w2 = d->weight(), o2 = static_cast<int>(overhead(d));
      if (w1 != -1 && w2 != -1) break;
    }
    const auto mul = [](int a, int b) {
      return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) * static_cast<std::uint32_t>(b));
    };
    if (c2 && mul(w2, o1) > mul(w1, o2)) c1 = c2;
    return c1;
  }

 private:
  RandomSource rng_;
};

}  // namespace

std::unique_ptr<Scheduler> make_simple_reference(std::string_view name, RandomSource rng) {
  if (name == "rr") return std::make_unique<Rr>();
  if (name == "wrr") return std::make_unique<Wrr>();
  if (name == "lc") return std::make_unique<Lc>();
  if (name == "wlc") return std::make_unique<Wlc>();
  if (name == "sed") return std::make_unique<Sed>();
  if (name == "nq") return std::make_unique<Nq>();
  if (name == "fo") return std::make_unique<Fo>();
  if (name == "ovf") return std::make_unique<Ovf>();
  if (name == "twos") return std::make_unique<Twos>(std::move(rng));
  return nullptr;
}

RealServer* reference_wlc_fallback(const VirtualService& svc) { return two_stage_least(svc, overhead); }
std::int64_t reference_overhead(const RealServer* d) { return overhead(d); }

}  // namespace lvs::ref
