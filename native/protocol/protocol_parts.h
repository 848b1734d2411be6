// The parts of one protocol that its threads share, by reference: Instance owns them
// (instance.h) and hands them to the supervisor and to the handlers of host requests. Each
// part states who may touch its state, and under which lock, in its own header.
#pragma once

#include "config.h"
#include "event_queue.h"
#include "graceful_restart.h"
#include "log.h"
#include "protocol_state.h"
#include "rtm_glue.h"
#include "telemetry.h"

namespace rrasbridge {

struct ProtocolParts {
  const ProtocolConfig& config;
  const Logger& log;
  ProtocolState& state;
  EventQueue& events;
  RtmGlue& rtm;
  GracefulRestart& gracefulRestart;
  Telemetry& telemetry;  // the trace ring and log lines operators read; guards itself
};

}  // namespace rrasbridge
