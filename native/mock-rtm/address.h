// Addresses and prefixes of both RTM families for the mock RTM: RTM_NET_ADDRESS conversion,
// text parsing and formatting, prefix covering.
//
// A Prefix is a family (AF_INET 2, or RRAS_BRIDGE_AF_INET6 23 as Windows numbers it), the
// address bytes in network order as RTM_NET_ADDRESS.AddrBits carries them (IPv4 in bytes
// 0..3, the rest zero, as RTM_IPV4_SET_ADDR_AND_LEN stores it) and a length (0..32 or
// 0..128). Prefixes order by family, then bytes, then length: within a family that is
// numeric address order, so a covering prefix sorts before what it covers.
#pragma once

#include <stdint.h>

#include <array>
#include <string>

#include "../common/compat.h"

namespace mockrtm {

constexpr USHORT kAfInet = AF_INET;
constexpr USHORT kAfInet6 = RRAS_BRIDGE_AF_INET6;

struct Prefix {
  USHORT family = kAfInet;
  std::array<uint8_t, 16> bytes{};  // network order; host bits cleared in a destination
  uint8_t len = 0;

  bool operator==(const Prefix& o) const {
    return family == o.family && len == o.len && bytes == o.bytes;
  }
  bool operator!=(const Prefix& o) const { return !(*this == o); }
  bool operator<(const Prefix& o) const {
    if (family != o.family) return family < o.family;
    if (bytes != o.bytes) return bytes < o.bytes;
    return len < o.len;
  }
};

// 32 for AF_INET, 128 for IPv6, 0 for any other family.
unsigned MaxBits(USHORT family);
// `p` with the bits past `len` cleared and its length set to `len`.
Prefix Masked(const Prefix& p, unsigned len);
// True when the first p.len bits of `addr` equal p's (same family; addr's length ignored).
bool CoversAddress(const Prefix& p, const Prefix& addr);
// True when `outer` covers the whole of `inner`.
inline bool Covers(const Prefix& outer, const Prefix& inner) {
  return inner.len >= outer.len && CoversAddress(outer, inner);
}

// AF_INET (NumBits <= 32) or IPv6 (<= 128); host bits are cleared. False for anything else.
bool FromNetAddress(const RTM_NET_ADDRESS* a, Prefix* out);
// Like FromNetAddress but keeps host bits (for next-hop addresses and lookup keys).
bool FromNetAddressRaw(const RTM_NET_ADDRESS* a, Prefix* out);
void ToNetAddress(const Prefix& p, RTM_NET_ADDRESS* out);

// "a.b.c.d" (strict: four decimal parts 0..255) or an IPv6 address in RFC 4291 §2.2 text
// (hex groups, one "::", an embedded dotted quad at the end); the length is the family's.
bool ParseAddress(const char* text, Prefix* out);
// An address as above, optionally followed by "/len" (default: a host); host bits cleared.
bool ParsePrefix(const char* text, Prefix* out);

// Dotted quad, or RFC 5952 text (lowercase, the longest run of zero groups as "::").
std::string FormatAddress(const Prefix& p);
std::string FormatPrefix(const Prefix& p);

}  // namespace mockrtm
