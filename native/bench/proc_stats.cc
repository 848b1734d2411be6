// /proc readers for the benchmarks (see proc_stats.h).
#include "proc_stats.h"

#include <dirent.h>
#include <time.h>

#include <cstring>
#include <fstream>
#include <string>

namespace rrasbridge::bench {
namespace {

std::string ProcDir(pid_t pid) { return pid ? "/proc/" + std::to_string(pid) : "/proc/self"; }

// The value of a "Key:   123 kB" line of a status file; kB lines are returned in bytes.
uint64_t StatusField(const std::string& file, const char* key) {
  std::ifstream in(file);
  std::string line;
  const size_t n = std::strlen(key);
  while (std::getline(in, line)) {
    if (line.compare(0, n, key) != 0 || line.size() <= n || line[n] != ':') continue;
    const uint64_t v = std::strtoull(line.c_str() + n + 1, nullptr, 10);
    return line.find("kB") != std::string::npos ? v * 1024 : v;
  }
  return 0;
}

}  // namespace

SwitchCounts ContextSwitches(pid_t pid) {
  SwitchCounts c;
  const std::string dir = ProcDir(pid) + "/task";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return c;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const std::string status = dir + "/" + e->d_name + "/status";
    c.voluntary += StatusField(status, "voluntary_ctxt_switches");
    c.involuntary += StatusField(status, "nonvoluntary_ctxt_switches");
  }
  ::closedir(d);
  return c;
}

uint64_t ResidentBytes(pid_t pid) { return StatusField(ProcDir(pid) + "/status", "VmRSS"); }

uint64_t MonotonicNs() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t ThreadCpuNs() {
  timespec ts;
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace rrasbridge::bench
