// Unit tests of the wire codec (wire.cc, messages.cc) and its catalogue (schema.h), versions
// included: what each version writes, what a decoder of another version makes of it.
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "../common/wire.h"
#include "check.h"
#include "wire_util.h"

using namespace rrasbridge::wire;
using rrasbridge::test::Equal;

namespace {

constexpr Field kLogLevel = RequestField(MsgType::Log, "level");
constexpr Field kLogText = RequestField(MsgType::Log, "text");
constexpr Field kSeq = RequestField(MsgType::Heartbeat, "seq");
constexpr Field kOps = RequestField(MsgType::Routes, "ops");
constexpr Field kResults = ReplyField(MsgType::Routes, "results");

bool Enc(const Message& m, std::string& out, std::string& err, uint32_t maxFrame = kDefaultMaxFrame) {
  return Encode(m, out, err, kVersion, maxFrame) == EncodeStatus::Ok;
}

// splitmix64: deterministic values for every run.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }
};

// packed: a record of a packed list, whose blobs are kPackedBlobBytes.
Value Generate(const FieldSpec& f, Rng& r, bool packed = false);

Record GenerateRecord(const FieldList& spec, Rng& r, bool packed = false) {
  Record rec;
  for (const FieldSpec& f : spec) rec.push_back(Generate(f, r, packed));
  return rec;
}

Value Generate(const FieldSpec& f, Rng& r, bool packed) {
  switch (f.kind) {
    case Kind::U32: {
      static const uint64_t kEdges[] = {0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF};
      return Value::Num(r.Below(2) ? kEdges[r.Below(5)] : uint32_t(r.Next()));
    }
    case Kind::U64: {
      static const uint64_t kEdges[] = {0, 1, 0xFFFFFFFF, 0x100000000ull, ~0ull};
      return Value::Num(r.Below(2) ? kEdges[r.Below(5)] : r.Next());
    }
    case Kind::Blob: {
      // empty a quarter of the time
      std::string b(packed ? kPackedBlobBytes : r.Below(4) == 0 ? 0 : r.Below(64), '\0');
      for (char& c : b) c = static_cast<char>(r.Next());
      return Value::Bytes(b);
    }
    case Kind::Text: {
      static const char* kTexts[] = {"", "x", "h\xC3\xA9llo w\xC3\xB6rld", "tab\tnul\0in",
                                     "\xF0\x9F\x98\x80 emoji"};
      return Value::Bytes(kTexts[r.Below(5)]);
    }
    case Kind::Utf16: {
      std::u16string s;
      const uint32_t n = r.Below(4) == 0 ? 0 : r.Below(12);
      for (uint32_t i = 0; i < n; ++i) {
        switch (r.Below(6)) {
          case 0: s += u"\U0001F600"; break;  // surrogate pair
          case 1: s += char16_t(0xD800); break;  // lone high surrogate: carried as-is
          case 2: s += char16_t(0xDFFF); break;  // lone low surrogate
          case 3: s += char16_t(0); break;
          case 4: s += char16_t(0xFFFF); break;
          default: s += char16_t(u'a' + r.Below(26)); break;
        }
      }
      return Value::Str16(s);
    }
    case Kind::List: {
      std::vector<Record> items(r.Below(3) == 0 ? 0 : r.Below(6));
      const bool packable = Packable(*f.record);
      for (Record& item : items) item = GenerateRecord(*f.record, r, packable);
      // Either way a sender may hold them: the same bytes on the wire.
      PackedRecords p;
      std::string err;
      if (packable && r.Below(2) && CHECK(Pack(items, *f.record, p, err))) return Value::Packed(std::move(p));
      return Value::List(std::move(items));
    }
  }
  return Value::Num(0);
}

std::vector<Value> GenerateFields(const FieldList& spec, Rng& r) { return GenerateRecord(spec, r); }

std::string Frame(const Message& m) {
  std::string out, err;
  if (!CHECK(Enc(m, out, err))) std::fprintf(stderr, "     encode: %s\n", err.c_str());
  return out;
}

// Raw frame from a body (type, flags, id, payload), with a correct length prefix.
std::string RawFrame(uint16_t type, uint16_t flags, uint32_t id, const std::string& payload) {
  std::string f;
  auto u16 = [&](uint16_t v) { f.push_back(char(v)), f.push_back(char(v >> 8)); };
  auto u32 = [&](uint32_t v) { for (int i = 0; i < 4; ++i) f.push_back(char(v >> (8 * i))); };
  u32(static_cast<uint32_t>(8 + payload.size()));
  u16(type);
  u16(flags);
  u32(id);
  f += payload;
  return f;
}

std::string U32s(std::initializer_list<uint32_t> vs) {
  std::string s;
  for (uint32_t v : vs)
    for (int i = 0; i < 4; ++i) s.push_back(char(v >> (8 * i)));
  return s;
}

// Decodes exactly one frame from `bytes`; returns the status and the error.
DecodeStatus DecodeOne(const std::string& bytes, Message& m, std::string& err,
                       uint32_t maxFrame = kDefaultMaxFrame, uint32_t version = kVersion) {
  FrameDecoder d(maxFrame, version);
  d.Feed(bytes.data(), bytes.size());
  return d.Next(m, err);
}

