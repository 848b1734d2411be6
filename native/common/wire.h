// The wire between the protocol library (in RRAS) and the Node host: framing, values, and a
// codec driven by the message catalogue (schema.h), which is the one source of message
// numbers, field names and enum values for both sides (TypeScript gets them generated from
// it: lib/addon/wire.ts).
//
// A frame is: u32 length (bytes after this field), u16 type, u16 flags, u32 id, payload.
// All integers are little-endian. The payload is the message's fields in schema order; a
// reply carries u32 status, utf-8 error text, and the reply fields only when status is 0.
// Requests with id 0 are notifications and get no reply.
//
// Versions (ZAPI's lesson): every field and message type names the wire version that added
// it. The two sides agree on a version in the handshake, and the codec is told it: a sender
// writes only the fields of that version (a peer of an older one never sees what it lacks),
// and a decoder reads that version's fields and skips whatever follows them (fields of a
// later version), counting the bytes it skipped. Fields are only ever added at the end of a
// message or record, never removed, renumbered or retyped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rrasbridge::wire {

constexpr uint32_t kMagic = 0x47425252;  // "RRBG" on the wire
constexpr uint32_t kVersion = 3;         // the newest version this build speaks
constexpr uint32_t kMinVersion = 1;      // the oldest it still speaks
// The version that added the admin endpoint's messages (schema.h): the oldest an operator's
// tool and the library's admin endpoint agree on.
constexpr uint32_t kAdminMinVersion = 3;
constexpr size_t kHeaderSize = 12;
constexpr uint32_t kDefaultMaxFrame = 4u << 20;
constexpr uint32_t kMaxListItems = 1u << 20;

enum Flags : uint16_t {
  kFlagReply = 1,
};

enum class Kind : uint8_t { U32, U64, Blob, Text, Utf16, List };

// A named value of a u32 field (an enum of the schema). bits: the field holds a set of them.
struct EnumValue {
  const char* name;
  uint32_t value;
};
struct EnumSpec {
  const char* name;
  const EnumValue* values;
  size_t size;
  bool bits = false;
  const EnumValue* begin() const { return values; }
  const EnumValue* end() const { return values + size; }
};

struct FieldSpec;
// The fields of a message (request or reply) or of a list's records, in wire order.
struct FieldList {
  const FieldSpec* data = nullptr;
  size_t count = 0;
  constexpr size_t size() const { return count; }
  constexpr bool empty() const { return count == 0; }
  constexpr const FieldSpec& operator[](size_t i) const;
  constexpr const FieldSpec* begin() const { return data; }
  constexpr const FieldSpec* end() const;
};

struct FieldSpec {
  const char* name = nullptr;
  Kind kind = Kind::U32;
  uint32_t since = 1;                  // the wire version that added it
  const FieldList* record = nullptr;   // List only: the items' fields
  const EnumSpec* values = nullptr;    // U32 only, optional: what the number means
};
constexpr const FieldSpec& FieldList::operator[](size_t i) const { return data[i]; }
constexpr const FieldSpec* FieldList::end() const { return data + count; }

// Who sends the request (the reply goes the other way). DllToHost / HostToDll: the channel to
// the host. AdminToDll / DllToAdmin: the admin endpoint (native/protocol/admin_endpoint.h),
// where operators' tools talk to the library.
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
  FieldList request;
  FieldList reply;
  uint32_t since = 1;  // the wire version that added the message type
};

// A field by its place in its list, made only from its schema name (FieldOf, RequestField,
// ReplyField): code reads and writes fields by name, and a name the schema lacks does not
// compile where the index is a constant (constexpr Field kX = ...).
class Field {
 public:
  constexpr size_t index() const { return index_; }

 private:
  constexpr explicit Field(size_t i) : index_(i) {}
  friend constexpr Field FieldOf(const FieldList& list, std::string_view name);
  size_t index_;
};

constexpr Field FieldOf(const FieldList& list, std::string_view name) {
  for (size_t i = 0; i < list.size(); ++i)
    if (std::string_view(list[i].name) == name) return Field(i);
  throw "no field of this name in the list";  // in a constant expression: a build error
}

