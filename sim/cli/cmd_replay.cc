// lvsim replay --config FILE IN.pcap -o OUT.pcap: a client-side capture run
// through the engine; OUT.pcap holds what the director would send.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "lvs/config/diagnostics.h"
#include "lvs/ipvsadm_format.h"
#include "subcommand.h"
#include "tools/config_loader.h"
#include "tools/pcap_io.h"
#include "tools/replay.h"
#include "tools/tool_error.h"

namespace lvs::cli {
namespace {

struct ReplayArgs {
  std::string config;
  std::string in;
  std::string out;
  std::string assignments;
  std::string format;
  std::string config_id;
  std::size_t max_conns = std::size_t{1} << 20;
};

tools::LoadedConfig load(const ReplayArgs& a) {
  tools::LoadOptions opts;
  if (!a.format.empty()) opts.format = tools::parse_format_name(a.format);
  if (!a.config_id.empty()) opts.config_id = a.config_id;
  tools::LoadedConfig cfg = tools::load_config(a.config, opts);
  for (const auto& w : cfg.warnings) std::cerr << tools::format_warning(w) << '\n';
  return cfg;
}

int replay(const ReplayArgs& a) {
  const tools::LoadedConfig cfg = load(a);
  tools::PcapReader in(a.in);
  const auto link = tools::link_type_from_dlt(in.datalink());
  if (!link)
    throw tools::ToolError(a.in + ": link type " + std::to_string(in.datalink()) +
                           " is not supported (Ethernet, raw IPv4 and Linux cooked captures are)");
  tools::PcapWriter out(a.out, in.datalink(), in.snaplen());
  std::optional<tools::AssignmentLog> log;
  if (!a.assignments.empty()) log.emplace(a.assignments);

  tools::EngineSetup setup;
  setup.max_conns = a.max_conns;
  setup.timeouts = cfg.cluster.global.lvs_timeouts;
  tools::Replayer replayer(cfg.services, *link, setup);
  replayer.run(in, out, log ? &*log : nullptr);
  out.commit();
  if (log) log->commit();

  const Time end = replayer.finish();
  ListOptions list;
  list.view = ListView::kStats;
  std::cout << format_service_list(replayer.engine().listing(end), list)
            << tools::format_summary(replayer.counters()) << '\n';
  return kExitOk;
}

int run_replay(const ReplayArgs& a) {
  try {
    return replay(a);
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << '\n';
  } catch (const tools::ToolError& e) {
    std::cerr << "lvsim replay: " << e.what() << '\n';
  } catch (const std::bad_alloc&) {
    std::cerr << "lvsim replay: out of memory (try a smaller --max-conns)\n";
  }
  return kExitError;
}

}  // namespace

Subcommand replay_command() {
  return {"replay", "Run a packet capture through the director; write what it sends",
          [](CLI::App& cmd) -> std::function<int()> {
            auto a = std::make_shared<ReplayArgs>();
            cmd.add_option("--config", a->config, "keepalived.conf, ipvsadm -S rules or lvs.cf")->required();
            cmd.add_option("IN.pcap", a->in, "capture taken at the client side")->required();
            cmd.add_option("-o,--output", a->out, "where to write what the director sends")->required();
            cmd.add_option("--assignments", a->assignments,
                           "CSV, one row per scheduled connection: "
                           "time,client_ip,client_port,vip,vport,real_ip,real_port");
            cmd.add_option("--format", a->format, "config format (default: detected)")
                ->check(CLI::IsMember({"keepalived", "ipvsadm", "lvs.cf"}));
            cmd.add_option("--config-id", a->config_id, "keepalived --config-id");
            cmd.add_option("--max-conns", a->max_conns, "connection table size (default 1048576)")
                ->check(CLI::Range(std::size_t{1}, std::size_t{0x7fffffff}));
            cmd.footer(
                "Requests to a VIP enter from the outside; replies from a VIP are fed back as the\n"
                "assigned real server's packets from the inside. OUT.pcap has the input's link type;\n"
                "Ethernet MAC addresses are kept as captured. Firewall-mark services get no traffic\n"
                "(a capture has no marks). Exit status: 0 done, 2 errors.");
            return [a] { return run_replay(*a); };
          }};
}

}  // namespace lvs::cli