// m with its lists as the decoder holds them: packed where their records can be.
Message AsDecoded(Message m) {
  const FieldList* spec = FieldsOf(m);
  for (size_t i = 0; spec && i < m.fields.size() && i < spec->size(); ++i) {
    const auto* l = std::get_if<std::vector<Record>>(&m.fields[i].v);
    PackedRecords p;
    std::string err;
    if (l && Packable(*(*spec)[i].record) && CHECK(Pack(*l, *(*spec)[i].record, p, err)))
      m.fields[i] = Value::Packed(std::move(p));
  }
  return m;
}

bool RoundTrips(const Message& m, const char* what) {
  std::string bytes = Frame(m);
  if (bytes.empty()) return false;
  Message back;
  std::string err;
  const bool ok = DecodeOne(bytes, back, err) == DecodeStatus::Ok;
  CHECK_MSG(ok, std::string(what) + " " + FindSpec(m.type)->name + ": " + err);
  if (!ok) return false;
  CHECK_MSG(Equal(AsDecoded(m), back), std::string(what) + " " + FindSpec(m.type)->name + " differs");
  std::string again;
  CHECK(Enc(back, again, err) && again == bytes);
  return true;
}

void TestCatalogue() {
  std::set<uint16_t> types;
  std::set<std::string> names;
  for (const MessageSpec& s : AllSpecs()) {
    CHECK(types.insert(static_cast<uint16_t>(s.type)).second);
    CHECK(names.insert(s.name).second);
    CHECK(FindSpec(s.type) == &s);
    CHECK(FindSpec(std::string(s.name)) == &s);
    for (const FieldList* fs : {&s.request, &s.reply})
      for (const FieldSpec& f : *fs) CHECK((f.kind == Kind::List) == (f.record != nullptr));
  }
  CHECK(FindSpec(static_cast<MsgType>(999)) == nullptr);
  CHECK(FindSpec(std::string("nope")) == nullptr);
}

void TestRoundTripEverySpec() {
  Rng r{42};
  for (const MessageSpec& s : AllSpecs()) {
    for (int iter = 0; iter < 40; ++iter) {
      const uint32_t id = iter == 0 ? 1 : uint32_t(r.Next()) | 1;
      RoundTrips(Message::Request(s.type, id, GenerateFields(s.request, r)), "request");
      RoundTrips(Message::Request(s.type, 0, GenerateFields(s.request, r)), "notification");
      const Message req = Message::Request(s.type, id, {});
      RoundTrips(Message::Reply(req, 0, "", GenerateFields(s.reply, r)), "reply ok");
      RoundTrips(Message::Reply(req, 1003 + r.Below(100), "it failed: \xE2\x9C\x97"), "reply error");
      RoundTrips(Message::Reply(req, 87), "reply error, no text");
    }
  }
}

void TestNotificationAndReplyShape() {
  Message n = Message::Request(MsgType::Log, 0, {Value::Num(2), Value::Bytes("hi")});
  Message back;
  std::string err;
  CHECK(DecodeOne(Frame(n), back, err) == DecodeStatus::Ok);
  CHECK(back.id == 0 && !back.IsReply() && back.Num(kLogLevel) == 2 && back.Bytes(kLogText) == "hi");

  const Message req = Message::Request(MsgType::Mib, 9, {});
  Message failed = Message::Reply(req, 1003, "boom");
  CHECK(DecodeOne(Frame(failed), back, err) == DecodeStatus::Ok);
  CHECK(back.IsReply() && back.id == 9 && back.status == 1003 && back.error == "boom");
  CHECK(back.fields.empty());
  CHECK(FieldsOf(back) != nullptr && FieldsOf(back)->empty());

  // A failed reply carries no fields: encoding some is refused.
  std::string out;
  CHECK(!Enc(Message::Reply(req, 1003, "x", {Value::Bytes("out")}), out, err));
  CHECK(out.empty());
  // A successful reply must carry the reply schema.
  CHECK(!Enc(Message::Reply(req, 0, ""), out, err));
  CHECK(Enc(Message::Reply(req, 0, "", {Value::Bytes("out")}), out, err));
}

void TestGoldenBytes() {
  // heartbeat request id 7, seq 0x01020304: pins the layout and the byte order.
  const std::string hb = Frame(Message::Request(MsgType::Heartbeat, 7, {Value::Num(0x01020304)}));
  CHECK(hb == std::string("\x0c\x00\x00\x00\x16\x00\x00\x00\x07\x00\x00\x00\x04\x03\x02\x01", 16));
  // Failed reply: status 5, error "no", no fields.
  const std::string rep = Frame(Message::Reply(Message::Request(MsgType::Heartbeat, 7, {}), 5, "no"));
  CHECK(rep == std::string("\x12\x00\x00\x00\x16\x00\x01\x00\x07\x00\x00\x00"
                           "\x05\x00\x00\x00\x02\x00\x00\x00no",
                           22));
  // UTF-16 is code units, little-endian, count first.
  const std::string name = Frame(Message::Request(
      MsgType::AddInterface, 1,
      {Value::Num(1), Value::Str16(u"\U0001F600"), Value::Num(0), Value::Num(0), Value::Num(0),
       Value::Num(0), Value::Bytes(""), Value::Num(0), Value::Num(0), Value::Num(0)}));
  CHECK(name.compare(16, 12, std::string("\x02\x00\x00\x00\x3d\xd8\x00\xde\x00\x00\x00\x00", 12)) == 0);
}

