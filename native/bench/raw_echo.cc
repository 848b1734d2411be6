// The raw-echo baseline (see raw_echo.h).
#include "raw_echo.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "proc_stats.h"

namespace rrasbridge::bench {
namespace {

constexpr int kReapTimeoutMs = 30000;

bool WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

RawEcho::~RawEcho() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawEcho::Connect(const std::string& path, std::string& err) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    err = "socket path too long: " + path;
    return false;
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    err = "connect " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

uint64_t RawEcho::RoundTrip() {
  char msg[kMessageBytes] = {1};
  const uint64_t t0 = MonotonicNs();
  if (!WriteAll(fd_, msg, sizeof msg)) return 0;
  size_t got = 0;
  while (got < sizeof msg) {
    const ssize_t r = ::recv(fd_, msg + got, sizeof msg - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return 0;
    got += static_cast<size_t>(r);
  }
  return MonotonicNs() - t0;
}

PipelineResult RawEcho::Pipelined(size_t count, size_t depth, int senders) {
  std::mutex writeMu;  // one message per write, never interleaved
  size_t pending = 0;  // bytes of a message received in part
  const char msg[kMessageBytes] = {2};
  return RunPipelined(
      count, depth, senders,
      [&] {
        std::lock_guard<std::mutex> lock(writeMu);
        return WriteAll(fd_, msg, sizeof msg);
      },
      [&]() -> size_t {
        char buf[65536];
        for (;;) {
          pollfd p{fd_, POLLIN, 0};
          if (::poll(&p, 1, kReapTimeoutMs) <= 0) return 0;
          const ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
          if (r <= 0) return 0;
          pending += static_cast<size_t>(r);
          const size_t whole = pending / kMessageBytes;
          pending %= kMessageBytes;
          if (whole) return whole;
        }
      });
}

}  // namespace rrasbridge::bench
