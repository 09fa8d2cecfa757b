#pragma once
// Installs LvsRealServer applications (wiring only).

#include "scenario/scenario.h"

#include <ns3/application-container.h>
#include <ns3/node-container.h>
#include <ns3/object-factory.h>

#include <optional>

namespace ns3 {

class LvsRealServerHelper
{
  public:
    explicit LvsRealServerHelper(uint16_t port = 80);

    void SetAttribute(const std::string& name, const AttributeValue& value);
    // Each installed server gets its own stream of this distribution.
    void SetServiceTime(const lvs::scenario::Distribution& d);
    // Workers, service time, speed, backlog and TCP variant of a scenario's
    // real server (its weight belongs to the director).
    void Configure(const lvs::scenario::RealServer& server);

    ApplicationContainer Install(NodeContainer nodes) const;
    ApplicationContainer Install(Ptr<Node> node) const;

    // Fixes the random streams of `apps`; returns how many were used.
    static int64_t AssignStreams(ApplicationContainer apps, int64_t stream);

  private:
    ObjectFactory m_factory;
    std::optional<lvs::scenario::Distribution> m_serviceTime;
};

} // namespace ns3
