// libFuzzer target: the wire FrameDecoder over arbitrary bytes, at every version it speaks.
// Properties: no crash or sanitizer report; feeding in chunks decodes exactly what feeding at
// once decodes; every decoded message re-encodes to the very bytes it came from less the ones
// it skipped (fields of a later version: the encoding is canonical) and decodes again to an
// equal value; TakeBuffered returns the unread suffix.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../common/wire.h"
#include "../tests/wire_util.h"

using namespace rrasbridge::wire;

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz_wire: property violated: %s %s\n", what, detail.c_str());
  std::abort();
}

struct Outcome {
  std::vector<Message> messages;
  DecodeStatus last = DecodeStatus::NeedMore;
  std::string error;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the decoder's cap, its version and the chunk size of the incremental
  // pass.
  const uint32_t cap = (data[0] & 0x80) ? 64 + (data[0] & 0x7F) * 8 : kDefaultMaxFrame;
  const size_t chunk = 1 + (data[0] & 0x0F);
  const uint32_t version = kMinVersion + ((data[0] >> 4) & 0x07) % (kVersion - kMinVersion + 1);
  const char* bytes = reinterpret_cast<const char*>(data + 1);
  const size_t n = size - 1;

  // Pass 1: everything at once; check each frame against its source bytes.
  Outcome whole;
  {
    FrameDecoder d(cap, version);
    d.Feed(bytes, n);
    size_t at = 0;
    for (;;) {
      const size_t before = d.Buffered();
      Message m;
      whole.last = d.Next(m, whole.error);
      if (whole.last != DecodeStatus::Ok) break;
      const size_t used = before - d.Buffered();
      const std::string frame(bytes + at, used);
      at += used;

      std::string again, err;
      if (Encode(m, again, err, version, cap) != EncodeStatus::Ok)
        Fail("decoded message does not encode:", err);
      // The bytes skipped are the frame's last ones: its length prefix shrinks by as many.
      if (m.unknownBytes > frame.size() - kHeaderSize) Fail("more bytes skipped than the frame has");
      std::string expected = frame.substr(0, frame.size() - m.unknownBytes);
      const uint32_t len = static_cast<uint32_t>(expected.size() - 4);
      for (int i = 0; i < 4; ++i) expected[i] = static_cast<char>(len >> (8 * i));
      if (again != expected) Fail("re-encoding differs from the decoded frame");
      Message back;
      if (!DecodeBody(again.data() + 4, again.size() - 4, back, err, version))
        Fail("re-encoded frame does not decode:", err);
      if (!rrasbridge::test::Equal(m, back) || back.unknownBytes != 0) Fail("decode(encode(m)) != m");
      if (m.flags & ~uint16_t(kFlagReply)) Fail("unknown flags accepted");
      const FieldList* fields = FieldsOf(m);
      if (!fields || FieldsAt(*fields, version) != m.fields.size()) Fail("field count off the schema");
      whole.messages.push_back(std::move(m));
    }
    if (whole.last == DecodeStatus::NeedMore) {
      if (d.Buffered() != n - at) Fail("Buffered() wrong");
      if (d.TakeBuffered() != std::string(bytes + at, n - at)) Fail("TakeBuffered wrong");
      if (d.Buffered() != 0) Fail("TakeBuffered left bytes");
    } else if (whole.error.empty()) {
      Fail("Error without a reason");
    }
  }

  // Pass 2: the same bytes in chunks must give the same messages and the same end.
  Outcome parts;
  {
    FrameDecoder d(cap, version);
    for (size_t off = 0; off < n && parts.last != DecodeStatus::Error; off += chunk) {
      d.Feed(bytes + off, std::min(chunk, n - off));
      for (;;) {
        Message m;
        parts.last = d.Next(m, parts.error);
        if (parts.last != DecodeStatus::Ok) break;
        parts.messages.push_back(std::move(m));
      }
    }
  }
  if (parts.messages.size() != whole.messages.size()) Fail("chunked decode count differs");
  for (size_t i = 0; i < parts.messages.size(); ++i)
    if (!rrasbridge::test::Equal(parts.messages[i], whole.messages[i]))
      Fail("chunked decode differs");
  if (n > 0 && parts.last != whole.last) Fail("chunked decode ends differently");
  if (parts.last == DecodeStatus::Error && parts.error != whole.error)
    Fail("chunked decode error differs:", parts.error + " / " + whole.error);
  return 0;
}
