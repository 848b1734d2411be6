// The host process on Windows: created suspended, put in a job object that kills it when
// the job handle closes (with this process, at the latest), then resumed. It inherits only
// its stdin pipe (the handshake token) and the output log (stdout and stderr).
#ifdef _WIN32
#include "../common/win32.h"

#include <cstdio>
#include <iterator>
#include <vector>

#include "host_process.h"

namespace rrasbridge {
namespace {

// CommandLineToArgvW's quoting rules, which node.exe's C runtime follows.
std::wstring Quote(const std::wstring& a) {
  if (!a.empty() && a.find_first_of(L" \t\n\v\"") == std::wstring::npos) return a;
  std::wstring q = L"\"";
  for (auto it = a.begin();; ++it) {
    size_t slashes = 0;
    while (it != a.end() && *it == L'\\') {
      ++it;
      ++slashes;
    }
    if (it == a.end()) {
      q.append(slashes * 2, L'\\');
      break;
    }
    if (*it == L'"') {
      q.append(slashes * 2 + 1, L'\\');
    } else {
      q.append(slashes, L'\\');
    }
    q.push_back(*it);
  }
  q.push_back(L'"');
  return q;
}

// argv[0] as POSIX's execvp finds it: a path, or a name looked up in PATH (".exe" implied).
bool ResolveExecutable(const std::string& name, std::wstring& out, std::string& err) {
  const std::wstring w = win::Wide(name);
  if (w.find_first_of(L"\\/:") != std::wstring::npos) {
    out = w;
    return true;
  }
  wchar_t buf[MAX_PATH * 4];
  DWORD n = ::SearchPathW(nullptr, w.c_str(), L".exe", static_cast<DWORD>(std::size(buf)), buf, nullptr);
  if (n == 0 || n >= std::size(buf)) {
    err = "cannot find '" + name + "' in PATH";
    return false;
  }
  out.assign(buf, n);
  return true;
}

// The caller names the log after the channel address; a pipe name is not a file, so such
// logs go to the temp directory under the pipe's random name.
std::string FilePathFor(const std::string& log) {
  if (log.rfind("\\\\.\\", 0) != 0) return log;
  wchar_t tmp[MAX_PATH + 1];
  DWORD n = ::GetTempPathW(MAX_PATH + 1, tmp);
  std::string dir = n ? win::Utf8(tmp, n) : std::string(".\\");
  return dir + log.substr(log.find_last_of('\\') + 1);
}

std::string DescribeExit(DWORD code) {
  if (code >= 0xC0000000u) {  // an NTSTATUS: the process crashed
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08lX", static_cast<unsigned long>(code));
    return std::string("exit code ") + hex;
  }
  return "exit code " + std::to_string(code);
}

constexpr DWORD kKilledExitCode = 0xDEAD;

}  // namespace

HostProcess::~HostProcess() {
  if (process_ && exit_.empty()) Terminate(0);
  if (process_) ::CloseHandle(static_cast<HANDLE>(process_));
  if (job_) ::CloseHandle(static_cast<HANDLE>(job_));  // kills anything left in the job
  // The log is scratch for this one start (HostLink has logged its tail when it mattered).
  if (!outputLog_.empty()) ::DeleteFileW(win::Wide(outputLog_).c_str());
}

bool HostProcess::Spawn(const std::vector<std::string>& argv, const std::string& stdinData,
                        const std::string& outputLog, std::string& err) {
  if (argv.empty()) {
    err = "no command";
    return false;
  }
  outputLog_ = FilePathFor(outputLog);
  std::wstring exe;
  if (!ResolveExecutable(argv[0], exe, err)) return false;
  std::wstring cmd = Quote(exe);
  for (size_t i = 1; i < argv.size(); ++i) cmd += L" " + Quote(win::Wide(argv[i]));

  win::OwnerOnlySecurity fileSecurity;
  if (!fileSecurity.Init(true, err)) return false;
  // A fresh file for each start (CREATE_NEW; a link planted at the path is not followed): the
  // temp directory is shared, and the pipe name it is named after can be listed by anyone.
  win::Handle out(::CreateFileW(win::Wide(outputLog_).c_str(), FILE_APPEND_DATA | SYNCHRONIZE,
                                FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                fileSecurity.get(), CREATE_NEW,
                                FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
  if (!out) {
    err = win::ErrorText(("cannot open " + outputLog_).c_str());
    return false;
  }
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE rd = nullptr, wr = nullptr;
  if (!::CreatePipe(&rd, &wr, &inherit, 0)) {
    err = win::ErrorText("CreatePipe");
    return false;
  }
  win::Handle stdinRead(rd), stdinWrite(wr);
  ::SetHandleInformation(stdinWrite.get(), HANDLE_FLAG_INHERIT, 0);

  win::Handle job(::CreateJobObjectW(nullptr, nullptr));
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  limits.BasicLimitInformation.LimitFlags =
      JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
  if (!job || !::SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits,
                                         sizeof limits)) {
    err = win::ErrorText("job object");
    return false;
  }

  // Only these two handles reach the child, whatever else in this process is inheritable.
  HANDLE handles[2] = {stdinRead.get(), out.get()};
  SIZE_T attrSize = 0;
  ::InitializeProcThreadAttributeList(nullptr, 1, 0, &attrSize);
  std::vector<ULONGLONG> attrBuf(attrSize / sizeof(ULONGLONG) + 1);
  auto* attrs = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(attrBuf.data());
  if (!::InitializeProcThreadAttributeList(attrs, 1, 0, &attrSize)) {
    err = win::ErrorText("InitializeProcThreadAttributeList");
    return false;
  }
  struct AttrGuard {
    LPPROC_THREAD_ATTRIBUTE_LIST a;
    ~AttrGuard() { ::DeleteProcThreadAttributeList(a); }
  } attrGuard{attrs};
  if (!::UpdateProcThreadAttribute(attrs, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles,
                                   sizeof handles, nullptr, nullptr)) {
    err = win::ErrorText("UpdateProcThreadAttribute");
    return false;
  }
  STARTUPINFOEXW si{};
  si.StartupInfo.cb = sizeof si;
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.StartupInfo.hStdInput = stdinRead.get();
  si.StartupInfo.hStdOutput = out.get();
  si.StartupInfo.hStdError = out.get();
  si.lpAttributeList = attrs;
  PROCESS_INFORMATION pi{};
  if (!::CreateProcessW(exe.c_str(), cmd.data(), nullptr, nullptr, TRUE,
                        CREATE_SUSPENDED | CREATE_NO_WINDOW | EXTENDED_STARTUPINFO_PRESENT,
                        nullptr, nullptr, &si.StartupInfo, &pi)) {
    err = win::ErrorText(("CreateProcess " + argv[0]).c_str());
    return false;
  }
  win::Handle process(pi.hProcess), thread(pi.hThread);
  if (!::AssignProcessToJobObject(job.get(), process.get())) {
    err = win::ErrorText("AssignProcessToJobObject");
    ::TerminateProcess(process.get(), kKilledExitCode);
    return false;
  }
  if (::ResumeThread(thread.get()) == static_cast<DWORD>(-1)) {
    err = win::ErrorText("ResumeThread");
    ::TerminateProcess(process.get(), kKilledExitCode);
    return false;
  }
  pid_ = static_cast<long>(pi.dwProcessId);
  process_ = process.Release();
  job_ = job.Release();
  stdinRead.Reset();  // the child's copy is what matters now
  out.Reset();
  DWORD off = 0;
  while (off < stdinData.size()) {
    DWORD n = 0;
    if (!::WriteFile(stdinWrite.get(), stdinData.data() + off,
                     static_cast<DWORD>(stdinData.size() - off), &n, nullptr) || n == 0)
      break;  // the child died early; its exit is reported by the caller
    off += n;
  }
  return true;
}

bool HostProcess::running() { return process_ && WaitExit(0).empty(); }

std::string HostProcess::WaitExit(uint32_t ms) {
  if (!exit_.empty() || !process_) return exit_;
  HANDLE h = static_cast<HANDLE>(process_);
  if (::WaitForSingleObject(h, ms) != WAIT_OBJECT_0) return {};
  DWORD code = 0;
  if (!::GetExitCodeProcess(h, &code)) return exit_ = "exited (status unknown)";
  exit_ = DescribeExit(code);
  return exit_;
}

std::string HostProcess::Terminate(uint32_t graceMs) {
  if (!process_) return "not started";
  if (!exit_.empty()) return exit_;
  // No SIGTERM on Windows: the host exits by itself once its channel is closed.
  if (graceMs > 0) {
    std::string e = WaitExit(graceMs);
    if (!e.empty()) return e;
  }
  ::TerminateProcess(static_cast<HANDLE>(process_), kKilledExitCode);
  std::string e = WaitExit(kReapMs);
  if (e.empty()) return "did not exit after TerminateProcess";
  if (e == DescribeExit(kKilledExitCode)) exit_ = e = "killed (TerminateProcess)";
  return e;
}

std::string HostProcess::OutputTail(size_t maxBytes) const {
  win::Handle f(::CreateFileW(win::Wide(outputLog_).c_str(), GENERIC_READ,
                              FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                              OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
  LARGE_INTEGER size{};
  if (!f || !::GetFileSizeEx(f.get(), &size)) return {};
  const LONGLONG start = size.QuadPart > static_cast<LONGLONG>(maxBytes)
                             ? size.QuadPart - static_cast<LONGLONG>(maxBytes) : 0;
  LARGE_INTEGER pos{};
  pos.QuadPart = start;
  if (!::SetFilePointerEx(f.get(), pos, nullptr, FILE_BEGIN)) return {};
  std::string s(static_cast<size_t>(size.QuadPart - start), '\0');
  DWORD n = 0;
  if (!s.empty() && !::ReadFile(f.get(), s.data(), static_cast<DWORD>(s.size()), &n, nullptr)) return {};
  s.resize(n);
  return s;
}

}  // namespace rrasbridge
#endif  // _WIN32
