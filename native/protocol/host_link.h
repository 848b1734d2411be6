// The library's side of one host generation: the child process, the channel to it (with the
// wire version agreed in its handshake), and the calls in flight. A new HostLink is made for
// every (re)start; a dead one fails all its pending calls exactly once.
//
// State: pending_, abandoned_, lost_, planned_, lostReason_ and peer_ are guarded by mu_
// (callers' threads send and shut down; the I/O thread completes calls); the process and the
// listener belong to the thread that launches and shuts down (the supervisor).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "../common/peer.h"
#include "../common/stream.h"
#include "../common/wire.h"
#include "config.h"
#include "host_process.h"
#include "log.h"
#include "trace_ring.h"

namespace rrasbridge {

class EventQueue;

// reply is null when the call failed before an answer (failure says why).
using CallCompletion = std::function<void(const wire::Message* reply, const std::string& failure)>;

// Why a call to the host got no answer.
enum class CallFailure {
  None,
  NotConnected,  // the channel is down (lost, shut down, or the host stopped reading)
  Oversize,      // the request does not fit in maxFrameBytes: the caller's input is too big
  Timeout,       // no answer within the call's deadline
  Unsupported,   // the host's wire version has no such message
};

struct CallSent {
  CallFailure failure = CallFailure::None;
  explicit operator bool() const { return failure == CallFailure::None; }
};

struct CallOptions {
  uint32_t timeoutMs = 0;              // CallAsync: 0 = no deadline (see ExpireCalls)
  const char* deadlineName = nullptr;  // the setting, for the failure text
  // A reply that comes after the deadline goes here (I/O thread); without it, it is logged
  // and dropped. The call's completion has already run with the timeout.
  CallCompletion late;
};

class HostLink {
 public:
  struct Callbacks {
    std::function<void(HostLink&, wire::Message&&)> onRequest;  // host requests, I/O thread
    std::function<void(const std::string& reason)> onLost;  // I/O thread, once
    TraceRing* trace = nullptr;         // every message to and from the host is recorded here
    // Events the frames of one read queue here (completions, saved configuration) signal
    // the router manager once, after the last of them (EventQueue::HoldSignals).
    EventQueue* events = nullptr;
    std::shared_ptr<LogRing> logTap;   // the link's log lines also go here (Logger::Tap)
  };
  using Completion = CallCompletion;
  using Failure = CallFailure;
  using Sent = CallSent;

  HostLink(const ProtocolConfig& config, Callbacks callbacks, uint32_t generation);
  HostLink(const HostLink&) = delete;
  HostLink& operator=(const HostLink&) = delete;
  ~HostLink();

  // Spawns the host, admits only that process, checks its token, all by the deadline.
  // whileBooting, if any, runs once the host is spawned, before its connection is awaited:
  // work that overlaps Node's start-up; its failure (err set) ends the launch.
  // Supervisor thread only.
  bool Launch(Deadline deadline, std::string& err,
              const std::function<bool(std::string&)>& whileBooting = {});
  bool connected() const {
    std::lock_guard<std::mutex> lock(mu_);
    return !lost_ && peer_ && !peer_->closed();
  }
  uint32_t pid() const { return process_.pid(); }
  uint32_t generation() const { return generation_; }
  // The wire version agreed with the host (valid once Launch succeeded).
  uint32_t version() const { return version_; }

  // Sends a request and waits for its reply up to timeoutMs (options.timeoutMs is ignored).
  Sent Call(wire::MsgType type, std::vector<wire::Value> fields, uint32_t timeoutMs,
            wire::Message& reply, std::string& err, CallOptions options = {});
  // Sends a request; done runs exactly once, on the I/O thread, the caller's, or (deadline
  // passed) the thread calling ExpireCalls.
  Sent CallAsync(wire::MsgType type, std::vector<wire::Value> fields, Completion done,
                 std::string& err, CallOptions options = {});
  // Fails the asynchronous calls whose deadline has passed; returns the next deadline, or
  // Clock::time_point::max() when none is pending.
  Clock::time_point ExpireCalls(Clock::time_point now);
  // A notification: no id, no reply. False when the channel is down or full.
  bool Notify(wire::MsgType type, std::vector<wire::Value> fields, std::string& err);
  // Waits until fewer than `bytes` are queued to the host; false with err when the channel is
  // down or `until` passed first.
  bool WaitForQueueBelow(size_t bytes, Deadline until, std::string& err) const;
  // A reply to the host's request (nothing for a notification); fields only with NO_ERROR.
  bool Reply(const wire::Message& request, uint32_t status, std::string error = {},
             std::vector<wire::Value> fields = {});
  // Closes the channel, fails pending calls, and stops the child: it has until exitBy to exit
  // by itself (a host whose channel closed does), then it is killed. Returns how the child
  // ended. Not from the I/O thread.
  std::string Shutdown(Deadline exitBy);
  std::string OutputTail(size_t maxBytes = 2048) const { return process_.OutputTail(maxBytes); }
  size_t pendingCalls() const;
  size_t queuedBytes() const;  // written to the channel, not yet read by the host

 private:
  struct Pending {
    wire::MsgType type;
    Completion done;
    CallOptions options;
    Clock::time_point expires = Clock::time_point::max();
  };
  // A call given up on: where its late reply goes.
  struct Abandoned {
    wire::MsgType type;
    Completion late;
  };
  static constexpr size_t kMaxAbandoned = 1024;

  Sent Send(wire::MsgType type, std::vector<wire::Value> fields, Pending pending, uint32_t* id,
            std::string& err);
  // The call is no longer waited for; false when its answer (or failure) came first.
  bool Abandon(uint32_t id);
  void AbandonLocked(uint32_t id, Pending& p);  // mu_ held
  void OnMessage(wire::Message&& m);
  void OnClose(const std::string& reason);
  void FailAll(const std::string& reason);
  Sent SendLocked(const wire::Message& m, std::string& err);  // mu_ held, peer_ set

  const ProtocolConfig& config_;
  Logger log_;
  Callbacks callbacks_;
  uint32_t generation_;
  uint32_t version_ = wire::kMinVersion;  // set by Launch before the I/O thread exists
  std::atomic<bool> warnedUnknown_{false};  // the host sent fields of a later version: said once
  Listener listener_;
  HostProcess process_;
  std::string outputLog_;
  std::unique_ptr<Peer> peer_;
  std::atomic<uint32_t> nextId_{1};
  mutable std::mutex mu_;
  std::map<uint32_t, Pending> pending_;
  std::map<uint32_t, Abandoned> abandoned_;
  bool lost_ = false;
  bool planned_ = false;  // Shutdown started: the loss is not reported
  std::string lostReason_;
};

}  // namespace rrasbridge
