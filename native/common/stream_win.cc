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

void Stream::Reset(NativeHandle h) {
  if (h_ != kNoHandle) ::CloseHandle(h_);
  h_ = h;
}

namespace {

constexpr DWORD kPipeBuffer = 64 * 1024;
const char kPipePrefix[] = "\\\\.\\pipe\\rras-bridge-";

// One overlapped operation with its own event. The OVERLAPPED must outlive the I/O, so a
// timed-out operation is cancelled and waited for before it goes out of scope.
class Overlapped {
 public:
  Overlapped() : event_(::CreateEventW(nullptr, TRUE, FALSE, nullptr)) { ov_.hEvent = event_.get(); }
  bool ok() const { return static_cast<bool>(event_); }
  OVERLAPPED* get() { return &ov_; }

  // started: the Win32 call's result. Waits up to the deadline; on timeout cancels.
  bool Finish(HANDLE h, BOOL started, Deadline d, DWORD& n, DWORD& error) {
    error = ERROR_SUCCESS;
    if (!started && ::GetLastError() != ERROR_IO_PENDING) {
      error = ::GetLastError();
      return false;
    }
    if (::WaitForSingleObject(ov_.hEvent, static_cast<DWORD>(MsLeft(d))) != WAIT_OBJECT_0) {
      ::CancelIoEx(h, &ov_);
      // The operation may have completed before the cancel: then it counts.
      if (::GetOverlappedResult(h, &ov_, &n, TRUE)) return true;
      error = WAIT_TIMEOUT;
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

bool Listener::Accept(uint32_t expectedPid, Deadline d, Stream& out, std::string& err) {
  if (!listen_.valid()) {
    err = "the listener is not open";
    return false;
  }
  Overlapped ov;
  if (!ov.ok()) {
    err = win::ErrorText("CreateEvent");
    return false;
  }
  DWORD n = 0, e = ERROR_SUCCESS;
  BOOL started = ::ConnectNamedPipe(listen_.get(), ov.get());
  // A client that connected between CreateNamedPipe and ConnectNamedPipe.
  const bool early = !started && ::GetLastError() == ERROR_PIPE_CONNECTED;
  if (!early && !ov.Finish(listen_.get(), started, d, n, e)) {
    err = e == WAIT_TIMEOUT ? "no connection from the host: timed out"
                            : win::ErrorText("ConnectNamedPipe", e);
    return false;
  }
  ULONG pid = 0;
  if (!::GetNamedPipeClientProcessId(listen_.get(), &pid)) {
    err = win::ErrorText("GetNamedPipeClientProcessId");
    return false;
  }
  if (pid != expectedPid) {
    // Someone else found the pipe: drop them and tell the caller, who logs it and waits
    // on for its child (the pipe listens again at the next Accept).
    ::DisconnectNamedPipe(listen_.get());
    err = "refused a connection from pid " + std::to_string(pid) + " (expected " +
          std::to_string(expectedPid) + ")";
    return false;
  }
  out = std::move(listen_);  // the server end of an accepted pipe is the connection
  return true;
}

bool Connect(const std::string& address, Deadline d, Stream& out, std::string& err) {
  const std::wstring w = win::Wide(address);
  for (;;) {
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
      ::WaitNamedPipeW(w.c_str(), static_cast<DWORD>(std::min(MsLeft(d), 100)));
    else
      ::Sleep(10);
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

bool WriteAll(NativeHandle h, const std::string& data, Deadline d, std::string& err) {
  size_t off = 0;
  while (off < data.size()) {
    Overlapped ov;
    if (!ov.ok()) {
      err = win::ErrorText("CreateEvent");
      return false;
    }
    const DWORD chunk = static_cast<DWORD>(std::min<size_t>(data.size() - off, 1u << 20));
    DWORD n = 0, e = ERROR_SUCCESS;
    if (!ov.Finish(h, ::WriteFile(h, data.data() + off, chunk, nullptr, ov.get()), d, n, e)) {
      err = e == WAIT_TIMEOUT ? "timed out" : win::ErrorText("WriteFile", e);
      return false;
    }
    off += n;
  }
  return true;
}

bool ReadMessage(NativeHandle h, wire::FrameDecoder& dec, wire::Message& out, Deadline d,
                 std::string& err) {
  char buf[4096];
  for (;;) {
    switch (dec.Next(out, err)) {
      case wire::DecodeStatus::Ok: return true;
      case wire::DecodeStatus::Error: return false;
      case wire::DecodeStatus::NeedMore: break;
    }
    Overlapped ov;
    if (!ov.ok()) {
      err = win::ErrorText("CreateEvent");
      return false;
    }
    DWORD n = 0, e = ERROR_SUCCESS;
    if (!ov.Finish(h, ::ReadFile(h, buf, sizeof buf, nullptr, ov.get()), d, n, e)) {
      err = e == WAIT_TIMEOUT ? "timed out"
            : IsClosedError(e) ? "connection closed"
                               : win::ErrorText("ReadFile", e);
      return false;
    }
    dec.Feed(buf, n);  // n == 0 is a zero-length write, not the end (that is an error)
  }
}

bool RandomBytes(void* out, size_t n) {
  return BCRYPT_SUCCESS(::BCryptGenRandom(nullptr, static_cast<PUCHAR>(out),
                                          static_cast<ULONG>(n),
                                          BCRYPT_USE_SYSTEM_PREFERRED_RNG));
}

}  // namespace rrasbridge
#endif  // _WIN32
