// Configuration on Windows: the protocol's own registry key, where RRAS finds the DLL.
//
//   HKLM\SOFTWARE\Microsoft\Router\CurrentVersion\RouterManagers\Ip\<Name>   (or ...\Ipv6\<Name>:
//                                                          the IPv6 router manager's, ipv6 = 1)
//     DllName, ProtocolId (REG_DWORD), Title, VendorName   RRAS's values; ProtocolId selects
//                                                          the key, <Name> is the protocol's name
//     Module      REG_SZ / REG_EXPAND_SZ   the protocol module (required)
//     NodePath    REG_SZ / REG_EXPAND_SZ   node.exe; default: node.exe from PATH
//     NodeArgs    REG_MULTI_SZ             arguments before the host entry
//     HostEntry   REG_SZ / REG_EXPAND_SZ   default: dist\lib\host\main.js beside the DLL
//     LogFile     REG_SZ / REG_EXPAND_SZ   a file the library also appends its log to
//     RtmLibrary  REG_SZ / REG_EXPAND_SZ   default: rtm.dll
//     SupportedFunctionality, StartTimeoutMs, CallTimeoutMs, StopTimeoutMs, UpdateTimeoutMs, HeartbeatMs,
//     HeartbeatMisses, RestartLimit, RestartWindowMs, BackoffInitialMs, BackoffMaxMs,
//     StaleTimeoutMs, MaxFrameBytes, RoutePreference, ValidateRoutes, ClientCalls,
//     QueueHighWaterBytes, Ipv6, TraceRingRecords                         REG_DWORD
//
// Value names are the JSON field names of the POSIX configuration (the registry compares
// names case-insensitively). Another parent key may replace RRAS's (e.g.
// HKCU\Software\rras-bridge\MockRouter\1234\1.1\Ip): the one named by rras-bridge.json beside
// the DLL ({"registryKey": "..."}; MockRouter writes one beside each router's private copy),
// else by the environment variable RRAS_BRIDGE_REGISTRY_KEY. An installed DLL has neither, and
// RRAS sets no such variable: it reads RRAS's own key.
#ifdef _WIN32
#include "../common/win32.h"

#include <cstring>
#include <cwchar>
#include <cwctype>
#include <iterator>

#include "../common/json.h"
#include "config.h"

namespace rrasbridge {
namespace {

const wchar_t kRouterManagersIp[] = L"SOFTWARE\\Microsoft\\Router\\CurrentVersion\\RouterManagers\\Ip";

class Key {
 public:
  Key() = default;
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key() {
    if (h_) ::RegCloseKey(h_);
  }
  LSTATUS Open(HKEY parent, const std::wstring& sub) {
    return ::RegOpenKeyExW(parent, sub.c_str(), 0, KEY_READ, &h_);
  }
  HKEY get() const { return h_; }

