// Validation of the blobs RRAS hands a protocol, before anything trusts their contents.
// Pure functions over bytes (no Win32 calls); integers are read little-endian, as in-process.
//
// RTR_INFO_BLOCK_HEADER (rtinfo.h): @0 Version (1), @4 Size (blob bytes), @8 TocEntriesCount,
// @12 RTR_TOC_ENTRY[n], 16 bytes each: InfoType, InfoSize (bytes per item), Count, Offset.
// IP_ADAPTER_BINDING_INFO: @0 AddressCount, ..., @24 IP_LOCAL_BINDING[AddressCount] (8 bytes).
// IPV6_ADAPTER_BINDING_INFO: @0 AddressCount, ..., @32 IPV6_LOCAL_BINDING[AddressCount] (20).
// The rules match lib/config/infoBlock.ts and binding.ts, so both sides refuse the same blobs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rrasbridge::infoblock {

constexpr uint32_t kVersion = 1;  // RTR_INFO_BLOCK_VERSION
constexpr size_t kHeaderSize = 12;
constexpr size_t kTocEntrySize = 16;
constexpr size_t kAlign = 8;  // ALIGN_SIZE

constexpr size_t kBindingHeaderSize = 24;  // FIELD_OFFSET(IP_ADAPTER_BINDING_INFO, Address)
constexpr size_t kLocalBindingSize = 8;    // sizeof(IP_LOCAL_BINDING)
constexpr uint32_t kMaxBindingAddresses = 4096;
constexpr size_t kMaxBindingBytes = kBindingHeaderSize + kLocalBindingSize * kMaxBindingAddresses;
constexpr size_t kBinding6HeaderSize = 32;  // FIELD_OFFSET(IPV6_ADAPTER_BINDING_INFO, Address)
constexpr size_t kLocalBinding6Size = 20;   // sizeof(IPV6_LOCAL_BINDING)
constexpr size_t kMaxBinding6Bytes = kBinding6HeaderSize + kLocalBinding6Size * kMaxBindingAddresses;

struct TocEntry {
  uint32_t infoType = 0;
  uint32_t infoSize = 0;
  uint32_t count = 0;
  uint32_t offset = 0;
};

// True when the `size` bytes at `data` hold a well-formed info block: Version 1;
// 12 <= Size <= size (bytes past Size are ignored); the TOC fits in Size; each entry's
// Offset is 8-byte aligned, after the TOC, and Offset + InfoSize*Count <= Size (computed
// without overflow); non-empty data areas do not overlap; no InfoType repeats.
// Otherwise false, with the reason in err.
bool ValidateInfoBlock(const void* data, size_t size, std::string& err);

// Header fields and TOC entry i. Only meaningful after ValidateInfoBlock succeeded
// (then entry i's data is data + offset, infoSize * count bytes, inside Size).
uint32_t InfoBlockSize(const void* data);
uint32_t TocEntryCount(const void* data);
TocEntry ReadTocEntry(const void* data, uint32_t i);

// The byte size of the IP_ADAPTER_BINDING_INFO at statusInfo, 24 + 8 * AddressCount, in
// `bytes`. `available` is how many bytes may be read there; a caller that does not know
// (RRAS passes only a pointer) passes kMaxBindingBytes. Fails on a NULL pointer, fewer
// than 24 bytes, AddressCount above kMaxBindingAddresses, or a size beyond `available`.
// Reads nothing but AddressCount.
bool BindingSize(const void* statusInfo, size_t available, size_t& bytes, std::string& err);
// The same for the IPv6 router manager's IPV6_ADAPTER_BINDING_INFO: 32 + 20 * AddressCount.
bool Binding6Size(const void* statusInfo, size_t available, size_t& bytes, std::string& err);

// The addresses of a binding whose size BindingSize (ipv6: Binding6Size) accepted, `size`
// bytes at `data`, as text: "192.0.2.1/24" (the prefix length counts the mask's bits),
// "2001:db8::1/64" (RFC 5952). Fewer bytes than the header: none.
std::vector<std::string> BindingAddressTexts(const void* data, size_t size, bool ipv6);

}  // namespace rrasbridge::infoblock
