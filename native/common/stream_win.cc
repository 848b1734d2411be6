// The channel's byte stream on Windows: a per-start named pipe with a random name, one
// instance (FILE_FLAG_FIRST_PIPE_INSTANCE: nobody can own the name before us), local clients
// only, a DACL for SYSTEM and our account, and the client's PID checked. All I/O is
// overlapped and waited on with events: RRAS threads never wait alertably, so no APCs.
#ifdef _WIN32
#include "win32.h"

#include <bcrypt.h>

#include <algorithm>
#include <climits>

#include "stream.h"

namespace rrasbridge {

void Stream::CloseNative(NativeHandle h) { ::CloseHandle(h); }

Cancel::Cancel() { read_.Reset(::CreateEventW(nullptr, TRUE, FALSE, nullptr)); }

void Cancel::Raise() {
  if (raised_.exchange(true)) return;
  if (read_.valid()) ::SetEvent(read_.get());
}

namespace {

constexpr DWORD kPipeBuffer = 64 * 1024;
constexpr DWORD kRetryMs = 10;       // between connection attempts
constexpr int kBusyWaitMs = 50;      // WaitNamedPipe slices (it cannot be cancelled)
const char kPipePrefix[] = "\\\\.\\pipe\\rras-bridge-";

// One overlapped operation with its own event. The OVERLAPPED must outlive the I/O, so a
// timed-out operation is cancelled and waited for before it goes out of scope.
class Overlapped {
 public:
  Overlapped() : event_(::CreateEventW(nullptr, TRUE, FALSE, nullptr)) { ov_.hEvent = event_.get(); }
  bool ok() const { return static_cast<bool>(event_); }
  OVERLAPPED* get() { return &ov_; }

  // started: the Win32 call's result. Waits up to the deadline, or until cancel is raised
  // (error ERROR_CANCELLED); then cancels the I/O.
  bool Finish(HANDLE h, BOOL started, Deadline d, DWORD& n, DWORD& error,
              const Cancel* cancel = nullptr) {
    error = ERROR_SUCCESS;
    if (!started && ::GetLastError() != ERROR_IO_PENDING) {
      error = ::GetLastError();
      return false;
    }
    HANDLE waits[2] = {ov_.hEvent, cancel ? cancel->handle() : nullptr};
    const DWORD count = waits[1] ? 2 : 1;
    if (::WaitForMultipleObjects(count, waits, FALSE, static_cast<DWORD>(MsLeft(d))) != WAIT_OBJECT_0) {
      ::CancelIoEx(h, &ov_);
      // The operation may have completed before the cancel: then it counts.
      if (::GetOverlappedResult(h, &ov_, &n, TRUE)) return true;
      error = cancel && cancel->raised() ? ERROR_CANCELLED : WAIT_TIMEOUT;
      return false;
    }
    if (!::GetOverlappedResult(h, &ov_, &n, FALSE)) {
      error = ::GetLastError();
      return false;
    }
    return true;
  }

