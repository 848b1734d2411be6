// Graceful restart (FRR's zebra_gr.c is the model): the RTM entity belongs to the library, so
// when a host is lost its routes stay in RTM, marked stale, until the next host has
// re-announced what it still has and says `synced`, or staleTimeoutMs passes; then the routes
// still stale are swept. A crash and a planned restart (code reload) keep the routes this
// way; a stop deletes them (supervisor.cc).
//
// State: armed_ and deadline_ are guarded by mu_. The supervisor arms the timer (HostLost),
// expires it (Expire) and disarms it (RTM closed); the I/O thread sweeps at `synced`; the
// status snapshot reads them (Armed).
#pragma once

#include <mutex>

#include "../common/stream.h"
#include "config.h"
#include "log.h"
#include "rtm_glue.h"

namespace rrasbridge {

class GracefulRestart {
 public:
  GracefulRestart(const ProtocolConfig& config, const Logger& log, RtmGlue& rtm)
      : config_(config), log_(log), rtm_(rtm) {}

  // The current host is gone: its routes are kept, stale, until the deadline.
  void HostLost();
  // The new host declared itself synced: what it did not re-announce goes.
  void Synced();
  // The stale timer: sweeps once its deadline has passed.
  void Expire(Clock::time_point now);
  // RTM is closed: nothing is left to sweep.
  void Disarm();
  // For the status: whether a sweep is due, and when.
  bool Armed(Clock::time_point& deadline);

 private:
  void Sweep(const char* why);

  const ProtocolConfig& config_;
  const Logger& log_;
  RtmGlue& rtm_;
  std::mutex mu_;
  bool armed_ = false;              // guarded by mu_: a dead host's routes await a sweep
  Clock::time_point deadline_{};    // guarded by mu_
};

}  // namespace rrasbridge
