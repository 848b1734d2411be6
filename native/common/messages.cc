// Lookups in the message catalogue (schema.h) and reading and writing a message's fields by
// name.
#include <iterator>

#include "wire.h"

namespace rrasbridge::wire {

const MessageSpec* SpecsBegin() { return std::begin(schema::kMessages); }
const MessageSpec* SpecsEnd() { return std::end(schema::kMessages); }
const EnumSpec* const* EnumsBegin() { return std::begin(schema::kEnums); }
const EnumSpec* const* EnumsEnd() { return std::end(schema::kEnums); }

const MessageSpec* FindSpec(MsgType type) {
  for (const auto& s : AllSpecs())
    if (s.type == type) return &s;
  return nullptr;
}

const MessageSpec* FindSpec(const std::string& name) {
  for (const auto& s : AllSpecs())
    if (name == s.name) return &s;
  return nullptr;
}

const FieldList* FieldsOf(const Message& m) {
  const MessageSpec* spec = FindSpec(m.type);
  if (!spec) return nullptr;
  if (!m.IsReply()) return &spec->request;
  return m.status == 0 ? &spec->reply : &schema::kNone;
}

size_t FieldsAt(const FieldList& list, uint32_t version) {
  size_t n = 0;
  while (n < list.size() && list[n].since <= version) ++n;
  return n;
}

Message Message::Request(MsgType t, uint32_t id) {
  const MessageSpec* spec = FindSpec(t);
  return Request(t, id, spec ? NewFields(spec->request) : std::vector<Value>{});
}

Message Message::Reply(const Message& req, uint32_t status, std::string error) {
  const MessageSpec* spec = FindSpec(req.type);
  return Reply(req, status, std::move(error),
               status == 0 && spec ? NewFields(spec->reply) : std::vector<Value>{});
}

namespace {

template <typename T>
const T* Get(const std::vector<Value>& fields, Field f) {
  return f.index() < fields.size() ? std::get_if<T>(&fields[f.index()].v) : nullptr;
}

}  // namespace

uint64_t Num(const std::vector<Value>& fields, Field f) {
  const uint64_t* n = Get<uint64_t>(fields, f);
  return n ? *n : 0;
}

const std::string& Bytes(const std::vector<Value>& fields, Field f) {
  static const std::string kEmpty;
  const std::string* s = Get<std::string>(fields, f);
  return s ? *s : kEmpty;
}

const std::u16string& Str16(const std::vector<Value>& fields, Field f) {
  static const std::u16string kEmpty;
  const std::u16string* s = Get<std::u16string>(fields, f);
  return s ? *s : kEmpty;
}

const PackedRecords& Packed(const std::vector<Value>& fields, Field f) {
  static const PackedRecords kEmpty;
  const PackedRecords* l = Get<PackedRecords>(fields, f);
  return l ? *l : kEmpty;
}

}  // namespace rrasbridge::wire
