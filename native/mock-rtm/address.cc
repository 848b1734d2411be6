#include "address.h"

#include "../common/address_text.h"

#include <string.h>

namespace mockrtm {

unsigned MaxBits(USHORT family) {
  return family == kAfInet ? 32u : family == kAfInet6 ? 128u : 0u;
}

Prefix Masked(const Prefix& p, unsigned len) {
  Prefix out = p;
  out.len = static_cast<uint8_t>(len);
  // The whole bytes are kept, one byte is cut, the rest cleared: no per-byte test (this runs
  // for every route added).
  const unsigned whole = len / 8;
  if (whole >= 16) return out;
  unsigned cleared = whole;
  if (len % 8) out.bytes[cleared++] &= static_cast<uint8_t>(0xFF00u >> (len % 8));
  memset(out.bytes.data() + cleared, 0, 16 - cleared);
  return out;
}

bool CoversAddress(const Prefix& p, const Prefix& addr) {
  return p.family == addr.family && Masked(addr, p.len).bytes == p.bytes;
}

bool FromNetAddressRaw(const RTM_NET_ADDRESS* a, Prefix* out) {
  if (!a) return false;
  const unsigned max = MaxBits(a->AddressFamily);
  if (max == 0 || a->NumBits > max) return false;
  Prefix p;
  p.family = a->AddressFamily;
  p.len = static_cast<uint8_t>(a->NumBits);
  memcpy(p.bytes.data(), a->AddrBits, max / 8);
  *out = p;
  return true;
}

bool FromNetAddress(const RTM_NET_ADDRESS* a, Prefix* out) {
  Prefix p;
  if (!FromNetAddressRaw(a, &p)) return false;
  *out = Masked(p, p.len);
  return true;
}

void ToNetAddress(const Prefix& p, RTM_NET_ADDRESS* out) {
  memset(out, 0, sizeof(*out));
  out->AddressFamily = p.family;
  out->NumBits = p.len;
  memcpy(out->AddrBits, p.bytes.data(), MaxBits(p.family) / 8);
}

namespace {

// A decimal number of 1..3 digits up to `max`; advances *p. No sign, no spaces.
bool ParseNumber(const char** p, unsigned max, unsigned* out) {
  const char* s = *p;
  unsigned v = 0;
  int digits = 0;
  while (*s >= '0' && *s <= '9') {
    v = v * 10 + unsigned(*s - '0');
    if (++digits > 3 || v > max) return false;
    ++s;
  }
  if (digits == 0) return false;
  *out = v;
  *p = s;
  return true;
}

bool ParseDotted(const char** p, uint8_t* out4) {
  for (int i = 0; i < 4; ++i) {
    unsigned part;
    if (i > 0) {
      if (**p != '.') return false;
      ++*p;
    }
    if (!ParseNumber(p, 255, &part)) return false;
    out4[i] = static_cast<uint8_t>(part);
  }
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 4291 §2.2 text up to the end of the address (a '/' or NUL); advances *p.
bool ParseIpv6(const char** p, uint8_t* out16) {
  uint16_t groups[8] = {};
  int n = 0, gap = -1;
  const char* s = *p;
  if (s[0] == ':' && s[1] == ':') {
    gap = 0;
    s += 2;
  } else if (s[0] == ':') {
    return false;
  }
  while (*s && *s != '/') {
    // An embedded IPv4 address ends the text: two groups.
    const char* dot = s;
    while (HexDigit(*dot) >= 0) ++dot;
    if (*dot == '.') {
      uint8_t v4[4];
      if (n > 6 || !ParseDotted(&s, v4)) return false;
      groups[n++] = static_cast<uint16_t>(v4[0] << 8 | v4[1]);
      groups[n++] = static_cast<uint16_t>(v4[2] << 8 | v4[3]);
      break;
    }
    unsigned v = 0;
    int digits = 0;
    for (int d; (d = HexDigit(*s)) >= 0; ++s) {
      if (++digits > 4) return false;
      v = v << 4 | unsigned(d);
    }
    if (digits == 0 || n == 8) return false;
    groups[n++] = static_cast<uint16_t>(v);
    if (*s == ':') {
      if (s[1] == ':') {
        if (gap >= 0) return false;  // one "::" only
        gap = n;
        s += 2;
      } else {
        ++s;
        if (!*s || *s == '/') return false;  // a trailing single ':'
      }
    }
  }
  if (gap < 0 ? n != 8 : n > 7) return false;
  uint16_t full[8] = {};
  if (gap < 0) {
    memcpy(full, groups, sizeof full);
  } else {
    for (int i = 0; i < gap; ++i) full[i] = groups[i];
    for (int i = gap; i < n; ++i) full[8 - (n - i)] = groups[i];
  }
  for (int i = 0; i < 8; ++i) {
    out16[2 * i] = static_cast<uint8_t>(full[i] >> 8);
    out16[2 * i + 1] = static_cast<uint8_t>(full[i]);
  }
  *p = s;
  return true;
}

bool ParseAny(const char** p, Prefix* out) {
  Prefix a;
  if (strchr(*p, ':')) {
    a.family = kAfInet6;
    if (!ParseIpv6(p, a.bytes.data())) return false;
  } else {
    a.family = kAfInet;
    if (!ParseDotted(p, a.bytes.data())) return false;
  }
  a.len = static_cast<uint8_t>(MaxBits(a.family));
  *out = a;
  return true;
}

}  // namespace

bool ParseAddress(const char* text, Prefix* out) {
  if (!text) return false;
  const char* p = text;
  Prefix a;
  if (!ParseAny(&p, &a) || *p != '\0') return false;
  *out = a;
  return true;
}

bool ParsePrefix(const char* text, Prefix* out) {
  if (!text) return false;
  const char* p = text;
  Prefix a;
  if (!ParseAny(&p, &a)) return false;
  unsigned len = a.len;
  if (*p == '/') {
    ++p;
    if (!ParseNumber(&p, MaxBits(a.family), &len)) return false;
  }
  if (*p != '\0') return false;
  *out = Masked(a, len);
  return true;
}

std::string FormatAddress(const Prefix& p) {
  return p.family == kAfInet6 ? rrasbridge::Ipv6Text(p.bytes.data()) : rrasbridge::Ipv4Text(p.bytes.data());
}

std::string FormatPrefix(const Prefix& p) {
  return FormatAddress(p) + "/" + std::to_string(unsigned(p.len));
}

}  // namespace mockrtm
