// The raw IPv4 socket on Windows (Winsock): bound to the interface's address, woken through a
// loopback UDP socket that sends itself a byte (select() waits on both). See raw_socket.h.
// Compiled by the mingw-w64 cross build and by MSVC; not exercised on a real Windows Server
// yet (Winsock's raw-socket delivery of multicast to a socket bound to a unicast address is
// what Microsoft documents, unverified here).
#include <winsock2.h>
#include <ws2tcpip.h>
#include <iphlpapi.h>

#include "raw_socket.h"

#include <mutex>

namespace rrasbridge::rawip {

struct RawSocket::Impl : RawSocket::State {
  SOCKET fd = INVALID_SOCKET;
  SOCKET wake = INVALID_SOCKET;
  sockaddr_in wakeAddress{};

  ~Impl() {
    if (fd != INVALID_SOCKET) ::closesocket(fd);
    if (wake != INVALID_SOCKET) ::closesocket(wake);
  }
};

namespace {

std::string WsaError(const char* what, int code = ::WSAGetLastError()) {
  return std::string(what) + ": Winsock error " + std::to_string(code);
}

bool Startup(std::string& err) {
  static std::once_flag once;
  static int status = 0;
  std::call_once(once, [] {
    WSADATA data;
    status = ::WSAStartup(MAKEWORD(2, 2), &data);
  });
  if (status != 0) err = WsaError("WSAStartup", status);
  return status == 0;
}

in_addr Addr(uint32_t hostOrder) {
  in_addr a{};
  a.s_addr = htonl(hostOrder);
  return a;
}

template <typename T>
bool Set(SOCKET s, int level, int option, T value, const char* what, std::string& err) {
  if (::setsockopt(s, level, option, reinterpret_cast<const char*>(&value), sizeof value) == 0) return true;
  err = WsaError(what);
  return false;
}

// The adapter holding the address: its MTU, index and friendly name.
void DescribeAdapter(RawSocket::Impl& s) {
  ULONG size = 16384;
  std::vector<uint8_t> buf;
  ULONG rc = ERROR_BUFFER_OVERFLOW;
  for (int attempt = 0; attempt < 3 && rc == ERROR_BUFFER_OVERFLOW; attempt++) {
    buf.resize(size);
    rc = ::GetAdaptersAddresses(AF_INET, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER, nullptr,
                                reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buf.data()), &size);
  }
  if (rc != NO_ERROR) return;
  for (auto* a = reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buf.data()); a; a = a->Next) {
    for (auto* u = a->FirstUnicastAddress; u; u = u->Next) {
      auto* sa = reinterpret_cast<sockaddr_in*>(u->Address.lpSockaddr);
      if (sa->sin_family != AF_INET || ntohl(sa->sin_addr.s_addr) != s.local) continue;
      s.mtu = a->Mtu;
      s.ifindex = a->IfIndex;
      char name[256] = {};
      ::WideCharToMultiByte(CP_UTF8, 0, a->FriendlyName, -1, name, sizeof name - 1, nullptr, nullptr);
      s.device = name;
      return;
    }
  }
}

bool Membership(SOCKET fd, int option, uint32_t group, uint32_t local, std::string& err) {
  ip_mreq m{};
  m.imr_multiaddr = Addr(group);
  m.imr_interface = Addr(local);
  if (::setsockopt(fd, IPPROTO_IP, option, reinterpret_cast<const char*>(&m), sizeof m) == 0) return true;
  err = WsaError(option == IP_ADD_MEMBERSHIP ? "IP_ADD_MEMBERSHIP" : "IP_DROP_MEMBERSHIP");
  return false;
}

}  // namespace

RawSocket::RawSocket(std::unique_ptr<Impl> impl, State* state) : impl_(std::move(impl)), state_(state) {}
RawSocket::~RawSocket() = default;

