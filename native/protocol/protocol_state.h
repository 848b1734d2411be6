// What RRAS has told one protocol and which host serves it: the state the protocol's threads
// share. Every field is guarded by `mu`, which is never held while waiting for the host (a
// call, a spawn, a join); nobody reads one without it.
//
//   RRAS's threads       instance.cc: the entry points read and change all of it
//   the supervisor       supervisor.cc: phase, link and generation; a copy for the replay
//   the I/O thread       host_requests.cc: blocks the protocol saved (Adopt); support
//   late completions     instance.cc: blocks applied after their deadline (Adopt)
//
//   operators            instance.cc's Snapshot (the admin endpoint's thread): reads them all
//
// An operators' status snapshot of the protocol reads these fields under `mu` in one go.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "../common/compat.h"
#include "event_queue.h"
#include "host_link.h"
#include "interfaces.h"

namespace rrasbridge {

struct ProtocolState {
  // Stopped -> Starting (StartProtocol) -> Running -> Stopping (StopProtocol) -> Stopped (the
  // supervisor, at the end of the stop); a start that fails goes back to Stopped.
  enum class Phase { Stopped, Starting, Running, Stopping };

  std::mutex mu;
  // Notified on every change someone waits for: the supervisor's orders and the phase
  // (supervisor.cc), the first launch (StartProtocol).
  std::condition_variable cv;

  Phase phase = Phase::Stopped;
  bool startCompleted = false;  // StartComplete came in this run (a new host gets it again)
  bool gaveUp = false;          // the restart budget is spent: 1003 until the next StartProtocol
  SUPPORT_FUNCTIONS support{};  // the router manager's, from StartProtocol
  InfoBlob globalInfo;          // the global block in force
  InterfaceTable interfaces;    // RRAS's interfaces: their blocks and status
  uint64_t tableVersion = 0;    // changes with every change of `interfaces`
  std::shared_ptr<HostLink> link;  // the current host; null while none is connected
  uint32_t generation = 0;         // of the last host launched
  int64_t startedWallNs = 0;       // when StartProtocol succeeded (the status's uptime)

  // The current host, or null.
  std::shared_ptr<HostLink> Link() {
    std::lock_guard<std::mutex> lock(mu);
    return link;
  }
  // A block in force that RRAS did not set itself (the protocol saved it, or applied a SetInfo
  // after its deadline): cached, then SAVE_*_CONFIG_INFO queued, so RRAS reads and keeps it.
  // global, or interfaceIndex's block; false for an unknown interface.
  bool Adopt(bool global, uint32_t interfaceIndex, InfoBlob blob, EventQueue& events);
};

}  // namespace rrasbridge
