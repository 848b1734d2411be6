// Byte-stream endpoints of the channel: a listener the protocol library owns, a client the
// host connects with, and blocking helpers for the handshake. POSIX: a Unix socket in a
// fresh 0700 directory; Windows: a per-start named pipe (stream_win.cc).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "wire.h"

namespace rrasbridge {

#ifdef _WIN32
using NativeHandle = void*;
constexpr NativeHandle kNoHandle = nullptr;
#else
using NativeHandle = int;
constexpr NativeHandle kNoHandle = -1;
#endif

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;
inline Deadline DeadlineIn(uint32_t ms) { return Clock::now() + std::chrono::milliseconds(ms); }
int MsLeft(Deadline d);  // clamped to [0, INT_MAX]

// Owns an OS handle (fd or HANDLE).
class Stream {
 public:
  Stream() = default;
  explicit Stream(NativeHandle h) : h_(h) {}
  Stream(Stream&& o) noexcept : h_(o.Release()) {}
  Stream& operator=(Stream&& o) noexcept {
    if (this != &o) Reset(o.Release());
    return *this;
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream() { Reset(); }

  NativeHandle get() const { return h_; }
  bool valid() const { return h_ != kNoHandle; }
  NativeHandle Release() {
    NativeHandle h = h_;
    h_ = kNoHandle;
    return h;
  }
  void Reset(NativeHandle h = kNoHandle);

 private:
  static void CloseNative(NativeHandle h);  // close() / CloseHandle()
  NativeHandle h_ = kNoHandle;
};

// A flag another thread raises to end the blocking calls below early (the addon's close()
// while it connects). Raising is idempotent and never blocks.
class Cancel {
 public:
  Cancel();
  Cancel(const Cancel&) = delete;
  Cancel& operator=(const Cancel&) = delete;
  void Raise();
  bool raised() const { return raised_.load(); }
  // What a wait watches: readable once raised (POSIX pipe), or a manual-reset event (Windows).
  NativeHandle handle() const { return read_.get(); }

 private:
  Stream read_, write_;  // Windows: read_ holds the event
  std::atomic<bool> raised_{false};
};

// How an Accept ended.
enum class AcceptStatus {
  Admitted,  // the expected process connected: out holds the connection
  Refused,   // another process connected and was turned away: the caller waits on
  TimedOut,  // nobody (acceptable) connected by the deadline
  Failed,    // the listener is broken
};

// A listening endpoint admitting one client. Removes its socket and directory (POSIX) when
// destroyed.
class Listener {
 public:
  Listener() = default;
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener();

  bool Open(std::string& err);
  const std::string& address() const { return address_; }
  // Waits for a client; admits it only if its process id equals expectedPid. Another
  // process is closed and reported as Refused (err names it).
  AcceptStatus Accept(uint32_t expectedPid, Deadline d, Stream& out, std::string& err);
  // Stops listening once the host is admitted: nobody else can even connect.
  void StopListening();

 private:
  std::string dir_, address_;
  Stream listen_;
};

// The blocking calls of a handshake: each ends by the deadline, or as soon as `cancel` (when
// given) is raised, with err "cancelled".
bool Connect(const std::string& address, Deadline d, Stream& out, std::string& err,
             const Cancel* cancel = nullptr);
// Who serves the connected stream: POSIX, SO_PEERCRED's pid and uid; Windows, the pipe
// server's process id (uid 0). For a client to check it reached the process it meant.
bool ServerIdentity(NativeHandle h, uint32_t& pid, uint32_t& uid, std::string& err);
bool WriteAll(NativeHandle h, const std::string& data, Deadline d, std::string& err,
              const Cancel* cancel = nullptr);
// Reads until the decoder yields one message.
bool ReadMessage(NativeHandle h, wire::FrameDecoder& dec, wire::Message& out, Deadline d,
                 std::string& err, const Cancel* cancel = nullptr);
// Some bytes, at most max, by the deadline (platform part of ReadMessage). False with err
// when the connection ended, failed, timed out or was cancelled.
bool ReadSome(NativeHandle h, char* buf, size_t max, Deadline d, const Cancel* cancel,
              size_t& n, std::string& err);

// n random bytes from the OS.
bool RandomBytes(void* out, size_t n);
// Lower-case hex of n bytes (tokens and pipe names).
std::string Hex(const void* data, size_t n);

}  // namespace rrasbridge
