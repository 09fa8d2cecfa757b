#ifndef LVS_WIRE_HEADER_H
#define LVS_WIRE_HEADER_H

#include "ns3/header.h"

#include <cstdint>

namespace ns3
{

/**
 * An L4 header carried as the bytes the LVS engine rewrote, verbatim, so the
 * engine's incrementally updated checksum leaves the node unchanged.
 *
 * It stands in for the header it replaces (TcpHeader, UdpHeader): its instance
 * TypeId is that header's, so packet metadata, printing and the receiver's
 * RemoveHeader see the type they expect. It points at bytes it does not own;
 * they must stay valid until Packet::AddHeader returns.
 */
class LvsWireHeader : public Header
{
  public:
    static TypeId GetTypeId();
    LvsWireHeader() = default;
    LvsWireHeader(TypeId standsFor, const uint8_t* bytes, uint32_t size);

    TypeId GetInstanceTypeId() const override;
    uint32_t GetSerializedSize() const override;
    void Serialize(Buffer::Iterator start) const override;
    uint32_t Deserialize(Buffer::Iterator start) override;
    void Print(std::ostream& os) const override;

  private:
    TypeId m_standsFor;
    const uint8_t* m_bytes = nullptr;
    uint32_t m_size = 0;
};

} // namespace ns3

#endif // LVS_WIRE_HEADER_H
