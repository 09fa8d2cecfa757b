// ipvsadm -L -n -c: list_conn/print_conn, which re-read /proc/net/ip_vs_conn
// and print each entry as
//   "%-3s %-6s %-11s %-18s %-18s %s"  (pro, mm:ss, state, source, virtual, dest)
// plus pe name and data columns under --persistent-conn when the kernel
// line carries them.

#include <string>
#include <string_view>

#include "format/text_columns.h"
#include "lvs/ipvsadm_format.h"

namespace lvs {
namespace {

using format_detail::put_left;
using format_detail::two_digits;

std::string addr_port(Ip4 addr, std::uint16_t port) {
  return format_ip4(addr) + ":" + std::to_string(port);
}

// What sscanf's "%s" takes: the first whitespace-separated word.
std::string_view first_word(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const std::size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  text.remove_prefix(begin);
  return text.substr(0, text.find_first_of(kSpace));
}

void put_conn(std::string& out, const IpvsConnEntry& c, bool persistent_conn) {
  // sprintf("%02d:%02d", minutes, seconds): minutes are not capped at 99.
  const std::string expire = two_digits(c.expires_s / 60) + ":" + two_digits(c.expires_s % 60);
  put_left(out, proto_name(c.proto), 3);
  out += ' ';
  put_left(out, expire, 6);
  out += ' ';
  put_left(out, c.state, 11);
  out += ' ';
  put_left(out, addr_port(c.caddr, c.cport), 18);
  out += ' ';
  put_left(out, addr_port(c.vaddr, c.vport), 18);
  out += ' ';
  const std::string dest = addr_port(c.daddr, c.dport);
  // ipvsadm only gets the two extra fields from sscanf when the kernel printed them.
  const std::string_view pe_name = first_word(c.pe_name);
  const std::string_view pe_data = first_word(c.pe_data);
  if (persistent_conn && !pe_name.empty() && !pe_data.empty()) {
    put_left(out, dest, 16);
    out += ' ';
    put_left(out, pe_name, 18);
    out += ' ';
    out += pe_data;
  } else {
    out += dest;
  }
  out += '\n';
}

}  // namespace

std::string format_conn_list(const IpvsListing& listing, bool persistent_conn) {
  std::string out = "IPVS connection entries\npro expire ";
  put_left(out, "state", 11);
  out += ' ';
  put_left(out, "source", 18);
  out += ' ';
  put_left(out, "virtual", 18);
  out += ' ';
  if (persistent_conn) {
    put_left(out, "destination", 18);
    out += ' ';
    put_left(out, "pe name", 16);
    out += " pe_data\n";
  } else {
    out += "destination\n";
  }
  for (const IpvsConnEntry& c : listing.conns) put_conn(out, c, persistent_conn);
  return out;
}

}  // namespace lvs
