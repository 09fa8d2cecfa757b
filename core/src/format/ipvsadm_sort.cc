// ipvsadm's default ordering (libipvs ipvs_cmp_services / ipvs_cmp_dests fed
// to glibc qsort) and the snapshot helpers that feed the formatters.

#include <chrono>
#include <vector>

#include "lvs/ipvsadm_format.h"

namespace lvs {
namespace {

// libipvs subtracts u32 values and returns the result as int, so the sign
// wraps: 0x0a000001 - 0xc0a80001 is positive and 10.0.0.1 sorts after
// 192.168.0.1. Reproduced without relying on implementation-defined casts.
int wrapped_diff(std::uint32_t a, std::uint32_t b) {
  const std::uint32_t d = a - b;
  return d <= 0x7fffffffu ? static_cast<int>(d) : -static_cast<int>(~d) - 1;
}

int cmp_services(const IpvsServiceEntry& a, const IpvsServiceEntry& b) {
  // Fwmark services come from the kernel with protocol, address and port zero.
  if (int r = wrapped_diff(a.key.fwmark, b.key.fwmark)) return r;
  const bool fa = a.key.is_fwmark();
  const bool fb = b.key.is_fwmark();
  const int pa = fa ? 0 : static_cast<int>(a.key.proto);
  const int pb = fb ? 0 : static_cast<int>(b.key.proto);
  if (int r = pa - pb) return r;
  if (int r = wrapped_diff(fa ? 0 : a.key.addr, fb ? 0 : b.key.addr)) return r;
  return (fa ? 0 : static_cast<int>(a.key.port)) - (fb ? 0 : static_cast<int>(b.key.port));
}

int cmp_dests(const IpvsDestEntry& a, const IpvsDestEntry& b) {
  if (int r = wrapped_diff(a.addr, b.addr)) return r;
  return static_cast<int>(a.port) - static_cast<int>(b.port);
}

// glibc 2.36 qsort is msort_with_tmp: top-down merge sort, left half n/2,
// ties and "<= 0" taken from the left. Matching it step for step keeps the
// output identical even where the wrapped comparator is not transitive.
template <class T, class Cmp>
void glibc_msort(T* b, std::size_t n, std::vector<T>& tmp, Cmp cmp) {
  if (n <= 1) return;
  const std::size_t n1 = n / 2;
  const std::size_t n2 = n - n1;
  glibc_msort(b, n1, tmp, cmp);
  glibc_msort(b + n1, n2, tmp, cmp);
  tmp.clear();
  std::size_t i = 0;
  std::size_t j = n1;
  while (i < n1 && j < n) {
    if (cmp(b[i], b[j]) <= 0) {
      tmp.push_back(b[i++]);
    } else {
      tmp.push_back(b[j++]);
    }
  }
  while (i < n1) tmp.push_back(b[i++]);
  // Whatever is left of the right half is already in place.
  for (std::size_t k = 0; k < tmp.size(); ++k) b[k] = tmp[k];
}

}  // namespace

void sort_like_ipvsadm(std::vector<IpvsServiceEntry>& services) {
  std::vector<IpvsServiceEntry> tmp;
  tmp.reserve(services.size());
  glibc_msort(services.data(), services.size(), tmp, cmp_services);
}

void sort_like_ipvsadm(std::vector<IpvsDestEntry>& dests) {
  std::vector<IpvsDestEntry> tmp;
  tmp.reserve(dests.size());
  glibc_msort(dests.data(), dests.size(), tmp, cmp_dests);
}

std::uint32_t conn_expires_seconds(Duration remaining) {
  if (remaining <= Duration::zero()) return 0;
  return static_cast<std::uint32_t>(std::chrono::duration_cast<seconds>(remaining).count());
}

IpvsDestEntry snapshot_dest(const RealServer& dest) {
  IpvsDestEntry e;
  e.addr = dest.cfg.addr;
  e.port = dest.cfg.port;
  e.fwd = dest.cfg.fwd;
  e.weight = dest.cfg.weight;
  e.u_threshold = dest.cfg.u_threshold;
  e.l_threshold = dest.cfg.l_threshold;
  e.active_conns = static_cast<std::uint32_t>(dest.active_conns);
  e.inactive_conns = static_cast<std::uint32_t>(dest.inactive_conns);
  e.persist_conns = static_cast<std::uint32_t>(dest.persist_conns);
  e.stats = dest.stats.shown();
  e.rates = dest.stats.rates();
  return e;
}

IpvsServiceEntry snapshot_service(const VirtualService& svc) {
  IpvsServiceEntry e;
  e.key = svc.cfg.key;
  e.scheduler = svc.cfg.scheduler;
  e.flags = svc.cfg.flags;
  e.timeout_s = static_cast<std::uint32_t>(
      std::chrono::duration_cast<seconds>(svc.cfg.timeout).count());
  e.netmask = svc.cfg.netmask;
  e.pe_name = svc.cfg.pe_name;
  e.stats = svc.stats.shown();
  e.rates = svc.stats.rates();
  e.dests.reserve(svc.dests.size());
  for (const RealServer* d : svc.dests) e.dests.push_back(snapshot_dest(*d));
  return e;
}

}  // namespace lvs
