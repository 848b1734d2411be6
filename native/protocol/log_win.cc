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

// Trace ids by name. A protocol's id is released after its stop (ReleaseTracing), never from a
// DLL detach: that would call into rtutils under the loader lock.
std::map<std::string, DWORD>& TraceIds() {
  static std::map<std::string, DWORD> ids;
  return ids;
}

DWORD TraceId(const std::string& who) {
  auto& ids = TraceIds();
  auto it = ids.find(who);
  if (it != ids.end()) return it->second;
  DWORD id = ::TraceRegisterExW(win::Wide(who).c_str(), 0);
  ids[who] = id;
  return id;
}

// Opens a configured log file for appending, as a service running as SYSTEM must: never
// through a symbolic link or junction at the path (FILE_FLAG_OPEN_REPARSE_POINT, then refused),
// only a plain disk file with a single link (a hard link planted by another account is not ours
// to append to); created with an owner-only DACL. Returns null with why set when refused.
HANDLE OpenLogFile(const std::string& path, std::string& why) {
  win::OwnerOnlySecurity security;
  if (!security.Init(false, why)) return nullptr;
  win::Handle h(::CreateFileW(win::Wide(path).c_str(), FILE_APPEND_DATA,
                              FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, security.get(),
                              OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
  if (!h) {
    why = win::ErrorText("CreateFile");
    return nullptr;
  }
  BY_HANDLE_FILE_INFORMATION info{};
  if (!::GetFileInformationByHandle(h.get(), &info)) why = win::ErrorText("GetFileInformationByHandle");
  else if (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) why = "it is a symbolic link or junction";
  else if (::GetFileType(h.get()) != FILE_TYPE_DISK) why = "it is not a regular file";
  else if (info.nNumberOfLinks != 1) why = "it has " + std::to_string(info.nNumberOfLinks) + " hard links";
  return why.empty() ? h.Release() : nullptr;
}

// One append handle per file, kept open until the library is unloaded.
std::map<std::string, HANDLE>& Sinks() {
  static std::map<std::string, HANDLE> sinks;
  return sinks;
}

void Append(HANDLE sink, const std::string& line) {
  DWORD n = 0;
  if (sink && sink != INVALID_HANDLE_VALUE)
    ::WriteFile(sink, line.data(), static_cast<DWORD>(line.size()), &n, nullptr);
}

std::string Timestamp() {
  SYSTEMTIME t;
  ::GetSystemTime(&t);
  char ts[40];
  std::snprintf(ts, sizeof ts, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", t.wYear, t.wMonth, t.wDay,
                t.wHour, t.wMinute, t.wSecond, t.wMilliseconds);
  return ts;
}

HANDLE Sink(const std::string& file, const std::string& who) {
  if (file.empty()) return ::GetStdHandle(STD_ERROR_HANDLE);
  auto it = Sinks().find(file);
  if (it != Sinks().end()) return it->second;
  std::string why;
  HANDLE h = OpenLogFile(file, why);
  if (!h) {
    const std::string text = "logFile '" + file + "' refused: " + why + "; the log goes to stderr instead";
    const DWORD id = TraceId(who);
    if (id != INVALID_TRACEID)
      ::TracePutsExW(id, TRACE_USE_MASK | TRACE_USE_MSEC | TRACE_USE_DATE | kTraceMasks[0],
                     win::Wide("[ERROR] " + text).c_str());
    h = ::GetStdHandle(STD_ERROR_HANDLE);
    Append(h, Timestamp() + " ERROR [" + who + "] " + text + "\n");
  }
  Sinks()[file] = h;
  return h;
}

}  // namespace

void Logger::Write(LogLevel level, const std::string& text, const std::string& suffix) const {
  const unsigned l = static_cast<unsigned>(level) & 3;
  const std::string line = Timestamp() + " " + kLevels[l] + " [" + who_ + suffix + "] " + text + "\n";
  const std::wstring traced = win::Wide(std::string("[") + kLevels[l] + suffix + "] " + text);
  std::lock_guard<std::mutex> lock(gMu);
  const DWORD id = TraceId(who_);
  if (id != INVALID_TRACEID)
    ::TracePutsExW(id, TRACE_USE_MASK | TRACE_USE_MSEC | TRACE_USE_DATE | kTraceMasks[l],
                   traced.c_str());
  Append(Sink(file_, who_), line);
}

// Kernel32 only: legal under the loader lock (DLL_PROCESS_DETACH on FreeLibrary).
void CloseLogSinks() {
  std::lock_guard<std::mutex> lock(gMu);
  const HANDLE stdErr = ::GetStdHandle(STD_ERROR_HANDLE);
  for (auto& [file, h] : Sinks())
    if (h && h != stdErr) ::CloseHandle(h);
  Sinks().clear();
}

// Called on the router manager's thread after a stop (never from DllMain: rtutils may wait).
void ReleaseTracing(const std::string& who) {
  std::lock_guard<std::mutex> lock(gMu);
  auto& ids = TraceIds();
  auto it = ids.find(who);
  if (it == ids.end()) return;
  if (it->second != INVALID_TRACEID) ::TraceDeregisterW(it->second);
  ids.erase(it);
}

}  // namespace rrasbridge
#endif  // _WIN32
