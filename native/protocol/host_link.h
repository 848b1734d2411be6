// The library's side of one host generation: the child process, the channel to it, and the
// calls in flight. A new HostLink is made for every (re)start; a dead one fails all its
// pending calls exactly once.
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

namespace rrasbridge {

class HostLink {
 public:
  struct Callbacks {
    std::function<void(HostLink&, wire::Message&&)> onRequest;  // host requests, I/O thread
    std::function<void(const std::string& reason)> onLost;  // I/O thread, once
  };
  // reply is null when the call failed before an answer (failure says why).
  using Completion = std::function<void(const wire::Message* reply, const std::string& failure)>;

  HostLink(const ProtocolConfig& config, Callbacks callbacks, uint32_t generation);
  HostLink(const HostLink&) = delete;
  HostLink& operator=(const HostLink&) = delete;
  ~HostLink();

  // Spawns the host, admits only that process, checks its token. Supervisor thread only.
  bool Launch(std::string& err);
  bool connected() const {
    std::lock_guard<std::mutex> lock(mu_);
    return !lost_ && peer_ && !peer_->closed();
  }
  uint32_t pid() const { return process_.pid(); }

  // Sends a request and waits for its reply up to timeoutMs.
  bool Call(wire::MsgType type, std::vector<wire::Value> fields, uint32_t timeoutMs,
            wire::Message& reply, std::string& err);
  // Sends a request; done runs exactly once, on the I/O thread or the caller's.
  bool CallAsync(wire::MsgType type, std::vector<wire::Value> fields, Completion done,
                 std::string& err);
  // A notification: no id, no reply. False when the channel is down or full.
  bool Notify(wire::MsgType type, std::vector<wire::Value> fields, std::string& err);
  bool Reply(const wire::Message& request, uint32_t status, std::string error,
             std::vector<wire::Value> fields = {});
  // Closes the channel, fails pending calls, stops the child (graceMs to exit by itself).
  // Returns how the child ended. Not from the I/O thread.
  std::string Shutdown(uint32_t graceMs);
  std::string OutputTail(size_t maxBytes = 2048) const { return process_.OutputTail(maxBytes); }
  size_t pendingCalls() const;

 private:
  void OnMessage(wire::Message&& m);
  void OnClose(const std::string& reason);
  void FailAll(const std::string& reason);
  bool SendLocked(const wire::Message& m, std::string& err);  // mu_ held, peer_ set

  const ProtocolConfig& config_;
  Logger log_;
  Callbacks callbacks_;
  uint32_t generation_;
  Listener listener_;
  HostProcess process_;
  std::string outputLog_;
  std::unique_ptr<Peer> peer_;
  std::atomic<uint32_t> nextId_{1};
  mutable std::mutex mu_;
  std::map<uint32_t, Completion> pending_;
  bool lost_ = false;
  bool planned_ = false;  // Shutdown started: the loss is not reported
  std::string lostReason_;
};

}  // namespace rrasbridge