void TestByteByByte() {
  Rng r{7};
  std::vector<Message> sent;
  std::string stream;
  for (const MessageSpec& s : AllSpecs()) {
    sent.push_back(Message::Request(s.type, uint32_t(r.Next()), GenerateFields(s.request, r)));
    sent.push_back(Message::Reply(sent.back(), 0, "", GenerateFields(s.reply, r)));
    sent.push_back(Message::Reply(sent.back(), 31, "err"));
  }
  for (const Message& m : sent) stream += Frame(m);

  FrameDecoder d;
  std::vector<Message> got;
  std::string err;
  bool errors = false;
  size_t idleBytes = 0;  // bytes after which no frame was complete
  for (char c : stream) {
    d.Feed(&c, 1);
    Message m;
    const size_t before = got.size();
    for (;;) {
      DecodeStatus st = d.Next(m, err);
      if (st == DecodeStatus::NeedMore) break;
      if (st == DecodeStatus::Error) errors = true;
      if (st != DecodeStatus::Ok) break;
      got.push_back(m);
    }
    if (got.size() == before) ++idleBytes;
  }
  CHECK(!errors);
  CHECK(got.size() == sent.size());
  bool same = got.size() == sent.size();
  for (size_t i = 0; same && i < got.size(); ++i) same = Equal(got[i], AsDecoded(sent[i]));
  CHECK(same);
  CHECK(idleBytes == stream.size() - sent.size());  // only a frame's last byte completes it
  CHECK(d.Buffered() == 0);
}

void TestManyFramesAtOnceAndCompaction() {
  // > 64 KiB buffered, decoded in pieces: exercises the buffer compaction.
  std::string stream;
  const int kFrames = 3000;
  for (int i = 0; i < kFrames; ++i)
    stream += Frame(Message::Request(MsgType::Log, uint32_t(i + 1),
                                     {Value::Num(uint32_t(i)), Value::Bytes(std::string(40, 'a' + i % 26))}));
  FrameDecoder d;
  std::string err;
  int ok = 0;
  bool inOrder = true;
  size_t fed = 0;
  while (fed < stream.size()) {
    const size_t chunk = std::min<size_t>(4093, stream.size() - fed);  // straddles frames
    d.Feed(stream.data() + fed, chunk);
    fed += chunk;
    Message m;
    DecodeStatus st;
    while ((st = d.Next(m, err)) == DecodeStatus::Ok) {
      inOrder = inOrder && m.id == uint32_t(ok + 1) && m.Num(kLogLevel) == uint32_t(ok);
      ++ok;
    }
    if (st == DecodeStatus::Error) break;
  }
  CHECK(ok == kFrames);
  CHECK(inOrder);
  CHECK(d.Buffered() == 0);
}

void TestFrameCap() {
  Message m;
  std::string err;
  // A frame announcing more than the cap is refused as soon as its length is read.
  FrameDecoder d(100);
  d.Feed("\x65\x00\x00\x00", 4);  // 101
  CHECK(d.Next(m, err) == DecodeStatus::Error);
  CHECK(err.find("exceeds the cap") != std::string::npos);
  FrameDecoder huge;
  huge.Feed("\xff\xff\xff\xff", 4);
  CHECK(huge.Next(m, err) == DecodeStatus::Error);

  // Exactly at the cap is fine; one byte over is not (both sides).
  const std::string text(100 - 8 - 4 - 4, 'x');  // body: header 8, level 4, text 4 + n
  const Message log = Message::Request(MsgType::Log, 1, {Value::Num(1), Value::Bytes(text)});
  std::string out = "prefix";
  CHECK(Enc(log, out, err, 100) && out.size() == 6 + 104);
  CHECK(DecodeOne(out.substr(6), m, err, 100) == DecodeStatus::Ok);
  const Message big = Message::Request(MsgType::Log, 1, {Value::Num(1), Value::Bytes(text + "y")});
  out = "prefix";
  CHECK(!Enc(big, out, err, 100));
  CHECK(out == "prefix");  // nothing appended on failure
  CHECK(err.find("exceeds the cap") != std::string::npos);
  std::string raw;
  CHECK(Enc(big, raw, err, 101));
  CHECK(DecodeOne(raw, m, err, 100) == DecodeStatus::Error);
}

