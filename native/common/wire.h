// Wire protocol v1 between the protocol library (in RRAS) and the Node host.
//
// A frame is: u32 length (bytes after this field), u16 type, u16 flags, u32 id, payload.
// All integers are little-endian. The payload is the message's fields in schema order
// (see messages.cc); a reply carries u32 status, utf-8 error text, and the reply fields
// only when status is 0. Requests with id 0 are notifications and get no reply.
// Framing and field encoding are generic over the schema table, so adding a message
// type is one table row, and the codec is fuzzed once for all of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace rrasbridge::wire {

constexpr uint32_t kMagic = 0x47425252;  // "RRBG" on the wire
constexpr uint32_t kVersion = 1;
constexpr uint32_t kMinVersion = 1;
constexpr size_t kHeaderSize = 12;
constexpr uint32_t kDefaultMaxFrame = 4u << 20;
constexpr uint32_t kMaxListItems = 1u << 20;

enum Flags : uint16_t {
  kFlagReply = 1,
};

enum class Kind : uint8_t { U32, U64, Blob, Text, Utf16, List };

struct FieldSpec {
  const char* name;
  Kind kind;
  const std::vector<FieldSpec>* record = nullptr;  // List only: the item's fields
};
using Fields = std::vector<FieldSpec>;

// DllToHost / HostToDll: the channel to the host. AdminToDll / DllToAdmin: the admin endpoint
// (native/protocol/admin_endpoint.h), where operators' tools talk to the library.
enum class Direction : uint8_t { DllToHost, HostToDll, AdminToDll, DllToAdmin };

// Message types. Numbers are wire values: never renumber, only add.
enum class MsgType : uint16_t {
  Hello = 1,
  // router manager -> protocol (DLL -> host)
  Start = 10,
  StartComplete = 11,
  Stop = 12,
  AddInterface = 13,
  DeleteInterface = 14,
  InterfaceStatus = 15,
  SetGlobalInfo = 16,
  SetInterfaceInfo = 17,
  UpdateRoutes = 18,
  Mib = 19,
  Power = 20,
  Client = 21,
  Heartbeat = 22,
  RouteChanges = 23,
  RouteChanges6 = 24,  // RouteChanges of a protocol on the IPv6 router manager
  // protocol -> router manager (host -> DLL)
  Log = 40,
  Routes = 41,
  SaveConfig = 42,
  Support = 43,
  Synced = 44,
  Restart = 45,
  Routes6 = 46,  // Routes of a protocol on the IPv6 router manager
  // operator -> library (the admin endpoint); documents are JSON text (docs/operations.md)
  AdminHello = 60,
  AdminStatus = 61,
  AdminTrace = 62,
  AdminTraceRecords = 63,  // library -> operator, notifications
  AdminRestart = 64,
  AdminLog = 65,
  AdminLogLines = 66,      // library -> operator, notifications
};

struct MessageSpec {
  MsgType type;
  const char* name;  // JS name, camelCase
  Direction direction;
  Fields request;
  Fields reply;
};

const MessageSpec* FindSpec(MsgType type);
const MessageSpec* FindSpec(const std::string& name);
const std::vector<MessageSpec>& AllSpecs();

struct Value;
using Record = std::vector<Value>;
struct Value {
  std::variant<uint64_t, std::string, std::u16string, std::vector<Record>> v;

  static Value Num(uint64_t n) { return Value{n}; }
  static Value Bytes(std::string b) { return Value{std::move(b)}; }
  static Value Bytes(const void* p, size_t n) {
    return Value{std::string(static_cast<const char*>(p), n)};
  }
  static Value Str16(std::u16string s) { return Value{std::move(s)}; }
  static Value List(std::vector<Record> l) { return Value{std::move(l)}; }
};

struct Message {
  MsgType type = MsgType::Hello;
  uint16_t flags = 0;
  uint32_t id = 0;
  uint32_t status = 0;  // replies only
  std::string error;    // replies only
  std::vector<Value> fields;

  bool IsReply() const { return (flags & kFlagReply) != 0; }

  // Typed accessors; valid after a successful Decode or a checked Encode.
  uint64_t Num(size_t i) const { return std::get<uint64_t>(fields.at(i).v); }
  uint32_t U32(size_t i) const { return static_cast<uint32_t>(Num(i)); }
  const std::string& Bytes(size_t i) const { return std::get<std::string>(fields.at(i).v); }
  const std::u16string& Str16(size_t i) const { return std::get<std::u16string>(fields.at(i).v); }
  const std::vector<Record>& List(size_t i) const {
    return std::get<std::vector<Record>>(fields.at(i).v);
  }

  static Message Request(MsgType t, uint32_t id, std::vector<Value> f) {
    Message m;
    m.type = t;
    m.id = id;
    m.fields = std::move(f);
    return m;
  }
  static Message Reply(const Message& req, uint32_t status, std::string error = {},
                       std::vector<Value> f = {}) {
    Message m;
    m.type = req.type;
    m.id = req.id;
    m.flags = kFlagReply;
    m.status = status;
    m.error = std::move(error);
    m.fields = std::move(f);
    return m;
  }
};

// The fields a message must carry: request or reply schema (none for a failed reply).
const Fields* FieldsOf(const Message& m);

// Appends one frame to out. Fails (returns false, sets err) when the fields do not match
// the schema or the frame would exceed maxFrame.
bool Encode(const Message& m, std::string& out, std::string& err,
            uint32_t maxFrame = kDefaultMaxFrame);

enum class DecodeStatus { Ok, NeedMore, Error };

// Incremental frame decoder. After an Error the stream is unusable: the caller drops
// the connection (the peer is broken or hostile).
class FrameDecoder {
 public:
  explicit FrameDecoder(uint32_t maxFrame = kDefaultMaxFrame) : maxFrame_(maxFrame) {}
  void Feed(const char* data, size_t n) { buf_.append(data, n); }
  DecodeStatus Next(Message& out, std::string& err);
  size_t Buffered() const { return buf_.size() - pos_; }
  // Hands over bytes read past the last decoded frame (to the decoder that takes over).
  std::string TakeBuffered() {
    std::string rest = buf_.substr(pos_);
    buf_.clear();
    pos_ = 0;
    return rest;
  }

 private:
  std::string buf_;
  size_t pos_ = 0;
  uint32_t maxFrame_;
};

// Decodes one complete frame body (type, flags, id, payload), no length prefix.
bool DecodeBody(const char* data, size_t n, Message& out, std::string& err);

}  // namespace rrasbridge::wire
