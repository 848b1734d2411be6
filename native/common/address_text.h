// IP addresses as text: IPv4 dotted quads, IPv6 as RFC 5952 writes it (lower-case hex
// groups, the first longest run of two or more zero groups as "::"). Header-only: the
// protocol library and the standalone mock RTM both use it.
#pragma once

#include <cstdint>
#include <string>

namespace rrasbridge {

// The 4 bytes in network order.
inline std::string Ipv4Text(const unsigned char* b) {
  return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." +
         std::to_string(b[3]);
}

// The 16 bytes in network order.
inline std::string Ipv6Text(const unsigned char* b) {
  unsigned g[8];
  for (int i = 0; i < 8; ++i) g[i] = unsigned(b[2 * i]) << 8 | b[2 * i + 1];
  int best = -1, bestLen = 0;  // RFC 5952 §4.2: the longest run of 2+ zero groups, first wins
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += bestLen - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::string h;
    for (unsigned v = g[i]; v || h.empty(); v >>= 4) h.insert(h.begin(), kHex[v & 0xF]);
    out += h;
  }
  return out;
}

}  // namespace rrasbridge
