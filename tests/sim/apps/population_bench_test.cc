#include "apps_world.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>

using namespace ns3;
using namespace lvs_apps_test;

namespace {
double
Env(const char* name, double fallback)
{
    const char* v = std::getenv(name);
    return v ? std::atof(v) : fallback;
}
} // namespace

// Measures the client-population design at 10^5 requests (run by hand; see tests/bench/README.md).
TEST(PopulationBench, DISABLED_HundredThousandRequests)
{
    const auto nodes = uint32_t(Env("LVS_BENCH_NODES", 4));
    const auto addresses = uint32_t(Env("LVS_BENCH_ADDRESSES", 10000));
    const auto servers = uint32_t(Env("LVS_BENCH_SERVERS", 10));
    const double rate = Env("LVS_BENCH_RATE", 5000);
    const double seconds = Env("LVS_BENCH_SECONDS", 20);
    const double msl = Env("LVS_BENCH_SERVER_MSL", 1);

    auto w0 = std::chrono::steady_clock::now();
    LvsClientHelper clients(Ipv4Address("10.0.0.1"), 80); // remote fixed per node below
    LanWorld w(nodes, servers, addresses, &clients);
    LvsRealServerHelper sh(80);
    sh.SetAttribute("Workers", UintegerValue(64));
    sh.SetAttribute("MaxSegLifetime", DoubleValue(msl));
    sh.SetServiceTime(Exponential(0.002));
    sh.Install(w.servers);
    clients.SetAttribute("IssueStop", TimeValue(Seconds(seconds)));
    clients.SetAttribute("Rate", DoubleValue(rate / servers));
    ApplicationContainer apps;
    for (uint32_t s = 0; s < servers; ++s)
    {
        // One client per (node, server): the director is not here to spread load.
        clients.SetAttribute("Remote", Ipv4AddressValue(w.Server(s)));
        apps.Add(clients.Install(w.clients));
    }
    Simulator::Stop(Seconds(seconds + 2));
    auto w1 = std::chrono::steady_clock::now();
    Simulator::Run();
    auto w2 = std::chrono::steady_clock::now();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto st = clients.GetRequestLog()->Summarize();
    std::printf("nodes=%u addresses=%u servers=%u rate=%g seconds=%g server_msl=%g: "
                "setup %.2f s, run %.2f s wall, cpu %.2f s, requests %lu ok %lu errors %lu, "
                "p50 %.2f ms p99 %.2f ms, events %lu, max RSS %ld MiB\n",
                nodes, addresses, servers, rate, seconds, msl,
                std::chrono::duration<double>(w1 - w0).count(),
                std::chrono::duration<double>(w2 - w1).count(),
                ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
                    ru.ru_stime.tv_usec * 1e-6,
                (unsigned long)st.requests, (unsigned long)st.Count(LvsRequestOutcome::kOk),
                (unsigned long)(st.requests - st.Count(LvsRequestOutcome::kOk)), st.p50 * 1e3,
                st.p99 * 1e3, (unsigned long)Simulator::GetEventCount(), ru.ru_maxrss / 1024);
    EXPECT_GT(st.requests, 0u);
    Simulator::Destroy();
}