void TestMalformedFrames() {
  Message m;
  std::string err;
  // Unknown type.
  CHECK(DecodeOne(RawFrame(999, 0, 1, ""), m, err) == DecodeStatus::Error);
  CHECK(err.find("unknown message type 999") != std::string::npos);
  std::string out;
  CHECK(!Enc(Message::Request(static_cast<MsgType>(999), 1, {}), out, err) && out.empty());
  // Unknown flags (anything but kFlagReply).
  for (uint16_t flags : {2, 4, 0x8000, 0xFFFF}) {
    CHECK(DecodeOne(RawFrame(22, flags, 1, U32s({5})), m, err) == DecodeStatus::Error);
    CHECK(err.find("unknown frame flags") != std::string::npos);
  }
  // Shorter than the header.
  for (uint32_t len = 0; len < 8; ++len) {
    std::string f = U32s({len}) + std::string(len, '\0');
    CHECK(DecodeOne(f, m, err) == DecodeStatus::Error);
  }
  // Truncated fields.
  CHECK(DecodeOne(RawFrame(22, 0, 1, ""), m, err) == DecodeStatus::Error);               // u32
  CHECK(DecodeOne(RawFrame(22, 0, 1, "\x01\x02\x03"), m, err) == DecodeStatus::Error);   // 3 of 4
  CHECK(err.find("'seq'") != std::string::npos);
  CHECK(DecodeOne(RawFrame(40, 0, 1, U32s({1, 5}) + "abc"), m, err) == DecodeStatus::Error);  // text
  CHECK(DecodeOne(RawFrame(40, 0, 1, U32s({1, 0xFFFFFFFF})), m, err) == DecodeStatus::Error);
  CHECK(DecodeOne(RawFrame(13, 0, 1, U32s({1, 2}) + "a"), m, err) == DecodeStatus::Error);  // utf16 odd
  CHECK(DecodeOne(RawFrame(13, 0, 1, U32s({1, 0x80000000})), m, err) == DecodeStatus::Error);
  // Reply without its status / error text.
  CHECK(DecodeOne(RawFrame(22, kFlagReply, 1, ""), m, err) == DecodeStatus::Error);
  CHECK(DecodeOne(RawFrame(22, kFlagReply, 1, U32s({0})), m, err) == DecodeStatus::Error);
  CHECK(DecodeOne(RawFrame(22, kFlagReply, 1, U32s({1, 3}) + "ab"), m, err) == DecodeStatus::Error);
  // Bytes after the fields (a later version's), also after a failed reply's error text: skipped
  // and counted.
  CHECK(DecodeOne(RawFrame(22, 0, 1, U32s({5}) + "z"), m, err) == DecodeStatus::Ok && m.unknownBytes == 1 &&
        m.U32(kSeq) == 5);
  CHECK(DecodeOne(RawFrame(22, kFlagReply, 1, U32s({1, 0, 5})), m, err) == DecodeStatus::Ok &&
        m.unknownBytes == 4 && m.status == 1);
  CHECK(DecodeOne(RawFrame(44, 0, 1, std::string(1, '\0')), m, err) == DecodeStatus::Ok && m.unknownBytes == 1);
  // The well-formed versions of the same frames decode.
  CHECK(DecodeOne(RawFrame(22, 0, 1, U32s({5})), m, err) == DecodeStatus::Ok && m.U32(kSeq) == 5 &&
        m.unknownBytes == 0);
  CHECK(DecodeOne(RawFrame(22, kFlagReply, 1, U32s({1, 0})), m, err) == DecodeStatus::Ok);
  CHECK(DecodeOne(RawFrame(22, kFlagReply, 1, U32s({0, 0, 5})), m, err, kDefaultMaxFrame, 1) == DecodeStatus::Ok);
  CHECK(DecodeOne(RawFrame(22, kFlagReply, 1, U32s({0, 0, 5, 0, 0})), m, err) == DecodeStatus::Ok);
  CHECK(DecodeOne(RawFrame(44, 0, 0, ""), m, err) == DecodeStatus::Ok);
}

void TestListCounts() {
  Message m;
  std::string err;
  // routes reply: results list of {status}. Count says 3, one item present.
  CHECK(DecodeOne(RawFrame(41, kFlagReply, 1, U32s({0, 0, 3, 7})), m, err) == DecodeStatus::Error);
  // Count far beyond the bytes left (would allocate before reading).
  CHECK(DecodeOne(RawFrame(41, kFlagReply, 1, U32s({0, 0, 0xFFFFFFFF})), m, err) == DecodeStatus::Error);
  CHECK(DecodeOne(RawFrame(41, kFlagReply, 1, U32s({0, 0, 1000})), m, err) == DecodeStatus::Error);
  // Count within bytes/4 but each route record needs 36 bytes.
  CHECK(DecodeOne(RawFrame(41, 0, 1, U32s({2}) + std::string(40, '\0')), m, err) == DecodeStatus::Error);
  CHECK(DecodeOne(RawFrame(41, 0, 1, U32s({1}) + std::string(36, '\0')), m, err) == DecodeStatus::Ok);
  CHECK(m.Packed(kOps).size() == 1 && m.Packed(kOps).stride == 9);
  // Too many items for kMaxListItems, even with the bytes present (DecodeBody has no cap).
  std::string body = std::string("\x29\x00\x01\x00\x01\x00\x00\x00", 8) + U32s({0, 0, kMaxListItems + 1}) +
                     std::string(size_t(kMaxListItems + 1) * 4, '\0');
  CHECK(!DecodeBody(body.data(), body.size(), m, err));
  body = std::string("\x29\x00\x01\x00\x01\x00\x00\x00", 8) + U32s({0, 0, kMaxListItems}) +
         std::string(size_t(kMaxListItems) * 4, '\0');
  CHECK(DecodeBody(body.data(), body.size(), m, err) && m.Packed(kResults).size() == kMaxListItems);
  // Encoding more than kMaxListItems is refused.
  std::vector<Record> many(size_t(kMaxListItems) + 1, Record{Value::Num(0)});
  std::string out;
  CHECK(!Enc(Message::Reply(Message::Request(MsgType::Routes, 1, {}), 0, "", {Value::List(many)}),
                out, err, ~0u));
  CHECK(err.find("'results'") != std::string::npos);
}

