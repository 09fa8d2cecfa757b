#pragma once
// libpcap, wrapped: a capture reader, and a writer that produces its file
// under a temporary name and renames it into place only on commit(), so a
// failed run never leaves a half-written OUT.pcap behind.

#include <pcap/pcap.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace lvs::tools {

class PcapReader {
 public:
  // Throws ToolError with libpcap's message.
  explicit PcapReader(const std::string& path);
  ~PcapReader();
  PcapReader(const PcapReader&) = delete;
  PcapReader& operator=(const PcapReader&) = delete;

  int datalink() const { return pcap_datalink(pcap_); }
  int snaplen() const { return pcap_snapshot(pcap_); }
  // The next record; false at the end of the file. The pointers stay valid
  // until the next call. Throws ToolError when the file is damaged.
  bool next(const pcap_pkthdr*& hdr, const std::uint8_t*& data);

 private:
  std::string path_;
  pcap_t* pcap_ = nullptr;
};

class PcapWriter {
 public:
  // Opens a temporary file next to `path`; throws ToolError.
  PcapWriter(const std::string& path, int datalink, int snaplen);
  ~PcapWriter();  // removes the temporary file unless committed
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  void write(const pcap_pkthdr& hdr, const std::uint8_t* data) {
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &hdr, data);
  }
  // Flushes, closes and renames into place; throws ToolError.
  void commit();

 private:
  void close_files();

  std::string path_;
  std::string tmp_path_;
  pcap_t* dead_ = nullptr;
  pcap_dumper_t* dumper_ = nullptr;
  bool committed_ = false;
};

}  // namespace lvs::tools
