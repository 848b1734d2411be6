// A shared library loaded at run time (RTMv2 from rtm.dll, or the mock RTM in tests), or a
// counted reference on the library this code is linked into (OpenSelf).
//
// OpenSelf pins the library: while the reference is held, a FreeLibrary or dlclose by whoever
// loaded it only lowers the count, so code a thread of ours still runs stays mapped. The
// protocol library holds one while a protocol has threads, the mock RTM while its dispatcher
// runs; each closes it on another thread once they are joined, inside an entry point, whose
// caller's own reference keeps the library loaded until the call returns.
#pragma once

#include <string>

#ifdef _WIN32
#include "win32.h"
#else
#include <dlfcn.h>
#endif

namespace rrasbridge {

namespace dynlib_detail {
// An address inside the module that includes this header (one per translation unit, all in
// the same module).
static const char kSelf = 0;
}  // namespace dynlib_detail

class DynamicLibrary {
 public:
  DynamicLibrary() = default;
  DynamicLibrary(const DynamicLibrary&) = delete;
  DynamicLibrary& operator=(const DynamicLibrary&) = delete;
  ~DynamicLibrary() { Close(); }

  bool Open(const std::string& path, std::string& err) {
    Close();
#ifdef _WIN32
    handle_ = ::LoadLibraryW(win::Wide(path).c_str());  // paths are UTF-8 throughout
    if (!handle_) err = "LoadLibrary(" + path + ") failed with error " + std::to_string(::GetLastError());
#else
    handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) err = std::string("dlopen: ") + ::dlerror();
#endif
    return handle_ != nullptr;
  }
  // False when no library contains this code (it is linked into an executable, which is
  // never unloaded): then there is nothing to pin. No-op when already open.
  bool OpenSelf() {
    if (handle_) return true;
#ifdef _WIN32
    HMODULE h = nullptr;
    if (::GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS,
                             reinterpret_cast<LPCWSTR>(&dynlib_detail::kSelf), &h))
      handle_ = h;
#else
    Dl_info info{};
    if (::dladdr(&dynlib_detail::kSelf, &info) && info.dli_fname)
      handle_ = ::dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
#endif
    return handle_ != nullptr;
  }
  bool open() const { return handle_ != nullptr; }
  void* Symbol(const char* name) const {
    if (!handle_) return nullptr;
#ifdef _WIN32
    return reinterpret_cast<void*>(::GetProcAddress(static_cast<HMODULE>(handle_), name));
#else
    return ::dlsym(handle_, name);
#endif
  }
  void Close() {
    if (!handle_) return;
#ifdef _WIN32
    ::FreeLibrary(static_cast<HMODULE>(handle_));
#else
    ::dlclose(handle_);
#endif
    handle_ = nullptr;
  }

 private:
  void* handle_ = nullptr;
};

}  // namespace rrasbridge
