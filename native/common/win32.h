// Small Win32 helpers shared by the Windows implementations: UTF-8 <-> UTF-16, error text,
// an owned HANDLE, and the owner-only security descriptor of the channel and the host's log.
#pragma once
#ifdef _WIN32

#include "compat.h"  // windows.h in the right order
#include <sddl.h>

#include <string>
#include <utility>
#include <vector>

namespace rrasbridge::win {

inline std::wstring Wide(const std::string& s) {
  if (s.empty()) return {};
  int n = ::MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
  std::wstring w(static_cast<size_t>(n > 0 ? n : 0), L'\0');
  if (n > 0) ::MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), w.data(), n);
  return w;
}

inline std::string Utf8(const wchar_t* w, size_t len) {
  if (!w || len == 0) return {};
  int n = ::WideCharToMultiByte(CP_UTF8, 0, w, static_cast<int>(len), nullptr, 0, nullptr, nullptr);
  std::string s(static_cast<size_t>(n > 0 ? n : 0), '\0');
  if (n > 0) ::WideCharToMultiByte(CP_UTF8, 0, w, static_cast<int>(len), s.data(), n, nullptr, nullptr);
  return s;
}
inline std::string Utf8(const std::wstring& w) { return Utf8(w.data(), w.size()); }

// "what: <system message> (error N)"
inline std::string ErrorText(const char* what, DWORD code = ::GetLastError()) {
  wchar_t* msg = nullptr;
  DWORD n = ::FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                                 FORMAT_MESSAGE_IGNORE_INSERTS,
                             nullptr, code, 0, reinterpret_cast<LPWSTR>(&msg), 0, nullptr);
  std::string text = n ? Utf8(msg, n) : std::string();
  if (msg) ::LocalFree(msg);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == '.'))
    text.pop_back();
  return std::string(what) + ": " + (text.empty() ? "error" : text) + " (error " +
         std::to_string(code) + ")";
}

// An owned kernel handle (NULL and INVALID_HANDLE_VALUE both mean none).
class Handle {
 public:
  Handle() = default;
  explicit Handle(HANDLE h) : h_(h == INVALID_HANDLE_VALUE ? nullptr : h) {}
  Handle(Handle&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) Reset(std::exchange(o.h_, nullptr));
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { Reset(); }
  HANDLE get() const { return h_; }
  explicit operator bool() const { return h_ != nullptr; }
  HANDLE Release() { return std::exchange(h_, nullptr); }
  void Reset(HANDLE h = nullptr) {
    if (h_) ::CloseHandle(h_);
    h_ = h == INVALID_HANDLE_VALUE ? nullptr : h;
  }

 private:
  HANDLE h_ = nullptr;
};

// Full access for SYSTEM and for the account this process runs as (the host inherits that
// account), nobody else; protected from inherited ACEs.
class OwnerOnlySecurity {
 public:
  OwnerOnlySecurity() = default;
  OwnerOnlySecurity(const OwnerOnlySecurity&) = delete;
  OwnerOnlySecurity& operator=(const OwnerOnlySecurity&) = delete;
  ~OwnerOnlySecurity() {
    if (sd_) ::LocalFree(sd_);
  }

  bool Init(bool inheritable, std::string& err) {
    std::wstring sid;
    if (!CurrentUserSid(sid, err)) return false;
    const std::wstring sddl = L"D:P(A;;GA;;;SY)(A;;GA;;;" + sid + L")";
    if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1,
                                                                &sd_, nullptr)) {
      err = ErrorText("ConvertStringSecurityDescriptorToSecurityDescriptor");
      return false;
    }
    sa_.nLength = sizeof sa_;
    sa_.lpSecurityDescriptor = sd_;
    sa_.bInheritHandle = inheritable ? TRUE : FALSE;
    return true;
  }
  SECURITY_ATTRIBUTES* get() { return &sa_; }

  static bool CurrentUserSid(std::wstring& out, std::string& err) {
    HANDLE raw = nullptr;
    if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &raw)) {
      err = ErrorText("OpenProcessToken");
      return false;
    }
    Handle token(raw);
    DWORD size = 0;
    ::GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
    std::vector<ULONGLONG> buf(size / sizeof(ULONGLONG) + 1);  // aligned for TOKEN_USER
    if (!::GetTokenInformation(token.get(), TokenUser, buf.data(),
                               static_cast<DWORD>(buf.size() * sizeof(ULONGLONG)), &size)) {
      err = ErrorText("GetTokenInformation");
      return false;
    }
    wchar_t* text = nullptr;
    if (!::ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buf.data())->User.Sid, &text)) {
      err = ErrorText("ConvertSidToStringSid");
      return false;
    }
    out = text;
    ::LocalFree(text);
    return true;
  }

 private:
  PSECURITY_DESCRIPTOR sd_ = nullptr;
  SECURITY_ATTRIBUTES sa_{};
};

}  // namespace rrasbridge::win

#endif  // _WIN32
