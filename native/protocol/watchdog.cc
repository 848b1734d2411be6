// Heartbeats to the current host (watchdog.h).
#include "watchdog.h"

#include "../common/compat.h"

namespace rrasbridge {
namespace {

constexpr wire::Field kSeq = wire::RequestField(wire::MsgType::Heartbeat, "seq");
constexpr wire::Field kRss = wire::ReplyField(wire::MsgType::Heartbeat, "rssBytes");
constexpr uint64_t kMiB = 1u << 20;

}  // namespace

void Watchdog::Watch(const HostLink& link) {
  std::lock_guard<std::mutex> lock(mu_);
  watched_ = &link;
  sent_ = answered_ = misses_ = 0;
  rssBytes_ = 0;
}

Watchdog::Verdict Watchdog::Tick(HostLink& link) {
  uint32_t seq = 0;
  uint64_t rss = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (&link != watched_) return Verdict::Alive;  // not (yet) the host watched
    if (sent_ != answered_) {
      if (++misses_ < config_.heartbeatMisses) return Verdict::Alive;  // still waiting
      rss = rssBytes_;
      seq = 0;
    } else {
      seq = ++sent_;
    }
  }
  if (seq == 0) {
    if (rss)
      log_(LogLevel::Error,
           "host missed %u heartbeats: its event loop is blocked; restarting it (it was using %llu MiB at its last answer)",
           config_.heartbeatMisses, static_cast<unsigned long long>(rss / kMiB));
    else
      log_(LogLevel::Error, "host missed %u heartbeats: its event loop is blocked; restarting it",
           config_.heartbeatMisses);
    return Verdict::Hung;
  }
  wire::Message m = wire::Message::Request(wire::MsgType::Heartbeat, 0);
  m.Set(kSeq, wire::Value::Num(seq));
  std::string err;
  link.CallAsync(wire::MsgType::Heartbeat, std::move(m.fields),
                 [this, raw = &link, seq](const wire::Message* r, const std::string&) {
                   if (r && r->status == NO_ERROR) Answered(raw, seq, *r);
                 },
                 err);
  return Verdict::Alive;
}

void Watchdog::Answered(const HostLink* link, uint32_t seq, const wire::Message& reply) {
  std::lock_guard<std::mutex> lock(mu_);
  if (link != watched_ || seq != sent_) return;  // another host's, or an old one
  answered_ = seq;
  misses_ = 0;
  rssBytes_ = reply.Num(kRss);
}

}  // namespace rrasbridge
