#include "lvs-wire-header.h"

#include "ns3/assert.h"

namespace ns3
{

NS_OBJECT_ENSURE_REGISTERED(LvsWireHeader);

TypeId
LvsWireHeader::GetTypeId()
{
    static TypeId tid = TypeId("ns3::LvsWireHeader").SetParent<Header>().SetGroupName("Lvs");
    return tid;
}

LvsWireHeader::LvsWireHeader(TypeId standsFor, const uint8_t* bytes, uint32_t size)
    : m_standsFor(standsFor),
      m_bytes(bytes),
      m_size(size)
{
}

TypeId
LvsWireHeader::GetInstanceTypeId() const
{
    return m_standsFor;
}

uint32_t
LvsWireHeader::GetSerializedSize() const
{
    return m_size;
}

void
LvsWireHeader::Serialize(Buffer::Iterator start) const
{
    start.Write(m_bytes, m_size);
}

uint32_t
LvsWireHeader::Deserialize(Buffer::Iterator /*start*/)
{
    // Only ever added: the receiver removes the real header type it stands for.
    NS_FATAL_ERROR("LvsWireHeader is write-only");
    return 0;
}

void
LvsWireHeader::Print(std::ostream& os) const
{
    os << "wire " << m_size << " bytes";
}

} // namespace ns3
