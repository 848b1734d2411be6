// Logging on POSIX: lines appended to the protocol's log file, or to stderr.
#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>

#include "log.h"

namespace rrasbridge {
namespace {

std::mutex gMu;
const char* kLevels[] = {"ERROR", "WARN", "INFO", "DEBUG"};

void Line(FILE* f, LogLevel level, const std::string& who, const std::string& suffix,
          const std::string& text) {
  timeval tv;
  ::gettimeofday(&tv, nullptr);
  tm t;
  ::gmtime_r(&tv.tv_sec, &t);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &t);
  std::fprintf(f, "%s.%03ldZ %s [%s%s] %s\n", ts, static_cast<long>(tv.tv_usec / 1000),
               kLevels[static_cast<unsigned>(level) & 3], who.c_str(), suffix.c_str(), text.c_str());
  std::fflush(f);
}

// Opens a configured log file for appending, as a service running as root must: never through
// a symbolic link at the path (O_NOFOLLOW), only a regular file (a FIFO would block or feed
// someone), only this account's own file with a single link that nobody else may write to (a
// file planted or hard-linked by another account is not ours to append to); created 0600.
// Returns null with why set when the file is refused.
FILE* OpenLogFile(const std::string& path, std::string& why) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  if (fd < 0) {
    why = errno == ELOOP ? "it is a symbolic link"
          : errno == ENXIO ? "it is not a regular file"
                           : std::strerror(errno);
    return nullptr;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) why = std::strerror(errno);
  else if (!S_ISREG(st.st_mode)) why = "it is not a regular file";
  else if (st.st_uid != ::geteuid())
    why = "it belongs to uid " + std::to_string(st.st_uid) + ", not to this process's uid " +
          std::to_string(::geteuid());
  else if (st.st_nlink != 1) why = "it has " + std::to_string(st.st_nlink) + " hard links";
  else if (st.st_mode & S_IWOTH) why = "anyone may write to it";
  FILE* f = nullptr;
  if (why.empty() && ::fcntl(fd, F_SETFL, O_WRONLY | O_APPEND) == 0) f = ::fdopen(fd, "a");
  if (!f) {
    if (why.empty()) why = std::strerror(errno);
    ::close(fd);
  }
  return f;
}

// One FILE per destination (gMu held), kept open until the library is unloaded. Never a
// static object: its destructor would run at exit while threads may still log.
std::map<std::string, FILE*>* gSinks = nullptr;

std::map<std::string, FILE*>& Sinks() {
  if (!gSinks) gSinks = std::make_unique<std::map<std::string, FILE*>>().release();
  return *gSinks;
}

FILE* Sink(const std::string& file, const std::string& who) {
  if (file.empty()) return stderr;
  auto it = Sinks().find(file);
  if (it != Sinks().end()) return it->second;
  std::string why;
  FILE* f = OpenLogFile(file, why);
  if (!f) {
    Line(stderr, LogLevel::Error, who, {},
         "logFile '" + file + "' refused: " + why + "; the log goes to stderr instead");
    f = stderr;
  }
  Sinks()[file] = f;
  return f;
}

}  // namespace

void Logger::Write(LogLevel level, const std::string& text, const std::string& suffix) const {
  std::lock_guard<std::mutex> lock(gMu);
  Line(Sink(file_, who_), level, who_, suffix, text);
}

void CloseLogSinks() {
  std::lock_guard<std::mutex> lock(gMu);
  if (!gSinks) return;
  for (auto& [file, f] : *gSinks)
    if (f != stderr) std::fclose(f);
  delete gSinks;
  gSinks = nullptr;
}

void ReleaseTracing(const std::string&) {}

}  // namespace rrasbridge
#endif
