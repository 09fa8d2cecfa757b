#pragma once
// The assignments CSV of `lvsim replay`: one row per connection the
// scheduler placed, `time,client_ip,client_port,vip,vport,real_ip,real_port`,
// time in seconds with microseconds as the capture stamped the packet.

#include <cstdio>
#include <string>

#include "lvs/conn_table.h"

namespace lvs::tools {

class AssignmentLog {
 public:
  // Writes under a temporary name; commit() renames it into place. Throws ToolError.
  explicit AssignmentLog(const std::string& path);
  ~AssignmentLog();
  AssignmentLog(const AssignmentLog&) = delete;
  AssignmentLog& operator=(const AssignmentLog&) = delete;

  void add(long long sec, long usec, const Conn& c);
  void commit();

 private:
  std::string path_;
  std::string tmp_path_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

}  // namespace lvs::tools