// Packed records: a list whose records are all fixed-size fields (u32, and blobs of exactly
// kPackedBlobBytes: IPv6 addresses), every list of the catalogue, held as one array of u32
// slots instead of a Value per field (issue 12: a route batch is 16k records, a table 1M).
// A record is this build's whole record in schema order: a u32 field one slot, a blob
// kPackedBlobSlots slots holding its bytes as they are on the wire. The layout is fixed for
// the build (it is the addon's Uint32Array for JS, lib/addon/index.ts): a field the agreed
// version lacks is zero in what is decoded and left out of what is encoded. The wire bytes are
// those of the same records as Values.
constexpr size_t kPackedBlobBytes = 16;
constexpr size_t kPackedBlobSlots = kPackedBlobBytes / sizeof(uint32_t);

struct PackedRecords {
  std::vector<uint32_t> slots;
  size_t stride = 0;  // slots per record (PackedStride of the list's record)

  size_t size() const { return stride ? slots.size() / stride : 0; }
  bool empty() const { return slots.empty(); }
  const uint32_t* operator[](size_t i) const { return slots.data() + i * stride; }
  uint32_t* operator[](size_t i) { return slots.data() + i * stride; }
};

// Whether a list's records can be packed (all u32 and blob fields), and their layout.
constexpr bool Packable(const FieldList& record) {
  for (const FieldSpec& f : record)
    if (f.kind != Kind::U32 && f.kind != Kind::Blob) return false;
  return !record.empty();
}
constexpr size_t PackedSlots(const FieldSpec& f) { return f.kind == Kind::Blob ? kPackedBlobSlots : 1; }
constexpr size_t PackedStride(const FieldList& record) {
  size_t n = 0;
  for (const FieldSpec& f : record) n += PackedSlots(f);
  return n;
}
// Packed records of `list`'s record, n of them, zero.
inline PackedRecords NewPacked(const FieldList& record, size_t n) {
  const size_t stride = PackedStride(record);
  return PackedRecords{std::vector<uint32_t>(n * stride), stride};
}

struct Value;
using Record = std::vector<Value>;
struct Value {
  std::variant<uint64_t, std::string, std::u16string, std::vector<Record>, PackedRecords> v;

  static Value Num(uint64_t n) { return Value{n}; }
  static Value Bytes(std::string b) { return Value{std::move(b)}; }
  static Value Bytes(const void* p, size_t n) {
    return Value{std::string(static_cast<const char*>(p), n)};
  }
  static Value Str16(std::u16string s) { return Value{std::move(s)}; }
  static Value List(std::vector<Record> l) { return Value{std::move(l)}; }
  static Value Packed(PackedRecords l) { return Value{std::move(l)}; }
};

// Reading fields by name. A field the message does not carry (a later version's, or one of
// another kind) reads as 0 or empty: after a successful decode, every field of the decoded
// version is there with its kind.
uint64_t Num(const std::vector<Value>& fields, Field f);
inline uint32_t U32(const std::vector<Value>& fields, Field f) {
  return static_cast<uint32_t>(Num(fields, f));
}
const std::string& Bytes(const std::vector<Value>& fields, Field f);
const std::u16string& Str16(const std::vector<Value>& fields, Field f);
// A list field's packed records: the decoder packs every Packable list (every list of the
// catalogue), and code reads a record's fields at their slots (PackedSlot).
const PackedRecords& Packed(const std::vector<Value>& fields, Field f);
// The Values of packed records (a field `version` lacks: left out, as the decoder would).
std::vector<Record> Unpack(const PackedRecords& p, const FieldList& record, uint32_t version = kVersion);
// Records as packed ones; false with err for a record that does not fit the layout (a field
// of another kind, a blob not kPackedBlobBytes long).
bool Pack(const std::vector<Record>& records, const FieldList& record, PackedRecords& out, std::string& err);
// Writing them: `fields` is sized to its list (NewFields) and set by name.
inline std::vector<Value> NewFields(const FieldList& list) { return std::vector<Value>(list.size()); }
inline void Set(std::vector<Value>& fields, Field f, Value v) { fields[f.index()] = std::move(v); }

struct Message {
  MsgType type = MsgType::Hello;
  uint16_t flags = 0;
  uint32_t id = 0;
  uint32_t status = 0;  // replies only
  std::string error;    // replies only
  std::vector<Value> fields;
  // Decoded only: bytes after the fields of the decoder's version, skipped (a peer that sent
  // fields of a later version than the one agreed).
  uint32_t unknownBytes = 0;

  bool IsReply() const { return (flags & kFlagReply) != 0; }

  uint64_t Num(Field f) const { return wire::Num(fields, f); }
  uint32_t U32(Field f) const { return wire::U32(fields, f); }
  const std::string& Bytes(Field f) const { return wire::Bytes(fields, f); }
  const std::u16string& Str16(Field f) const { return wire::Str16(fields, f); }
  const PackedRecords& Packed(Field f) const { return wire::Packed(fields, f); }
  void Set(Field f, Value v) { wire::Set(fields, f, std::move(v)); }

