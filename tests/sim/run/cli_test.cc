// `lvsim run` as a user runs it: broken scenarios fail with one clear error
// and touch no results; a good run replaces only its own results directory;
// every output file carries a format version.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "run_test_support.h"

namespace lvs::run_test {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("no '" + from + "' in the scenario");
  return text.replace(at, from.size(), to);
}

struct CommandResult {
  int status = -1;  // exit status
  std::string out, err;
};

// Runs `lvsim run ARGS` with `cwd` as the working directory (so results/ is there).
CommandResult lvsim_run(const std::string& cwd, const std::string& args) {
  const std::string cmd = "cd '" + cwd + "' && '" LVSIM_BIN "' run -q " + args +
                          " >lvsim.out 2>lvsim.err";
  const int rc = std::system(cmd.c_str());
  CommandResult r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = slurp(cwd + "/lvsim.out");
  r.err = slurp(cwd + "/lvsim.err");
  return r;
}

std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

// The test cluster, one second long, under `name`.
std::string good_scenario(const std::string& name) {
  return replaced(replaced(kClusterYaml, "name: run-test", "name: " + name), "duration: 3s",
                  "duration: 1s");
}

struct Broken {
  const char* what;
  std::string (*make)(const std::string& good);
};

const Broken kBroken[] = {
    {"bad YAML", [](const std::string& g) { return replaced(g, "rate: 1Gbps, delay: 1ms}", "rate: 1Gbps, delay: 1ms]"); }},
    {"unknown key", [](const std::string& g) { return replaced(g, "workers: 16, service_time: 1ms}", "wokers: 16, service_time: 1ms}"); }},
    {"bad address", [](const std::string& g) { return replaced(g, "address: 10.1.0.12", "address: 10.1.0.312"); }},
    {"VIP not on a router", [](const std::string& g) { return replaced(g, "vip: 203.0.113.10", "vip: 198.51.100.10"); }},
    {"duplicate IP", [](const std::string& g) { return replaced(g, "address: 10.1.0.13", "address: 10.1.0.11"); }},
};

// Each broken scenario: exit status non-zero, exactly one error line naming
// FILE:LINE:COLUMN, nothing on stdout, and the earlier results/<name>/ and
// the rest of results/ exactly as they were.
TEST(LvsimRun, BrokenScenarioOneErrorResultsUntouched) {
  TempDir dir("cli-broken");
  fs::create_directories(dir / "results/cli-test");
  fs::create_directories(dir / "results/other");
  spit(dir / "results/cli-test/summary.json", "{\"earlier\": true}\n");
  spit(dir / "results/other/keep.txt", "keep\n");
  const std::regex one_error(R"(^[^\n]*broken\.yaml:\d+:\d+: error: [^\n]+\n$)");
  for (const Broken& b : kBroken) {
    spit(dir / "broken.yaml", b.make(good_scenario("cli-test")));
    const CommandResult r = lvsim_run(dir.path(), "broken.yaml");
    EXPECT_NE(r.status, 0) << b.what;
    EXPECT_TRUE(std::regex_match(r.err, one_error)) << b.what << ": " << r.err;
    EXPECT_EQ(r.out, "") << b.what;
    std::printf("%s: exit %d: %s", b.what, r.status, r.err.c_str());
    EXPECT_EQ(entries(dir / "results"), (std::set<std::string>{"cli-test", "other"})) << b.what;
    EXPECT_EQ(entries(dir / "results/cli-test"), std::set<std::string>{"summary.json"}) << b.what;
    EXPECT_EQ(slurp(dir / "results/cli-test/summary.json"), "{\"earlier\": true}\n") << b.what;
    EXPECT_EQ(slurp(dir / "results/other/keep.txt"), "keep\n") << b.what;
  }
}

