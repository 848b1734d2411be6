#ifndef _WIN32
#include <sys/time.h>

#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>

#include "log.h"

namespace rrasbridge {
namespace {

std::mutex gMu;
const char* kLevels[] = {"ERROR", "WARN", "INFO", "DEBUG"};

// One FILE per destination, kept open for the life of the process.
FILE* Sink(const std::string& file) {
  // Never destroyed: threads may still log while the process exits.
  static auto& sinks = *std::make_unique<std::map<std::string, FILE*>>().release();
  if (file.empty()) return stderr;
  auto it = sinks.find(file);
  if (it != sinks.end()) return it->second;
  FILE* f = std::fopen(file.c_str(), "ae");
  sinks[file] = f ? f : stderr;
  return sinks[file];
}

}  // namespace

void Logger::Write(LogLevel level, const std::string& text, const std::string& suffix) const {
  timeval tv;
  ::gettimeofday(&tv, nullptr);
  tm t;
  ::gmtime_r(&tv.tv_sec, &t);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &t);
  std::lock_guard<std::mutex> lock(gMu);
  FILE* f = Sink(file_);
  std::fprintf(f, "%s.%03ldZ %s [%s%s] %s\n", ts, static_cast<long>(tv.tv_usec / 1000),
               kLevels[static_cast<unsigned>(level) & 3], who_.c_str(), suffix.c_str(), text.c_str());
  std::fflush(f);
}

}  // namespace rrasbridge
#endif
