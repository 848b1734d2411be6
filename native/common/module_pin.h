// A counted reference on the shared library this code is linked into (dlopen RTLD_NOLOAD on
// POSIX, GetModuleHandleEx on Windows). While it is held, a FreeLibrary or dlclose by whoever
// loaded the library only lowers the count: the code a thread of ours still runs stays mapped.
//
// The library holds one while it has threads (a running protocol, the mock RTM's dispatcher)
// and releases it on another thread once they have been joined; that thread is inside an
// entry point, so its caller's own reference keeps the library loaded until the call returns.
// Header-only: both the protocol library and the standalone mock RTM use it.
#pragma once

#ifdef _WIN32
#include "compat.h"  // windows.h
#else
#include <dlfcn.h>
#endif

namespace rrasbridge {

namespace module_pin_detail {
// An address inside this module (one per translation unit, all in the same module).
static const char kAnchor = 0;
}  // namespace module_pin_detail

class ModulePin {
 public:
  ModulePin() = default;
  ModulePin(const ModulePin&) = delete;
  ModulePin& operator=(const ModulePin&) = delete;
  ~ModulePin() { Release(); }

  // False when the module cannot be found (e.g. the code is linked into an executable,
  // which is never unloaded): then there is nothing to pin.
  bool Acquire() {
    if (handle_) return true;
#ifdef _WIN32
    HMODULE h = nullptr;
    if (::GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS,
                             reinterpret_cast<LPCWSTR>(&module_pin_detail::kAnchor), &h))
      handle_ = h;
#else
    Dl_info info{};
    if (::dladdr(&module_pin_detail::kAnchor, &info) && info.dli_fname)
      handle_ = ::dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
#endif
    return handle_ != nullptr;
  }

  void Release() {
    if (!handle_) return;
#ifdef _WIN32
    ::FreeLibrary(static_cast<HMODULE>(handle_));
#else
    ::dlclose(handle_);
#endif
    handle_ = nullptr;
  }

  bool held() const { return handle_ != nullptr; }

 private:
  void* handle_ = nullptr;
};

}  // namespace rrasbridge
