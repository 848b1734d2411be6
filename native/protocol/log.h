// Logging of the protocol library. POSIX: lines appended to the protocol's configured log
// file (or stderr). Windows: RRAS tracing (rtutils TracePrintfEx), see log_win.cc.
#pragma once

#include <cstdarg>
#include <string>

namespace rrasbridge {

enum class LogLevel : unsigned { Error = 0, Warn = 1, Info = 2, Debug = 3 };

// Where one protocol's lines go. Cheap to copy; sinks are shared per destination.
class Logger {
 public:
  Logger() = default;
  Logger(std::string who, std::string file) : who_(std::move(who)), file_(std::move(file)) {}
  const std::string& who() const { return who_; }
  void Write(LogLevel level, const std::string& text, const std::string& suffix = {}) const;
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  void operator()(LogLevel level, const char* fmt, ...) const;

 private:
  std::string who_ = "rras-bridge";
  std::string file_;
};

}  // namespace rrasbridge
