// The recent lines of one protocol's log, kept in memory for `rras-bridge log` and for the last
// errors in `rras-bridge status`: wherever the log goes (a file, stderr, RRAS tracing), an
// operator can read it from the admin endpoint. Bounded by lines and bytes; the errors and
// warnings are also kept apart, so a flood of routine lines cannot push them out.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "log.h"

namespace rrasbridge {

struct LogLine {
  uint64_t seq = 0;
  int64_t wallNs = 0;  // since the Unix epoch
  unsigned level = 0;  // LogLevel
  std::string origin;  // "" for the library, "/js" for lines the host sent
  std::string text;
};

class LogRing {
 public:
  static constexpr size_t kMaxLines = 2000, kMaxBytes = 512u << 10, kMaxErrors = 16;

  void Add(LogLevel level, const std::string& text, const std::string& origin);
  // The lines after sequence number `after` (at most max, oldest first) into out; returns how
  // many after `after` are no longer kept.
  uint64_t Read(uint64_t after, size_t max, std::vector<LogLine>& out) const;
  uint64_t lastSeq() const;
  std::vector<LogLine> LastErrors() const;

 private:
  mutable std::mutex mu_;
  std::deque<LogLine> lines_, errors_;
  size_t bytes_ = 0;
  uint64_t seq_ = 0;
};

}  // namespace rrasbridge
