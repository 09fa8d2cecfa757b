#pragma once
// Helpers for the lvs_tools / lvsim tests: scratch directories, running the
// built lvsim binary, and writing small captures with libpcap.

#include <pcap/pcap.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace lvs::tools::testing {

namespace fs = std::filesystem;

inline std::string data_file(const std::string& name) { return std::string(LVS_TEST_DATA_DIR) + "/" + name; }
inline std::string shared_keepalived(const std::string& name) {
  return std::string(LVS_SHARED_DATA_DIR) + "/keepalived/" + name;
}

// A fresh directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "lvsim-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct RunResult {
  int status = -1;  // exit status
  std::string out;
  std::string err;
};

// Runs a shell command line, capturing stdout and stderr separately.
inline RunResult run_shell(const std::string& cmd) {
  TempDir d;
  const std::string out = d.file("out"), err = d.file("err");
  const int rc = std::system((cmd + " >" + shell_quote(out) + " 2>" + shell_quote(err)).c_str());
  RunResult r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

inline RunResult run_lvsim(const std::vector<std::string>& args) {
  std::string cmd = shell_quote(LVSIM_BIN);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  return run_shell(cmd);
}

inline bool have_program(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Writes frames of one link type with libpcap.
class CaptureWriter {
 public:
  CaptureWriter(const std::string& path, int dlt) {
    dead_ = pcap_open_dead(dlt, 65535);
    dumper_ = pcap_dump_open(dead_, path.c_str());
  }
  ~CaptureWriter() { close(); }
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;
  bool ok() const { return dumper_ != nullptr; }

  void write(const std::vector<std::uint8_t>& frame, long sec, long usec, std::size_t wire_len = 0) {
    pcap_pkthdr h{};
    h.ts.tv_sec = sec;
    h.ts.tv_usec = usec;
    h.caplen = static_cast<bpf_u_int32>(frame.size());
    h.len = static_cast<bpf_u_int32>(wire_len ? wire_len : frame.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, frame.data());
  }
  void close() {
    if (dumper_) pcap_dump_close(dumper_);
    if (dead_) pcap_close(dead_);
    dumper_ = nullptr;
    dead_ = nullptr;
  }

 private:
  pcap_t* dead_ = nullptr;
  pcap_dumper_t* dumper_ = nullptr;
};

// An Ethernet frame around an IPv4 packet, optionally 802.1Q-tagged.
inline std::vector<std::uint8_t> ethernet(const std::vector<std::uint8_t>& ip, bool vlan = false) {
  std::vector<std::uint8_t> f = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02};
  if (vlan) f.insert(f.end(), {0x81, 0x00, 0x00, 0x64});
  f.insert(f.end(), {0x08, 0x00});
  f.insert(f.end(), ip.begin(), ip.end());
  return f;
}

// Reads every record of a capture: (caplen bytes) per record.
inline std::vector<std::vector<std::uint8_t>> read_capture(const std::string& path, int* dlt = nullptr) {
  std::vector<std::vector<std::uint8_t>> out;
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  if (p == nullptr) return out;
  if (dlt) *dlt = pcap_datalink(p);
  pcap_pkthdr* h;
  const u_char* d;
  while (pcap_next_ex(p, &h, &d) == 1) out.emplace_back(d, d + h->caplen);
  pcap_close(p);
  return out;
}

}  // namespace lvs::tools::testing
