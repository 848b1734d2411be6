#include "info_block.h"

#include "address_text.h"

#include <algorithm>
#include <vector>

namespace rrasbridge::infoblock {
namespace {

uint32_t GetU32(const unsigned char* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

std::string Hex(uint32_t v) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) s += kDigits[(v >> shift) & 0xF];
  return s;
}

std::string Entry(uint32_t i, uint32_t infoType) {
  return "info block: TOC entry " + std::to_string(i) + " (InfoType " + Hex(infoType) + ")";
}

struct Area {
  uint64_t start, end;
  uint32_t index;
};

}  // namespace

uint32_t InfoBlockSize(const void* data) {
  return GetU32(static_cast<const unsigned char*>(data) + 4);
}

uint32_t TocEntryCount(const void* data) {
  return GetU32(static_cast<const unsigned char*>(data) + 8);
}

TocEntry ReadTocEntry(const void* data, uint32_t i) {
  const auto* p = static_cast<const unsigned char*>(data) + kHeaderSize + kTocEntrySize * size_t(i);
  TocEntry e;
  e.infoType = GetU32(p);
  e.infoSize = GetU32(p + 4);
  e.count = GetU32(p + 8);
  e.offset = GetU32(p + 12);
  return e;
}

bool ValidateInfoBlock(const void* data, size_t size, std::string& err) {
  if (size > 0 && !data) {
    err = "info block: NULL pointer with " + std::to_string(size) + " bytes";
    return false;
  }
  if (size < kHeaderSize) {
    err = "info block: buffer is " + std::to_string(size) + " bytes, shorter than the " +
          std::to_string(kHeaderSize) + "-byte header";
    return false;
  }
  const auto* p = static_cast<const unsigned char*>(data);
  const uint32_t version = GetU32(p);
  const uint32_t total = GetU32(p + 4);
  const uint32_t n = GetU32(p + 8);
  if (version != kVersion) {
    err = "info block: Version is " + std::to_string(version) + ", expected 1";
    return false;
  }
  if (total > size) {
    err = "info block: header Size is " + std::to_string(total) + " but the buffer holds only " +
          std::to_string(size) + " bytes";
    return false;
  }
  if (total < kHeaderSize) {
    err = "info block: header Size is " + std::to_string(total) + ", smaller than the header";
    return false;
  }
  const uint64_t tocEnd = kHeaderSize + uint64_t(kTocEntrySize) * n;  // no overflow in 64 bits
  if (tocEnd > total) {
    err = "info block: TocEntriesCount " + std::to_string(n) + " needs " +
          std::to_string(tocEnd) + " bytes of header and TOC, but Size is " +
          std::to_string(total);
    return false;
  }

  std::vector<Area> areas;
  std::vector<std::pair<uint32_t, uint32_t>> types;  // (InfoType, index)
  areas.reserve(n);
  types.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    const TocEntry e = ReadTocEntry(data, i);
    if (e.offset > total) {
      err = Entry(i, e.infoType) + ": Offset " + std::to_string(e.offset) + " is beyond Size " +
            std::to_string(total);
      return false;
    }
    if (e.offset % kAlign != 0) {
      err = Entry(i, e.infoType) + ": Offset " + std::to_string(e.offset) +
            " is not 8-byte aligned";
      return false;
    }
    if (e.offset < tocEnd) {
      err = Entry(i, e.infoType) + ": Offset " + std::to_string(e.offset) +
            " lies inside the header/TOC, which ends at " + std::to_string(tocEnd);
      return false;
    }
    const uint64_t length = uint64_t(e.infoSize) * e.count;  // < 2^64: exact
    if (length > uint64_t(total) - e.offset) {
      err = Entry(i, e.infoType) + ": InfoSize " + std::to_string(e.infoSize) + " x Count " +
            std::to_string(e.count) + " = " + std::to_string(length) + " bytes from Offset " +
            std::to_string(e.offset) + " end past Size " + std::to_string(total);
      return false;
    }
    if (length > 0) areas.push_back({e.offset, e.offset + length, i});
    types.emplace_back(e.infoType, i);
  }

  std::sort(types.begin(), types.end());
  for (size_t k = 1; k < types.size(); ++k)
    if (types[k].first == types[k - 1].first) {
      err = Entry(types[k].second, types[k].first) + " repeats the InfoType of TOC entry " +
            std::to_string(types[k - 1].second);
      return false;
    }

  std::sort(areas.begin(), areas.end(), [](const Area& a, const Area& b) {
    return a.start != b.start ? a.start < b.start : a.index < b.index;
  });
  for (size_t k = 1; k < areas.size(); ++k) {
    const Area& a = areas[k - 1];
    const Area& b = areas[k];
    if (b.start < a.end) {
      err = "info block: data of TOC entry " + std::to_string(b.index) + " [" +
            std::to_string(b.start) + ", " + std::to_string(b.end) + ") overlaps TOC entry " +
            std::to_string(a.index) + " [" + std::to_string(a.start) + ", " +
            std::to_string(a.end) + ")";
      return false;
    }
  }
  return true;
}

