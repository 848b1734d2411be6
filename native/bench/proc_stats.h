// What the kernel counts for a process, read from /proc (Linux): thread wake-ups (voluntary
// context switches summed over every thread), resident memory and its peak, CPU time.
// The benchmarks read these for the router-manager process (this one) and the host alike.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace rrasbridge::bench {

struct SwitchCounts {
  uint64_t voluntary = 0;     // a thread blocked (and so will be woken): one wake-up each
  uint64_t involuntary = 0;   // a thread was preempted (load on the machine, not our design)
};

// Sums over /proc/<pid>/task/*/status; pid 0 is this process. Threads that ended between two
// readings take their counts with them, so compare readings of threads that stay.
SwitchCounts ContextSwitches(pid_t pid);
// VmRSS and VmHWM of /proc/<pid>/status, in bytes (0 when unreadable).
uint64_t ResidentBytes(pid_t pid);
uint64_t PeakResidentBytes(pid_t pid);
// Resets VmHWM to the current RSS (writes 5 to /proc/<pid>/clear_refs); false if refused.
bool ResetPeakResident(pid_t pid);
// utime + stime of /proc/<pid>/stat, in nanoseconds (clock-tick resolution).
uint64_t CpuNanoseconds(pid_t pid);
// CLOCK_MONOTONIC in nanoseconds: the clock Node's process.hrtime uses, so times taken here
// and in the host compare directly.
uint64_t MonotonicNs();
// CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), in nanoseconds: what a loop cost
// whatever else the machine runs.
uint64_t ThreadCpuNs();

}  // namespace rrasbridge::bench
