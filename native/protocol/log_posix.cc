#ifndef _WIN32
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <mutex>

#include "log.h"

namespace rrasbridge {
namespace {
std::mutex gMu;
FILE* gFile = nullptr;
const char* kLevels[] = {"ERROR", "WARN", "INFO", "DEBUG"};
}  // namespace

void LogOpen(const std::string& /*name*/, const std::string& file) {
  std::lock_guard<std::mutex> lock(gMu);
  if (gFile || file.empty()) return;
  gFile = std::fopen(file.c_str(), "ae");
}

void LogWrite(LogLevel level, const std::string& who, const std::string& text) {
  timeval tv;
  ::gettimeofday(&tv, nullptr);
  tm t;
  ::gmtime_r(&tv.tv_sec, &t);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &t);
  std::lock_guard<std::mutex> lock(gMu);
  FILE* f = gFile ? gFile : stderr;
  std::fprintf(f, "%s.%03ldZ %s [%s] %s\n", ts, static_cast<long>(tv.tv_usec / 1000),
               kLevels[static_cast<unsigned>(level) & 3], who.c_str(), text.c_str());
  std::fflush(f);
}

void Logf(LogLevel level, const std::string& who, const char* fmt, ...) {
  char buf[2048];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  LogWrite(level, who, buf);
}

}  // namespace rrasbridge
#endif