namespace {

// A binding struct of `header` bytes followed by AddressCount entries of `entry` bytes.
bool SizeOfBinding(const char* name, size_t header, size_t entry, const void* statusInfo,
                   size_t available, size_t& bytes, std::string& err) {
  bytes = 0;
  const std::string what = name;
  if (!statusInfo) {
    err = what + ": NULL pointer";
    return false;
  }
  if (available < header) {
    err = what + ": " + std::to_string(available) + " bytes, shorter than the " +
          std::to_string(header) + "-byte header";
    return false;
  }
  const uint32_t count = GetU32(static_cast<const unsigned char*>(statusInfo));
  if (count > kMaxBindingAddresses) {
    err = what + ": AddressCount " + std::to_string(count) + " exceeds the cap of " +
          std::to_string(kMaxBindingAddresses);
    return false;
  }
  const size_t needed = header + entry * count;  // bounded by the cap
  if (needed > available) {
    err = what + ": AddressCount " + std::to_string(count) + " needs " + std::to_string(needed) +
          " bytes, only " + std::to_string(available) + " available";
    return false;
  }
  bytes = needed;
  return true;
}

}  // namespace

bool BindingSize(const void* statusInfo, size_t available, size_t& bytes, std::string& err) {
  return SizeOfBinding("IP_ADAPTER_BINDING_INFO", kBindingHeaderSize, kLocalBindingSize,
                       statusInfo, available, bytes, err);
}

bool Binding6Size(const void* statusInfo, size_t available, size_t& bytes, std::string& err) {
  return SizeOfBinding("IPV6_ADAPTER_BINDING_INFO", kBinding6HeaderSize, kLocalBinding6Size,
                       statusInfo, available, bytes, err);
}

namespace {

std::string Prefixed(const std::string& address, uint32_t prefixLength) {
  return address + "/" + std::to_string(prefixLength);
}

}  // namespace

std::vector<std::string> BindingAddressTexts(const void* data, size_t size, bool ipv6) {
  std::vector<std::string> out;
  const size_t header = ipv6 ? kBinding6HeaderSize : kBindingHeaderSize;
  const size_t entry = ipv6 ? kLocalBinding6Size : kLocalBindingSize;
  if (!data || size < header) return out;
  const auto* p = static_cast<const unsigned char*>(data);
  const uint64_t count = std::min<uint64_t>(GetU32(p), (size - header) / entry);
  for (uint64_t i = 0; i < count; ++i) {
    const unsigned char* e = p + header + entry * i;
    unsigned maskBits = 0;
    for (uint32_t m = GetU32(e + 4); m; m &= m - 1) ++maskBits;
    out.push_back(ipv6 ? Prefixed(Ipv6Text(e), GetU32(e + 16)) : Prefixed(Ipv4Text(e), maskBits));
  }
  return out;
}

}  // namespace rrasbridge::infoblock
