#include "event_queue.h"

#include "../common/event_handle.h"

namespace rrasbridge {
namespace {

// This thread's hold (HoldSignals): the queue holding, and whether a signal is owed.
struct Hold {
  const EventQueue* queue = nullptr;
  bool owed = false;
};
thread_local Hold tHold;

}  // namespace

void EventQueue::Push(ROUTING_PROTOCOL_EVENTS e, const MESSAGE& m, bool signal) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    q_.emplace_back(e, m);
  }
  if (trace_) trace_->Event(false, e, m);
  if (!signal) return;
  if (tHold.queue == this)
    tHold.owed = true;
  else
    Signal();
}

void EventQueue::HoldSignals() { tHold.queue = this; }

void EventQueue::ReleaseSignals() {
  if (tHold.queue != this) return;
  const bool owed = tHold.owed;
  tHold = Hold{};
  if (owed) Signal();
}

void EventQueue::Signal() {
  HANDLE h;
  {
    std::lock_guard<std::mutex> lock(mu_);
    h = event_;
  }
  if (h) SignalEvent(h);
}

DWORD EventQueue::Pop(ROUTING_PROTOCOL_EVENTS* event, MESSAGE* result) {
  std::lock_guard<std::mutex> lock(mu_);
  if (q_.empty()) return ERROR_NO_MORE_ITEMS;
  *event = q_.front().first;
  if (result) *result = q_.front().second;
  if (trace_) trace_->Event(true, q_.front().first, q_.front().second);
  q_.pop_front();
  return NO_ERROR;
}

}  // namespace rrasbridge
