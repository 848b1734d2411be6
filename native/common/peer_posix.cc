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

Peer::Peer(Stream stream, Handlers handlers, Limits limits, std::string initial)
    : stream_(std::move(stream)),
      handlers_(std::move(handlers)),
      limits_(limits),
      version_(limits.version),
      initial_(std::move(initial)) {
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

void Peer::Run() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ioThread_ = std::this_thread::get_id();
  }
  wire::FrameDecoder dec(limits_.maxFrameIn ? limits_.maxFrameIn : limits_.maxFrame, limits_.version);
  std::string reason;
  // A route batch is ~150 KB a frame: read it in one or two calls, not ten (issue 12).
  constexpr size_t kReceiveBytes = 256u << 10;
  std::vector<char> buffer(kReceiveBytes);
  char* const buf = buffer.data();
  const int fd = stream_.get();
  auto dispatch = [&] {
    if (reason.empty()) reason = Dispatch(dec);
  };
  dec.Feed(initial_.data(), initial_.size());
  initial_.clear();
  dispatch();
  while (reason.empty()) {
    bool wantWrite;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_ || (closeWhenSent_ && out_.empty())) {
        reason = closeReason_;
        break;
      }
      wantWrite = !out_.empty();
    }
    pollfd p[2] = {{fd, static_cast<short>(POLLIN | (wantWrite ? POLLOUT : 0)), 0},
                   {wakeRead_.get(), POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      reason = std::string("poll: ") + std::strerror(errno);
      break;
    }
    if (p[1].revents & POLLIN)
      while (::read(wakeRead_.get(), buf, kReceiveBytes) > 0) {
      }
    if (p[0].revents & POLLOUT) {
      std::lock_guard<std::mutex> lock(mu_);
      ssize_t n = ::send(fd, out_.data(), out_.size(), MSG_NOSIGNAL);
      if (n > 0) {
        out_.erase(0, static_cast<size_t>(n));
        stats_.bytesOut += static_cast<uint64_t>(n);
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        reason = std::string("send: ") + std::strerror(errno);
      }
    }
    if (reason.empty() && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = ::recv(fd, buf, kReceiveBytes, 0);
      if (n > 0) {
        dec.Feed(buf, static_cast<size_t>(n));
        {
          std::lock_guard<std::mutex> lock(mu_);
          stats_.bytesIn += static_cast<uint64_t>(n);
        }
        dispatch();
      } else if (n == 0) {
        reason = "peer closed the connection";
      } else if (errno != EAGAIN && errno != EINTR) {
        reason = std::string("recv: ") + std::strerror(errno);
      }
    }
  }
  Finish(reason);
}

}  // namespace rrasbridge
#endif
