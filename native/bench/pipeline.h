// Runs work with a bounded number of requests in flight: `senders` threads issue requests
// while a reaper thread collects completions, each completion freeing one place. Both the
// bridge (DoUpdateRoutes → UPDATE_COMPLETE) and its raw-echo baseline run through this one
// loop, so they differ only in what a request is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace rrasbridge::bench {

struct PipelineResult {
  uint64_t elapsedNs = 0;  // first request issued to last completion reaped
  size_t completed = 0;
  bool ok = true;          // false when issue() failed or the reaper gave up
};

// issue(): sends one request, false on failure. reap(): blocks until one or more requests
// completed and returns how many (0: give up, e.g. a deadline passed).
PipelineResult RunPipelined(size_t count, size_t depth, int senders,
                            const std::function<bool()>& issue,
                            const std::function<size_t()>& reap);

}  // namespace rrasbridge::bench
