// The stale timer of a lost host's routes (graceful_restart.h).
#include "graceful_restart.h"

namespace rrasbridge {

void GracefulRestart::HostLost() {
  std::shared_ptr<RtmClient> rtm = rtm_.client();
  if (!rtm || rtm->routeCount() == 0) return;
  rtm->MarkAllStale();
  std::lock_guard<std::mutex> lock(mu_);
  armed_ = true;
  deadline_ = Clock::now() + std::chrono::milliseconds(config_.staleTimeoutMs);
}

void GracefulRestart::Synced() { Sweep("the host declared itself synced"); }

void GracefulRestart::Expire(Clock::time_point now) {
  bool due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    due = armed_ && now >= deadline_;
  }
  if (due) Sweep("the stale timer expired before the host declared itself synced");
}

void GracefulRestart::Disarm() {
  std::lock_guard<std::mutex> lock(mu_);
  armed_ = false;
}

bool GracefulRestart::Armed(Clock::time_point& deadline) {
  std::lock_guard<std::mutex> lock(mu_);
  deadline = deadline_;
  return armed_;
}

void GracefulRestart::Sweep(const char* why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!armed_) return;
    armed_ = false;
  }
  std::shared_ptr<RtmClient> rtm = rtm_.client();
  if (!rtm) return;
  const size_t n = rtm->Sweep();
  log_(LogLevel::Info, "%s: swept %u stale route(s)", why, unsigned(n));
}

}  // namespace rrasbridge
