// The admin endpoint's named pipe on Windows (admin_listener.h). One instance waits for a
// client with an overlapped ConnectNamedPipe; a connected instance becomes the session's
// stream and a new one takes its place. All waits are on events (no alertable waits).
#ifdef _WIN32
#include "../common/win32.h"

#include "admin_listener.h"

namespace rrasbridge {
namespace {

constexpr int kMaxCopies = 64;  // copies of the library in one process
constexpr DWORD kPipeBuffer = 64 * 1024;
const wchar_t kPipePrefix[] = L"\\\\.\\pipe\\rras-bridge-admin-";
// SYSTEM and the Administrators group, full access; nobody else; no inherited entries.
const wchar_t kAdminsOnly[] = L"D:P(A;;GA;;;SY)(A;;GA;;;BA)";

}  // namespace

struct AdminListener::Os {
  win::Handle pending;       // the instance waiting for a client
  win::Handle connected;     // manual-reset: pending's ConnectNamedPipe completed
  win::Handle wake;          // auto-reset
  win::Handle reservation;   // a named mutex: this copy's name in this process
  OVERLAPPED ov{};
  bool connecting = false;
  bool first = true;         // the next instance is the name's first
  std::string broken;        // no instance could be made after an accept: why
  PSECURITY_DESCRIPTOR sd = nullptr;
  SECURITY_ATTRIBUTES sa{};
  std::wstring name;

  ~Os() {
    Cancel();
    if (sd) ::LocalFree(sd);
  }
  void Cancel() {
    if (!connecting) return;
    DWORD n = 0;
    ::CancelIoEx(pending.get(), &ov);
    ::GetOverlappedResult(pending.get(), &ov, &n, TRUE);
    connecting = false;
  }
  // A new instance, waiting for its client.
  bool Arm(std::string& err) {
    if (!pending) {
      const DWORD mode = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0);
      HANDLE h = ::CreateNamedPipeW(name.c_str(), mode,
                                    PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                                    PIPE_UNLIMITED_INSTANCES, kPipeBuffer, kPipeBuffer, 0, &sa);
      if (h == INVALID_HANDLE_VALUE) {
        err = win::ErrorText(("CreateNamedPipe " + win::Utf8(name)).c_str());
        return false;
      }
      pending.Reset(h);
      first = false;
    }
    ov = OVERLAPPED{};
    ov.hEvent = connected.get();
    ::ResetEvent(connected.get());
    if (::ConnectNamedPipe(pending.get(), &ov)) {
      ::SetEvent(connected.get());
      return true;
    }
    const DWORD e = ::GetLastError();
    if (e == ERROR_IO_PENDING) {
      connecting = true;
      return true;
    }
    if (e == ERROR_PIPE_CONNECTED) {  // connected between CreateNamedPipe and now
      ::SetEvent(connected.get());
      return true;
    }
    err = win::ErrorText("ConnectNamedPipe", e);
    return false;
  }
};

std::string DefaultAdminDirectory() { return {}; }

AdminListener::AdminListener() : os_(std::make_unique<Os>()) {}

AdminListener::~AdminListener() = default;

bool AdminListener::Open(const std::string& /*directory*/, std::string& err) {
  Os& os = *os_;
  os.connected.Reset(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
  os.wake.Reset(::CreateEventW(nullptr, FALSE, FALSE, nullptr));
  if (!os.connected || !os.wake) return err = win::ErrorText("CreateEvent"), false;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(kAdminsOnly, SDDL_REVISION_1, &os.sd, nullptr))
    return err = win::ErrorText("ConvertStringSecurityDescriptorToSecurityDescriptor"), false;
  os.sa.nLength = sizeof os.sa;
  os.sa.lpSecurityDescriptor = os.sd;
  os.sa.bInheritHandle = FALSE;
  const std::wstring pid = std::to_wstring(::GetCurrentProcessId());
  std::string squatted;
  for (int copy = 1; copy <= kMaxCopies; ++copy) {
    const std::wstring suffix = pid + (copy > 1 ? L"-" + std::to_wstring(copy) : L"");
    // A named mutex tells the copies of the library in this process apart (Wine does not
    // enforce FILE_FLAG_FIRST_PIPE_INSTANCE, so the pipe itself cannot).
    win::Handle mutex(::CreateMutexW(nullptr, FALSE, (L"Local\\rras-bridge-admin-" + suffix).c_str()));
    if (!mutex) return err = win::ErrorText("CreateMutex"), false;
    if (::GetLastError() == ERROR_ALREADY_EXISTS) continue;
    os.name = kPipePrefix + suffix;
    os.first = true;
    std::string why;
    if (os.Arm(why)) {
      os.reservation = std::move(mutex);
      address_ = win::Utf8(os.name);
      if (!squatted.empty()) err = squatted;  // opened, with a warning
      return true;
    }
    // Someone else created our name first: not ours to serve on. Take the next.
    squatted = "the admin pipe " + win::Utf8(os.name) + " was taken by another process (" + why + ")";
  }
  err = squatted.empty() ? "no free admin pipe name" : squatted;
  return false;
}

AdminListener::Event AdminListener::Next(int timeoutMs, Stream& out, AdminClient& who,
                                         std::string& err) {
  Os& os = *os_;
  if (!os.broken.empty()) {
    err = os.broken;
    return Event::Failed;
  }
  HANDLE waits[2] = {os.wake.get(), os.connected.get()};
  const DWORD r = ::WaitForMultipleObjects(2, waits, FALSE, timeoutMs < 0 ? INFINITE : static_cast<DWORD>(timeoutMs));
  if (r == WAIT_TIMEOUT) return Event::TimedOut;
  if (r == WAIT_OBJECT_0) return Event::Woken;
  if (r != WAIT_OBJECT_0 + 1) {
    err = win::ErrorText("WaitForMultipleObjects");
    return Event::Failed;
  }
  DWORD n = 0;
  const bool ok = !os.connecting || ::GetOverlappedResult(os.pending.get(), &os.ov, &n, FALSE);
  os.connecting = false;
  if (!ok) {
    // The client went away before it was accepted: wait on the same instance again.
    ::DisconnectNamedPipe(os.pending.get());
    return os.Arm(err) ? Event::TimedOut : Event::Failed;
  }
  who = AdminClient{};
  ULONG pid = 0;
  if (::GetNamedPipeClientProcessId(os.pending.get(), &pid)) who.pid = pid;
  who.admitted = true;  // the DACL admitted only SYSTEM and Administrators
  out = Stream(os.pending.Release());
  if (!os.Arm(os.broken) && os.broken.empty()) os.broken = "no new pipe instance";
  return Event::Accepted;
}

void AdminListener::Wake() { ::SetEvent(os_->wake.get()); }

}  // namespace rrasbridge
#endif  // _WIN32
