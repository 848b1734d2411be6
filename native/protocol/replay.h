// The replay of RRAS's state to a new host (a restart): every interface RRAS added, with its
// block, binding and status, then StartComplete if RRAS had called it, so the host learns all
// that RRAS told its predecessor; and what RRAS changed while the replay ran, sent after it in
// order. Stateless: it works on a copy of the protocol state taken under its mutex.
#pragma once

#include <cstdint>
#include <string>

#include "host_link.h"
#include "interfaces.h"

namespace rrasbridge {

// After the new host's start: the interfaces of `snapshot`, then StartComplete when
// startCompleted, each call waited for up to callTimeoutMs. False with err when the host
// failed one (it is shut down: a host that cannot take RRAS's state is not used).
bool Replay(HostLink& link, const InterfaceTable& snapshot, bool startCompleted,
            uint32_t callTimeoutMs, std::string& err);

// What changed from `replayed` to `now` (interfaces deleted, added, or with another status),
// sent without waiting. The caller holds the mutex guarding `now` (sending only queues), so
// no later call can reach the host before these.
void SendDifference(HostLink& link, const InterfaceTable& replayed, const InterfaceTable& now);

}  // namespace rrasbridge
