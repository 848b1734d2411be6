// The raw IPv4 socket on Linux (and other POSIX systems with SO_BINDTODEVICE): bound to the
// device that holds the local address, woken through a pipe. See raw_socket.h.
#include "raw_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rrasbridge::rawip {

struct RawSocket::Impl : RawSocket::State {
  int fd = -1;
  int wakeRead = -1;
  int wakeWrite = -1;
  uint32_t lastOverflow = 0;

  ~Impl() {
    for (int f : {fd, wakeRead, wakeWrite})
      if (f >= 0) ::close(f);
  }
};

namespace {

std::string Errno(const char* what, int code = errno) {
  return std::string(what) + ": " + std::strerror(code) + " (errno " + std::to_string(code) + ")";
}

in_addr Addr(uint32_t hostOrder) {
  in_addr a{};
  a.s_addr = htonl(hostOrder);
  return a;
}

// The device holding the address: its name (for SO_BINDTODEVICE, SIOCGIFMTU) and index.
bool FindDevice(uint32_t local, std::string& name, std::string& err) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    err = Errno("getifaddrs");
    return false;
  }
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    if (ntohl(reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr) == local) {
      name = i->ifa_name;
      break;
    }
  }
  ::freeifaddrs(list);
  if (name.empty()) err = "no interface of this system has the address " + FormatIPv4(local);
  return !name.empty();
}

bool SetInt(int fd, int level, int option, int value, const char* what, std::string& err) {
  if (::setsockopt(fd, level, option, &value, sizeof value) == 0) return true;
  err = Errno(what);
  return false;
}

bool Membership(int fd, int option, uint32_t group, const RawSocket::Impl& s, std::string& err) {
  ip_mreqn m{};
  m.imr_multiaddr = Addr(group);
  m.imr_address = Addr(s.local);
  m.imr_ifindex = int(s.ifindex);
  if (::setsockopt(fd, IPPROTO_IP, option, &m, sizeof m) == 0) return true;
  err = Errno(option == IP_ADD_MEMBERSHIP ? "IP_ADD_MEMBERSHIP" : "IP_DROP_MEMBERSHIP");
  return false;
}

}  // namespace

RawSocket::RawSocket(std::unique_ptr<Impl> impl, State* state) : impl_(std::move(impl)), state_(state) {}
RawSocket::~RawSocket() = default;

std::unique_ptr<RawSocket> RawSocket::Open(const Options& o, std::string& err) {
  auto s = std::make_unique<Impl>();
  s->local = o.localAddress;
  if (!FindDevice(o.localAddress, s->device, err)) return nullptr;
  s->ifindex = ::if_nametoindex(s->device.c_str());
  s->fd = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, o.protocol);
  if (s->fd < 0) {
    const int e = errno;
    err = Errno("socket(AF_INET, SOCK_RAW)", e);
    if (e == EPERM || e == EACCES) err += ": raw IP sockets need CAP_NET_RAW (run the host as root)";
    return nullptr;
  }
  if (::setsockopt(s->fd, SOL_SOCKET, SO_BINDTODEVICE, s->device.c_str(), socklen_t(s->device.size())) != 0) {
    err = Errno("SO_BINDTODEVICE");
    return nullptr;
  }
  ip_mreqn mif{};
  mif.imr_address = Addr(s->local);
  mif.imr_ifindex = int(s->ifindex);
  if (::setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_IF, &mif, sizeof mif) != 0) {
    err = Errno("IP_MULTICAST_IF");
    return nullptr;
  }
  if (!SetInt(s->fd, IPPROTO_IP, IP_TTL, o.ttl, "IP_TTL", err) ||
      !SetInt(s->fd, IPPROTO_IP, IP_MULTICAST_TTL, o.ttl, "IP_MULTICAST_TTL", err) ||
      !SetInt(s->fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP", err) ||
      !SetInt(s->fd, IPPROTO_IP, IP_TOS, o.tos, "IP_TOS", err))
    return nullptr;
#ifdef IP_MULTICAST_ALL
  if (!SetInt(s->fd, IPPROTO_IP, IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL", err)) return nullptr;
#endif
  // A neighbour may flood thousands of LSAs in a burst: room for them, beyond rmem_max when
  // privileged (which a raw socket is), and the kernel's drop count on each read.
  if (::setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &o.receiveBufferBytes, sizeof o.receiveBufferBytes) != 0)
    (void)::setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &o.receiveBufferBytes, sizeof o.receiveBufferBytes);
#ifdef SO_RXQ_OVFL
  (void)SetInt(s->fd, SOL_SOCKET, SO_RXQ_OVFL, 1, "SO_RXQ_OVFL", err);
  err.clear();
#endif
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, s->device.c_str(), IFNAMSIZ - 1);
  if (::ioctl(s->fd, SIOCGIFMTU, &ifr) == 0) s->mtu = uint32_t(ifr.ifr_mtu);
  int p[2];
  if (::pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) {
    err = Errno("pipe2");
    return nullptr;
  }
  s->wakeRead = p[0];
  s->wakeWrite = p[1];
  State* state = s.get();
  return std::unique_ptr<RawSocket>(new RawSocket(std::move(s), state));
}