 private:
  win::Handle event_;
  OVERLAPPED ov_{};
};

bool IsClosedError(DWORD e) {
  return e == ERROR_BROKEN_PIPE || e == ERROR_PIPE_NOT_CONNECTED || e == ERROR_NO_DATA;
}

std::string WaitError(DWORD e, const char* what) {
  return e == WAIT_TIMEOUT        ? "timed out"
         : e == ERROR_CANCELLED  ? "cancelled"
         : IsClosedError(e)      ? "connection closed"
                                 : win::ErrorText(what, e);
}

}  // namespace

Listener::~Listener() = default;  // a pipe vanishes with its last handle

// The single pipe instance became the connection at Accept: nothing is left listening.
void Listener::StopListening() { listen_.Reset(); }

bool Listener::Open(std::string& err) {
  unsigned char r[16];
  if (!RandomBytes(r, sizeof r)) {
    err = "no random bytes for the pipe name";
    return false;
  }
  const std::string name = kPipePrefix + Hex(r, sizeof r);
  win::OwnerOnlySecurity security;
  if (!security.Init(false, err)) return false;
  const std::wstring wname = win::Wide(name);
  HANDLE h = ::CreateNamedPipeW(
      wname.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE | FILE_FLAG_OVERLAPPED,
      PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
      1, kPipeBuffer, kPipeBuffer, 0, security.get());
  if (h == INVALID_HANDLE_VALUE) {
    err = win::ErrorText(("CreateNamedPipe " + name).c_str());
    return false;
  }
  listen_.Reset(h);
  address_ = name;
  return true;
}

AcceptStatus Listener::Accept(uint32_t expectedPid, Deadline d, Stream& out, std::string& err) {
  if (!listen_.valid()) {
    err = "the listener is not open";
    return AcceptStatus::Failed;
  }
  Overlapped ov;
  if (!ov.ok()) {
    err = win::ErrorText("CreateEvent");
    return AcceptStatus::Failed;
  }
  DWORD n = 0, e = ERROR_SUCCESS;
  BOOL started = ::ConnectNamedPipe(listen_.get(), ov.get());
  // A client that connected between CreateNamedPipe and ConnectNamedPipe.
  const bool early = !started && ::GetLastError() == ERROR_PIPE_CONNECTED;
  if (!early && !ov.Finish(listen_.get(), started, d, n, e)) {
    if (e == WAIT_TIMEOUT) {
      err = "no connection from the host: timed out";
      return AcceptStatus::TimedOut;
    }
    err = win::ErrorText("ConnectNamedPipe", e);
    return AcceptStatus::Failed;
  }
  ULONG pid = 0;
  if (!::GetNamedPipeClientProcessId(listen_.get(), &pid)) {
    err = win::ErrorText("GetNamedPipeClientProcessId");
    return AcceptStatus::Failed;
  }
  if (pid != expectedPid) {
    // Someone else found the pipe: drop them and tell the caller, who logs it and waits
    // on for its child (the pipe listens again at the next Accept).
    ::DisconnectNamedPipe(listen_.get());
    err = "refused a connection from pid " + std::to_string(pid) + " (expected " +
          std::to_string(expectedPid) + ")";
    return AcceptStatus::Refused;
  }
  out = std::move(listen_);  // the server end of an accepted pipe is the connection
  return AcceptStatus::Admitted;
}

bool Connect(const std::string& address, Deadline d, Stream& out, std::string& err,
             const Cancel* cancel) {
  const std::wstring w = win::Wide(address);
  for (;;) {
    if (cancel && cancel->raised()) {
      err = "cancelled";
      return false;
    }
    // Identification level only: the library may learn who we are, never act as us.
    HANDLE h = ::CreateFileW(w.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                             FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION,
                             nullptr);
    if (h != INVALID_HANDLE_VALUE) {
      out = Stream(h);
      return true;
    }
    const DWORD e = ::GetLastError();
    if ((e != ERROR_FILE_NOT_FOUND && e != ERROR_PIPE_BUSY) || MsLeft(d) == 0) {
      err = win::ErrorText(("connect " + address).c_str(), e);
      return false;
    }
    if (e == ERROR_PIPE_BUSY)
      ::WaitNamedPipeW(w.c_str(), static_cast<DWORD>(std::min(MsLeft(d), kBusyWaitMs)));
    else if (cancel && cancel->handle())
      ::WaitForSingleObject(cancel->handle(), kRetryMs);
    else
      ::Sleep(kRetryMs);
  }
}

bool ServerIdentity(NativeHandle h, uint32_t& pid, uint32_t& uid, std::string& err) {
  ULONG server = 0;
  if (!::GetNamedPipeServerProcessId(h, &server)) {
    err = win::ErrorText("GetNamedPipeServerProcessId");
    return false;
  }
  pid = server;
  uid = 0;
  return true;
}

bool WriteAll(NativeHandle h, const std::string& data, Deadline d, std::string& err,
              const Cancel* cancel) {
  size_t off = 0;
  while (off < data.size()) {
    Overlapped ov;
    if (!ov.ok()) {
      err = win::ErrorText("CreateEvent");
      return false;
    }
    const DWORD chunk = static_cast<DWORD>(std::min<size_t>(data.size() - off, 1u << 20));
    DWORD n = 0, e = ERROR_SUCCESS;
    if (!ov.Finish(h, ::WriteFile(h, data.data() + off, chunk, nullptr, ov.get()), d, n, e, cancel)) {
      err = WaitError(e, "WriteFile");
      return false;
    }
    off += n;
  }
  return true;
}

bool ReadSome(NativeHandle h, char* buf, size_t max, Deadline d, const Cancel* cancel,
              size_t& n, std::string& err) {
  Overlapped ov;
  if (!ov.ok()) {
    err = win::ErrorText("CreateEvent");
    return false;
  }
  DWORD got = 0, e = ERROR_SUCCESS;
  if (!ov.Finish(h, ::ReadFile(h, buf, static_cast<DWORD>(max), nullptr, ov.get()), d, got, e, cancel)) {
    err = WaitError(e, "ReadFile");
    return false;
  }
  n = got;  // 0 is a zero-length write, not the end (that is an error)
  return true;
}

bool RandomBytes(void* out, size_t n) {
  return BCRYPT_SUCCESS(::BCryptGenRandom(nullptr, static_cast<PUCHAR>(out),
                                          static_cast<ULONG>(n),
                                          BCRYPT_USE_SYSTEM_PREFERRED_RNG));
}

}  // namespace rrasbridge
#endif  // _WIN32
