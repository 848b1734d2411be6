// Peer on Windows: the I/O thread keeps one overlapped read always pending, at most one
// overlapped write, and waits on their events plus a wake event (Send/Close). Same
// semantics as peer_posix.cc: handlers run on the I/O thread, Send never blocks, and Send
// refuses once the queue passes its high-water mark. Limits::ownerReads is not offered here
// (a named pipe cannot be polled by libuv): the I/O thread is always the reader.
#ifdef _WIN32
#include "win32.h"

#include <algorithm>

#include "peer.h"

namespace rrasbridge {
namespace {

constexpr size_t kReadChunk = 16384;
constexpr size_t kWriteChunk = 256 * 1024;

struct PendingIo {
  win::Handle event;
  OVERLAPPED ov{};
  bool pending = false;
  PendingIo() : event(::CreateEventW(nullptr, TRUE, FALSE, nullptr)) { ov.hEvent = event.get(); }
  // A fresh OVERLAPPED (same event) for the next operation.
  OVERLAPPED* Next() {
    ov = OVERLAPPED{};
    ov.hEvent = event.get();
    ::ResetEvent(event.get());
    return &ov;
  }
};

bool ClosedError(DWORD e) {
  return e == ERROR_BROKEN_PIPE || e == ERROR_PIPE_NOT_CONNECTED || e == ERROR_NO_DATA;
}

}  // namespace

Peer::Peer(Stream stream, Handlers handlers, Limits limits, std::string initial)
    : stream_(std::move(stream)),
      handlers_(std::move(handlers)),
      limits_(limits),
      version_(limits.version),
      initial_(std::move(initial)) {
  // The wake event lives in wakeRead_ (wakeWrite_ is unused on Windows). Auto-reset: one
  // wait consumes any number of wakes.
  wakeRead_.Reset(::CreateEventW(nullptr, FALSE, FALSE, nullptr));
  if (!wakeRead_.valid()) {
    closed_ = true;
    closeReason_ = win::ErrorText("CreateEvent");
  }
  thread_ = std::thread([this] { Run(); });
}

Peer::~Peer() {
  Close("closed by owner");
  if (thread_.joinable()) thread_.join();
}

void Peer::Wake() {
  if (wakeRead_.valid()) ::SetEvent(wakeRead_.get());
}

size_t Peer::WriteNow(const char*, size_t) { return 0; }  // the I/O thread's overlapped writes only

void Peer::EndStream() { stream_.Reset(); }  // the I/O thread always reads here (no ownerReads)

void Peer::Run() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ioThread_ = std::this_thread::get_id();
  }
  wire::FrameDecoder dec(limits_.maxFrameIn ? limits_.maxFrameIn : limits_.maxFrame, limits_.version);
  std::string reason;
  const HANDLE h = stream_.get();
  PendingIo rd, wr;
  std::string readBuf(kReadChunk, '\0');
  std::string writing;  // a copy of out_'s head while a write is in flight
  auto dispatch = [&] {
    if (reason.empty()) reason = Dispatch(dec);
  };
  if (!rd.event || !wr.event) reason = win::ErrorText("CreateEvent");
  dec.Feed(initial_.data(), initial_.size());
  initial_.clear();
  if (reason.empty()) dispatch();
  while (reason.empty()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_ || (closeWhenSent_ && out_.empty() && !wr.pending)) {
        reason = closeReason_;
        break;
      }
      if (!wr.pending && !out_.empty()) {
        writing.assign(out_, 0, std::min(out_.size(), kWriteChunk));
        if (!::WriteFile(h, writing.data(), static_cast<DWORD>(writing.size()), nullptr, wr.Next()) &&
            ::GetLastError() != ERROR_IO_PENDING) {
          const DWORD e = ::GetLastError();
          reason = ClosedError(e) ? "peer closed the connection" : win::ErrorText("WriteFile", e);
          break;
        }
        wr.pending = true;  // a synchronous completion also signals the event
      }
    }
    if (!rd.pending) {
      if (!::ReadFile(h, readBuf.data(), static_cast<DWORD>(readBuf.size()), nullptr, rd.Next()) &&
          ::GetLastError() != ERROR_IO_PENDING) {
        const DWORD e = ::GetLastError();
        reason = ClosedError(e) ? "peer closed the connection" : win::ErrorText("ReadFile", e);
        break;
      }
      rd.pending = true;
    }
    HANDLE waits[3] = {wakeRead_.get(), rd.event.get(), wr.event.get()};
    const DWORD r = ::WaitForMultipleObjects(wr.pending ? 3 : 2, waits, FALSE, INFINITE);
    if (r == WAIT_FAILED) {
      reason = win::ErrorText("WaitForMultipleObjects");
      break;
    }
    DWORD n = 0;
    if (wr.pending && ::WaitForSingleObject(wr.event.get(), 0) == WAIT_OBJECT_0) {
      wr.pending = false;
      if (!::GetOverlappedResult(h, &wr.ov, &n, FALSE)) {
        const DWORD e = ::GetLastError();
        reason = ClosedError(e) ? "peer closed the connection" : win::ErrorText("WriteFile", e);
        break;
      }
      std::lock_guard<std::mutex> lock(mu_);
      out_.erase(0, n);  // Send only appends, so the head is what we wrote
      stats_.bytesOut += n;
    }
    if (rd.pending && ::WaitForSingleObject(rd.event.get(), 0) == WAIT_OBJECT_0) {
      rd.pending = false;
      if (!::GetOverlappedResult(h, &rd.ov, &n, FALSE)) {
        const DWORD e = ::GetLastError();
        reason = ClosedError(e) ? "peer closed the connection" : win::ErrorText("ReadFile", e);
        break;
      }
      dec.Feed(readBuf.data(), n);
      {
        std::lock_guard<std::mutex> lock(mu_);
        stats_.bytesIn += n;
      }
      dispatch();
    }
  }
  // The OVERLAPPEDs and buffers must outlive the I/O: cancel and wait for both.
  for (PendingIo* io : {&rd, &wr}) {
    if (!io->pending) continue;
    DWORD n = 0;
    ::CancelIoEx(h, &io->ov);
    ::GetOverlappedResult(h, &io->ov, &n, TRUE);
  }
  Finish(reason);
}

}  // namespace rrasbridge
#endif  // _WIN32
