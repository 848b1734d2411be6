// A shared library loaded at run time (RTMv2 from rtm.dll, or the mock RTM in tests).
#pragma once

#include <string>

#ifdef _WIN32
#include "../common/win32.h"
#else
#include <dlfcn.h>
#endif

namespace rrasbridge {

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
