// The watchdog of the current host: each tick a heartbeat with a new sequence number, which
// the host answers through its JS thread, so the answer proves its event loop is alive. A host
// that leaves heartbeatMisses ticks in a row unanswered is hung, and the supervisor restarts
// it (supervisor.cc). heartbeatMs 0 turns it off.
//
// State: every field is guarded by mu_. The supervisor watches a new host and ticks; the I/O
// thread records answers, for the host watched when the heartbeat was sent only.
#pragma once

#include <cstdint>
#include <mutex>

#include "config.h"
#include "host_link.h"
#include "log.h"

namespace rrasbridge {

class Watchdog {
 public:
  Watchdog(const ProtocolConfig& config, const Logger& log) : config_(config), log_(log) {}

  // A new host is current: counting starts again.
  void Watch(const HostLink& link);
  enum class Verdict { Alive, Hung };
  // One tick for the current host, link: sends the next heartbeat, or waits on for the one
  // unanswered, or, after heartbeatMisses ticks without its answer, says Hung (logged).
  Verdict Tick(HostLink& link);

 private:
  void Answered(const HostLink* link, uint32_t seq, const wire::Message& reply);

  const ProtocolConfig& config_;
  const Logger& log_;
  std::mutex mu_;
  const HostLink* watched_ = nullptr;  // identity only: a heartbeat's completion must not own its link
  uint32_t sent_ = 0, answered_ = 0, misses_ = 0;
  uint64_t rssBytes_ = 0;  // the host's resident memory at its last answer (wire v2), 0: unknown
};

}  // namespace rrasbridge
