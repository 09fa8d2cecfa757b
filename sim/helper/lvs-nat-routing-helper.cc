#include "lvs-nat-routing-helper.h"

#include "ns3/abort.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("LvsNatRoutingHelper");

LvsNatRoutingHelper::LvsNatRoutingHelper()
{
    m_factory.SetTypeId(LvsNatRouting::GetTypeId());
}

LvsNatRoutingHelper*
LvsNatRoutingHelper::Copy() const
{
    return new LvsNatRoutingHelper(*this);
}

Ptr<Ipv4RoutingProtocol>
LvsNatRoutingHelper::Create(Ptr<Node> node) const
{
    NS_LOG_FUNCTION(this << node);
    Ptr<LvsNatRouting> director = m_factory.Create<LvsNatRouting>();
    director->SetInnerRouting(CreateObject<Ipv4StaticRouting>());
    director->SetEngineConfig(m_engineConfig);
    if (m_costProfile != "none" || !m_costAttributes.empty())
    {
        Ptr<RouterCostModel> cost = CreateObject<RouterCostModel>();
        NS_ABORT_MSG_UNLESS(cost->ApplyProfile(m_costProfile),
                            "unknown router cost profile " << m_costProfile);
        for (const auto& [name, value] : m_costAttributes)
        {
            cost->SetAttribute(name, *value);
        }
        director->SetCostModel(cost);
    }
    return director;
}

void
LvsNatRoutingHelper::Set(const std::string& name, const AttributeValue& value)
{
    m_factory.Set(name, value);
}

void
LvsNatRoutingHelper::SetEngineConfig(const lvs::EngineConfig& cfg)
{
    m_engineConfig = cfg;
}

void
LvsNatRoutingHelper::SetInterfaces(uint32_t outside, uint32_t inside)
{
    m_factory.Set("OutsideInterface", UintegerValue(outside));
    m_factory.Set("InsideInterface", UintegerValue(inside));
}

void
LvsNatRoutingHelper::SetCostModel(const std::string& profile)
{
    bool known = false;
    for (const RouterCostModel::Profile& p : RouterCostModel::Profiles())
    {
        known = known || p.name == profile;
    }
    NS_ABORT_MSG_UNLESS(known, "unknown router cost profile " << profile);
    m_costProfile = profile;
}

void
LvsNatRoutingHelper::SetCostModelAttribute(const std::string& name, const AttributeValue& value)
{
    m_costAttributes.emplace_back(name, value.Copy());
}

void
LvsNatRoutingHelper::Install(NodeContainer nodes) const
{
    InternetStackHelper stack;
    stack.SetRoutingHelper(*this);
    stack.Install(nodes);
}

Ptr<LvsNatRouting>
LvsNatRoutingHelper::GetDirector(Ptr<Node> node)
{
    Ptr<Ipv4> ipv4 = node->GetObject<Ipv4>();
    return ipv4 ? DynamicCast<LvsNatRouting>(ipv4->GetRoutingProtocol()) : nullptr;
}

Ptr<Ipv4StaticRouting>
LvsNatRoutingHelper::GetStaticRouting(Ptr<Node> node)
{
    Ptr<LvsNatRouting> director = GetDirector(node);
    return director ? DynamicCast<Ipv4StaticRouting>(director->GetInnerRouting()) : nullptr;
}

} // namespace ns3
