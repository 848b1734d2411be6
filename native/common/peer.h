// One end of an established channel: an I/O thread that decodes incoming frames and hands
// them to onMessage, and a bounded outgoing queue that never blocks the sender. Used by
// both the protocol library (RRAS side) and the addon (host side).
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "stream.h"
#include "wire.h"

namespace rrasbridge {

struct PeerStats {
  uint64_t framesIn = 0, framesOut = 0, bytesIn = 0, bytesOut = 0;
};

class Peer {
 public:
  struct Handlers {
    // Called on the I/O thread, in arrival order.
    std::function<void(wire::Message&&)> onMessage;
    // Called once, on the I/O thread, when the channel ends for any reason.
    std::function<void(const std::string& reason)> onClose;
  };
  struct Limits {
    uint32_t maxFrame = wire::kDefaultMaxFrame;  // frames sent, and received unless maxFrameIn
    uint32_t maxFrameIn = 0;                      // a smaller cap on frames received; 0: maxFrame
    size_t highWater = 64u << 20;  // outgoing bytes queued before Send refuses
  };

  // initial: bytes already read from the stream after the handshake (decoded first).
  Peer(Stream stream, Handlers handlers, Limits limits, std::string initial = {});
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;
  ~Peer();  // Close, then join the I/O thread (never call from onMessage/onClose)

  // Encodes and queues a frame. False (with err) when the schema does not match, the peer
  // is closed, or the queue is over its high-water mark (the peer stopped reading).
  bool Send(const wire::Message& m, std::string& err);
  // Queues a frame already encoded (wire::Encode); false when closed or over the high-water
  // mark, as Send.
  bool SendFrame(const std::string& frame, std::string& err);
  void Close(const std::string& reason);  // idempotent, non-blocking
  // Closes once every frame queued so far is written (a last answer before hanging up).
  void CloseWhenSent(const std::string& reason);
  bool closed() const { return closed_.load(); }
  size_t queuedBytes() const;
  PeerStats stats() const;

 private:
  void Run();
  void Wake();
  // Hands every complete frame to onMessage; the reason to close on a malformed one.
  std::string Dispatch(wire::FrameDecoder& dec);

  Stream stream_;
  Handlers handlers_;
  Limits limits_;
  mutable std::mutex mu_;
  std::string out_;  // guarded by mu_
  std::string closeReason_;
  bool closeWhenSent_ = false;  // guarded by mu_
  PeerStats stats_;
  std::atomic<bool> closed_{false};
  Stream wakeRead_, wakeWrite_;
  std::string initial_;
  std::thread thread_;
};

}  // namespace rrasbridge
