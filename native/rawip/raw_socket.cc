// Parts of the raw socket that do not depend on the platform: the IPv4 header of a received
// datagram, and dotted-quad text.
#include "raw_socket.h"

#include <cstdio>

namespace rrasbridge::rawip {

bool StripIpHeader(const uint8_t* data, size_t length, Datagram& out) {
  if (length < 20 || (data[0] >> 4) != 4) return false;
  const size_t headerLength = size_t(data[0] & 0x0f) * 4;
  if (headerLength < 20 || headerLength > length) return false;
  // The total length bounds the payload (a link layer may pad); a raw socket hands over the
  // header as it was on the wire (network order) on Linux and on Windows.
  size_t total = (size_t(data[2]) << 8) | data[3];
  if (total < headerLength || total > length) total = length;
  out.ttl = data[8];
  out.source = (uint32_t(data[12]) << 24) | (uint32_t(data[13]) << 16) | (uint32_t(data[14]) << 8) | data[15];
  out.destination = (uint32_t(data[16]) << 24) | (uint32_t(data[17]) << 16) | (uint32_t(data[18]) << 8) | data[19];
  out.payload.assign(data + headerLength, data + total);
  return true;
}

Counters RawSocket::counters() const {
  const State& s = *state_;
  return {s.received.load(), s.sent.load(), s.sendErrors.load(), s.malformed.load(), s.kernelDrops.load()};
}

bool RawSocket::Accept(State& s, size_t length, Datagram& out) {
  if (StripIpHeader(s.buffer.data(), length, out)) {
    s.received++;
    return true;
  }
  s.malformed++;
  return false;
}

std::string FormatIPv4(uint32_t a) {
  char text[16];
  std::snprintf(text, sizeof text, "%u.%u.%u.%u", (a >> 24) & 255, (a >> 16) & 255, (a >> 8) & 255, a & 255);
  return text;
}

bool ParseIPv4(const std::string& text, uint32_t& address) {
  uint32_t parts[4];
  size_t at = 0;
  for (int i = 0; i < 4; i++) {
    if (at >= text.size() || text[at] < '0' || text[at] > '9') return false;
    uint32_t v = 0;
    size_t digits = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      v = v * 10 + uint32_t(text[at++] - '0');
      if (++digits > 3 || v > 255) return false;
    }
    parts[i] = v;
    if (i < 3 && (at >= text.size() || text[at++] != '.')) return false;
  }
  if (at != text.size()) return false;
  address = (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3];
  return true;
}

}  // namespace rrasbridge::rawip
