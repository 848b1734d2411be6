// The native surface of rras_bridge_rawip (one file describes it, as node-usb does): a raw
// IPv4 socket for one IP protocol on one interface, which an IGP needs and Node's dgram does
// not have (OSPF is IP protocol 89, sent to 224.0.0.5/224.0.0.6 with TTL 1). addon.cc wraps
// it for JS (lib/rawip); raw_socket_posix.cc and raw_socket_win.cc implement it.
//
// What a socket is bound to: the interface that holds `localAddress`.
//   Linux:   SO_BINDTODEVICE on the device with that address (found with getifaddrs), not
//            bind(): a raw socket bound to a unicast address would see no multicast; sends
//            carry IP_PKTINFO so the source is that address; IP_MULTICAST_ALL off, so only
//            the groups this socket joined arrive.
//   Windows: bind() to the address (Winsock delivers a raw socket the datagrams of the
//            interface it is bound to, and the groups it joined there).
// Received datagrams include the IP header on both; Receive() strips it and reports source,
// destination and TTL. Needs CAP_NET_RAW (root) on Linux, an administrator on Windows: the
// RRAS host runs as LocalSystem.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rrasbridge::rawip {

struct Options {
  uint8_t protocol = 0;
  uint32_t localAddress = 0;  // host order
  uint8_t ttl = 1;            // unicast and multicast
  uint8_t tos = 0;            // e.g. 0xc0, IP precedence "internetwork control" (OSPF, RFC 2328 A.1)
  uint32_t receiveBufferBytes = 4u << 20;
};

struct Datagram {
  std::vector<uint8_t> payload;  // after the IP header
  uint32_t source = 0;           // host order
  uint32_t destination = 0;
  uint8_t ttl = 0;
};

struct Counters {
  uint64_t received = 0;
  uint64_t sent = 0;
  uint64_t sendErrors = 0;
  uint64_t malformed = 0;      // not IPv4, or shorter than its header
  uint64_t kernelDrops = 0;    // datagrams the kernel dropped for a full receive buffer (Linux)
};

class RawSocket {
 public:
  enum class Wait { Readable, Woken, Failed };

  // nullptr and a message naming the cause (and the privilege needed) when it cannot open.
  static std::unique_ptr<RawSocket> Open(const Options& options, std::string& err);
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool Join(uint32_t group, std::string& err);
  bool Leave(uint32_t group, std::string& err);
  bool Send(const uint8_t* data, size_t length, uint32_t destination, std::string& err);

  // Blocks until a datagram is waiting or Wake() was called (any thread).
  Wait WaitReadable(std::string& err);
  void Wake();
  // One datagram, without blocking; false with an empty err when none is waiting.
  bool Receive(Datagram& out, std::string& err);

  uint32_t Mtu() const { return state_->mtu; }                 // of the interface, 0 if unknown
  uint32_t InterfaceIndex() const { return state_->ifindex; }  // the system's index
  const std::string& DeviceName() const { return state_->device; }
  Counters counters() const;

  // What both platforms keep of a socket; each platform's Impl extends it with its handles.
  struct State {
    uint32_t local = 0;  // host order
    uint32_t ifindex = 0;
    uint32_t mtu = 0;
    std::string device;
    std::atomic<uint64_t> received{0}, sent{0}, sendErrors{0}, malformed{0}, kernelDrops{0};
    std::vector<uint8_t> buffer = std::vector<uint8_t>(65536);
  };
  struct Impl;

 private:
  RawSocket(std::unique_ptr<Impl> impl, State* state);
  // Counts a received datagram: true when it is a whole IPv4 datagram (out filled).
  static bool Accept(State& s, size_t length, Datagram& out);
  std::unique_ptr<Impl> impl_;
  State* state_;  // the Impl's State part
};

// The IPv4 header in front of a received datagram: fills source, destination, ttl and the
// payload (bounded by the header's total length); false if it is not a whole IPv4 header.
bool StripIpHeader(const uint8_t* data, size_t length, Datagram& out);

std::string FormatIPv4(uint32_t address);  // host order
bool ParseIPv4(const std::string& text, uint32_t& address);

}  // namespace rrasbridge::rawip
