// Signalling the router manager's notification event.
//
// Windows: a real event HANDLE. POSIX: the harness creates an eventfd and
// passes its descriptor in the HANDLE's pointer value; the DLL only signals it.
#pragma once

#include "compat.h"

#if !defined(_WIN32)

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

inline int EventHandleFd(HANDLE h) {
  return static_cast<int>(reinterpret_cast<intptr_t>(h));
}

inline HANDLE EventHandleFromFd(int fd) {
  return reinterpret_cast<HANDLE>(static_cast<intptr_t>(fd));
}

inline bool SignalEvent(HANDLE h) {
  const uint64_t one = 1;
  for (;;) {
    ssize_t n = ::write(EventHandleFd(h), &one, sizeof one);
    if (n == static_cast<ssize_t>(sizeof one)) return true;
    if (n < 0 && errno == EINTR) continue;
    // A non-blocking eventfd whose counter is full is already signalled.
    return n < 0 && errno == EAGAIN;
  }
}

#else

inline bool SignalEvent(HANDLE h) { return SetEvent(h) != FALSE; }

#endif
