// The platform-neutral half of Peer: queueing frames and closing. The I/O loop and the wake-up
// are in peer_posix.cc / peer_win.cc.
#include "peer.h"

#include <thread>

namespace rrasbridge {

SendResult Peer::Send(const wire::Message& m, std::string& err) {
  std::string frame;
  switch (wire::Encode(m, frame, err, version_.load(), limits_.maxFrame)) {
    case wire::EncodeStatus::Ok: return SendFrame(frame, err);
    case wire::EncodeStatus::Mismatch: return SendResult::Invalid;
    case wire::EncodeStatus::TooBig: return SendResult::TooBig;
    case wire::EncodeStatus::Unsupported: return SendResult::Unsupported;
  }
  return SendResult::Invalid;
}

SendResult Peer::SendFrame(const std::string& frame, std::string& err, size_t frames) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) {
      err = "channel closed: " + closeReason_;
      return SendResult::Closed;
    }
    if (out_.size() + frame.size() > limits_.highWater) {
      err = "peer is not reading: " + std::to_string(out_.size()) + " bytes queued";
      return SendResult::NotReading;
    }
    stats_.framesOut += frames;
    if (!out_.empty() || std::this_thread::get_id() == ioThread_) {
      // The I/O thread is writing (or woken to), or this is it (a reply while it dispatches):
      // it writes this frame after the others, all in one go once the frames read are handled.
      out_.append(frame);
      return SendResult::Sent;
    }
    // Nothing queued: written from this thread at once, as far as the socket takes it
    // without blocking; only a rest wakes the I/O thread.
    const size_t now = WriteNow(frame.data(), frame.size());
    stats_.bytesOut += now;
    if (now == frame.size()) return SendResult::Sent;
    out_.append(frame, now, std::string::npos);
  }
  Wake();
  return SendResult::Sent;
}

void Peer::Close(const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    closeReason_ = reason;
  }
  Wake();
}

void Peer::CloseWhenSent(const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || closeWhenSent_) return;
    closeWhenSent_ = true;
    closeReason_ = reason;
  }
  Wake();
}

size_t Peer::queuedBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return out_.size();
}

PeerStats Peer::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::string Peer::Dispatch(wire::FrameDecoder& dec) {
  wire::Message m;
  std::string err;
  for (;;) {
    switch (dec.Next(m, err)) {
      case wire::DecodeStatus::NeedMore:
        if (handlers_.onReadHandled) handlers_.onReadHandled();
        return {};
      case wire::DecodeStatus::Error:
        if (handlers_.onReadHandled) handlers_.onReadHandled();
        return "malformed frame: " + err;
      case wire::DecodeStatus::Ok: break;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.framesIn++;
    }
    handlers_.onMessage(std::move(m));
    if (dec.version() != version_.load()) dec.SetVersion(version_.load());
  }
}

void Peer::Finish(const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    if (closeReason_.empty()) closeReason_ = reason;
  }
  EndStream();
  if (handlers_.onClose) handlers_.onClose(reason);
}

}  // namespace rrasbridge
