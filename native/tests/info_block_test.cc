// Unit tests of the info-block and binding-info validators (info_block.cc).
#include <string>
#include <vector>

#include "../common/info_block.h"
#include "check.h"

using namespace rrasbridge::infoblock;

namespace {

void PutU32(std::string& b, size_t at, uint32_t v) {
  if (b.size() < at + 4) b.resize(at + 4);
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<char>(v >> (8 * i));
}

// Hand-built blob: header and TOC as given, zeros elsewhere; `length` bytes of buffer.
std::string Raw(uint32_t version, uint32_t size, uint32_t count,
                const std::vector<TocEntry>& toc, size_t length) {
  std::string b(length, '\0');
  PutU32(b, 0, version);
  PutU32(b, 4, size);
  PutU32(b, 8, count);
  for (size_t i = 0; i < toc.size(); ++i) {
    PutU32(b, 12 + 16 * i, toc[i].infoType);
    PutU32(b, 16 + 16 * i, toc[i].infoSize);
    PutU32(b, 20 + 16 * i, toc[i].count);
    PutU32(b, 24 + 16 * i, toc[i].offset);
  }
  b.resize(length);
  return b;
}
std::string Raw(const std::vector<TocEntry>& toc, size_t length) {
  return Raw(1, uint32_t(length), uint32_t(toc.size()), toc, length);
}

// Laid out like lib/config/infoBlock.ts encodeInfoBlock: data areas in order, padded to 8.
std::string Encoded(const std::vector<TocEntry>& entries) {
  auto align = [](size_t n) { return (n + 7) / 8 * 8; };
  size_t offset = align(12 + 16 * entries.size());
  std::vector<TocEntry> toc = entries;
  for (TocEntry& e : toc) {
    e.offset = uint32_t(offset);
    offset += align(size_t(e.infoSize) * e.count);
  }
  std::string b = Raw(toc, offset);
  for (const TocEntry& e : toc)
    for (size_t k = 0; k < size_t(e.infoSize) * e.count; ++k) b[e.offset + k] = char(0xA0 + k);
  return b;
}

bool Valid(const std::string& b) {
  std::string err;
  const bool ok = ValidateInfoBlock(b.data(), b.size(), err);
  if (!ok) std::fprintf(stderr, "     refused: %s\n", err.c_str());
  return ok;
}

// Refused, with an error containing `want`.
bool Refused(const std::string& b, const std::string& want) {
  std::string err;
  if (ValidateInfoBlock(b.data(), b.size(), err)) {
    std::fprintf(stderr, "     accepted a bad block (wanted '%s')\n", want.c_str());
    return false;
  }
  if (err.find(want) == std::string::npos) {
    std::fprintf(stderr, "     error '%s', wanted '%s'\n", err.c_str(), want.c_str());
    return false;
  }
  return true;
}

void TestValidBlocks() {
  // Empty TOC: Size 12 (exact) or 16 (as the TS encoder pads it).
  CHECK(Valid(Raw({}, 12)));
  CHECK(Valid(Encoded({})));
  CHECK(Encoded({}).size() == 16);

  // One entry: the TOC ends at 28, the data starts at 32.
  const std::string one = Encoded({{0x1234, 4, 1, 0}});
  CHECK(one.size() == 40);
  CHECK(Valid(one));
  CHECK(InfoBlockSize(one.data()) == 40 && TocEntryCount(one.data()) == 1);
  const TocEntry e = ReadTocEntry(one.data(), 0);
  CHECK(e.infoType == 0x1234 && e.infoSize == 4 && e.count == 1 && e.offset == 32);

  // Several entries, odd sizes, IP RM types, zero-size entries.
  CHECK(Valid(Encoded({{7, 3, 3, 0}, {9, 8, 2, 0}})));
  CHECK(Valid(Encoded({{0xFFFF0003, 8, 1, 0}, {0xFFFF0006, 4, 5, 0}, {0x2B1D0001, 20, 1, 0},
                       {0xFFFF0004, 4, 1, 0}})));
  CHECK(Valid(Encoded({{1, 0, 0, 0}, {2, 0, 7, 0}, {3, 7, 0, 0}})));

  // Buffer longer than Size: the bytes after Size are ignored (RM buffers are over-allocated).
  std::string longer = one + std::string(100, '\xEE');
  CHECK(Valid(longer));

  // Data areas in any order, touching but not overlapping; a zero-length entry at Offset == Size
  // or sharing an offset with another area.
  CHECK(Valid(Raw({{1, 8, 1, 72}, {2, 8, 1, 64}, {3, 4, 2, 80}}, 88)));
  CHECK(Valid(Raw({{1, 8, 1, 48}, {2, 0, 0, 56}}, 56)));
  CHECK(Valid(Raw({{1, 16, 1, 48}, {2, 0, 5, 56}}, 64)));
  // Unaligned Size and unpadded last area are accepted (only offsets must be aligned).
  CHECK(Valid(Raw({{1, 3, 1, 32}}, 35)));
  // Size, not the buffer, bounds the entries.
  CHECK(Refused(Raw(1, 28, 1, {{1, 0, 0, 32}}, 64), "Offset 32 is beyond Size 28"));
}

void TestHeaderErrors() {
  std::string err;
  CHECK(!ValidateInfoBlock(nullptr, 0, err) && err.find("shorter than the 12-byte header") != std::string::npos);
  CHECK(!ValidateInfoBlock(nullptr, 64, err) && err.find("NULL") != std::string::npos);
  const std::string ok = Encoded({{5, 4, 1, 0}});
  for (size_t n = 0; n < 12; ++n) CHECK(Refused(ok.substr(0, n), "shorter than the 12-byte header"));
  CHECK(Refused(Raw(0, 16, 0, {}, 16), "Version is 0"));
  CHECK(Refused(Raw(2, 16, 0, {}, 16), "Version is 2"));
  CHECK(Refused(Raw(0x01000000, 16, 0, {}, 16), "Version is 16777216"));  // big-endian 1
  // Size beyond the buffer (a truncated copy), and Size smaller than the header.
  CHECK(Refused(ok.substr(0, ok.size() - 1), "buffer holds only 39 bytes"));
  CHECK(Refused(Raw(1, 0xFFFFFFFF, 0, {}, 16), "header Size is 4294967295"));
  CHECK(Refused(Raw(1, 11, 0, {}, 16), "smaller than the header"));
  CHECK(Refused(Raw(1, 0, 0, {}, 16), "smaller than the header"));
  // TOC beyond Size; a count whose 16n overflows 32 bits.
  CHECK(Refused(Raw(1, 27, 1, {}, 32), "TocEntriesCount 1 needs 28 bytes"));
  CHECK(Refused(Raw(1, 40, 3, {}, 64), "TocEntriesCount 3"));
  CHECK(Refused(Raw(1, 64, 0x10000000, {}, 64), "TocEntriesCount 268435456"));  // 16n wraps to 0
  CHECK(Refused(Raw(1, 64, 0xFFFFFFFF, {}, 64), "TocEntriesCount 4294967295"));
  // The TOC fits in the buffer but not in Size.
  CHECK(Refused(Raw(1, 12, 1, {{1, 0, 0, 32}}, 64), "TocEntriesCount 1"));
}

void TestEntryErrors() {
  // Offset beyond Size, misaligned, inside the header/TOC.
  CHECK(Refused(Raw({{1, 0, 0, 48}}, 40), "Offset 48 is beyond Size 40"));
  CHECK(Refused(Raw({{1, 4, 1, 0xFFFFFFF8}}, 40), "beyond Size"));
  CHECK(Refused(Raw({{1, 4, 1, 33}}, 40), "Offset 33 is not 8-byte aligned"));
  CHECK(Refused(Raw({{1, 4, 1, 36}}, 40), "not 8-byte aligned"));
  CHECK(Refused(Raw({{1, 0, 0, 4}}, 40), "not 8-byte aligned"));
  CHECK(Refused(Raw({{1, 4, 1, 0}}, 40), "lies inside the header/TOC, which ends at 28"));
  CHECK(Refused(Raw({{1, 4, 1, 24}}, 40), "lies inside the header/TOC"));
  CHECK(Refused(Raw({{1, 0, 0, 8}, {2, 0, 0, 48}}, 48), "TOC entry 0 (InfoType 0x00000001)"));
  // Data past Size; sizes whose product overflows 32 (or 64 when added) bits.
  CHECK(Refused(Raw({{1, 9, 1, 32}}, 40), "end past Size 40"));
  CHECK(Refused(Raw({{1, 4, 3, 32}}, 40), "end past Size"));
  CHECK(Refused(Raw({{1, 1, 9, 32}}, 40), "end past Size"));
  CHECK(Refused(Raw({{1, 0x10000, 0x10000, 32}}, 40), "= 4294967296 bytes"));  // wraps to 0 in u32
  CHECK(Refused(Raw({{1, 0x80000000, 2, 32}}, 40), "end past Size"));
  CHECK(Refused(Raw({{1, 0xFFFFFFFF, 0xFFFFFFFF, 32}}, 40), "end past Size"));
  CHECK(Refused(Raw({{1, 8, 1, 48}, {2, 1, 1, 56}}, 56), "TOC entry 1 (InfoType 0x00000002)"));
  // Overlaps: partial, identical, contained, whatever the TOC order.
  CHECK(Refused(Raw({{1, 16, 1, 48}, {2, 8, 1, 56}}, 64), "overlaps"));
  CHECK(Refused(Raw({{1, 8, 1, 56}, {2, 16, 1, 48}}, 64), "data of TOC entry 0 [56, 64) overlaps TOC entry 1 [48, 64)"));
  CHECK(Refused(Raw({{1, 8, 1, 48}, {2, 8, 1, 48}}, 56), "overlaps"));
  CHECK(Refused(Raw({{1, 32, 1, 64}, {2, 8, 1, 72}, {3, 8, 1, 104}}, 112), "overlaps"));
  CHECK(Refused(Raw({{1, 8, 1, 64}, {2, 8, 1, 80}, {3, 24, 1, 72}}, 112), "overlaps"));
  // Duplicate InfoType, also between zero-length entries and non-adjacent entries.
  CHECK(Refused(Raw({{7, 8, 1, 48}, {7, 8, 1, 56}}, 64), "repeats the InfoType of TOC entry 0"));
  CHECK(Refused(Raw({{7, 0, 0, 64}, {8, 0, 0, 64}, {7, 0, 0, 64}}, 64), "TOC entry 2 (InfoType 0x00000007) repeats"));
  CHECK(Refused(Raw({{0xFFFF0003, 8, 1, 64}, {1, 0, 0, 72}, {0xFFFF0003, 0, 0, 72}}, 72), "repeats"));
}

void TestManyEntries() {
  // A large TOC (sorting, not quadratic) is accepted, and a duplicate among it is found.
  std::vector<TocEntry> toc;
  for (uint32_t i = 0; i < 20000; ++i) toc.push_back({20000 - i, 4, 1, 0});
  std::string b = Encoded(toc);
  CHECK(Valid(b));
  PutU32(b, 12 + 16 * 19999, 17);  // last entry takes the InfoType of entry 19983
  CHECK(Refused(b, "repeats the InfoType"));
}

void TestEveryTruncation() {
  // Every prefix of a valid block shorter than its Size is refused, never read past.
  const std::string ok = Encoded({{1, 4, 1, 0}, {2, 12, 2, 0}, {3, 0, 0, 0}});
  CHECK(Valid(ok));
  int refused = 0;
  for (size_t n = 0; n < ok.size(); ++n) {
    const std::string prefix = ok.substr(0, n);  // own allocation: ASan sees overreads
    std::string err;
    refused += !ValidateInfoBlock(prefix.data(), prefix.size(), err);
  }
  CHECK(refused == int(ok.size()));
}

void TestBindingSize() {
  std::string err;
  size_t bytes = 99;
  CHECK(!BindingSize(nullptr, 100, bytes, err) && bytes == 0 && err.find("NULL") != std::string::npos);

  std::string b(24, '\0');
  CHECK(BindingSize(b.data(), b.size(), bytes, err) && bytes == 24);  // unnumbered
  for (size_t n = 0; n < 24; ++n) {
    CHECK(!BindingSize(b.data(), n, bytes, err) && bytes == 0);
    CHECK(err.find("shorter than the 24-byte header") != std::string::npos);
  }
  PutU32(b, 0, 1);
  CHECK(!BindingSize(b.data(), 24, bytes, err) && err.find("needs 32 bytes") != std::string::npos);
  b.resize(32);
  CHECK(BindingSize(b.data(), 32, bytes, err) && bytes == 32);
  CHECK(BindingSize(b.data(), 1000, bytes, err) && bytes == 32);  // trailing bytes: size is 24+8n
  CHECK(BindingSize(b.data(), kMaxBindingBytes, bytes, err) && bytes == 32);

  PutU32(b, 0, 3);
  CHECK(!BindingSize(b.data(), 47, bytes, err));
  b.resize(48);
  CHECK(BindingSize(b.data(), 48, bytes, err) && bytes == 48);

  // The cap, and counts whose 8n would overflow 32 bits.
  std::string big(kMaxBindingBytes, '\0');
  PutU32(big, 0, kMaxBindingAddresses);
  CHECK(BindingSize(big.data(), big.size(), bytes, err) && bytes == 24 + 8 * 4096);
  CHECK(!BindingSize(big.data(), big.size() - 1, bytes, err));
  for (uint32_t count : {kMaxBindingAddresses + 1, 0x20000000u, 0x80000000u, 0xFFFFFFFFu}) {
    PutU32(big, 0, count);
    CHECK(!BindingSize(big.data(), ~size_t(0), bytes, err) && bytes == 0);
    CHECK(err.find("exceeds the cap of 4096") != std::string::npos);
  }
  CHECK(kMaxBindingBytes == 32792);
}

}  // namespace

