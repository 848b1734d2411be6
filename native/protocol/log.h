// Logging of the protocol library. POSIX: lines appended to the configured log file (or
// stderr). Windows: RRAS tracing (rtutils TracePrintfEx), see log_win.cc.
#pragma once

#include <cstdarg>
#include <string>

namespace rrasbridge {

enum class LogLevel : unsigned { Error = 0, Warn = 1, Info = 2, Debug = 3 };

void LogOpen(const std::string& name, const std::string& file);
void LogWrite(LogLevel level, const std::string& who, const std::string& text);

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void Logf(LogLevel level, const std::string& who, const char* fmt, ...);

}  // namespace rrasbridge
