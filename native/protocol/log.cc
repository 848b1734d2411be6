// The platform-neutral part of Logger: printf-style formatting. Where lines go is in
// log_posix.cc (a file or stderr) and log_win.cc (RRAS tracing).
#include "log.h"

#include <cstdio>

namespace rrasbridge {

void Logger::operator()(LogLevel level, const char* fmt, ...) const {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  Write(level, buf);
}

}  // namespace rrasbridge
