// One end of an established channel: an I/O thread that decodes incoming frames and hands
// them to onMessage, and a bounded outgoing queue that never blocks the sender (a frame sent
// with the queue empty is written by the sender's thread at once, without waking the I/O
// thread). Used by both the protocol library (RRAS side) and the addon (host side).
// On POSIX the owner may read instead (Limits::ownerReads: the host's JS thread, from its
// event loop), handing reading to the I/O thread while it cannot (a debugger holds it).
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "stream.h"
#include "wire.h"

namespace rrasbridge {

struct PeerStats {
  uint64_t framesIn = 0, framesOut = 0, bytesIn = 0, bytesOut = 0;
};

// What became of a frame handed to Send / SendFrame.
enum class SendResult {
  Sent,
  Closed,       // the channel is closed
  NotReading,   // the queue is over its high-water mark: the peer stopped reading
  Invalid,      // the fields do not match the schema (a bug of the caller)
  TooBig,       // over maxFrame: the caller's input is too big
  Unsupported,  // the message type is newer than the channel's version
};

class Peer {
 public:
  struct Handlers {
    // Called on the I/O thread (or the owner's, when it reads), in arrival order.
    std::function<void(wire::Message&&)> onMessage;
    // Called once, on the I/O thread, when the channel ends for any reason.
    std::function<void(const std::string& reason)> onClose;
    // Optional, on the I/O thread: every complete frame of one read has been handed to
    // onMessage (work the frames caused can be finished once for all of them).
    std::function<void()> onReadHandled;
  };
  struct Limits {
    uint32_t maxFrame = wire::kDefaultMaxFrame;  // frames sent, and received unless maxFrameIn
    uint32_t maxFrameIn = 0;                      // a smaller cap on frames received; 0: maxFrame
    size_t highWater = 64u << 20;  // outgoing bytes queued before Send refuses
    uint32_t version = wire::kVersion;  // agreed in the handshake: both ways' codec speaks it
    // POSIX: the owner reads (ReadAvailable, when fd() is readable), so that the I/O thread
    // does not wake per message; it writes what the socket did not take at once, and reads
    // only while the owner hands reading to it (SetOwnerReads). Ignored on Windows.
    bool ownerReads = false;
  };

  // initial: bytes already read from the stream after the handshake (decoded first).
  Peer(Stream stream, Handlers handlers, Limits limits, std::string initial = {});
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;
  ~Peer();  // Close, then join the I/O thread (never call from onMessage/onClose)

  // Encodes m with the channel's version and queues the frame; anything but Sent comes with
  // err. Never blocks.
  SendResult Send(const wire::Message& m, std::string& err);
  // Queues a frame already encoded for the channel's version (or `frames` of them, one after
  // the other): Sent, Closed or NotReading.
  SendResult SendFrame(const std::string& frame, std::string& err, size_t frames = 1);
  void Close(const std::string& reason);  // idempotent, non-blocking
  // Closes once every frame queued so far is written (a last answer before hanging up).
  void CloseWhenSent(const std::string& reason);
  bool closed() const { return closed_.load(); }
  uint32_t version() const { return version_.load(); }
  // From onMessage only (the I/O thread), for a handshake the peer itself answers (the admin
  // endpoint's): the frames after the current one are decoded, and every frame sent is
  // encoded, at v.
  void SetVersion(uint32_t v) { version_.store(v); }
  size_t queuedBytes() const;
  PeerStats stats() const;
#ifndef _WIN32
  // ownerReads: the socket, for the owner's event loop; open until ~Peer (a closed channel
  // shuts it down instead), so a watch on it never sees the number reused.
  int fd() const { return stream_.get(); }
  // ownerReads, on the owner's thread once fd() is readable: reads what is there without
  // blocking and hands its frames to onMessage on this thread. False once the channel is
  // closed (stop watching; onClose follows on the I/O thread); true, reading nothing, while
  // the I/O thread reads.
  bool ReadAvailable();
  // ownerReads: whether the owner (true, the start) or the I/O thread reads. Any thread;
  // frames keep their order across a switch (one reads at a time, one decoder).
  void SetOwnerReads(bool owner);
#endif

 private:
  void Run();
  void Wake();
  // Writes what the stream takes without blocking (mu_ held, the queue empty); returns the
  // bytes written: 0 when it would block, on an error (the I/O thread reports it), or where
  // the platform writes only from the I/O thread (Windows: overlapped pipe writes).
  size_t WriteNow(const char* data, size_t n);
  // Hands every complete frame to onMessage; the reason to close on a malformed one.
  std::string Dispatch(wire::FrameDecoder& dec);
#ifndef _WIN32
  // Reads once without blocking (readMu_ held) and dispatches: the reason to close, if any.
  std::string ReadOnce();
#endif
  // The end of the I/O thread (both platforms): closed for good, then onClose.
  void Finish(const std::string& reason);
  // Finish's end of the stream: closed, or (ownerReads) shut down both ways and closed by ~Peer.
  void EndStream();

  Stream stream_;
  Handlers handlers_;
  Limits limits_;
  std::atomic<uint32_t> version_;  // limits_.version, unless SetVersion changed it
  mutable std::mutex mu_;
  std::string out_;  // guarded by mu_
  std::thread::id ioThread_;  // guarded by mu_: set by Run as it begins
  std::string closeReason_;
  bool closeWhenSent_ = false;  // guarded by mu_
  PeerStats stats_;
  std::atomic<bool> closed_{false};
  Stream wakeRead_, wakeWrite_;
#ifdef _WIN32
  std::string initial_;  // the handshake's leftover bytes, decoded first by the I/O thread
#else
  std::mutex readMu_;              // held by whichever thread reads and dispatches
  wire::FrameDecoder decoder_;     // guarded by readMu_
  std::vector<char> receive_;      // guarded by readMu_: the read buffer
  bool ownerReading_ = true;       // guarded by mu_ (ownerReads): the owner reads, not the I/O thread
#endif
  std::thread thread_;
};

}  // namespace rrasbridge