  // A request (id 0: a notification) with every field of its schema, to be Set by name.
  static Message Request(MsgType t, uint32_t id);
  static Message Request(MsgType t, uint32_t id, std::vector<Value> f) {
    Message m;
    m.type = t;
    m.id = id;
    m.fields = std::move(f);
    return m;
  }
  // A reply; a successful one (status 0) is sized to the reply schema when f is not given.
  static Message Reply(const Message& req, uint32_t status, std::string error = {});
  static Message Reply(const Message& req, uint32_t status, std::string error,
                       std::vector<Value> f) {
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

const MessageSpec* FindSpec(MsgType type);
const MessageSpec* FindSpec(const std::string& name);
// Every message type of the catalogue, in catalogue order.
const MessageSpec* SpecsBegin();
const MessageSpec* SpecsEnd();
struct SpecRange {
  const MessageSpec* begin() const { return SpecsBegin(); }
  const MessageSpec* end() const { return SpecsEnd(); }
};
inline SpecRange AllSpecs() { return {}; }
// The enums of the catalogue (for the TypeScript definitions).
const EnumSpec* const* EnumsBegin();
const EnumSpec* const* EnumsEnd();

// The fields a message must carry: request or reply schema (none for a failed reply).
const FieldList* FieldsOf(const Message& m);
// How many of `list`'s fields a peer of `version` knows: a prefix, fields being added only
// at the end.
size_t FieldsAt(const FieldList& list, uint32_t version);

enum class EncodeStatus {
  Ok,
  Mismatch,  // the fields do not match the schema (a bug of the caller), or the type is unknown
  TooBig,    // the frame would exceed maxFrame (the caller's input is too big)
  Unsupported,  // the message type is newer than the version it is encoded for
};

// Appends one frame, with the fields of `version`, to out. On failure appends nothing and
// sets err.
EncodeStatus Encode(const Message& m, std::string& out, std::string& err,
                    uint32_t version = kVersion, uint32_t maxFrame = kDefaultMaxFrame);

// Splits `records` of `list` into runs that each fit in one frame of maxFrame bytes as the
// only list of a message whose other fields take otherBytes (and within kMaxListItems), in
// order: a long table goes as several messages, never as one frame a peer must refuse. A
// record too big for any frame is a run of its own (its Encode then says TooBig).
std::vector<std::vector<Record>> SplitRecords(std::vector<Record> records, const FieldList& list,
                                              uint32_t version, uint32_t maxFrame,
                                              size_t otherBytes = 0);
// The same for packed records (each of the same size on the wire: runs of a fixed count).
std::vector<PackedRecords> SplitRecords(PackedRecords records, const FieldList& list, uint32_t version,
                                        uint32_t maxFrame, size_t otherBytes = 0);

// One field's bytes alone, as Encode and DecodeBody write and read it inside a message (for
// tests of records of any schema, e.g. a later version's).
bool EncodeValue(const FieldSpec& f, const Value& v, uint32_t version, std::string& out, std::string& err);
bool DecodeValue(const FieldSpec& f, const char* data, size_t n, uint32_t version, Value& out,
                 std::string& err);

enum class DecodeStatus { Ok, NeedMore, Error };

// Incremental frame decoder for one version. After an Error the stream is unusable: the
// caller drops the connection (the peer is broken or hostile).
class FrameDecoder {
 public:
  explicit FrameDecoder(uint32_t maxFrame = kDefaultMaxFrame, uint32_t version = kVersion)
      : maxFrame_(maxFrame), version_(version) {}
  void Feed(const char* data, size_t n) { buf_.append(data, n); }
  DecodeStatus Next(Message& out, std::string& err);
  size_t Buffered() const { return buf_.size() - pos_; }
  uint32_t version() const { return version_; }
  // The frames not yet decoded are read at v (a handshake that agreed on a version).
  void SetVersion(uint32_t v) { version_ = v; }
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
  uint32_t version_;
};

// Decodes one complete frame body (type, flags, id, payload), no length prefix, reading the
// fields of `version`.
bool DecodeBody(const char* data, size_t n, Message& out, std::string& err,
                uint32_t version = kVersion);

}  // namespace rrasbridge::wire

#include "schema.h"  // the catalogue, and RequestField / ReplyField / RecordField
