// The platform-neutral part of logging: the level filter, printf-style formatting and the
// throttle. Where lines go is in log_posix.cc (a file or stderr) and log_win.cc (RRAS tracing).
#include "log.h"
#include "log_ring.h"

#include <cstdio>

namespace rrasbridge {

void Logger::Write(LogLevel level, const std::string& text, const std::string& suffix) const {
  if (!Enabled(level)) return;
  if (tap_) tap_->Add(level, text, suffix);
  Emit(level, text, suffix);
}

void Logger::operator()(LogLevel level, const char* fmt, ...) const {
  if (!Enabled(level)) return;
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  Write(level, buf);
}

bool LogThrottle::Allow(uint64_t* held) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  if (now < next_) {
    ++held_;
    return false;
  }
  next_ = now + interval_;
  *held = held_;
  held_ = 0;
  return true;
}

uint64_t LogThrottle::TakeHeld() {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t n = held_;
  held_ = 0;
  return n;
}

}  // namespace rrasbridge