// A good run replaces results/<name>/ as a whole (the earlier files are gone),
// leaves every other entry under results/ alone, and leaves no temporary behind.
TEST(LvsimRun, SuccessReplacesOnlyItsOwnResults) {
  TempDir dir("cli-good");
  fs::create_directories(dir / "results/cli-test");
  fs::create_directories(dir / "results/other");
  spit(dir / "results/cli-test/stale.txt", "from an earlier run\n");
  spit(dir / "results/other/keep.txt", "keep\n");
  spit(dir / "results/loose.txt", "loose\n");
  spit(dir / "good.yaml", good_scenario("cli-test"));
  const CommandResult r = lvsim_run(dir.path(), "good.yaml");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(entries(dir / "results"), (std::set<std::string>{"cli-test", "other", "loose.txt"}));
  EXPECT_EQ(entries(dir / "results/cli-test"),
            (std::set<std::string>{"summary.json", "timeseries.csv", "events.jsonl", "ipvsadm.txt",
                                   "topology.json"}));
  EXPECT_EQ(slurp(dir / "results/other/keep.txt"), "keep\n");
  EXPECT_EQ(slurp(dir / "results/loose.txt"), "loose\n");
  const auto summary = nlohmann::json::parse(slurp(dir / "results/cli-test/summary.json"));
  EXPECT_EQ(summary["scenario"], "cli-test");
  EXPECT_GT(summary["requests"]["ok"].get<int>(), 50);
  EXPECT_NE(r.out.find("results: results/cli-test"), std::string::npos) << r.out;
}

// Every file of a run with every output turned on carries its format version:
// lvsim's own files format_version (the JSON-lines file on every line), the
// pcaps their libpcap header version, NetAnim its `ver`.
TEST(LvsimRun, EveryOutputFileHasFormatVersion) {
  TempDir dir("cli-versions");
  spit(dir / "good.yaml", good_scenario("cli-test"));
  const CommandResult r = lvsim_run(dir.path(), "good.yaml --set measurement.pcap=true --set measurement.flowmonitor=true "
                                      "--set measurement.netanim=true --out all");
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string out = dir / "all";
  std::set<std::string> checked;
  for (const char* json_file : {"summary.json", "topology.json"}) {
    EXPECT_EQ(nlohmann::json::parse(slurp(out + "/" + json_file))["format_version"], 1) << json_file;
    checked.insert(json_file);
  }
  std::istringstream events(slurp(out + "/events.jsonl"));
  int lines = 0;
  for (std::string line; std::getline(events, line); ++lines)
    EXPECT_EQ(nlohmann::json::parse(line)["format_version"], 1) << line;
  EXPECT_GE(lines, 2);
  checked.insert("events.jsonl");
  const std::pair<std::string, std::string> text_files[] = {{"timeseries.csv", "timeseries"},
                                                            {"ipvsadm.txt", "ipvsadm"}};
  for (const auto& [file, kind] : text_files) {
    const std::string first_line = "# lvsim " + kind + " format_version=1\n";
    EXPECT_EQ(slurp(out + "/" + file).rfind(first_line, 0), 0u) << file;
    checked.insert(file);
  }
  EXPECT_EQ(slurp(out + "/flowmon.xml").rfind("<?xml version=\"1.0\" ?>\n<!-- lvsim flowmon format_version=1 ", 0), 0u);
  checked.insert("flowmon.xml");
  EXPECT_NE(slurp(out + "/netanim.xml").find("<anim ver=\"netanim-"), std::string::npos);
  checked.insert("netanim.xml");
  for (const auto& e : fs::directory_iterator(out)) {
    const std::string name = e.path().filename().string();
    if (checked.count(name)) continue;
    // The rest are the pcaps: libpcap's magic and version 2.4.
    const std::string head = slurp(e.path().string()).substr(0, 8);
    ASSERT_EQ(head.size(), 8u) << name;
    EXPECT_EQ(head.substr(0, 4), std::string("\xd4\xc3\xb2\xa1", 4)) << name;
    EXPECT_EQ(head.substr(4, 4), std::string("\x02\x00\x04\x00", 4)) << name;
    checked.insert(name);
  }
  EXPECT_TRUE(checked.count("client.pcap") && checked.count("lvs1-eth0.pcap") &&
              checked.count("rs1.pcap"));
}

}  // namespace
}  // namespace lvs::run_test
