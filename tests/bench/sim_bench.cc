// sim_bench: the director's per-packet cost in the simulator. The same
// topology and TCP workload run twice with the same seed and no CPU cost
// model: through LvsNatRouting (clients -> VIP, NAT to two real servers) and
// through plain ns-3 static routing (clients -> the servers' own addresses).
// Each mode runs 5 times (alternating); the medians of packets forwarded by
// the router per wall-clock second (and per CPU second) are printed as JSON.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "helper/lvs-nat-routing-helper.h"
#include "lvs/engine.h"
#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

namespace {

using namespace ns3;

constexpr int kClients = 2;
constexpr int kServers = 2;
constexpr int kFlowsPerClient = 4;
const Time kDuration = MilliSeconds(200);
const char* const kVip = "192.0.2.100";

struct RunResult {
  uint64_t forwarded = 0;  // IPv4 packets the router forwarded
  double wall_s = 0;
  double cpu_s = 0;  // this thread's CPU time over the same span (less noisy on a busy machine)
};

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void CountForward(uint64_t* n, const Ipv4Header&, Ptr<const Packet>, uint32_t) { ++*n; }

RunResult RunOnce(bool nat) {
  RngSeedManager::SetSeed(1);
  RngSeedManager::SetRun(1);
  NodeContainer router, clients, servers;
  router.Create(1);
  clients.Create(kClients);
  servers.Create(kServers);
  CsmaHelper lan;
  lan.SetChannelAttribute("DataRate", StringValue("10Gbps"));
  lan.SetChannelAttribute("Delay", TimeValue(MicroSeconds(1)));
  NetDeviceContainer pub = lan.Install(NodeContainer(router, clients));
  NetDeviceContainer priv = lan.Install(NodeContainer(router, servers));

  InternetStackHelper stack;
  if (nat) {
    LvsNatRoutingHelper lvs;
    lvs::EngineConfig cfg;
    cfg.local_addrs = {Ipv4Address(kVip).Get(), Ipv4Address("192.0.2.254").Get(),
                       Ipv4Address("10.1.0.1").Get()};
    cfg.inside_nets = {{Ipv4Address("10.1.0.0").Get(), lvs::prefix_mask(24)}};
    lvs.SetEngineConfig(cfg);
    InternetStackHelper router_stack;
    router_stack.SetRoutingHelper(lvs);
    router_stack.Install(router);
  } else {
    // The same inner routing the director wraps: static routing alone.
    Ipv4StaticRoutingHelper static_routing;
    InternetStackHelper router_stack;
    router_stack.SetRoutingHelper(static_routing);
    router_stack.Install(router);
  }
  stack.Install(clients);
  stack.Install(servers);

  Ipv4AddressHelper addr;
  addr.SetBase("192.0.2.0", "255.255.255.0", "0.0.0.254");
  addr.Assign(pub.Get(0));
  addr.SetBase("192.0.2.0", "255.255.255.0");
  Ipv4InterfaceContainer client_if = addr.Assign(NetDeviceContainer(pub.Get(1), pub.Get(2)));
  addr.SetBase("10.1.0.0", "255.255.255.0");
  Ipv4InterfaceContainer priv_if = addr.Assign(priv);  // router 10.1.0.1, servers .2 .3
  Ptr<Ipv4> rip = router.Get(0)->GetObject<Ipv4>();
  if (nat) rip->AddAddress(1, Ipv4InterfaceAddress(kVip, "255.255.255.0"));
  Ipv4StaticRoutingHelper routing;
  for (uint32_t i = 0; i < clients.GetN(); ++i)
    routing.GetStaticRouting(clients.Get(i)->GetObject<Ipv4>())->SetDefaultRoute("192.0.2.254", 1);
  for (uint32_t i = 0; i < servers.GetN(); ++i)
    routing.GetStaticRouting(servers.Get(i)->GetObject<Ipv4>())->SetDefaultRoute("10.1.0.1", 1);

  if (nat) {
    Ptr<LvsNatRouting> director = LvsNatRoutingHelper::GetDirector(router.Get(0));
    lvs::ServiceConfig svc;
    svc.key = {lvs::Proto::kTcp, Ipv4Address(kVip).Get(), 80};
    svc.scheduler = "rr";
    director->GetEngine().add_service(svc);
    for (uint32_t i = 0; i < servers.GetN(); ++i) {
      lvs::RealServerConfig rs;
      rs.addr = priv_if.GetAddress(1 + i).Get();
      rs.port = 80;
      rs.fwd = lvs::ForwardMethod::kMasq;
      director->GetEngine().add_dest(svc.key, rs);
    }
  }

  PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 80));
  sink.Install(servers);
  int k = 0;
  for (uint32_t c = 0; c < clients.GetN(); ++c) {
    for (int f = 0; f < kFlowsPerClient; ++f, ++k) {
      // rr alternates servers; the plain run sends the same flows to the same servers.
      const Ipv4Address to = nat ? Ipv4Address(kVip) : priv_if.GetAddress(1 + k % kServers);
      BulkSendHelper bulk("ns3::TcpSocketFactory", InetSocketAddress(to, 80));
      bulk.SetAttribute("MaxBytes", UintegerValue(0));
      bulk.Install(clients.Get(c)).Start(MilliSeconds(10 + k));
    }
  }
  RunResult r;
  router.Get(0)->GetObject<Ipv4L3Protocol>()->TraceConnectWithoutContext(
      "UnicastForward", MakeBoundCallback(&CountForward, &r.forwarded));
  Simulator::Stop(kDuration);
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = ThreadCpuSeconds();
  Simulator::Run();
  r.cpu_s = ThreadCpuSeconds() - c0;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Simulator::Destroy();
  return r;
}

