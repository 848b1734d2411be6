// What the kernel counts for a process, read from /proc (Linux): thread wake-ups (voluntary
// context switches summed over every thread) and resident memory; and the clocks the
// benchmarks time with. (The host measures its own CPU time and memory peak.)
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
// VmRSS of /proc/<pid>/status, in bytes (0 when unreadable).
uint64_t ResidentBytes(pid_t pid);
// CLOCK_MONOTONIC in nanoseconds: the clock Node's process.hrtime uses, so times taken here
// and in the host compare directly.
uint64_t MonotonicNs();
// CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), in nanoseconds: what a loop cost
// whatever else the machine runs.
uint64_t ThreadCpuNs();

}  // namespace rrasbridge::bench
