#ifndef _WIN32
#include <fcntl.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "stream.h"

namespace rrasbridge {

void Stream::CloseNative(NativeHandle h) { ::close(h); }

Cancel::Cancel() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    read_.Reset(fds[0]);
    write_.Reset(fds[1]);
  }
}

void Cancel::Raise() {
  if (raised_.exchange(true)) return;
  char b = 1;
  const ssize_t r = ::write(write_.get(), &b, 1);
  (void)r;  // without a pipe, raised() alone ends the waits at their next slice
}

namespace {

constexpr int kRetryMs = 10;  // between connection attempts

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

bool SetNonBlocking(int fd) {
  int fl = ::fcntl(fd, F_GETFL);
  return fl >= 0 && ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0;
}

enum class Waited { Ready, TimedOut, Cancelled, Failed };

// Waits until fd has one of events (fd -1: only for the time to pass, a retry's pause), the
// deadline passes or cancel is raised; err says which, when not Ready.
Waited PollOne(int fd, short events, Deadline d, std::string& err, const Cancel* cancel = nullptr) {
  for (;;) {
    if (cancel && cancel->raised()) {
      err = "cancelled";
      return Waited::Cancelled;
    }
    pollfd p[2] = {{fd, events, 0}, {cancel ? cancel->handle() : -1, POLLIN, 0}};
    const int r = ::poll(p, 2, MsLeft(d));
    if (r > 0 && p[0].revents) return Waited::Ready;
    if (r > 0) continue;  // the cancel pipe: reported at the top
    if (r == 0) {
      err = "timed out";
      return Waited::TimedOut;
    }
    if (errno != EINTR) {
      err = Errno("poll");
      return Waited::Failed;
    }
  }
}

bool FillAddr(const std::string& path, sockaddr_un& sa, std::string& err) {
  std::memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) {
    err = "socket path too long: " + path;
    return false;
  }
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  return true;
}

}  // namespace

Listener::~Listener() {
  StopListening();
  if (!dir_.empty()) ::rmdir(dir_.c_str());
}

void Listener::StopListening() {
  listen_.Reset();
  if (!address_.empty()) ::unlink(address_.c_str());
}

bool Listener::Open(std::string& err) {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/rras-bridge-XXXXXX";
  if (!::mkdtemp(tmpl.data())) {  // mkdtemp creates the directory 0700
    err = Errno("mkdtemp");
    return false;
  }
  dir_ = tmpl;
  sockaddr_un sa;
  if (!FillAddr(dir_ + "/host.sock", sa, err)) return false;
  listen_.Reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listen_.valid()) {
    err = Errno("socket");
    return false;
  }
  // Not umask(): it is process-wide, and other threads create files meanwhile. Until the
  // chmod below the socket is reachable only through the 0700 directory anyway.
  if (::bind(listen_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    err = Errno("bind");
    return false;
  }
  address_ = sa.sun_path;
  if (::chmod(address_.c_str(), 0600) != 0) {
    err = Errno("chmod");
    return false;
  }
  if (::listen(listen_.get(), 4) != 0) {
    err = Errno("listen");
    return false;
  }
  return SetNonBlocking(listen_.get()) || (err = Errno("fcntl"), false);
}

AcceptStatus Listener::Accept(uint32_t expectedPid, Deadline d, Stream& out, std::string& err) {
  for (;;) {
    const Waited w = PollOne(listen_.get(), POLLIN, d, err);
    if (w != Waited::Ready) {
      err = "no connection from the host: " + err;
      return w == Waited::TimedOut ? AcceptStatus::TimedOut : AcceptStatus::Failed;
    }
    Stream s(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!s.valid()) {
      if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) continue;
      err = Errno("accept");
      return AcceptStatus::Failed;
    }
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(s.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
      err = Errno("SO_PEERCRED");
      return AcceptStatus::Failed;
    }
    if (static_cast<uint32_t>(cred.pid) != expectedPid) {
      // Someone else found the socket: close it and tell the caller, who logs it and waits
      // on for its child.
      err = "refused a connection from pid " + std::to_string(cred.pid) + " (expected " +
            std::to_string(expectedPid) + ")";
      return AcceptStatus::Refused;
    }
    if (!SetNonBlocking(s.get())) {
      err = Errno("fcntl");
      return AcceptStatus::Failed;
    }
    out = std::move(s);
    return AcceptStatus::Admitted;
  }
}

bool Connect(const std::string& address, Deadline d, Stream& out, std::string& err,
             const Cancel* cancel) {
  sockaddr_un sa;
  if (!FillAddr(address, sa, err)) return false;
  for (;;) {
    Stream s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s.valid()) {
      err = Errno("socket");
      return false;
    }
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
      if (!SetNonBlocking(s.get())) {
        err = Errno("fcntl");
        return false;
      }
      out = std::move(s);
      return true;
    }
    if ((errno != ENOENT && errno != ECONNREFUSED && errno != EAGAIN) || MsLeft(d) == 0) {
      err = Errno(("connect " + address).c_str());
      return false;
    }
    // The listener is not there yet: try again shortly, unless cancelled meanwhile.
    const Waited w = PollOne(-1, 0, std::min(d, DeadlineIn(kRetryMs)), err, cancel);
    if (w == Waited::Cancelled || w == Waited::Failed) return false;
  }
}

bool ServerIdentity(NativeHandle h, uint32_t& pid, uint32_t& uid, std::string& err) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(h, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    err = Errno("SO_PEERCRED");
    return false;
  }
  pid = static_cast<uint32_t>(cred.pid);
  uid = static_cast<uint32_t>(cred.uid);
  return true;
}

bool WriteAll(NativeHandle h, const std::string& data, Deadline d, std::string& err,
              const Cancel* cancel) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(h, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (PollOne(h, POLLOUT, d, err, cancel) != Waited::Ready) return false;
      continue;
    }
    err = Errno("send");
    return false;
  }
  return true;
}

bool ReadSome(NativeHandle h, char* buf, size_t max, Deadline d, const Cancel* cancel,
              size_t& n, std::string& err) {
  for (;;) {
    if (PollOne(h, POLLIN, d, err, cancel) != Waited::Ready) return false;
    const ssize_t r = ::recv(h, buf, max, 0);
    if (r > 0) {
      n = static_cast<size_t>(r);
      return true;
    }
    if (r == 0) {
      err = "connection closed";
      return false;
    }
    if (errno != EINTR && errno != EAGAIN) {
      err = Errno("recv");
      return false;
    }
  }
}

bool RandomBytes(void* out, size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    ssize_t r = ::getrandom(p, n, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

}  // namespace rrasbridge
#endif
