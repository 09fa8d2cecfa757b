#include "lvs-real-server-helper.h"

#include "model/lvs-distribution.h"
#include "model/lvs-real-server.h"

#include <ns3/double.h>
#include <ns3/pointer.h>
#include <ns3/string.h>
#include <ns3/uinteger.h>

namespace ns3 {

LvsRealServerHelper::LvsRealServerHelper(uint16_t port)
{
    m_factory.SetTypeId(LvsRealServer::GetTypeId());
    m_factory.Set("Port", UintegerValue(port));
}

void
LvsRealServerHelper::SetAttribute(const std::string& name, const AttributeValue& value)
{
    m_factory.Set(name, value);
}

void
LvsRealServerHelper::SetServiceTime(const lvs::scenario::Distribution& d)
{
    m_serviceTime = d;
}

void
LvsRealServerHelper::Configure(const lvs::scenario::RealServer& server)
{
    m_factory.Set("Workers", UintegerValue(server.workers));
    m_factory.Set("Speed", DoubleValue(server.speed));
    m_factory.Set("Backlog", UintegerValue(server.backlog));
    m_factory.Set("TcpVariant", StringValue(server.tcp_variant));
    SetServiceTime(server.service_time);
}

ApplicationContainer
LvsRealServerHelper::Install(Ptr<Node> node) const
{
    Ptr<LvsRealServer> app = m_factory.Create<LvsRealServer>();
    if (m_serviceTime)
    {
        app->SetAttribute("ServiceTime", PointerValue(MakeRandomVariable(*m_serviceTime)));
    }
    node->AddApplication(app);
    return ApplicationContainer(app);
}

ApplicationContainer
LvsRealServerHelper::Install(NodeContainer nodes) const
{
    ApplicationContainer apps;
    for (auto it = nodes.Begin(); it != nodes.End(); ++it)
    {
        apps.Add(Install(*it));
    }
    return apps;
}

int64_t
LvsRealServerHelper::AssignStreams(ApplicationContainer apps, int64_t stream)
{
    int64_t used = 0;
    for (auto it = apps.Begin(); it != apps.End(); ++it)
    {
        if (auto s = DynamicCast<LvsRealServer>(*it))
        {
            used += s->AssignStreams(stream + used);
        }
    }
    return used;
}

} // namespace ns3
