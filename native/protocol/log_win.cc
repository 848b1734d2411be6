// Logging on Windows: RRAS tracing through rtutils (TraceRegisterEx/TracePutsEx) under the
// protocol's name, so `netsh ras set tracing <name> enabled` writes %windir%\tracing\<name>.LOG;
// also appended to the configured LogFile, or to stderr when there is one (tests, tools).
#ifdef _WIN32
#include "../common/win32.h"

#include <rtutils.h>

#include <cstdio>
#include <map>
#include <mutex>

#include "log.h"

namespace rrasbridge {
namespace {

std::mutex gMu;
const char* kLevels[] = {"ERROR", "WARN", "INFO", "DEBUG"};
// Component bits compared with the FileTracingMask / ConsoleTracingMask registry values.
const DWORD kTraceMasks[] = {0x00010000, 0x00020000, 0x00040000, 0x00080000};

// Trace ids stay registered for the life of the process: deregistering from a DLL detach
// would call into rtutils under the loader lock.
DWORD TraceId(const std::string& who) {
  static std::map<std::string, DWORD> ids;
  auto it = ids.find(who);
  if (it != ids.end()) return it->second;
  DWORD id = ::TraceRegisterExW(win::Wide(who).c_str(), 0);
  ids[who] = id;
  return id;
}

// One append handle per file, kept open for the life of the process.
HANDLE Sink(const std::string& file) {
  static std::map<std::string, HANDLE> sinks;
  if (file.empty()) return ::GetStdHandle(STD_ERROR_HANDLE);
  auto it = sinks.find(file);
  if (it != sinks.end()) return it->second;
  HANDLE h = ::CreateFileW(win::Wide(file).c_str(), FILE_APPEND_DATA,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                           OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  sinks[file] = h == INVALID_HANDLE_VALUE ? nullptr : h;
  return sinks[file];
}

}  // namespace

void Logger::Write(LogLevel level, const std::string& text, const std::string& suffix) const {
  const unsigned l = static_cast<unsigned>(level) & 3;
  SYSTEMTIME t;
  ::GetSystemTime(&t);
  char ts[40];
  std::snprintf(ts, sizeof ts, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", t.wYear, t.wMonth, t.wDay,
                t.wHour, t.wMinute, t.wSecond, t.wMilliseconds);
  const std::string line =
      std::string(ts) + " " + kLevels[l] + " [" + who_ + suffix + "] " + text + "\n";
  const std::wstring traced = win::Wide(std::string("[") + kLevels[l] + suffix + "] " + text);
  std::lock_guard<std::mutex> lock(gMu);
  const DWORD id = TraceId(who_);
  if (id != INVALID_TRACEID)
    ::TracePutsExW(id, TRACE_USE_MASK | TRACE_USE_MSEC | TRACE_USE_DATE | kTraceMasks[l],
                   traced.c_str());
  HANDLE sink = Sink(file_);
  if (sink && sink != INVALID_HANDLE_VALUE) {
    DWORD n = 0;
    ::WriteFile(sink, line.data(), static_cast<DWORD>(line.size()), &n, nullptr);
  }
}

}  // namespace rrasbridge
#endif  // _WIN32
