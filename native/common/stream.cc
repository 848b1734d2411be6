// The platform-neutral parts of the channel's endpoints: handle ownership, the handshake's
// message reader, deadlines.
#include "stream.h"

#include <climits>

namespace rrasbridge {

void Stream::Reset(NativeHandle h) {
  if (h_ != kNoHandle) CloseNative(h_);
  h_ = h;
}

bool ReadMessage(NativeHandle h, wire::FrameDecoder& dec, wire::Message& out, Deadline d,
                 std::string& err, const Cancel* cancel) {
  char buf[4096];
  for (;;) {
    switch (dec.Next(out, err)) {
      case wire::DecodeStatus::Ok: return true;
      case wire::DecodeStatus::Error: return false;
      case wire::DecodeStatus::NeedMore: break;
    }
    size_t n = 0;
    if (!ReadSome(h, buf, sizeof buf, d, cancel, n, err)) return false;
    dec.Feed(buf, n);
  }
}

int MsLeft(Deadline d) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(d - Clock::now()).count();
  if (left < 0) return 0;
  return left > INT_MAX ? INT_MAX : static_cast<int>(left);
}

std::string Hex(const void* data, size_t n) {
  static const char* digits = "0123456789abcdef";
  const auto* p = static_cast<const unsigned char*>(data);
  std::string s;
  s.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

}  // namespace rrasbridge