 private:
  HKEY h_ = nullptr;
};

// A small file, read whole (the beside-the-library configuration). *exists = false, and true
// returned, when there is none.
bool ReadSmallFile(const std::string& utf8Path, std::string& out, bool* exists, std::string& err) {
  *exists = false;
  win::Handle f(::CreateFileW(win::Wide(utf8Path).c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr,
                              OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!f) {
    const DWORD e = ::GetLastError();
    if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND) return true;
    err = win::ErrorText(("cannot read " + utf8Path).c_str(), e);
    return false;
  }
  *exists = true;
  char buf[4096];
  DWORD n = 0;
  while (::ReadFile(f.get(), buf, sizeof buf, &n, nullptr) && n > 0) {
    out.append(buf, n);
    if (out.size() > (64u << 10)) {
      err = utf8Path + " is larger than 64 KiB";
      return false;
    }
  }
  return true;
}

// The parent key named by a copy's rras-bridge.json ({"registryKey": "HKCU\\..."}), or by
// RRAS_BRIDGE_REGISTRY_KEY; empty when neither names one (then RRAS's own key is used).
bool ParentOverride(std::string& key, std::string& from, std::string& err) {
  const std::string beside = BesideConfigPath();
  std::string text;
  bool exists = false;
  if (!ReadSmallFile(beside, text, &exists, err)) return false;
  if (exists) {
    json::Value root;
    const json::Value* v = nullptr;
    if (!json::Parse(text, root, err) || !(v = root.Get("registryKey")) ||
        v->type != json::Value::Type::String) {
      err = beside + ": " + (err.empty() ? "'registryKey' must be a string" : err);
      return false;
    }
    key = v->string;
    from = beside;
    return true;
  }
  // GetEnvironmentVariable, not getenv: the C runtime's copy misses later SetEnvironmentVariable
  // calls (node's process.env).
  wchar_t env[1024];
  const DWORD envLen = ::GetEnvironmentVariableW(L"RRAS_BRIDGE_REGISTRY_KEY", env, 1024);
  if (envLen > 0 && envLen < 1024) {
    key = win::Utf8(env, envLen);
    from = "RRAS_BRIDGE_REGISTRY_KEY";
  }
  return true;
}

// The parent key and a description of it for messages.
bool ParentKey(HKEY& root, std::wstring& path, std::string& shown, std::string& err) {
  root = HKEY_LOCAL_MACHINE;
  path = kRouterManagersIp;
  std::string s, from;
  if (!ParentOverride(s, from, err)) return false;
  if (!s.empty()) {
    const struct {
      const char* prefix;
      HKEY key;
    } roots[] = {{"HKLM\\", HKEY_LOCAL_MACHINE}, {"HKEY_LOCAL_MACHINE\\", HKEY_LOCAL_MACHINE},
                 {"HKCU\\", HKEY_CURRENT_USER}, {"HKEY_CURRENT_USER\\", HKEY_CURRENT_USER}};
    bool ok = false;
    for (const auto& r : roots) {
      const size_t n = std::strlen(r.prefix);
      if (_strnicmp(s.c_str(), r.prefix, n) == 0 && s.size() > n) {
        root = r.key;
        path = win::Wide(s.substr(n));
        ok = true;
        break;
      }
    }
    if (!ok) {
      err = from + ": the registry key must start with HKLM\\ or HKCU\\: " + s;
      return false;
    }
  }
  shown = std::string(root == HKEY_LOCAL_MACHINE ? "HKLM\\" : "HKCU\\") + win::Utf8(path);
  return true;
}

// An unpaired UTF-16 surrogate has no UTF-8 form: the conversion would silently change the
// string (a path would name another file), so such a value is refused.
bool Representable(const wchar_t* p, size_t n, const wchar_t* name, std::string& err) {
  for (size_t i = 0; i < n; ++i) {
    const bool high = p[i] >= 0xD800 && p[i] <= 0xDBFF, low = p[i] >= 0xDC00 && p[i] <= 0xDFFF;
    if (high && i + 1 < n && p[i + 1] >= 0xDC00 && p[i + 1] <= 0xDFFF) {
      ++i;
    } else if (high || low) {
      err = "'" + win::Utf8(name) + "' holds an unpaired UTF-16 surrogate at character " +
            std::to_string(i) + ": it has no UTF-8 form, so the library and Node cannot use it";
      return false;
    }
  }
  return true;
}

// ERROR_FILE_NOT_FOUND (value absent) leaves out unchanged and succeeds. RRF_RT_REG_SZ also
// accepts REG_EXPAND_SZ and expands it.
bool GetString(HKEY k, const wchar_t* name, std::string& out, std::string& err) {
  DWORD size = 0;
  LSTATUS st = ::RegGetValueW(k, nullptr, name, RRF_RT_REG_SZ, nullptr, nullptr, &size);
  std::wstring buf;
  for (int tries = 0; tries < 3 && (st == ERROR_SUCCESS || st == ERROR_MORE_DATA); ++tries) {
    buf.assign(size / sizeof(wchar_t) + 1, L'\0');
    size = static_cast<DWORD>(buf.size() * sizeof(wchar_t));
    st = ::RegGetValueW(k, nullptr, name, RRF_RT_REG_SZ, nullptr, buf.data(), &size);
    if (st == ERROR_SUCCESS) break;
  }
  if (st == ERROR_FILE_NOT_FOUND) return true;
  if (st != ERROR_SUCCESS) {
    err = "'" + win::Utf8(name) + "' must be a string (REG_SZ or REG_EXPAND_SZ)";
    return false;
  }
  if (!Representable(buf.c_str(), wcslen(buf.c_str()), name, err)) return false;
  out = win::Utf8(buf.c_str(), wcslen(buf.c_str()));
  return true;
}

bool GetMulti(HKEY k, const wchar_t* name, std::vector<std::string>& out, std::string& err) {
  DWORD size = 0;
  LSTATUS st = ::RegGetValueW(k, nullptr, name, RRF_RT_REG_MULTI_SZ, nullptr, nullptr, &size);
  if (st == ERROR_FILE_NOT_FOUND) return true;
  std::wstring buf(size / sizeof(wchar_t) + 2, L'\0');
  size = static_cast<DWORD>(buf.size() * sizeof(wchar_t));
  if (st == ERROR_SUCCESS || st == ERROR_MORE_DATA)
    st = ::RegGetValueW(k, nullptr, name, RRF_RT_REG_MULTI_SZ, nullptr, buf.data(), &size);
  if (st != ERROR_SUCCESS) {
    err = "'" + win::Utf8(name) + "' must be a REG_MULTI_SZ";
    return false;
  }
  out.clear();
  for (const wchar_t* p = buf.c_str(); *p; p += wcslen(p) + 1) {
    if (!Representable(p, wcslen(p), name, err)) return false;
    out.push_back(win::Utf8(p, wcslen(p)));
  }
  return true;
}

// *present tells whether the value exists.
bool GetDword(HKEY k, const wchar_t* name, uint32_t& out, std::string& err, bool* present = nullptr) {
  DWORD v = 0, size = sizeof v;
  LSTATUS st = ::RegGetValueW(k, nullptr, name, RRF_RT_REG_DWORD, nullptr, &v, &size);
  if (present) *present = st != ERROR_FILE_NOT_FOUND;
  if (st == ERROR_FILE_NOT_FOUND) return true;
  if (st != ERROR_SUCCESS) {
    err = "'" + win::Utf8(name) + "' must be a REG_DWORD";
    return false;
  }
  out = v;
  return true;
}

// The registry value of a JSON field: its name capitalised (nodePath -> NodePath).
std::wstring ValueName(const char* jsonName) {
  std::wstring w = win::Wide(jsonName);
  if (!w.empty()) w[0] = static_cast<wchar_t>(::towupper(w[0]));
  return w;
}

// The same fields, by the same names, as config_posix.cc (scripts/check-build-files.js
// compares the two tables).
bool Parse(HKEY k, ProtocolConfig& c, std::string& err) {
  const struct {
    const char* key;
    std::string* field;
  } strings[] = {{"module", &c.module},       {"nodePath", &c.nodePath},
                 {"hostEntry", &c.hostEntry}, {"logFile", &c.logFile},
                 {"rtmLibrary", &c.rtmLibrary}};
  for (const auto& s : strings)
    if (!GetString(k, ValueName(s.key).c_str(), *s.field, err)) return false;
  if (!GetMulti(k, ValueName("nodeArgs").c_str(), c.nodeArgs, err)) return false;
  for (const auto& n : NumericFields())
    if (!GetDword(k, ValueName(n.key).c_str(), c.*n.field, err)) return false;
  if (c.module.empty()) {
    err = "'Module' is required";
    return false;
  }
  return true;
}

}  // namespace

std::string LibraryPath() {
  HMODULE self = nullptr;
  if (!::GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            reinterpret_cast<LPCWSTR>(&LibraryPath), &self))
    return {};
  std::wstring path(MAX_PATH, L'\0');
  for (;;) {
    DWORD n = ::GetModuleFileNameW(self, path.data(), static_cast<DWORD>(path.size()));
    if (n == 0) return {};
    if (n < path.size()) {
      path.resize(n);
      break;
    }
    path.resize(path.size() * 2);
  }
  return win::Utf8(path);
}