void TestEncodeSchemaErrors() {
  std::string out, err;
  // U32 given a value of 2^32 or more.
  CHECK(!Enc(Message::Request(MsgType::Heartbeat, 1, {Value::Num(0x100000000ull)}), out, err));
  CHECK(err.find("'seq' is not a valid u32") != std::string::npos);
  CHECK(!Enc(Message::Request(MsgType::Heartbeat, 1, {Value::Num(~0ull)}), out, err));
  CHECK(Enc(Message::Request(MsgType::Heartbeat, 1, {Value::Num(0xFFFFFFFFull)}), out, err));
  // Inside a list record too.
  Record bad(9, Value::Num(0));
  bad[3] = Value::Num(1ull << 40);
  out.clear();
  CHECK(!Enc(Message::Request(MsgType::Routes, 1, {Value::List({bad})}), out, err));
  CHECK(out.empty());
  // Wrong kinds, wrong field counts (top level and in a record).
  CHECK(!Enc(Message::Request(MsgType::Heartbeat, 1, {Value::Bytes("1")}), out, err));
  CHECK(!Enc(Message::Request(MsgType::Log, 1, {Value::Num(1), Value::Str16(u"x")}), out, err));
  CHECK(!Enc(Message::Request(MsgType::AddInterface, 1, {Value::Num(1), Value::Bytes("x")}), out, err));
  CHECK(!Enc(Message::Request(MsgType::Routes, 1, {Value::Num(1)}), out, err));
  CHECK(!Enc(Message::Request(MsgType::Heartbeat, 1, {}), out, err));
  CHECK(err.find("expected 1 fields, got 0") != std::string::npos);
  CHECK(!Enc(Message::Request(MsgType::Heartbeat, 1, {Value::Num(1), Value::Num(2)}), out, err));
  CHECK(!Enc(Message::Request(MsgType::Routes, 1, {Value::List({Record{Value::Num(1)}})}), out, err));
  CHECK(out.empty());
}

void TestTakeBuffered() {
  const std::string a = Frame(Message::Request(MsgType::Heartbeat, 1, {Value::Num(1)}));
  const std::string b = Frame(Message::Request(MsgType::Heartbeat, 2, {Value::Num(2)}));
  const std::string c = Frame(Message::Request(MsgType::Log, 3, {Value::Num(3), Value::Bytes("third")}));
  const std::string stream = a + b + c;
  const size_t split = a.size() + b.size() + 5;  // mid-way through c

  FrameDecoder d;
  d.Feed(stream.data(), split);
  Message m;
  std::string err;
  CHECK(d.Next(m, err) == DecodeStatus::Ok && m.id == 1);
  CHECK(d.Buffered() == b.size() + 5);
  std::string rest = d.TakeBuffered();
  CHECK(rest == stream.substr(a.size(), b.size() + 5));
  CHECK(d.Buffered() == 0);
  CHECK(d.Next(m, err) == DecodeStatus::NeedMore);
  CHECK(d.TakeBuffered().empty());

  FrameDecoder next;  // takes over
  next.Feed(rest.data(), rest.size());
  next.Feed(stream.data() + split, stream.size() - split);
  CHECK(next.Next(m, err) == DecodeStatus::Ok && m.id == 2);
  CHECK(next.Next(m, err) == DecodeStatus::Ok && m.id == 3 && m.Bytes(kLogText) == "third");
  CHECK(next.Next(m, err) == DecodeStatus::NeedMore);
  CHECK(next.TakeBuffered().empty());

  // The old decoder stays usable after TakeBuffered.
  d.Feed(a.data(), a.size());
  CHECK(d.Next(m, err) == DecodeStatus::Ok && m.id == 1);
}

void TestDecodeErrorText() {
  // The error names this failure, whatever err held before.
  Message m;
  std::string err = "stale text from an earlier call";
  const std::string body = std::string("\x16\x00\x00\x00\x01\x00\x00\x00", 8);  // heartbeat, no seq
  CHECK(!DecodeBody(body.data(), body.size(), m, err));
  CHECK_MSG(err.find("stale") == std::string::npos && err.find("'seq'") != std::string::npos, err);
}