// IPV6_ADAPTER_BINDING_INFO: 32-byte header, 20-byte IPV6_LOCAL_BINDING entries.
void TestBinding6Size() {
  std::string err;
  size_t bytes = 99;
  CHECK(!Binding6Size(nullptr, 100, bytes, err) && bytes == 0 && err.find("IPV6_ADAPTER_BINDING_INFO: NULL") == 0);
  std::string b(32, '\0');
  CHECK(Binding6Size(b.data(), b.size(), bytes, err) && bytes == 32);
  CHECK(!Binding6Size(b.data(), 31, bytes, err) && err.find("shorter than the 32-byte header") != std::string::npos);
  PutU32(b, 0, 2);
  CHECK(!Binding6Size(b.data(), 71, bytes, err) && err.find("needs 72 bytes") != std::string::npos);
  b.resize(72);
  CHECK(Binding6Size(b.data(), kMaxBinding6Bytes, bytes, err) && bytes == 72);
  PutU32(b, 0, kMaxBindingAddresses + 1);
  CHECK(!Binding6Size(b.data(), ~size_t(0), bytes, err) && err.find("exceeds the cap of 4096") != std::string::npos);
  CHECK(kMaxBinding6Bytes == 32 + 20 * 4096);
}

int main() {
  TestValidBlocks();
  TestHeaderErrors();
  TestEntryErrors();
  TestManyEntries();
  TestEveryTruncation();
  TestBindingSize();
  TestBinding6Size();
  return rrasbridge::test::Finish();
}
