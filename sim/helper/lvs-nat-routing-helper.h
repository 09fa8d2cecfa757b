#ifndef LVS_NAT_ROUTING_HELPER_H
#define LVS_NAT_ROUTING_HELPER_H

#include "model/lvs-nat-routing.h"
#include "model/router-cost-model.h"

#include "ns3/ipv4-routing-helper.h"
#include "ns3/ipv4-static-routing.h"
#include "ns3/node-container.h"
#include "ns3/object-factory.h"

#include "lvs/engine.h"

#include <string>
#include <utility>
#include <vector>

namespace ns3
{

/**
 * Installs LvsNatRouting as a node's top-level routing protocol, wrapping a
 * fresh Ipv4StaticRouting:
 *
 *   LvsNatRoutingHelper lvs;
 *   lvs.SetEngineConfig(cfg);
 *   lvs.SetInterfaces(1, 2);
 *   lvs.SetCostModel("ipvs-nat");
 *   lvs.Install(directors);  // or InternetStackHelper::SetRoutingHelper(lvs) + Install
 *   LvsNatRoutingHelper::GetDirector(node)->GetEngine().add_service(...);
 */
class LvsNatRoutingHelper : public Ipv4RoutingHelper
{
  public:
    LvsNatRoutingHelper();
    LvsNatRoutingHelper* Copy() const override;
    Ptr<Ipv4RoutingProtocol> Create(Ptr<Node> node) const override;

    /// An attribute of every LvsNatRouting this helper creates.
    void Set(const std::string& name, const AttributeValue& value);
    void SetEngineConfig(const lvs::EngineConfig& cfg);
    /// Ipv4 interface indices of eth0 (clients) and eth1 (real servers).
    void SetInterfaces(uint32_t outside, uint32_t inside);
    /// A RouterCostModel profile (RouterCostModel::Profiles()); "none" installs no cost model.
    void SetCostModel(const std::string& profile);
    /// An attribute of the cost model, applied over the profile.
    void SetCostModelAttribute(const std::string& name, const AttributeValue& value);

    /// Installs the Internet stack with this routing on every node (InternetStackHelper wiring).
    void Install(NodeContainer nodes) const;

    /// The director installed on `node` (null if it has none).
    static Ptr<LvsNatRouting> GetDirector(Ptr<Node> node);
    /// The static routing the director of `node` wraps (for routes and default routes).
    static Ptr<Ipv4StaticRouting> GetStaticRouting(Ptr<Node> node);

  private:
    ObjectFactory m_factory;
    lvs::EngineConfig m_engineConfig;
    std::string m_costProfile = "none";
    std::vector<std::pair<std::string, Ptr<AttributeValue>>> m_costAttributes;
};

} // namespace ns3

#endif // LVS_NAT_ROUTING_HELPER_H