// Evolution (wire.h): what each version writes, and what a decoder of another version makes
// of it. Version 2 added start.library and the heartbeat reply's rssBytes.
void TestVersions() {
  constexpr Field kRestart = RequestField(MsgType::Start, "restart");
  constexpr Field kFamily = RequestField(MsgType::Start, "addressFamily");
  constexpr Field kLibrary = RequestField(MsgType::Start, "library");
  constexpr Field kRss = ReplyField(MsgType::Heartbeat, "rssBytes");
  static_assert(kLibrary.index() == kFamily.index() + 1, "a later version's fields come last");

  Message start = Message::Request(MsgType::Start, 3);
  start.Set(kRestart, Value::Num(1));
  start.Set(RequestField(MsgType::Start, "info"), Value::Bytes("ab"));
  start.Set(kFamily, Value::Num(23));
  start.Set(kLibrary, Value::Bytes("/opt/lib.so"));
  std::string v1, v2, err;
  CHECK(Encode(start, v1, err, 1) == EncodeStatus::Ok);
  CHECK(Encode(start, v2, err, 2) == EncodeStatus::Ok);
  // Version 1 is release 1's bytes exactly: what a library or host of that release reads.
  CHECK(v1 == RawFrame(10, 0, 3, U32s({1, 2}) + "ab" + U32s({0, 0, 0, 23})));
  CHECK(v2 == RawFrame(10, 0, 3, U32s({1, 2}) + "ab" + U32s({0, 0, 0, 23, 11}) + "/opt/lib.so"));
  // A sender of version 1 may be given only version 1's fields.
  Message old = start;
  old.fields.pop_back();
  std::string again;
  CHECK(Encode(old, again, err, 1) == EncodeStatus::Ok && again == v1);
  CHECK(Encode(old, again, err, 2) == EncodeStatus::Mismatch);
  CHECK_MSG(err.find("expected 7 fields, got 6") != std::string::npos, err);

  // Each decoder reads its own version; bytes of a later one are skipped and counted.
  Message m;
  CHECK(DecodeOne(v1, m, err, kDefaultMaxFrame, 1) == DecodeStatus::Ok && m.unknownBytes == 0);
  CHECK(m.fields.size() == 6 && m.Bytes(kLibrary).empty() && m.U32(kFamily) == 23);
  CHECK(DecodeOne(v2, m, err, kDefaultMaxFrame, 1) == DecodeStatus::Ok);
  CHECK(m.unknownBytes == 4 + 11 && m.fields.size() == 6 && m.U32(kFamily) == 23);
  CHECK(DecodeOne(v2, m, err, kDefaultMaxFrame, 2) == DecodeStatus::Ok && m.unknownBytes == 0);
  CHECK(m.Bytes(kLibrary) == "/opt/lib.so");
  // Within the agreed version nothing is optional: a frame short of it is malformed.
  CHECK(DecodeOne(v1, m, err, kDefaultMaxFrame, 2) == DecodeStatus::Error);
  CHECK_MSG(err.find("'library'") != std::string::npos, err);

  // A reply the same way (host -> library): the heartbeat's rssBytes only from version 2.
  Message beat = Message::Reply(Message::Request(MsgType::Heartbeat, 9), 0);
  beat.Set(ReplyField(MsgType::Heartbeat, "seq"), Value::Num(5));
  beat.Set(kRss, Value::Num(0x123456789ull));
  v1.clear();
  v2.clear();
  CHECK(Encode(beat, v1, err, 1) == EncodeStatus::Ok && v1 == RawFrame(22, kFlagReply, 9, U32s({0, 0, 5})));
  CHECK(Encode(beat, v2, err, 2) == EncodeStatus::Ok &&
        v2 == RawFrame(22, kFlagReply, 9, U32s({0, 0, 5, 0x23456789, 1})));
  CHECK(DecodeOne(v2, m, err, kDefaultMaxFrame, 1) == DecodeStatus::Ok && m.unknownBytes == 8 && m.Num(kRss) == 0);
  CHECK(DecodeOne(v2, m, err, kDefaultMaxFrame, 2) == DecodeStatus::Ok && m.Num(kRss) == 0x123456789ull);

  // Every message of every version round-trips at that version; a message type is refused
  // for a version before it.
  Rng r{99};
  for (uint32_t v = kMinVersion; v <= kVersion; ++v) {
    for (const MessageSpec& s : AllSpecs()) {
      Message req = Message::Request(s.type, 1, GenerateFields(s.request, r));
      std::string bytes;
      if (v < s.since) {  // the admin endpoint's messages: from version 3
        CHECK(Encode(req, bytes, err, v) == EncodeStatus::Unsupported && bytes.empty());
        continue;
      }
      CHECK(Encode(req, bytes, err, v) == EncodeStatus::Ok);
      FrameDecoder d(kDefaultMaxFrame, v);
      d.Feed(bytes.data(), bytes.size());
      CHECK(d.Next(m, err) == DecodeStatus::Ok && m.unknownBytes == 0);
      CHECK(m.fields.size() == FieldsAt(s.request, v));
    }
  }
  std::string none;
  CHECK(Encode(Message::Request(MsgType::Heartbeat, 1, {Value::Num(1)}), none, err, 0) ==
            EncodeStatus::Unsupported &&
        none.empty());
}

