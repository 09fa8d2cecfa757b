#include "tools/pcap_io.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tools/tool_error.h"

namespace lvs::tools {
namespace {

// Large stdio buffers: one write(2) per few thousand records.
constexpr std::size_t kOutputBuffer = std::size_t{1} << 20;
constexpr std::size_t kInputBuffer = std::size_t{1} << 20;

std::string errno_text() { return std::strerror(errno); }

}  // namespace

// libpcap reads each record with two fread()s: give its stream a large
// buffer up front (setvbuf must come before the first read).
PcapReader::PcapReader(const std::string& path) : path_(path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw ToolError(path + ": cannot open: " + errno_text());
  std::setvbuf(f, nullptr, _IOFBF, kInputBuffer);
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_ = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, err);
  if (pcap_ == nullptr) {
    std::fclose(f);
    throw ToolError(path + ": " + err);
  }
}

PcapReader::~PcapReader() {
  if (pcap_ != nullptr) pcap_close(pcap_);
}

bool PcapReader::next(const pcap_pkthdr*& hdr, const std::uint8_t*& data) {
  pcap_pkthdr* h = nullptr;
  const u_char* d = nullptr;
  const int rc = pcap_next_ex(pcap_, &h, &d);
  if (rc == 1) {
    hdr = h;
    data = d;
    return true;
  }
  if (rc == PCAP_ERROR_BREAK) return false;
  throw ToolError(path_ + ": " + pcap_geterr(pcap_));
}

PcapWriter::PcapWriter(const std::string& path, int datalink, int snaplen) : path_(path) {
  tmp_path_ = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(tmp_path_.data());
  if (fd < 0) throw ToolError(path + ": cannot create: " + errno_text());
  // mkstemp's 0600 would outlive the rename; give OUT.pcap the usual mode.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  FILE* f = ::fdopen(fd, "wb");
  if (f == nullptr) {
    ::close(fd);
    ::unlink(tmp_path_.c_str());
    throw ToolError(path + ": " + errno_text());
  }
  std::setvbuf(f, nullptr, _IOFBF, kOutputBuffer);
  dead_ = pcap_open_dead_with_tstamp_precision(datalink, snaplen, PCAP_TSTAMP_PRECISION_MICRO);
  dumper_ = dead_ ? pcap_dump_fopen(dead_, f) : nullptr;
  if (dumper_ == nullptr) {
    const std::string why = dead_ ? pcap_geterr(dead_) : "pcap_open_dead failed";
    std::fclose(f);
    close_files();
    ::unlink(tmp_path_.c_str());
    throw ToolError(path + ": " + why);
  }
}

void PcapWriter::close_files() {
  if (dumper_ != nullptr) pcap_dump_close(dumper_);
  dumper_ = nullptr;
  if (dead_ != nullptr) pcap_close(dead_);
  dead_ = nullptr;
}

PcapWriter::~PcapWriter() {
  close_files();
  if (!committed_) ::unlink(tmp_path_.c_str());
}

void PcapWriter::commit() {
  const bool flushed = pcap_dump_flush(dumper_) == 0;
  const bool ok = flushed && !std::ferror(pcap_dump_file(dumper_));
  close_files();
  if (!ok) throw ToolError(path_ + ": write error");
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0)
    throw ToolError(path_ + ": cannot rename into place: " + errno_text());
  committed_ = true;
}

}  // namespace lvs::tools
