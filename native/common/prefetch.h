// PrefetchLine: asks for a cache line ahead of its use, where a lookup in a table larger than
// the caches (a full routing table) would otherwise wait on memory. Used by the library's
// route table (native/protocol/route_table.h) and the host's route mirror
// (native/addon/route_mirror.cc). A hint only: no fault, whatever the address.
#pragma once

#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <xmmintrin.h>
#endif

namespace rrasbridge {

inline void PrefetchLine(const void* p) {
#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
  _mm_prefetch(static_cast<const char*>(p), _MM_HINT_T0);
#elif defined(_MSC_VER)
  static_cast<void>(p);  // no prefetch intrinsic on this target
#elif defined(__x86_64__) || defined(__i386__)
  // Not __builtin_prefetch: GCC 12 drops one whose address comes from a load (an entry's, read
  // through its index slot), or that sits alone in a helper like this, as dead code.
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

}  // namespace rrasbridge
