// The protocol's event FIFO that the router manager drains with GetEventMessage. Owned by
// the library so RRAS is answered without a round trip, also while the host is down and
// after stop (ROUTER_STOPPED is read after the protocol stopped).
//
// State: the queue and the event handle are guarded by mu_: any thread pushes (completions on
// the I/O thread, the supervisor, RRAS's threads), RRAS's threads pop.
#pragma once

#include <deque>
#include <mutex>
#include <utility>

#include "../common/compat.h"
#include "trace_ring.h"

namespace rrasbridge {

class EventQueue {
 public:
  // Every event queued and drained is also recorded in trace (set once, before use).
  explicit EventQueue(TraceRing* trace = nullptr) : trace_(trace) {}

  void SetHandle(HANDLE h) {
    std::lock_guard<std::mutex> lock(mu_);
    event_ = h;
  }
  // Queues the event, then signals the router manager's notification event (unless told not
  // to: an event handle of a finished run may be closed already).
  void Push(ROUTING_PROTOCOL_EVENTS e, const MESSAGE& m, bool signal = true);
  // Signals the notification event without queuing (ROUTER_STOPPED is handed out separately).
  void Signal();
  // Until ReleaseSignals, what this thread pushes is queued at once but signalled once, at
  // the release (the host link's I/O thread holds them over the frames of one read: 256
  // events, one SetEvent). The router manager drains until ERROR_NO_MORE_ITEMS after a
  // signal, so every event is still followed by a signal.
  void HoldSignals();
  void ReleaseSignals();
  // NO_ERROR with the oldest event, or ERROR_NO_MORE_ITEMS. result may be null.
  DWORD Pop(ROUTING_PROTOCOL_EVENTS* event, MESSAGE* result);
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return q_.size();
  }

 private:
  mutable std::mutex mu_;
  std::deque<std::pair<ROUTING_PROTOCOL_EVENTS, MESSAGE>> q_;
  HANDLE event_ = nullptr;
  TraceRing* const trace_;
};

}  // namespace rrasbridge