// Fields by name: a field the message lacks (an older version's message) reads as empty.
void TestFieldAccess() {
  constexpr Field kLibrary = RequestField(MsgType::Start, "library");
  const Message empty = Message::Request(MsgType::Start, 1, {});
  CHECK(empty.Num(kLibrary) == 0 && empty.Bytes(kLibrary).empty() && empty.Packed(kOps).empty());
  // A field of another kind reads as empty too (a decoded message never has one).
  const Message odd = Message::Request(MsgType::Log, 1, {Value::Bytes("x"), Value::Num(3)});
  CHECK(odd.Num(kLogLevel) == 0 && odd.Bytes(kLogText).empty());
  // Request() sizes the fields to the schema, Set() fills them by name.
  Message log = Message::Request(MsgType::Log, 0);
  CHECK(log.fields.size() == 2);
  log.Set(kLogLevel, Value::Num(1));
  log.Set(kLogText, Value::Bytes("t"));
  std::string out, err;
  CHECK(Enc(log, out, err));
}

}  // namespace

// A table too long for one frame goes as several, each within the cap and the list limit, in
// order, nothing left out; what a peer's decoder of that cap accepts.
void TestSplitRecords() {
  constexpr size_t kRecords = 10000;
  constexpr uint32_t kCap = 64 * 1024;
  std::vector<Record> records;
  for (size_t i = 0; i < kRecords; ++i) {
    Record r = NewFields(schema::kChangeRecordList);
    for (auto& v : r) v = Value::Num(i);
    records.push_back(std::move(r));
  }
  const auto runs = SplitRecords(records, schema::kChangeRecordList, kVersion, kCap);
  CHECK(runs.size() > 1);
  size_t next = 0;
  const Field changes = RequestField(MsgType::RouteChanges, "changes");
  for (const auto& run : runs) {
    Message m = Message::Request(MsgType::RouteChanges, 0);
    m.Set(changes, Value::List(run));
    std::string frame, err;
    CHECK(Encode(m, frame, err, kVersion, kCap) == EncodeStatus::Ok);
    FrameDecoder dec(kCap);
    dec.Feed(frame.data(), frame.size());
    Message back;
    CHECK(dec.Next(back, err) == DecodeStatus::Ok);
    const PackedRecords& got = back.Packed(changes);
    for (size_t i = 0; i < got.size(); ++i) CHECK(got[i][PackedSlot(schema::kChangeRecordList, "owner")] == next++);
  }
  CHECK(next == kRecords);
  // A frame big enough for all of them: one run, but never more items than a list may hold.
  CHECK(SplitRecords(records, schema::kChangeRecordList, kVersion, 64u << 20).size() == 1);
  std::vector<Record> many(kMaxListItems + 1, NewFields(schema::kStatusRecordList));
  for (auto& r : many) r[0] = Value::Num(0);
  const auto capped = SplitRecords(std::move(many), schema::kStatusRecordList, kVersion, 64u << 20);
  CHECK(capped.size() == 2 && capped[0].size() == kMaxListItems && capped[1].size() == 1);
}