// Each run in a fresh child process: ns-3's process-global state (random
// stream numbering, MAC allocation, ...) starts over, so every run with the
// same seed simulates exactly the same packets.
RunResult RunInChild(bool nat) {
  int fds[2];
  if (pipe(fds) != 0) return RunOnce(nat);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const RunResult r = RunOnce(nat);
    const ssize_t n = write(fds[1], &r, sizeof r);
    _exit(n == static_cast<ssize_t>(sizeof r) ? 0 : 1);
  }
  close(fds[1]);
  RunResult r;
  const ssize_t n = read(fds[0], &r, sizeof r);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (n != static_cast<ssize_t>(sizeof r)) {
    std::fprintf(stderr, "sim_bench: a run failed\n");
    std::exit(1);
  }
  return r;
}

struct Series {
  std::vector<double> wall_pps, cpu_pps;
  void Add(const RunResult& r) {
    wall_pps.push_back(static_cast<double>(r.forwarded) / r.wall_s);
    cpu_pps.push_back(static_cast<double>(r.forwarded) / r.cpu_s);
  }
};

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void Report(const char* mode, int run, const RunResult& r) {
  std::fprintf(stderr,
               "%s run %d: %llu packets forwarded, %.3f s wall (%.0f pps), %.3f s CPU (%.0f pps)\n",
               mode, run, static_cast<unsigned long long>(r.forwarded), r.wall_s,
               static_cast<double>(r.forwarded) / r.wall_s, r.cpu_s,
               static_cast<double>(r.forwarded) / r.cpu_s);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  std::string only;
  CommandLine cmd;
  cmd.AddValue("runs", "runs per mode (the median is reported)", runs);
  cmd.AddValue("only", "nat or plain: run one mode (for profiling)", only);
  cmd.Parse(argc, argv);
  // Plain and NAT runs alternate, so load from other processes hits both alike.
  Series plain, nat;
  for (int i = 1; i <= runs; ++i) {
    if (only != "nat") {
      const RunResult r = RunInChild(false);
      plain.Add(r);
      Report("plain", i, r);
    }
    if (only != "plain") {
      const RunResult r = RunInChild(true);
      nat.Add(r);
      Report("nat", i, r);
    }
  }
  const double nat_pps = Median(nat.wall_pps), plain_pps = Median(plain.wall_pps);
  const double nat_cpu = Median(nat.cpu_pps), plain_cpu = Median(plain.cpu_pps);
  // The three figures the issue asks for (wall clock), then the same per CPU second.
  std::printf("{\"nat_pps\": %.0f, \"plain_pps\": %.0f, \"ratio\": %.3f, "
              "\"nat_cpu_pps\": %.0f, \"plain_cpu_pps\": %.0f, \"cpu_ratio\": %.3f}\n",
              nat_pps, plain_pps, plain_pps > 0 ? nat_pps / plain_pps : 0.0, nat_cpu, plain_cpu,
              plain_cpu > 0 ? nat_cpu / plain_cpu : 0.0);
  return 0;
}
