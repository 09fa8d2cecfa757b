#pragma once
// The connection table: both directions of every connection, found with one
// index entry each, bounded in size, with expiry driven by the caller's `now`.
//
// Like IPVS's conn_tab, a connection is hashed on the client side of its key
// (proto, client address, client port), so the same index entry serves
// packets from the client (find_in) and from the real server (find_out).
// Persistence templates live in the same table with kConnTemplate set.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "lvs/conn_state.h"
#include "lvs/types.h"

namespace lvs {

using ConnId = std::uint32_t;
constexpr ConnId kNoConn = 0xffffffffu;
constexpr std::uint32_t kNoDest = 0xffffffffu;

enum ConnFlag : std::uint16_t {
  kConnFwdMask = 0x0007,   // ForwardMethod of the connection
  kConnTemplate = 0x0010,  // persistence template (IP_VS_CONN_F_TEMPLATE)
  kConnInactive = 0x0020,  // counted in inactive_conns (IP_VS_CONN_F_INACTIVE)
  kConnOnePacket = 0x0040, // UDP one-packet scheduling
  kConnNoOutput = 0x0080,  // replies bypass the director (DR/TUN)
  kConnMasquerade = 0x0100,  // outbound traffic a real server originated (SNAT)
  kConnSynced = 0x0200,    // installed by connection sync
  kConnNoCport = 0x0400,   // template / FTP-style wildcard client port
};

// One connection, 44 bytes. For a connection from a client:
//   caddr:cport -> vaddr:vport is what the client uses,
//   daddr:dport is the real server it was scheduled to.
// For a persistence template: caddr is the masked client network, cport 0,
// vaddr:vport the service (vaddr = fwmark for firewall-mark services).
// For a masquerade entry (a real server talking out): caddr:cport is the
// outside peer, vaddr:vport the translated source, daddr:dport the real server.
struct Conn {
  Ip4 caddr = 0;
  Ip4 vaddr = 0;
  Ip4 daddr = 0;
  std::uint16_t cport = 0;
  std::uint16_t vport = 0;
  std::uint16_t dport = 0;
  Proto proto = Proto::kTcp;
  std::uint8_t state = 0;   // TcpState, or kUdpStateNormal
  std::uint16_t flags = 0;  // ConnFlag bits
  std::uint32_t dest = kNoDest;     // RealServer::id
  std::uint32_t control = kNoConn;  // the persistence template this connection hangs off
  std::uint32_t aux = 0;            // in_pkts for connections; n_control for templates
  std::uint32_t expires = 0;        // table-private: expiry tick
  std::uint32_t timer_next = 0;     // table-private: timer list / free list link
};

class ConnTable {
 public:
  // Room for `capacity` connections and templates; all memory is allocated here.
  explicit ConnTable(std::size_t capacity);
  ~ConnTable();
  ConnTable(const ConnTable&) = delete;
  ConnTable& operator=(const ConnTable&) = delete;

  // Packet from the client side: saddr:sport is the client, daddr:dport the virtual address.
  ConnId find_in(Proto proto, Ip4 saddr, std::uint16_t sport, Ip4 daddr,
                 std::uint16_t dport) const;
  // Packet from the real-server side: saddr:sport is the real server, daddr:dport the client.
  ConnId find_out(Proto proto, Ip4 saddr, std::uint16_t sport, Ip4 daddr,
                  std::uint16_t dport) const;
  // Bring the index bucket for this client key into cache (batch path).
  void prefetch(Proto proto, Ip4 client, std::uint16_t client_port) const;

  // Copies `conn` in and arms its timer; kNoConn when the table is full.
  ConnId insert(const Conn& conn, Time expires_at);
  void erase(ConnId id);
  // Re-arm the timer: the connection expires at `expires_at` unless touched again.
  void touch(ConnId id, Time expires_at);
  Time expires_at(ConnId id) const;

  Conn& operator[](ConnId id);
  const Conn& operator[](ConnId id) const;

  // Fires every timer due at `now`: calls on_expire(id) for each connection
  // whose expiry time has passed. The callback must either erase(id) or
  // touch(id, later). A connection expires no earlier than its time and at most
  // one tick (1 ms) after it.
  template <class F>
  void expire(Time now, F&& on_expire);

  std::size_t size() const;
  std::size_t capacity() const;
  // Visits every live connection (ipvsadm -c, sync, tests).
  template <class F>
  void for_each(F&& visit) const;
};

}  // namespace lvs