std::string BesideConfigPath() { return LibraryDirectory() + "\\" + kBesideConfigName; }

namespace {

// Looks for protocolId among the subkeys of root\path (one router manager's protocols).
bool FindIn(HKEY root, const std::wstring& path, const std::string& shown, uint32_t protocolId,
            bool ipv6, ProtocolConfig& out, bool* found, std::string& err) {
  Key parent;
  LSTATUS st = parent.Open(root, path);
  if (st == ERROR_FILE_NOT_FOUND) return true;  // no protocols registered there
  if (st != ERROR_SUCCESS) {
    err = win::ErrorText(("cannot open " + shown).c_str(), static_cast<DWORD>(st));
    return false;
  }
  for (DWORD i = 0;; ++i) {
    wchar_t name[256];
    DWORD len = static_cast<DWORD>(std::size(name));
    st = ::RegEnumKeyExW(parent.get(), i, name, &len, nullptr, nullptr, nullptr, nullptr);
    if (st == ERROR_NO_MORE_ITEMS) return true;
    if (st == ERROR_MORE_DATA) continue;  // longer than any key name RRAS allows
    if (st != ERROR_SUCCESS) {
      err = win::ErrorText(("cannot enumerate " + shown).c_str(), static_cast<DWORD>(st));
      return false;
    }
    Key k;
    if (k.Open(parent.get(), std::wstring(name, len)) != ERROR_SUCCESS) continue;
    uint32_t id = 0;
    bool present = false;
    std::string ignored;
    if (!GetDword(k.get(), L"ProtocolId", id, ignored, &present) || !present || id != protocolId)
      continue;  // another protocol (or a key of someone else's making)
    out = ProtocolConfig{};
    out.protocolId = id;
    out.name = win::Utf8(name, len);
    if (!Parse(k.get(), out, err)) {
      err = shown + "\\" + out.name + ": " + err;
      return false;
    }
    if (ipv6) out.ipv6 = 1;  // the IPv6 router manager's key says which one loads it
    *found = true;
    return true;
  }
}

}  // namespace

// Searches RouterManagers\Ip, then its sibling RouterManagers\Ipv6 (for a parent key from
// rras-bridge.json or RRAS_BRIDGE_REGISTRY_KEY: the sibling named like it with "v6" appended).
bool LoadProtocolConfig(uint32_t protocolId, ProtocolConfig& out, bool* found, std::string& err) {
  *found = false;
  HKEY root;
  std::wstring path;
  std::string shown;
  if (!ParentKey(root, path, shown, err)) return false;
  if (!FindIn(root, path, shown, protocolId, false, out, found, err)) return false;
  if (*found) return true;
  return FindIn(root, path + L"v6", shown + "v6", protocolId, true, out, found, err);
}

}  // namespace rrasbridge
#endif  // _WIN32
