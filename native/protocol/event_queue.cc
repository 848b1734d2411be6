#include "event_queue.h"

#include "../common/event_handle.h"

namespace rrasbridge {

void EventQueue::Push(ROUTING_PROTOCOL_EVENTS e, const MESSAGE& m, bool signal) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    q_.emplace_back(e, m);
  }
  if (trace_) trace_->Event(false, e, m);
  if (signal) Signal();
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
