#include "log_ring.h"

#include <algorithm>
#include <chrono>

#include "log.h"

namespace rrasbridge {

void LogRing::Add(LogLevel level, const std::string& text, const std::string& origin) {
  LogLine l;
  l.wallNs = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  l.level = static_cast<unsigned>(level);
  l.origin = origin;
  l.text = text.size() > 4096 ? text.substr(0, 4096) + "..." : text;
  std::lock_guard<std::mutex> lock(mu_);
  l.seq = ++seq_;
  if (level <= LogLevel::Warn) {
    errors_.push_back(l);
    if (errors_.size() > kMaxErrors) errors_.pop_front();
  }
  bytes_ += l.text.size();
  lines_.push_back(std::move(l));
  while (lines_.size() > kMaxLines || (bytes_ > kMaxBytes && lines_.size() > 1)) {
    bytes_ -= lines_.front().text.size();
    lines_.pop_front();
  }
}

uint64_t LogRing::Read(uint64_t after, size_t max, std::vector<LogLine>& out) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (lines_.empty() || seq_ <= after) return 0;
  const uint64_t oldest = lines_.front().seq;
  const uint64_t first = std::max(after + 1, oldest);
  for (size_t i = static_cast<size_t>(first - oldest); i < lines_.size() && out.size() < max; ++i)
    out.push_back(lines_[i]);
  return first - (after + 1);
}

uint64_t LogRing::lastSeq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seq_;
}

std::vector<LogLine> LogRing::LastErrors() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {errors_.begin(), errors_.end()};
}

}  // namespace rrasbridge
