#include "tools/assignment_log.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tools/tool_error.h"

namespace lvs::tools {
namespace {

void put_ip(char*& p, Ip4 a) {
  p += std::sprintf(p, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

}  // namespace

AssignmentLog::AssignmentLog(const std::string& path) : path_(path), tmp_path_(path + ".tmp") {
  file_ = std::fopen(tmp_path_.c_str(), "w");
  if (file_ == nullptr) throw ToolError(path + ": cannot create: " + std::strerror(errno));
  std::setvbuf(file_, nullptr, _IOFBF, std::size_t{1} << 16);
  std::fputs("time,client_ip,client_port,vip,vport,real_ip,real_port\n", file_);
}

AssignmentLog::~AssignmentLog() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_) ::unlink(tmp_path_.c_str());
}

void AssignmentLog::add(long long sec, long usec, const Conn& c) {
  char line[160];
  char* p = line;
  p += std::sprintf(p, "%lld.%06ld,", sec, usec);
  put_ip(p, c.caddr);
  p += std::sprintf(p, ",%u,", unsigned{c.cport});
  put_ip(p, c.vaddr);
  p += std::sprintf(p, ",%u,", unsigned{c.vport});
  put_ip(p, c.daddr);
  p += std::sprintf(p, ",%u\n", unsigned{c.dport});
  std::fwrite(line, 1, static_cast<std::size_t>(p - line), file_);
}

void AssignmentLog::commit() {
  const bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok || !closed) throw ToolError(path_ + ": write error");
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0)
    throw ToolError(path_ + ": cannot rename into place: " + std::strerror(errno));
  committed_ = true;
}

}  // namespace lvs::tools
