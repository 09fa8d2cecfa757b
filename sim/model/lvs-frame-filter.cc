#include "lvs-frame-filter.h"

#include "ns3/ethernet-header.h"
#include "ns3/log.h"
#include "ns3/packet.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LvsFrameFilter");
NS_OBJECT_ENSURE_REGISTERED(LvsFrameFilter);

TypeId
LvsFrameFilter::GetTypeId()
{
    static TypeId tid = TypeId("ns3::LvsFrameFilter")
                            .SetParent<ErrorModel>()
                            .SetGroupName("Lvs")
                            .AddConstructor<LvsFrameFilter>();
    return tid;
}

LvsFrameFilter::LvsFrameFilter()
    : m_random(CreateObject<UniformRandomVariable>())
{
}

LvsFrameFilter::~LvsFrameFilter() = default;

void
LvsFrameFilter::SetEthernet(bool ethernet)
{
    m_ethernet = ethernet;
}

void
LvsFrameFilter::SetLossRate(double rate)
{
    m_rate = rate;
}

double
LvsFrameFilter::GetLossRate() const
{
    return m_rate;
}

void
LvsFrameFilter::Block(Mac48Address source)
{
    m_blocked.insert(source);
}

void
LvsFrameFilter::Unblock(Mac48Address source)
{
    m_blocked.erase(source);
}

void
LvsFrameFilter::UnblockAll()
{
    m_blocked.clear();
}

uint64_t
LvsFrameFilter::GetLost() const
{
    return m_lost;
}

uint64_t
LvsFrameFilter::GetBlocked() const
{
    return m_blockedCount;
}

int64_t
LvsFrameFilter::AssignStreams(int64_t stream)
{
    m_random->SetStream(stream);
    return 1;
}

bool
LvsFrameFilter::DoCorrupt(Ptr<Packet> p)
{
    if (m_ethernet && !m_blocked.empty())
    {
        EthernetHeader eth(false);
        if (p->GetSize() >= eth.GetSerializedSize() && p->PeekHeader(eth) != 0 &&
            m_blocked.count(eth.GetSource()) != 0)
        {
            ++m_blockedCount;
            return true;
        }
    }
    if (m_rate > 0 && m_random->GetValue() < m_rate)
    {
        ++m_lost;
        return true;
    }
    return false;
}

void
LvsFrameFilter::DoReset()
{
}

} // namespace ns3
