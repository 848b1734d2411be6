// libFuzzer target: ValidateInfoBlock and BindingSize over arbitrary bytes.
// Properties: no crash or sanitizer report; the verdict equals a brute-force reference
// (pairwise overlap and duplicate checks); when valid, walking every entry and reading every
// data byte stays inside Size and the buffer (ASan sees the exact-size input buffer);
// BindingSize's answer is 24 + 8 * AddressCount within the cap and the buffer.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../common/info_block.h"

using namespace rrasbridge::infoblock;

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz_info_block: property violated: %s %s\n", what, detail.c_str());
  std::abort();
}

uint32_t U32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);  // the tests run on little-endian hosts
  return v;
}

// Straight from the rules, O(n^2), in 64-bit arithmetic.
bool Reference(const uint8_t* d, size_t size) {
  if (size < 12 || U32(d) != 1) return false;
  const uint64_t total = U32(d + 4), n = U32(d + 8);
  if (total > size || total < 12 || 12 + 16 * n > total) return false;
  struct E { uint64_t type, start, end; };
  std::vector<E> es;
  for (uint64_t i = 0; i < n; ++i) {
    const uint8_t* t = d + 12 + 16 * i;
    const uint64_t start = U32(t + 12), end = start + uint64_t(U32(t + 4)) * U32(t + 8);
    if (start % 8 || start < 12 + 16 * n || end > total) return false;
    es.push_back({U32(t), start, end});
  }
  for (size_t i = 0; i < es.size(); ++i)
    for (size_t j = 0; j < i; ++j) {
      if (es[i].type == es[j].type) return false;
      const bool empty = es[i].start == es[i].end || es[j].start == es[j].end;
      if (!empty && es[i].start < es[j].end && es[j].start < es[i].end) return false;
    }
  return true;
}

volatile uint8_t g_sink;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string err;
  const bool ok = ValidateInfoBlock(data, size, err);
  if (ok != Reference(data, size)) Fail("verdict differs from the reference:", ok ? "accepted" : err);
  if (!ok && err.empty()) Fail("refused without a reason");
  if (ok) {
    const uint32_t total = InfoBlockSize(data);
    const uint32_t n = TocEntryCount(data);
    if (total > size || 12 + 16 * uint64_t(n) > total) Fail("header out of bounds");
    uint8_t x = 0;
    for (uint32_t i = 0; i < n; ++i) {
      const TocEntry e = ReadTocEntry(data, i);
      const uint64_t len = uint64_t(e.infoSize) * e.count;
      if (e.offset % kAlign || e.offset + len > total) Fail("entry out of bounds");
      for (uint64_t k = 0; k < len; ++k) x ^= data[e.offset + k];
    }
    g_sink = x;
  }

  size_t bytes = 12345;
  const bool bound = BindingSize(data, size, bytes, err);
  const bool expect = size >= 24 && U32(data) <= kMaxBindingAddresses &&
                      24 + 8 * uint64_t(U32(data)) <= size;
  if (bound != expect) Fail("BindingSize verdict wrong:", err);
  if (bound) {
    if (bytes != 24 + 8 * size_t(U32(data)) || bytes > size || bytes > kMaxBindingBytes)
      Fail("BindingSize size wrong");
    uint8_t x = 0;
    for (size_t k = 0; k < bytes; ++k) x ^= data[k];
    g_sink = x;
  } else if (bytes != 0 || err.empty()) {
    Fail("BindingSize failure without a reason or with a size");
  }
  return 0;
}
