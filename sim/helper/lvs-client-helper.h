#pragma once
// Installs LvsClient applications (wiring only) and gives client nodes their
// blocks of client addresses.
//
// AssignAddresses(nodes, first, count) splits [first, first+count) into one
// contiguous block per node and puts LvsClientAddressRouting on top of each
// node's routing (see lvs-client-address-routing.h for why the addresses are
// not added to the interface). Whoever routes towards the clients adds, for
// each node, a route per GetAddressPrefixes(node) with that node as next hop.
//
// Install(nodes) gives every node one LvsClient and spreads the population's
// load evenly: open-loop and flash-crowd rates (and rate schedules) are
// divided by the number of nodes, closed-loop users are dealt out. All the
// clients write into one LvsRequestLog (GetRequestLog).

#include "model/lvs-client.h"
#include "scenario/scenario.h"

#include <ns3/application-container.h>
#include <ns3/ipv4-address.h>
#include <ns3/node-container.h>
#include <ns3/object-factory.h>

#include <optional>
#include <vector>

namespace ns3 {

class LvsClientHelper
{
  public:
    LvsClientHelper(Ipv4Address remote, uint16_t port);

    void SetAttribute(const std::string& name, const AttributeValue& value);
    void SetRequestSize(const lvs::scenario::Distribution& d);
    void SetResponseSize(const lvs::scenario::Distribution& d);
    void SetThinkTime(const lvs::scenario::Distribution& d);
    void SetRateSchedule(std::vector<std::pair<double, double>> points, bool ramp);
    // Everything a scenario workload says: kind, rates, users, think time,
    // sizes, keep-alive, timeout; start_s becomes the StartTime, stop_s the
    // IssueStop (the runner stops the applications).
    void SetWorkload(const lvs::scenario::Workload& workload);

    void AssignAddresses(NodeContainer nodes, Ipv4Address first, uint32_t count);
    // The smallest set of CIDR prefixes covering [first, first + count).
    static std::vector<std::pair<Ipv4Address, Ipv4Mask>> CoveringPrefixes(Ipv4Address first,
                                                                          uint32_t count);
    std::vector<std::pair<Ipv4Address, Ipv4Mask>> GetAddressPrefixes(Ptr<Node> node) const;

    ApplicationContainer Install(NodeContainer nodes) const;
    Ptr<LvsRequestLog> GetRequestLog() const;

    static int64_t AssignStreams(ApplicationContainer apps, int64_t stream);

  private:
    ObjectFactory m_factory;
    Ptr<LvsRequestLog> m_log;
    std::optional<lvs::scenario::Distribution> m_requestSize, m_responseSize, m_thinkTime;
    std::vector<std::pair<double, double>> m_schedule;
    double m_rate{10};
    double m_flashPeak{0};
    uint32_t m_users{10};
};

} // namespace ns3
