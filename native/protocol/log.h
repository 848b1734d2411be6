// Logging of the protocol library. POSIX: lines appended to the protocol's configured log
// file (or stderr). Windows: RRAS tracing (rtutils TracePrintfEx), see log_win.cc.
//
// A configured log file is opened without following a symbolic link at its path and created
// owner-only; a path that is a link, not a regular file, or not this account's own file is
// refused with a line on stderr naming why, and the lines go to stderr instead.
#pragma once

#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace rrasbridge {

enum class LogLevel : unsigned { Error = 0, Warn = 1, Info = 2, Debug = 3 };

// The configured logLevel (0..3; larger is Debug).
inline LogLevel LogLevelOf(uint32_t v) { return static_cast<LogLevel>(v < 3 ? v : 3); }

class LogRing;  // log_ring.h

// Where one protocol's lines go. Cheap to copy; sinks are shared per destination. Lines above
// `max` are dropped: the default level writes no line per routine call (each DoUpdateRoutes
// would flood RRAS tracing), debug does.
class Logger {
 public:
  Logger() = default;
  Logger(std::string who, std::string file, LogLevel max = LogLevel::Debug)
      : who_(std::move(who)), file_(std::move(file)), max_(max) {}
  const std::string& who() const { return who_; }
  bool Enabled(LogLevel level) const { return level <= max_; }
  // Every line also goes to ring (the protocol's recent lines, for the admin endpoint).
  void Tap(std::shared_ptr<LogRing> ring) { tap_ = std::move(ring); }
  void Write(LogLevel level, const std::string& text, const std::string& suffix = {}) const;
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  void operator()(LogLevel level, const char* fmt, ...) const;

 private:
  // The line, to the platform's destination (log_posix.cc, log_win.cc).
  void Emit(LogLevel level, const std::string& text, const std::string& suffix) const;

  std::string who_ = "rras-bridge";
  std::string file_;
  LogLevel max_ = LogLevel::Debug;
  std::shared_ptr<LogRing> tap_;
};

// Lets one line through per interval and counts the ones held back, so that a flood (a local
// process hammering the channel, a poller calling while the host is down) cannot flood the log.
class LogThrottle {
 public:
  explicit LogThrottle(uint32_t intervalMs = 1000) : interval_(intervalMs) {}
  // True when a line may be written now; *held is then how many were held back before it.
  bool Allow(uint64_t* held);
  // How many were held back since the last line let through; resets the count.
  uint64_t TakeHeld();

 private:
  std::mutex mu_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point next_{};
  uint64_t held_ = 0;
};

// Library unload, once no thread of the library runs: closes the log files.
void CloseLogSinks();
// Ends the RRAS tracing registration of a protocol's name once its stop is complete (Windows;
// a later line registers it again). Nothing on POSIX.
void ReleaseTracing(const std::string& who);

}  // namespace rrasbridge
