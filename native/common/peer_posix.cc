// Peer on POSIX: the I/O thread polls the socket and a wake pipe (Send/Close/SetOwnerReads).
// Without Limits::ownerReads it reads, decodes and writes; with it, the owner reads from its
// own event loop (ReadAvailable) and this thread writes what the socket did not take at once,
// and reads only while the owner hands reading to it. Either reader holds readMu_ from the
// read to the last frame handed on, so frames keep their order across a switch.
#ifndef _WIN32
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "peer.h"

namespace rrasbridge {
namespace {
// A route batch is ~150 KB a frame: read it in one or two calls, not ten (issue 12).
constexpr size_t kReceiveBytes = 256u << 10;
}  // namespace

Peer::Peer(Stream stream, Handlers handlers, Limits limits, std::string initial)
    : stream_(std::move(stream)),
      handlers_(std::move(handlers)),
      limits_(limits),
      version_(limits.version),
      decoder_(limits.maxFrameIn ? limits.maxFrameIn : limits.maxFrame, limits.version),
      receive_(kReceiveBytes) {
  decoder_.Feed(initial.data(), initial.size());  // dispatched by the I/O thread as it starts
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    wakeRead_.Reset(fds[0]);
    wakeWrite_.Reset(fds[1]);
  } else {
    closed_ = true;
    closeReason_ = std::string("pipe2: ") + std::strerror(errno);
  }
  thread_ = std::thread([this] { Run(); });
}

Peer::~Peer() {
  Close("closed by owner");
  if (thread_.joinable()) thread_.join();
}

void Peer::Wake() {
  char b = 1;
  ssize_t r = ::write(wakeWrite_.get(), &b, 1);
  (void)r;  // a full pipe already means "wake up"
}

size_t Peer::WriteNow(const char* data, size_t n) {
  const ssize_t sent = ::send(stream_.get(), data, n, MSG_NOSIGNAL | MSG_DONTWAIT);
  return sent > 0 ? static_cast<size_t>(sent) : 0;
}

void Peer::EndStream() {
  if (!limits_.ownerReads) {
    stream_.Reset();
    return;
  }
  // The other end sees the close now; the descriptor stays open until ~Peer, after the
  // owner stopped watching it.
  ::shutdown(stream_.get(), SHUT_RDWR);
}

std::string Peer::ReadOnce() {
  // Never blocking: the other reader may have taken what poll announced.
  const ssize_t n = ::recv(stream_.get(), receive_.data(), receive_.size(), MSG_DONTWAIT);
  if (n > 0) {
    decoder_.Feed(receive_.data(), static_cast<size_t>(n));
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.bytesIn += static_cast<uint64_t>(n);
    }
    return Dispatch(decoder_);
  }
  if (n == 0) return "peer closed the connection";
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return {};
  return std::string("recv: ") + std::strerror(errno);
}

bool Peer::ReadAvailable() {
  std::string reason;
  {
    std::lock_guard<std::mutex> read(readMu_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return false;
      if (!ownerReading_) return true;
    }
    reason = ReadOnce();
    if (reason.empty()) return true;
    // Closed before readMu_ goes: the I/O thread, should it read next, sees closed_ and
    // dispatches nothing after a malformed frame.
    Close(reason);  // the I/O thread ends the channel and reports it (onClose)
  }
  return false;
}

void Peer::SetOwnerReads(bool owner) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ownerReading_ == owner) return;
    ownerReading_ = owner;
  }
  Wake();  // to poll the socket for reading, or to stop
}

void Peer::Run() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ioThread_ = std::this_thread::get_id();
  }
  std::string reason;
  {
    std::lock_guard<std::mutex> read(readMu_);
    reason = Dispatch(decoder_);  // what the handshake read past its reply
  }
  const int fd = stream_.get();
  char drain[64];
  while (reason.empty()) {
    bool wantWrite, wantRead;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_ || (closeWhenSent_ && out_.empty())) {
        reason = closeReason_;
        break;
      }
      wantWrite = !out_.empty();
      wantRead = !limits_.ownerReads || !ownerReading_;
    }
    const short events = static_cast<short>((wantRead ? POLLIN : 0) | (wantWrite ? POLLOUT : 0));
    // Nothing to do on the socket (the owner reads, nothing to write): left out, or its
    // hang-up would spin this thread until the owner sees it.
    pollfd p[2] = {{events ? fd : -1, events, 0}, {wakeRead_.get(), POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      reason = std::string("poll: ") + std::strerror(errno);
      break;
    }
    if (p[1].revents & POLLIN)
      while (::read(wakeRead_.get(), drain, sizeof drain) > 0) {
      }
    // Writing only: a hang-up or error is found by the send it makes fail.
    const short writable = static_cast<short>(POLLOUT | (wantRead ? 0 : POLLHUP | POLLERR));
    if (p[0].revents & writable) {
      std::lock_guard<std::mutex> lock(mu_);
      ssize_t n = ::send(fd, out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        out_.erase(0, static_cast<size_t>(n));
        stats_.bytesOut += static_cast<uint64_t>(n);
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        reason = std::string("send: ") + std::strerror(errno);
      }
    }
    if (reason.empty() && wantRead && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      std::lock_guard<std::mutex> read(readMu_);
      if (!closed_) reason = ReadOnce();
    }
  }
  Finish(reason);
}

}  // namespace rrasbridge
#endif
