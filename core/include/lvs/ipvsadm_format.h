#pragma once
// `ipvsadm -L -n` listings, byte for byte as ipvsadm 1.31 (Debian 12) prints
// them, from a plain-data snapshot the engine fills in.
//
// Covered: the default view, --stats, --rate, --thresholds, --persistent-conn,
// each with and without --exact, with and without --nosort; and -c (the
// connection entries, optionally with --persistent-conn). Addresses are always
// numeric (-n): name lookups are I/O and have no place in core.

#include <cstdint>
#include <string>
#include <vector>

#include "lvs/service.h"
#include "lvs/stats.h"
#include "lvs/types.h"

namespace lvs {

// One real server line (what ipvsadm gets from IPVS_CMD_GET_DEST).
struct IpvsDestEntry {
  Ip4 addr = 0;
  std::uint16_t port = 0;
  ForwardMethod fwd = ForwardMethod::kMasq;
  std::int32_t weight = 1;
  std::uint32_t u_threshold = 0;
  std::uint32_t l_threshold = 0;
  std::uint32_t active_conns = 0;
  std::uint32_t inactive_conns = 0;
  std::uint32_t persist_conns = 0;
  StatsCounters stats;  // as Stats::shown()
  Rates rates;          // as Stats::rates()
};

// One virtual service and its real servers, in the service's list order.
struct IpvsServiceEntry {
  ServiceKey key;                   // fwmark != 0: listed as "FWM  <mark>"
  std::string scheduler = "wlc";
  std::uint32_t flags = 0;          // ServiceFlag bits
  std::uint32_t timeout_s = 0;      // persistence timeout, printed when kSvcPersistent
  Ip4 netmask = 0xffffffffu;        // printed as "mask a.b.c.d" unless /32
  std::string pe_name;              // "pe <name>" after the mask, when persistent
  StatsCounters stats;
  Rates rates;
  std::vector<IpvsDestEntry> dests;
};

// One line of /proc/net/ip_vs_conn as ipvsadm -c reformats it.
struct IpvsConnEntry {
  Proto proto = Proto::kTcp;   // printed as proto_name(): TCP, UDP, ICMP, IP (fwmark templates)
  std::uint32_t expires_s = 0; // seconds left, see conn_expires_seconds()
  std::string state;           // kernel state name: "ESTABLISHED", "UDP", templates "NONE"/"ASSURED", ...
  Ip4 caddr = 0;
  std::uint16_t cport = 0;
  Ip4 vaddr = 0;               // the fwmark itself for fwmark templates, as the kernel stores it
  std::uint16_t vport = 0;
  Ip4 daddr = 0;
  std::uint16_t dport = 0;
  std::string pe_name;         // persistence engine name and data ("sip", call id); usually empty
  std::string pe_data;
};

struct IpvsListing {
  std::uint32_t version = 0x010201;  // IP_VS_VERSION_CODE: "1.2.1"
  std::uint32_t table_size = 4096;   // connection hash table size (ip_vs_conn_tab_size)
  std::vector<IpvsServiceEntry> services;  // in kernel dump order
  std::vector<IpvsConnEntry> conns;        // in kernel dump order
};

// Which -L variant. ipvsadm accepts several at once and lets the first of
// stats, rate, thresholds, persistent-conn win; one value models that.
enum class ListView : std::uint8_t {
  kDefault,         // Forward Weight ActiveConn InActConn
  kStats,           // --stats
  kRate,            // --rate
  kThresholds,      // --thresholds
  kPersistentConn,  // --persistent-conn
};

struct ListOptions {
  ListView view = ListView::kDefault;
  bool exact = false;  // --exact: no K/M/G/T scaling
  // ipvsadm sorts services and real servers by default; --nosort keeps the
  // kernel's dump order (the snapshot order).
  bool sort = true;
};

// ipvsadm -L -n [--stats|--rate|--thresholds|--persistent-conn] [--exact] [--nosort]
std::string format_service_list(const IpvsListing& listing, const ListOptions& options = {});

// ipvsadm -L -n -c [--persistent-conn]
std::string format_conn_list(const IpvsListing& listing, bool persistent_conn = false);

// ipvsadm's print_largenum: a 9-column right-aligned number; above 10^8 it is
// cut to thousands/millions/billions/trillions with K/M/G/T unless `exact`.
std::string format_largenum(std::uint64_t value, bool exact);

// The order ipvsadm's qsort leaves entries in, with its comparators'
// wrap-around int subtraction (10.x sorts after 192.x) and glibc's merge sort.
void sort_like_ipvsadm(std::vector<IpvsServiceEntry>& services);
void sort_like_ipvsadm(std::vector<IpvsDestEntry>& dests);

// The Expires column of /proc/net/ip_vs_conn: whole seconds left, 0 when overdue.
std::uint32_t conn_expires_seconds(Duration remaining);

// Snapshot of a live service: configuration, counts, shown stats and rates,
// real servers in list order.
IpvsServiceEntry snapshot_service(const VirtualService& svc);
IpvsDestEntry snapshot_dest(const RealServer& dest);

}  // namespace lvs