bool RawSocket::Join(uint32_t group, std::string& err) { return Membership(impl_->fd, IP_ADD_MEMBERSHIP, group, *impl_, err); }
bool RawSocket::Leave(uint32_t group, std::string& err) { return Membership(impl_->fd, IP_DROP_MEMBERSHIP, group, *impl_, err); }

bool RawSocket::Send(const uint8_t* data, size_t length, uint32_t destination, std::string& err) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr = Addr(destination);
  iovec iov{const_cast<uint8_t*>(data), length};
  // The source address is the interface's, also on a device with several addresses.
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))] = {};
  msghdr msg{};
  msg.msg_name = &to;
  msg.msg_namelen = sizeof to;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
  in_pktinfo info{};
  info.ipi_ifindex = int(impl_->ifindex);
  info.ipi_spec_dst = Addr(impl_->local);
  std::memcpy(CMSG_DATA(c), &info, sizeof info);
  if (::sendmsg(impl_->fd, &msg, MSG_DONTWAIT) == ssize_t(length)) {
    impl_->sent++;
    return true;
  }
  impl_->sendErrors++;
  err = Errno("sendmsg");
  return false;
}

RawSocket::Wait RawSocket::WaitReadable(std::string& err) {
  pollfd fds[2] = {{impl_->fd, POLLIN, 0}, {impl_->wakeRead, POLLIN, 0}};
  for (;;) {
    const int n = ::poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = Errno("poll");
      return Wait::Failed;
    }
    if (fds[1].revents) {
      char drain[64];
      while (::read(impl_->wakeRead, drain, sizeof drain) > 0) {
      }
      return Wait::Woken;
    }
    if (fds[0].revents & (POLLERR | POLLNVAL)) {
      err = "poll: the raw socket failed";
      return Wait::Failed;
    }
    return Wait::Readable;
  }
}

void RawSocket::Wake() {
  const char one = 1;
  (void)!::write(impl_->wakeWrite, &one, 1);
}

bool RawSocket::Receive(Datagram& out, std::string& err) {
  for (;;) {
    iovec iov{impl_->buffer.data(), impl_->buffer.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(uint32_t)) + 64];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(impl_->fd, &msg, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return false;
      err = Errno("recvmsg");
      return false;
    }
#ifdef SO_RXQ_OVFL
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_RXQ_OVFL) continue;
      uint32_t total;
      std::memcpy(&total, CMSG_DATA(c), sizeof total);
      impl_->kernelDrops += uint32_t(total - impl_->lastOverflow);
      impl_->lastOverflow = total;
    }
#endif
    if (Accept(*impl_, size_t(n), out)) return true;
  }
}

}  // namespace rrasbridge::rawip
