// IPv4 prefixes for the mock RTM: RTM_NET_ADDRESS conversion and dotted-text parsing.
//
// Internally an address is a uint32_t in host order, so that 10.0.0.0 == 0x0A000000 and
// prefixes sort numerically. RTM_NET_ADDRESS carries it in AddrBits[0..3] in network order
// (AddrBits[0] == 10), as RTM_IPV4_SET_ADDR_AND_LEN stores it.
#pragma once

#include <stdint.h>

#include <string>

#include "../common/compat.h"

namespace mockrtm {

struct Prefix {
  uint32_t addr = 0;  // host order, host bits cleared
  uint8_t len = 0;    // 0..32

  bool operator==(const Prefix& o) const { return addr == o.addr && len == o.len; }
  bool operator!=(const Prefix& o) const { return !(*this == o); }
  bool operator<(const Prefix& o) const { return addr != o.addr ? addr < o.addr : len < o.len; }
};

constexpr uint32_t MaskOf(unsigned len) {
  return len == 0 ? 0u : (len >= 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> len));
}

// True when `p` covers address `addr` (host order).
inline bool Covers(const Prefix& p, uint32_t addr) { return (addr & MaskOf(p.len)) == p.addr; }
// True when `outer` covers the whole of `inner`.
inline bool Covers(const Prefix& outer, const Prefix& inner) {
  return inner.len >= outer.len && Covers(outer, inner.addr);
}

// AF_INET with NumBits <= 32 only; host bits are cleared. False for anything else.
bool FromNetAddress(const RTM_NET_ADDRESS* a, Prefix* out);
// Like FromNetAddress but keeps host bits (for next-hop addresses and lookup keys).
bool FromNetAddressRaw(const RTM_NET_ADDRESS* a, uint32_t* addr, uint8_t* len);
void ToNetAddress(uint32_t addr, uint8_t len, RTM_NET_ADDRESS* out);

// "a.b.c.d" (strict: four decimal parts 0..255, no leading '+', no spaces).
bool ParseAddress(const char* text, uint32_t* addr);
// "a.b.c.d/len" or "a.b.c.d" (= /32); host bits are cleared.
bool ParsePrefix(const char* text, Prefix* out);

std::string FormatAddress(uint32_t addr);
std::string FormatPrefix(const Prefix& p);

}  // namespace mockrtm
