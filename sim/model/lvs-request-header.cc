#include "lvs-request-header.h"

#include <ns3/log.h>

#include <algorithm>

namespace ns3 {

NS_LOG_COMPONENT_DEFINE("LvsRequestHeader");
NS_OBJECT_ENSURE_REGISTERED(LvsRequestHeader);

TypeId
LvsRequestHeader::GetTypeId()
{
    static TypeId tid = TypeId("ns3::LvsRequestHeader")
                            .SetParent<Header>()
                            .SetGroupName("Lvs")
                            .AddConstructor<LvsRequestHeader>();
    return tid;
}

TypeId
LvsRequestHeader::GetInstanceTypeId() const
{
    return GetTypeId();
}

uint32_t
LvsRequestHeader::GetSerializedSize() const
{
    return kSize;
}

void
LvsRequestHeader::Serialize(Buffer::Iterator i) const
{
    i.WriteHtonU32(kMagic);
    i.WriteHtonU16(flags);
    i.WriteHtonU16(0);
    i.WriteHtonU64(requestId);
    i.WriteHtonU32(messageSize);
    i.WriteHtonU32(responseSize);
    i.WriteHtonU64(static_cast<uint64_t>(sentAt.GetTimeStep()));
}

uint32_t
LvsRequestHeader::Deserialize(Buffer::Iterator i)
{
    valid = i.ReadNtohU32() == kMagic;
    flags = i.ReadNtohU16();
    i.ReadNtohU16();
    requestId = i.ReadNtohU64();
    messageSize = i.ReadNtohU32();
    responseSize = i.ReadNtohU32();
    sentAt = TimeStep(static_cast<int64_t>(i.ReadNtohU64()));
    valid = valid && messageSize >= kSize;
    return kSize;
}

void
LvsRequestHeader::Print(std::ostream& os) const
{
    os << (IsResponse() ? "response" : "request") << " id=" << requestId
       << " size=" << messageSize << " respSize=" << responseSize << (IsLast() ? " last" : "");
}

Ptr<Packet>
MakeLvsMessage(LvsRequestHeader header)
{
    header.messageSize = std::max(header.messageSize, LvsRequestHeader::kSize);
    header.responseSize = std::max(header.responseSize, LvsRequestHeader::kSize);
    Ptr<Packet> p = Create<Packet>(header.messageSize - LvsRequestHeader::kSize);
    p->AddHeader(header);
    return p;
}

void
LvsMessageReader::Reset()
{
    m_partialHeader = nullptr;
    m_bodyLeft = 0;
    m_inBody = false;
}

uint32_t
LvsMessageReader::BytesPending() const
{
    return m_inBody ? m_bodyLeft : (m_partialHeader ? m_partialHeader->GetSize() : 0);
}

bool
LvsMessageReader::Feed(Ptr<Packet> bytes, const MessageCallback& onMessage)
{
    uint32_t offset = 0;
    const uint32_t total = bytes->GetSize();
    while (offset < total)
    {
        if (m_inBody)
        {
            uint32_t take = std::min(m_bodyLeft, total - offset);
            offset += take;
            m_bodyLeft -= take;
        }
        else
        {
            uint32_t have = m_partialHeader ? m_partialHeader->GetSize() : 0;
            uint32_t take = std::min(LvsRequestHeader::kSize - have, total - offset);
            Ptr<Packet> piece = bytes->CreateFragment(offset, take);
            offset += take;
            if (m_partialHeader)
            {
                m_partialHeader->AddAtEnd(piece);
            }
            else
            {
                m_partialHeader = piece;
            }
            if (m_partialHeader->GetSize() < LvsRequestHeader::kSize)
            {
                continue;
            }
            m_partialHeader->RemoveHeader(m_current);
            m_partialHeader = nullptr;
            if (!m_current.valid)
            {
                NS_LOG_WARN("bad message header in stream");
                return false;
            }
            m_bodyLeft = m_current.messageSize - LvsRequestHeader::kSize;
            m_inBody = true;
        }
        if (m_inBody && m_bodyLeft == 0)
        {
            m_inBody = false;
            onMessage(m_current);
        }
    }
    return true;
}

} // namespace ns3
