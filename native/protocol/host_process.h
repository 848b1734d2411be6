// The Node host as a child process: spawned so that it cannot outlive the library's process
// (POSIX: PR_SET_PDEATHSIG; Windows: a kill-on-close job object, created suspended), with
// stdout and stderr captured to a fresh file (never one planted at its path) whose tail goes
// into the error when it dies.
//
// State: none shared. A HostProcess belongs to its HostLink, whose launching thread (the
// supervisor) spawns, waits for and terminates it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rrasbridge {

class HostProcess {
 public:
  HostProcess() = default;
  HostProcess(const HostProcess&) = delete;
  HostProcess& operator=(const HostProcess&) = delete;
  ~HostProcess();  // kills and reaps a child still running

  // argv[0] is the executable (searched in PATH when it has no slash). stdinData is written
  // to the child's stdin, which is then closed (the handshake token travels this way).
  bool Spawn(const std::vector<std::string>& argv, const std::string& stdinData,
             const std::string& outputLog, std::string& err);
  uint32_t pid() const { return static_cast<uint32_t>(pid_); }
  bool running();
  // Waits up to graceMs for the child to exit by itself, then kills it (SIGKILL,
  // TerminateProcess) and reaps it within kReapMs. Returns a description of how it ended
  // ("exit code 1", "signal 9").
  std::string Terminate(uint32_t graceMs);
  static constexpr uint32_t kReapMs = 1000;
  // Waits up to ms for the child to exit on its own; empty when it is still running.
  std::string WaitExit(uint32_t ms);
  // The last bytes the child wrote to stdout/stderr.
  std::string OutputTail(size_t maxBytes) const;

 private:
  long pid_ = -1;  // pid_t on POSIX
  void* job_ = nullptr;  // Windows job object
  void* process_ = nullptr;  // Windows process handle
  std::string outputLog_;
  std::string exit_;
};

}  // namespace rrasbridge
