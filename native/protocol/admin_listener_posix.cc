// The admin endpoint's socket on POSIX (admin_listener.h).
#ifndef _WIN32
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "admin_listener.h"

namespace rrasbridge {

struct AdminListener::Os {
  Stream listen, wakeRead, wakeWrite;
  std::string path;
};

namespace {

constexpr int kMaxCopies = 64;  // copies of the library in one process

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

bool FillAddr(const std::string& path, sockaddr_un& sa) {
  std::memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) return false;
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  return true;
}

// The directory must keep everybody but this user out: a directory (not a link to one),
// ours, no access for group or others. Created 0700 when missing (not its parents).
bool CheckDirectory(const std::string& dir, std::string& err) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return err = Errno("admin directory " + dir), false;
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      return err = Errno("cannot create the admin directory " + dir), false;
    if (::lstat(dir.c_str(), &st) != 0) return err = Errno("admin directory " + dir), false;
  }
  if (!S_ISDIR(st.st_mode))
    err = "the admin directory " + dir + " is not a directory" + (S_ISLNK(st.st_mode) ? " (a symbolic link)" : "");
  else if (st.st_uid != ::geteuid())
    err = "the admin directory " + dir + " belongs to uid " + std::to_string(st.st_uid) +
          ", not to this process's uid " + std::to_string(::geteuid());
  else if (st.st_mode & 077)
    err = "the admin directory " + dir + " is open to others (mode " +
          std::to_string((st.st_mode >> 6) & 7) + std::to_string((st.st_mode >> 3) & 7) +
          std::to_string(st.st_mode & 7) + "; it must be 700)";
  return err.empty();
}

// Sockets left by processes that ended without closing theirs.
void RemoveStale(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || pid <= 0 || pid == ::getpid() || std::strstr(end, ".sock") == nullptr) continue;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) ::unlink((dir + "/" + e->d_name).c_str());
  }
  ::closedir(d);
}

// Binds a name of this process: <pid>.sock, or <pid>-N.sock when another copy of the library
// in this process holds it. A name left by a dead process with our pid is taken over.
bool BindOurs(const std::string& dir, int fd, std::string& path, std::string& err) {
  for (int copy = 1; copy <= kMaxCopies; ++copy) {
    path = dir + "/" + std::to_string(::getpid()) + (copy > 1 ? "-" + std::to_string(copy) : "") + ".sock";
    sockaddr_un sa;
    if (!FillAddr(path, sa)) return err = "admin socket path too long: " + path, false;
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) return true;
      if (errno != EADDRINUSE) return err = Errno("bind " + path), false;
      Stream probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
      if (probe.valid() && ::connect(probe.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) break;  // in use
      ::unlink(path.c_str());  // nobody listens: stale
    }
  }
  return err = "no free admin socket name in " + dir, false;
}

}  // namespace

std::string DefaultAdminDirectory() {
  const char* env = std::getenv("RRAS_BRIDGE_RUN_DIR");
  if (env && *env) return env;
  if (::geteuid() == 0) return "/run/rras-bridge";
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (xdg && *xdg) return std::string(xdg) + "/rras-bridge";
  return "/tmp/rras-bridge-" + std::to_string(::geteuid());
}

AdminListener::AdminListener() : os_(std::make_unique<Os>()) {}

AdminListener::~AdminListener() {
  if (!os_->path.empty()) ::unlink(os_->path.c_str());
}

bool AdminListener::Open(const std::string& directory, std::string& err) {
  if (!CheckDirectory(directory, err)) return false;
  RemoveStale(directory);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return err = Errno("pipe2"), false;
  os_->wakeRead.Reset(fds[0]);
  os_->wakeWrite.Reset(fds[1]);
  os_->listen.Reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!os_->listen.valid()) return err = Errno("socket"), false;
  std::string path;
  if (!BindOurs(directory, os_->listen.get(), path, err)) return false;
  os_->path = path;
  // The directory is the gate; the socket is owner-only as well.
  if (::chmod(path.c_str(), 0600) != 0) return err = Errno("chmod " + path), false;
  if (::listen(os_->listen.get(), 16) != 0) return err = Errno("listen"), false;
  address_ = path;
  return true;
}

AdminListener::Event AdminListener::Next(int timeoutMs, Stream& out, AdminClient& who,
                                         std::string& err) {
  pollfd p[2] = {{os_->listen.get(), POLLIN, 0}, {os_->wakeRead.get(), POLLIN, 0}};
  const int r = ::poll(p, 2, timeoutMs);
  if (r < 0) {
    if (errno == EINTR) return Event::TimedOut;
    err = Errno("poll");
    return Event::Failed;
  }
  if (p[1].revents & POLLIN) {
    char buf[64];
    while (::read(os_->wakeRead.get(), buf, sizeof buf) > 0) {
    }
    return Event::Woken;
  }
  if (!(p[0].revents & POLLIN)) return Event::TimedOut;
  Stream s(::accept4(os_->listen.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
  if (!s.valid()) {
    if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) return Event::TimedOut;
    err = Errno("accept");
    return Event::Failed;
  }
  ucred cred{};
  socklen_t len = sizeof cred;
  who = AdminClient{};
  if (::getsockopt(s.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    who.refusal = Errno("SO_PEERCRED");
  } else {
    who.pid = static_cast<uint32_t>(cred.pid);
    who.uid = static_cast<uint32_t>(cred.uid);
    who.admitted = cred.uid == 0 || cred.uid == ::geteuid();
    if (!who.admitted)
      who.refusal = "uid " + std::to_string(cred.uid) + " is not an administrator of this router (root" +
                    (::geteuid() ? " or uid " + std::to_string(::geteuid()) : std::string()) + ")";
  }
  out = std::move(s);
  return Event::Accepted;
}

void AdminListener::Wake() {
  const char b = 1;
  const ssize_t r = ::write(os_->wakeWrite.get(), &b, 1);
  (void)r;  // a full pipe already means "wake up"
}

}  // namespace rrasbridge
#endif
