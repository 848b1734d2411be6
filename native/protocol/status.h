// The status of one protocol as `rras-bridge status` shows it: the snapshot Instance::Snapshot
// fills (under its lock, in one go) and the JSON document made of it with the protocol's
// telemetry. The document's fields are described in docs/operations.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "interfaces.h"
#include "telemetry.h"

namespace rrasbridge {

// A host that ended or was restarted, and why.
struct RestartRecord {
  int64_t wallNs = 0;
  uint32_t generation = 0;  // the host that ended
  uint32_t pid = 0;
  HostEvent what = HostEvent::Lost;  // Lost, WatchdogKill, PlannedRestart or GaveUp
  std::string reason;
};

struct InstanceStatus {
  uint32_t protocolId = 0;
  std::string name, module;
  bool ipv6 = false;  // the IPv6 router manager's protocol (its bindings are IPv6)
  std::string state;  // stopped, starting, running, stopping, gave-up
  bool startCompleted = false;
  int64_t startedWallNs = 0;  // StartProtocol succeeded
  // The host.
  uint32_t hostPid = 0, generation = 0;
  bool hostConnected = false;
  int64_t hostStartedWallNs = 0;
  size_t hostCallsPending = 0, hostQueuedBytes = 0;
  // Restarts.
  std::vector<RestartRecord> restarts;  // the most recent, oldest first
  uint64_t unplannedRestarts = 0, plannedRestarts = 0;
  uint32_t budgetUsed = 0, restartLimit = 0, restartWindowMs = 0;
  bool gaveUp = false;
  // Graceful restart and RTM.
  bool rtmOpen = false, staleArmed = false;
  int64_t staleDeadlineInMs = 0;
  uint32_t staleTimeoutMs = 0;
  size_t routesOwn = 0, routesStale = 0;
  // What RRAS told the protocol, and what waits.
  std::vector<InterfaceState> interfaces;
  size_t eventQueueDepth = 0;
  int callsInFlight = 0;
};

// The document for one protocol (a JSON object).
std::string StatusJson(const InstanceStatus& s, const Telemetry& t);

}  // namespace rrasbridge
