#ifndef _WIN32
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "host_process.h"

namespace rrasbridge {
namespace {

std::string Describe(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace

HostProcess::~HostProcess() {
  if (pid_ > 0 && exit_.empty()) Terminate(0);
}

bool HostProcess::Spawn(const std::vector<std::string>& argv, const std::string& stdinData,
                        const std::string& outputLog, std::string& err) {
  outputLog_ = outputLog;
  // A fresh file for each start: O_EXCL | O_NOFOLLOW, so nothing planted at the path (a link,
  // a file of someone else's) is written through.
  int out = ::open(outputLog.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND | O_CLOEXEC, 0600);
  if (out < 0) {
    err = "cannot open " + outputLog + ": " + std::strerror(errno);
    return false;
  }
  int in[2];
  if (::pipe2(in, O_CLOEXEC) != 0) {
    err = std::string("pipe2: ") + std::strerror(errno);
    ::close(out);
    return false;
  }
  // Closed by the child's exec (O_CLOEXEC): the parent waits for that before going on, so
  // the child runs at once on this core (the parent's next work, e.g. opening RTM, would
  // otherwise keep it waiting for one: issue 12's cold start, about 0.4 ms).
  int execed[2];
  if (::pipe2(execed, O_CLOEXEC) != 0) {
    err = std::string("pipe2: ") + std::strerror(errno);
    for (int fd : {out, in[0], in[1]}) ::close(fd);
    return false;
  }
  // Everything the child needs is prepared before fork: after it, only async-signal-safe
  // calls are allowed (the parent is multithreaded).
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    err = std::string("fork: ") + std::strerror(errno);
    for (int fd : {out, in[0], in[1], execed[0], execed[1]}) ::close(fd);
    return false;
  }
  if (pid == 0) {
    // The host must not outlive us. PDEATHSIG fires when the forking *thread* exits, so
    // the library always spawns from its long-lived supervisor thread.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(in[0], 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    // All but the exec's pipe, which the exec itself closes.
    const unsigned keep = static_cast<unsigned>(execed[1]);
    if (keep > 3) ::syscall(SYS_close_range, 3U, keep - 1, 0);
    ::syscall(SYS_close_range, keep + 1, ~0U, 0);
    ::execvp(args[0], args.data());
    const char msg[] = "rras-bridge: cannot execute the host\n";
    ssize_t w = ::write(2, msg, sizeof msg - 1);
    (void)w;
    ::_exit(127);
  }
  pid_ = pid;
  ::close(in[0]);
  ::close(out);
  ::close(execed[1]);
  char none;
  while (::read(execed[0], &none, 1) < 0 && errno == EINTR) {
  }
  ::close(execed[0]);
  size_t off = 0;
  while (off < stdinData.size()) {
    ssize_t n = ::write(in[1], stdinData.data() + off, stdinData.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the child died early; its exit is reported by the caller
    off += static_cast<size_t>(n);
  }
  ::close(in[1]);
  return true;
}

bool HostProcess::running() { return pid_ > 0 && WaitExit(0).empty(); }

std::string HostProcess::WaitExit(uint32_t ms) {
  if (!exit_.empty() || pid_ <= 0) return exit_;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(static_cast<pid_t>(pid_), &status, WNOHANG);
    if (r == pid_) {
      exit_ = Describe(status);
      return exit_;
    }
    if (r < 0 && errno != EINTR) {
      exit_ = "reaped elsewhere";
      return exit_;
    }
    if (std::chrono::steady_clock::now() >= until) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string HostProcess::Terminate(uint32_t graceMs) {
  if (pid_ <= 0) return "not started";
  std::string e = WaitExit(graceMs);
  if (!e.empty()) return e;
  // No SIGTERM step: it cannot end a stopped (SIGSTOP) host, and a host whose channel closed
  // exits by itself anyway. SIGKILL ends it in any state.
  ::kill(static_cast<pid_t>(pid_), SIGKILL);
  e = WaitExit(kReapMs);
  return e.empty() ? "did not exit after SIGKILL" : e;
}

std::string HostProcess::OutputTail(size_t maxBytes) const {
  const int fd = ::open(outputLog_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return {};
  std::string s;
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size > 0) {
    const off_t start = size > static_cast<off_t>(maxBytes) ? size - static_cast<off_t>(maxBytes) : 0;
    s.resize(static_cast<size_t>(size - start));
    const ssize_t n = ::pread(fd, s.data(), s.size(), start);
    s.resize(n > 0 ? static_cast<size_t>(n) : 0);
  }
  ::close(fd);
  return s;
}

}  // namespace rrasbridge
#endif
