#include "ipv4.h"

#include <string.h>

namespace mockrtm {

bool FromNetAddressRaw(const RTM_NET_ADDRESS* a, uint32_t* addr, uint8_t* len) {
  if (!a || a->AddressFamily != AF_INET || a->NumBits > 32) return false;
  *addr = (uint32_t(a->AddrBits[0]) << 24) | (uint32_t(a->AddrBits[1]) << 16) |
          (uint32_t(a->AddrBits[2]) << 8) | uint32_t(a->AddrBits[3]);
  *len = static_cast<uint8_t>(a->NumBits);
  return true;
}

bool FromNetAddress(const RTM_NET_ADDRESS* a, Prefix* out) {
  uint32_t addr;
  uint8_t len;
  if (!FromNetAddressRaw(a, &addr, &len)) return false;
  out->addr = addr & MaskOf(len);
  out->len = len;
  return true;
}

void ToNetAddress(uint32_t addr, uint8_t len, RTM_NET_ADDRESS* out) {
  memset(out, 0, sizeof(*out));
  out->AddressFamily = AF_INET;
  out->NumBits = len;
  out->AddrBits[0] = static_cast<UCHAR>(addr >> 24);
  out->AddrBits[1] = static_cast<UCHAR>(addr >> 16);
  out->AddrBits[2] = static_cast<UCHAR>(addr >> 8);
  out->AddrBits[3] = static_cast<UCHAR>(addr);
}

namespace {

// Parses up to `max` as a decimal number of 1..3 digits (or 1..2 for prefix lengths);
// advances *p. No sign, no spaces.
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

bool ParseAddressPrefix(const char** p, uint32_t* addr) {
  uint32_t a = 0;
  for (int i = 0; i < 4; ++i) {
    unsigned part;
    if (i > 0) {
      if (**p != '.') return false;
      ++*p;
    }
    if (!ParseNumber(p, 255, &part)) return false;
    a = (a << 8) | part;
  }
  *addr = a;
  return true;
}

}  // namespace

bool ParseAddress(const char* text, uint32_t* addr) {
  if (!text) return false;
  const char* p = text;
  uint32_t a;
  if (!ParseAddressPrefix(&p, &a) || *p != '\0') return false;
  *addr = a;
  return true;
}

bool ParsePrefix(const char* text, Prefix* out) {
  if (!text) return false;
  const char* p = text;
  uint32_t a;
  if (!ParseAddressPrefix(&p, &a)) return false;
  unsigned len = 32;
  if (*p == '/') {
    ++p;
    if (!ParseNumber(&p, 32, &len)) return false;
  }
  if (*p != '\0') return false;
  out->len = static_cast<uint8_t>(len);
  out->addr = a & MaskOf(len);
  return true;
}

std::string FormatAddress(uint32_t addr) {
  return std::to_string(addr >> 24) + "." + std::to_string((addr >> 16) & 0xFF) + "." +
         std::to_string((addr >> 8) & 0xFF) + "." + std::to_string(addr & 0xFF);
}

std::string FormatPrefix(const Prefix& p) {
  return FormatAddress(p.addr) + "/" + std::to_string(unsigned(p.len));
}

}  // namespace mockrtm