// Packed records (wire.h): the bytes of the same records as Values, at every version; a field
// of a later version left out of what is sent and zero in what is read; a blob that is not 16
// bytes, a count the bytes cannot hold, or more than kMaxListItems refused with the reason.
void TestPackedRecords() {
  // A record that grew in version 2 (the catalogue's lists have not yet).
  static constexpr FieldSpec kRec[] = {schema::U32("a"), schema::Blob("addr"), schema::U32("b", nullptr, 2)};
  static constexpr FieldList kRecList = schema::List(kRec);
  static constexpr FieldSpec kItems = schema::ListOf("items", kRecList);
  static_assert(PackedStride(kRecList) == 6 && PackedSlot(kRecList, "b") == 5, "slots by name");
  const std::string addr0(16, '\x11'), addr1 = "0123456789abcdef";
  PackedRecords p = NewPacked(kRecList, 2);
  p[0][0] = 7, p[0][5] = 70, p[1][0] = 0xFFFFFFFF, p[1][5] = 1;
  std::memcpy(p[0] + 1, addr0.data(), 16);
  std::memcpy(p[1] + 1, addr1.data(), 16);
  const std::vector<Record> values = {{Value::Num(7), Value::Bytes(addr0), Value::Num(70)},
                                      {Value::Num(0xFFFFFFFF), Value::Bytes(addr1), Value::Num(1)}};
  std::string v1, v2, g1, g2, err;
  CHECK(EncodeValue(kItems, Value::Packed(p), 1, v1, err) && EncodeValue(kItems, Value::Packed(p), 2, v2, err));
  CHECK(EncodeValue(kItems, Value::List(values), 1, g1, err) && EncodeValue(kItems, Value::List(values), 2, g2, err));
  CHECK(v1 == g1 && v2 == g2);
  CHECK(v1 == U32s({2, 7, 16}) + addr0 + U32s({0xFFFFFFFF, 16}) + addr1);
  CHECK(v2 == U32s({2, 7, 16}) + addr0 + U32s({70, 0xFFFFFFFF, 16}) + addr1 + U32s({1}));
  // Read at each version: a version-1 peer's records have no b (zero here); read at 2, what
  // version 1 wrote is short of it (malformed within the agreed version).
  Value back;
  CHECK(DecodeValue(kItems, v2.data(), v2.size(), 2, back, err) && Equal(back, Value::Packed(p)));
  CHECK(DecodeValue(kItems, v1.data(), v1.size(), 1, back, err));
  PackedRecords old = p;
  old[0][5] = old[1][5] = 0;
  CHECK(Equal(back, Value::Packed(old)));
  CHECK(Equal(Value::List(Unpack(old, kRecList, 1)), Value::List({{values[0][0], values[0][1]}, {values[1][0], values[1][1]}})));
  CHECK(!DecodeValue(kItems, v1.data(), v1.size(), 2, back, err));
  CHECK_MSG(err.find("'items'") != std::string::npos, err);
  // Truncated anywhere: every prefix is refused.
  for (size_t n = 0; n < v2.size(); ++n) CHECK(!DecodeValue(kItems, v2.data(), n, 2, back, err));
  // A blob of another size.
  std::string bad = U32s({1, 7, 15}) + std::string(15, 'x') + U32s({0});
  CHECK(!DecodeValue(kItems, bad.data(), bad.size(), 2, back, err));
  CHECK_MSG(err.find("'addr' is a blob of 15 bytes where a packed record holds 16") != std::string::npos, err);
  std::string out;
  Record shortAddr = values[0];
  shortAddr[1] = Value::Bytes("1234");
  CHECK(!EncodeValue(kItems, Value::List({shortAddr}), 2, out, err));
  CHECK_MSG(err.find("'addr' is a blob of 4 bytes") != std::string::npos, err);
  CHECK(!Pack({shortAddr}, kRecList, old, err));
  // More records than a list may hold, bytes present or not.
  std::string many = U32s({kMaxListItems + 1}) + std::string(size_t(kMaxListItems + 1) * 24, '\0');
  CHECK(!DecodeValue(kItems, many.data(), many.size(), 2, back, err));
  PackedRecords tooMany = NewPacked(kRecList, size_t(kMaxListItems) + 1);
  CHECK(!EncodeValue(kItems, Value::Packed(tooMany), 2, out, err));
  // Slots not of this list's layout.
  PackedRecords odd{std::vector<uint32_t>(5), 5};
  CHECK(!EncodeValue(kItems, Value::Packed(odd), 2, out, err));
  CHECK_MSG(err.find("packed records of 5 slots") != std::string::npos, err);

  // The catalogue's routes6: the same frame either way; a 4-byte address refused by name.
  constexpr Field kOps6 = RequestField(MsgType::Routes6, "ops");
  Rng r{12};
  std::vector<Record> ops;
  for (int i = 0; i < 50; ++i) ops.push_back(GenerateRecord(schema::kRoute6RecordList, r, true));
  PackedRecords packedOps;
  CHECK(Pack(ops, schema::kRoute6RecordList, packedOps, err));
  std::string a, b;
  CHECK(Enc(Message::Request(MsgType::Routes6, 5, {Value::List(ops)}), a, err));
  CHECK(Enc(Message::Request(MsgType::Routes6, 5, {Value::Packed(packedOps)}), b, err));
  CHECK(a == b);
  Message m;
  CHECK(DecodeOne(a, m, err) == DecodeStatus::Ok && Equal(Value::Packed(packedOps), m.fields[kOps6.index()]));
  std::string frame = RawFrame(46, 0, 5, U32s({1, 1, 23, 4, 0, 0}));
  CHECK(DecodeOne(frame, m, err) == DecodeStatus::Error);
  CHECK_MSG(err.find("routes6: field 'destination' is a blob of 4 bytes") != std::string::npos, err);
  // Split packed as Values are split.
  const auto runs = SplitRecords(packedOps, schema::kRoute6RecordList, kVersion, 1024);
  const auto valueRuns = SplitRecords(ops, schema::kRoute6RecordList, kVersion, 1024);
  CHECK(runs.size() == valueRuns.size() && runs.size() > 1);
  for (size_t i = 0; i < runs.size() && i < valueRuns.size(); ++i) {
    PackedRecords expected;
    CHECK(Pack(valueRuns[i], schema::kRoute6RecordList, expected, err) && Equal(Value::Packed(runs[i]), Value::Packed(expected)));
  }
}

int main() {
  TestPackedRecords();
  TestCatalogue();
  TestRoundTripEverySpec();
  TestNotificationAndReplyShape();
  TestGoldenBytes();
  TestByteByByte();
  TestManyFramesAtOnceAndCompaction();
  TestFrameCap();
  TestMalformedFrames();
  TestListCounts();
  TestEncodeSchemaErrors();
  TestTakeBuffered();
  TestDecodeErrorText();
  TestVersions();
  TestFieldAccess();
  TestSplitRecords();
  return rrasbridge::test::Finish();
}