std::unique_ptr<RawSocket> RawSocket::Open(const Options& o, std::string& err) {
  if (!Startup(err)) return nullptr;
  auto s = std::make_unique<Impl>();
  s->local = o.localAddress;
  s->fd = ::WSASocketW(AF_INET, SOCK_RAW, o.protocol, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT);
  if (s->fd == INVALID_SOCKET) {
    const int e = ::WSAGetLastError();
    err = WsaError("socket(AF_INET, SOCK_RAW)", e);
    if (e == WSAEACCES) err += ": raw IP sockets need an administrator (the RRAS host runs as LocalSystem)";
    return nullptr;
  }
  sockaddr_in me{};
  me.sin_family = AF_INET;
  me.sin_addr = Addr(s->local);
  if (::bind(s->fd, reinterpret_cast<sockaddr*>(&me), sizeof me) != 0) {
    const int e = ::WSAGetLastError();
    err = WsaError("bind", e);
    if (e == WSAEADDRNOTAVAIL) err += ": no interface of this system has the address " + FormatIPv4(s->local);
    return nullptr;
  }
  u_long nonBlocking = 1;
  if (::ioctlsocket(s->fd, FIONBIO, &nonBlocking) != 0) {
    err = WsaError("FIONBIO");
    return nullptr;
  }
  const in_addr mif = Addr(s->local);
  if (!Set(s->fd, IPPROTO_IP, IP_MULTICAST_IF, mif, "IP_MULTICAST_IF", err) ||
      !Set<DWORD>(s->fd, IPPROTO_IP, IP_TTL, o.ttl, "IP_TTL", err) ||
      !Set<DWORD>(s->fd, IPPROTO_IP, IP_MULTICAST_TTL, o.ttl, "IP_MULTICAST_TTL", err) ||
      !Set<DWORD>(s->fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP", err))
    return nullptr;
  (void)Set<DWORD>(s->fd, IPPROTO_IP, IP_TOS, o.tos, "IP_TOS", err);  // Windows may ignore it
  (void)Set<int>(s->fd, SOL_SOCKET, SO_RCVBUF, int(o.receiveBufferBytes), "SO_RCVBUF", err);
  err.clear();
  DescribeAdapter(*s);
  // The wake-up socket: UDP on loopback, sending to itself.
  s->wake = ::WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT);
  sockaddr_in lo{};
  lo.sin_family = AF_INET;
  lo.sin_addr = Addr(0x7f000001);
  int len = sizeof lo;
  if (s->wake == INVALID_SOCKET || ::bind(s->wake, reinterpret_cast<sockaddr*>(&lo), sizeof lo) != 0 ||
      ::getsockname(s->wake, reinterpret_cast<sockaddr*>(&s->wakeAddress), &len) != 0 ||
      ::ioctlsocket(s->wake, FIONBIO, &nonBlocking) != 0) {
    err = WsaError("wake-up socket on 127.0.0.1");
    return nullptr;
  }
  State* state = s.get();
  return std::unique_ptr<RawSocket>(new RawSocket(std::move(s), state));
}

bool RawSocket::Join(uint32_t group, std::string& err) { return Membership(impl_->fd, IP_ADD_MEMBERSHIP, group, impl_->local, err); }
bool RawSocket::Leave(uint32_t group, std::string& err) { return Membership(impl_->fd, IP_DROP_MEMBERSHIP, group, impl_->local, err); }

bool RawSocket::Send(const uint8_t* data, size_t length, uint32_t destination, std::string& err) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr = Addr(destination);
  if (::sendto(impl_->fd, reinterpret_cast<const char*>(data), int(length), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
      int(length)) {
    impl_->sent++;
    return true;
  }
  impl_->sendErrors++;
  err = WsaError("sendto");
  return false;
}

RawSocket::Wait RawSocket::WaitReadable(std::string& err) {
  fd_set read;
  FD_ZERO(&read);
  FD_SET(impl_->fd, &read);
  FD_SET(impl_->wake, &read);
  if (::select(0, &read, nullptr, nullptr, nullptr) == SOCKET_ERROR) {
    err = WsaError("select");
    return Wait::Failed;
  }
  if (FD_ISSET(impl_->wake, &read)) {
    char drain[64];
    while (::recv(impl_->wake, drain, sizeof drain, 0) > 0) {
    }
    return Wait::Woken;
  }
  return Wait::Readable;
}

void RawSocket::Wake() {
  const char one = 1;
  (void)::sendto(impl_->wake, &one, 1, 0, reinterpret_cast<sockaddr*>(&impl_->wakeAddress), sizeof impl_->wakeAddress);
}

bool RawSocket::Receive(Datagram& out, std::string& err) {
  for (;;) {
    const int n = ::recv(impl_->fd, reinterpret_cast<char*>(impl_->buffer.data()), int(impl_->buffer.size()), 0);
    if (n == SOCKET_ERROR) {
      const int e = ::WSAGetLastError();
      if (e == WSAEWOULDBLOCK) return false;
      if (e == WSAECONNRESET) continue;  // an ICMP error for an earlier send, not this socket's
      if (e == WSAEMSGSIZE) {
        impl_->malformed++;
        continue;
      }
      err = WsaError("recv", e);
      return false;
    }
    if (Accept(*impl_, size_t(n), out)) return true;
  }
}

}  // namespace rrasbridge::rawip
