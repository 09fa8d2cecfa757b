// ipvsadm 1.31's list_all / print_title / print_service_entry, reproduced
// column for column (see ipvsadm.c; widths are the printf widths it uses).

#include <cstdint>
#include <string>
#include <string_view>

#include "format/text_columns.h"
#include "lvs/ipvsadm_format.h"

namespace lvs {
namespace {

using format_detail::put_left;
using format_detail::put_right;

// IP_VS_SVC_F_SCHED1..3 as the "-b" names. sh and mh have names for the
// first two only and print nothing for flag-3, so "sh ()" is possible.
constexpr std::uint32_t kSchedFlagsMask = kSvcSched1 | kSvcSched2 | kSvcSched3;

std::string sched_flags_text(const IpvsServiceEntry& se) {
  struct Names {
    const char* flag1;
    const char* flag2;
    const char* flag3;
  };
  Names n{"flag-1", "flag-2", "flag-3"};
  if (se.scheduler == "sh") n = {"sh-fallback", "sh-port", nullptr};
  if (se.scheduler == "mh") n = {"mh-fallback", "mh-port", nullptr};
  std::string names;
  auto add = [&names](std::uint32_t on, const char* name) {
    if (!on || name == nullptr) return;
    if (!names.empty()) names += ',';
    names += name;
  };
  add(se.flags & kSvcSched1, n.flag1);
  add(se.flags & kSvcSched2, n.flag2);
  add(se.flags & kSvcSched3, n.flag3);
  return names;
}

// fwd_name(); ipvsadm has no name for other codes and glibc prints "(null)".
std::string_view fwd_name(ForwardMethod fwd) {
  switch (fwd) {
    case ForwardMethod::kMasq: return "Masq";
    case ForwardMethod::kLocalNode: return "Local";
    case ForwardMethod::kTunnel: return "Tunnel";
    case ForwardMethod::kDirectRoute: return "Route";
    case ForwardMethod::kBypass: break;
  }
  return "(null)";
}

std::string addr_port(Ip4 addr, std::uint16_t port) {
  return format_ip4(addr) + ":" + std::to_string(port);
}

// protocol_name(): ipvsadm knows TCP, UDP and SCTP and prints "?" otherwise.
std::string_view service_proto_name(Proto p) {
  switch (p) {
    case Proto::kTcp: return "TCP";
    case Proto::kUdp: return "UDP";
    case Proto::kIp:
    case Proto::kIcmp: break;
  }
  return "?";
}

// svc_name: "%-4s %s" of protocol and address (cut to 33 chars), or
// "FWM  %d": the u32 mark goes through a signed conversion.
std::string service_name(const IpvsServiceEntry& se) {
  if (se.key.is_fwmark()) {
    const std::uint32_t mark = se.key.fwmark;
    const std::int64_t shown = mark <= 0x7fffffffu ? std::int64_t{mark}
                                                   : std::int64_t{mark} - (std::int64_t{1} << 32);
    return "FWM  " + std::to_string(shown);
  }
  std::string name;
  put_left(name, service_proto_name(se.key.proto), 4);
  name += ' ' + addr_port(se.key.addr, se.key.port);
  if (name.size() > 33) name.resize(33);
  return name;
}

void put_title(std::string& out, ListView view) {
  auto numeric_title = [&out](const char* const (&cols)[5]) {
    put_left(out, "Prot LocalAddress:Port", 33);
    for (const char* col : cols) {
      out += ' ';
      put_right(out, col, 8);
    }
    out += "\n  -> RemoteAddress:Port\n";
  };
  switch (view) {
    case ListView::kStats:
      numeric_title({"Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"});
      return;
    case ListView::kRate:
      numeric_title({"CPS", "InPPS", "OutPPS", "InBPS", "OutBPS"});
      return;
    case ListView::kThresholds:
      put_left(out, "Prot LocalAddress:Port", 33);
      for (const char* col : {"Uthreshold", "Lthreshold", "ActiveConn", "InActConn"}) {
        out += ' ';
        put_left(out, col, 10);
      }
      out += "\n  -> RemoteAddress:Port\n";
      return;
    case ListView::kPersistentConn:
      put_left(out, "Prot LocalAddress:Port", 33);
      out += ' ';
      put_left(out, "Weight", 9);
      out += ' ';
      put_left(out, "PersistConn", 11);
      out += ' ';
      put_left(out, "ActiveConn", 10);
      out += ' ';
      put_left(out, "InActConn", 10);
      out += "\n  -> RemoteAddress:Port\n";
      return;
    case ListView::kDefault:
      out += "Prot LocalAddress:Port Scheduler Flags\n"
             "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
      return;
  }
}

void put_counters(std::string& out, const StatsCounters& c, bool exact) {
  for (std::uint64_t v : {c.conns, c.inpkts, c.outpkts, c.inbytes, c.outbytes}) {
    out += format_largenum(v, exact);
  }
}

void put_service_line(std::string& out, const IpvsServiceEntry& se, const ListOptions& opt) {
  const std::string name = service_name(se);
  switch (opt.view) {
    case ListView::kStats:
      put_left(out, name, 33);
      put_counters(out, se.stats, opt.exact);
      break;
    case ListView::kRate:
      put_left(out, name, 33);
      for (std::uint64_t v : {se.rates.cps, se.rates.inpps, se.rates.outpps, se.rates.inbps,
                              se.rates.outbps}) {
        out += format_largenum(v, opt.exact);
      }
      break;
    case ListView::kDefault:
    case ListView::kThresholds:
    case ListView::kPersistentConn:
      out += name + " " + se.scheduler;
      if (se.flags & kSchedFlagsMask) out += " (" + sched_flags_text(se) + ")";
      // pe shows only inside the persistent part; ops follows it either way.
      if (se.flags & kSvcPersistent) {
        out += " persistent " + std::to_string(se.timeout_s);
        if (se.netmask != 0xffffffffu) out += " mask " + format_ip4(se.netmask);
        if (!se.pe_name.empty()) out += " pe " + se.pe_name;
      }
      if (se.flags & kSvcOnePacket) out += " ops";
      break;
  }
  out += '\n';
}

// libipvs 1.31 parses a real server's STATS64 nest with its 32-bit parser:
// nla_get_u32 keeps the low half of each u64 (x86-64), bytes excepted.
std::uint64_t low32(std::uint64_t v) { return v & 0xffffffffu; }

StatsCounters dest_counters_as_read(const StatsCounters& c) {
  StatsCounters r = c;
  r.conns = low32(c.conns);
  r.inpkts = low32(c.inpkts);
  r.outpkts = low32(c.outpkts);
  return r;
}

void put_dest_line(std::string& out, const IpvsDestEntry& d, const ListOptions& opt) {
  std::string name = addr_port(d.addr, d.port);
  if (name.size() > 28) name.resize(28);
  out += "  -> ";
  put_left(out, name, 28);
  switch (opt.view) {
    case ListView::kStats:
      put_counters(out, dest_counters_as_read(d.stats), opt.exact);
      break;
    case ListView::kRate:
      // Packet and connection rates use a plain "%8llu", never scaled.
      for (std::uint64_t v : {d.rates.cps, d.rates.inpps, d.rates.outpps}) {
        out += ' ';
        put_right(out, std::to_string(low32(v)), 8);
      }
      out += format_largenum(low32(d.rates.inbps), opt.exact);
      out += format_largenum(low32(d.rates.outbps), opt.exact);
      break;
    case ListView::kThresholds:
      for (std::uint32_t v : {d.u_threshold, d.l_threshold, d.active_conns, d.inactive_conns}) {
        out += ' ';
        put_left(out, std::to_string(v), 10);
      }
      break;
    case ListView::kPersistentConn:
      out += ' ';
      put_left(out, std::to_string(static_cast<std::uint32_t>(d.weight)), 9);
      out += ' ';
      put_left(out, std::to_string(d.persist_conns), 11);
      out += ' ';
      put_left(out, std::to_string(d.active_conns), 10);
      out += ' ';
      put_left(out, std::to_string(d.inactive_conns), 10);
      break;
    case ListView::kDefault:
      out += ' ';
      put_left(out, fwd_name(d.fwd), 7);
      out += ' ';
      put_left(out, std::to_string(d.weight), 6);
      out += ' ';
      put_left(out, std::to_string(d.active_conns), 10);
      out += ' ';
      put_left(out, std::to_string(d.inactive_conns), 10);
      break;
  }
  out += '\n';
}

}  // namespace

std::string format_largenum(std::uint64_t value, bool exact) {
  std::string out;
  if (exact) {
    const std::string digits = std::to_string(value);
    put_right(out, digits, digits.size() <= 8 ? 9 : digits.size() + 1);
    return out;
  }
  struct Scale {
    std::uint64_t below;
    std::uint64_t divisor;
    const char* suffix;
  };
  static constexpr Scale kScales[] = {
      {100000000ULL, 1, ""},                          // < 100 million: as is
      {1000000000ULL, 1000ULL, "K"},                  // < 1 billion
      {100000000000ULL, 1000000ULL, "M"},             // < 100 billion
      {100000000000000ULL, 1000000000ULL, "G"},       // < 100 trillion
  };
  for (const Scale& s : kScales) {
    if (value < s.below) {
      put_right(out, std::to_string(value / s.divisor), s.divisor == 1 ? 9 : 8);
      out += s.suffix;
      return out;
    }
  }
  put_right(out, std::to_string(value / 1000000000000ULL), 8);
  out += 'T';
  return out;
}

std::string format_service_list(const IpvsListing& listing, const ListOptions& options) {
  std::string out = "IP Virtual Server version " + std::to_string((listing.version >> 16) & 0xff) +
                    "." + std::to_string((listing.version >> 8) & 0xff) + "." +
                    std::to_string(listing.version & 0xff) +
                    " (size=" + std::to_string(listing.table_size) + ")\n";
  std::vector<IpvsServiceEntry> services = listing.services;
  if (options.sort) sort_like_ipvsadm(services);
  put_title(out, options.view);
  for (IpvsServiceEntry& se : services) {
    put_service_line(out, se, options);
    if (options.sort) sort_like_ipvsadm(se.dests);
    for (const IpvsDestEntry& d : se.dests) put_dest_line(out, d, options);
  }
  return out;
}

}  // namespace lvs
