// The raw baseline of the channel benchmarks: a Unix stream socket from this process (the
// router manager's, where the protocol library runs) to an echo server on the host's JS
// thread (the benchmark protocol's `echo` command, plain node:net). The same two processes
// and the same hop into JS as the bridge, with nothing of the bridge in between.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "pipeline.h"

namespace rrasbridge::bench {

class RawEcho {
 public:
  // Bytes per message: about a DoUpdateRoutes request frame of the wire.
  static constexpr size_t kMessageBytes = 32;

  RawEcho() = default;
  RawEcho(const RawEcho&) = delete;
  RawEcho& operator=(const RawEcho&) = delete;
  ~RawEcho();

  bool Connect(const std::string& path, std::string& err);
  // One message out and back; nanoseconds, or 0 on failure.
  uint64_t RoundTrip();
  // `count` messages with at most `depth` in flight, written from `senders` threads.
  PipelineResult Pipelined(size_t count, size_t depth, int senders);

 private:
  int fd_ = -1;
};

}  // namespace rrasbridge::bench
