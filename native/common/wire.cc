#include "wire.h"

#include <algorithm>
#include <cstring>

namespace rrasbridge::wire {
namespace {

void PutU16(std::string& o, uint16_t v) {
  const char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
  o.append(b, 2);
}
void PutU32(std::string& o, uint32_t v) {
  for (int i = 0; i < 4; ++i) o.push_back(static_cast<char>(v >> (8 * i)));
}
void PutU64(std::string& o, uint64_t v) {
  for (int i = 0; i < 8; ++i) o.push_back(static_cast<char>(v >> (8 * i)));
}
uint32_t GetU32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t(u[0]) | uint32_t(u[1]) << 8 | uint32_t(u[2]) << 16 | uint32_t(u[3]) << 24;
}
uint16_t GetU16(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>(u[0] | u[1] << 8);
}

void SetU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}

std::string BlobSizeError(const FieldSpec& f, size_t size) {
  return std::string("field '") + f.name + "' is a blob of " + std::to_string(size) +
         " bytes where a packed record holds " + std::to_string(kPackedBlobBytes);
}

const char* KindName(Kind k) {
  switch (k) {
    case Kind::U32: return "u32";
    case Kind::U64: return "u64";
    case Kind::Blob: return "blob";
    case Kind::Text: return "text";
    case Kind::Utf16: return "utf16";
    case Kind::List: return "list";
  }
  return "?";
}

// n: how many of spec's fields `version` has (FieldsAt), computed once per list.
bool EncodeFields(const FieldList& spec, size_t n, const std::vector<Value>& vals, uint32_t version,
                  std::string& o, std::string& err, const char* where);

bool CheckPackable(const FieldList& record, size_t n, const Record& r, std::string& err) {
  for (size_t i = 0; i < n; ++i) {
    if (record[i].kind != Kind::Blob) continue;
    const size_t size = std::get<std::string>(r[i].v).size();  // EncodeFields checked the kind
    if (size != kPackedBlobBytes) {
      err = BlobSizeError(record[i], size);
      return false;
    }
  }
  return true;
}

// Bytes of one packed record on the wire at a version that has n of its fields.
size_t PackedWireBytes(const FieldList& record, size_t n) {
  size_t bytes = 0;
  for (size_t i = 0; i < n; ++i) bytes += record[i].kind == Kind::Blob ? 4 + kPackedBlobBytes : 4;
  return bytes;
}

// The bytes a list of packed records is on the wire: its count, then each record's fields of
// `version`, exactly as EncodeFields writes the same records as Values.
bool EncodePacked(const FieldSpec& f, const PackedRecords& p, uint32_t version, std::string& o,
                  std::string& err) {
  const FieldList& record = *f.record;
  if (!Packable(record) || p.stride != PackedStride(record) || p.slots.size() % p.stride != 0) {
    err = std::string("field '") + f.name + "': packed records of " + std::to_string(p.stride) +
          " slots, not this list's " + std::to_string(PackedStride(record));
    return false;
  }
  const size_t count = p.size();
  if (count > kMaxListItems) {
    err = std::string("field '") + f.name + "': " + std::to_string(count) + " records, more than " +
          std::to_string(kMaxListItems);
    return false;
  }
  PutU32(o, static_cast<uint32_t>(count));
  const size_t n = FieldsAt(record, version);
  const size_t at = o.size();
  o.resize(at + count * PackedWireBytes(record, n));
  char* w = &o[at];
  for (size_t k = 0; k < count; ++k) {
    const uint32_t* slot = p[k];
    for (size_t i = 0; i < n; ++i) {
      if (record[i].kind == Kind::U32) {
        SetU32(w, *slot++);
        w += 4;
        continue;
      }
      SetU32(w, uint32_t(kPackedBlobBytes));
      std::memcpy(w + 4, slot, kPackedBlobBytes);
      w += 4 + kPackedBlobBytes;
      slot += kPackedBlobSlots;
    }
  }
  return true;
}

}  // namespace

bool EncodeValue(const FieldSpec& f, const Value& v, uint32_t version, std::string& o,
                 std::string& err) {
  switch (f.kind) {
    case Kind::U32: {
      auto* n = std::get_if<uint64_t>(&v.v);
      if (!n || *n > 0xFFFFFFFFu) break;
      PutU32(o, static_cast<uint32_t>(*n));
      return true;
    }
    case Kind::U64: {
      auto* n = std::get_if<uint64_t>(&v.v);
      if (!n) break;
      PutU64(o, *n);
      return true;
    }
    case Kind::Blob:
    case Kind::Text: {
      auto* s = std::get_if<std::string>(&v.v);
      if (!s || s->size() > 0xFFFFFFFFu) break;
      PutU32(o, static_cast<uint32_t>(s->size()));
      o.append(*s);
      return true;
    }
    case Kind::Utf16: {
      auto* s = std::get_if<std::u16string>(&v.v);
      if (!s) break;
      PutU32(o, static_cast<uint32_t>(s->size()));
      for (char16_t c : *s) PutU16(o, static_cast<uint16_t>(c));
      return true;
    }
    case Kind::List: {
      if (auto* p = std::get_if<PackedRecords>(&v.v)) return EncodePacked(f, *p, version, o, err);
      auto* l = std::get_if<std::vector<Record>>(&v.v);
      if (!l || l->size() > kMaxListItems) break;
      PutU32(o, static_cast<uint32_t>(l->size()));
      const size_t n = FieldsAt(*f.record, version);
      for (const Record& r : *l) {
        if (!EncodeFields(*f.record, n, r, version, o, err, f.name)) return false;
        // What a peer decodes as packed records must be packable (its blobs 16 bytes).
        if (Packable(*f.record) && !CheckPackable(*f.record, n, r, err)) return false;
      }
      return true;
    }
  }
  err = std::string("field '") + f.name + "' is not a valid " + KindName(f.kind);
  return false;
}

namespace {

// Writes the fields `version` has; a caller may give those of a later version too (they are
// left out: the peer does not know them), not fewer.
bool EncodeFields(const FieldList& spec, size_t n, const std::vector<Value>& vals, uint32_t version,
                  std::string& o, std::string& err, const char* where) {
  if (vals.size() < n || vals.size() > spec.size()) {
    err = std::string(where) + ": expected " + std::to_string(n) +
          (n == spec.size() ? "" : " to " + std::to_string(spec.size())) + " fields, got " +
          std::to_string(vals.size());
    return false;
  }
  for (size_t i = 0; i < n; ++i)
    if (!EncodeValue(spec[i], vals[i], version, o, err)) return false;
  return true;
}

class Reader {
 public:
  Reader(const char* p, size_t n) : p_(p), end_(p + n) {}
  size_t Left() const { return static_cast<size_t>(end_ - p_); }
  bool U32(uint32_t& v) {
    if (Left() < 4) return false;
    v = GetU32(p_);
    p_ += 4;
    return true;
  }
  bool U64(uint64_t& v) {
    uint32_t lo = 0, hi = 0;
    if (!U32(lo) || !U32(hi)) return false;
    v = uint64_t(hi) << 32 | lo;
    return true;
  }
  bool Bytes(std::string& s) {
    uint32_t n;
    if (!U32(n) || Left() < n) return false;
    s.assign(p_, n);
    p_ += n;
    return true;
  }
  // The next n bytes, or null when fewer are left.
  const char* Take(size_t n) {
    if (Left() < n) return nullptr;
    const char* at = p_;
    p_ += n;
    return at;
  }
  bool Str16(std::u16string& s) {
    uint32_t n;
    if (!U32(n) || Left() / 2 < n) return false;
    s.resize(n);
    for (uint32_t i = 0; i < n; ++i) s[i] = static_cast<char16_t>(GetU16(p_ + 2 * i));
    p_ += 2 * size_t(n);
    return true;
  }

 private:
  const char* p_;
  const char* end_;
};

// A list of Packable records into packed slots (the bytes are validated as EncodePacked writes
// them: every blob kPackedBlobBytes long). n: the count the frame gave.
bool DecodePacked(const FieldSpec& f, uint32_t n, uint32_t version, Reader& r, PackedRecords& out,
                  std::string& err) {
  const FieldList& record = *f.record;
  const size_t fields = FieldsAt(record, version);
  const size_t bytes = PackedWireBytes(record, fields);
  if (n > kMaxListItems) return false;
  out.stride = PackedStride(record);
  // Slots for what the bytes left can hold (a count beyond them is a lie found below).
  out.slots.reserve(std::min<size_t>(n, bytes ? r.Left() / bytes : 0) * out.stride);
  for (uint32_t k = 0; k < n; ++k) {
    out.slots.resize(out.slots.size() + out.stride);
    uint32_t* slot = out[k];
    for (size_t i = 0; i < fields; ++i) {
      uint32_t v = 0;
      if (!r.U32(v)) return false;
      if (record[i].kind == Kind::U32) {
        *slot++ = v;
        continue;
      }
      if (v != kPackedBlobBytes) {
        err = BlobSizeError(record[i], v) + " (in '" + f.name + "' record " + std::to_string(k) + ")";
        return false;
      }
      const char* p = r.Take(kPackedBlobBytes);
      if (!p) return false;
      std::memcpy(slot, p, kPackedBlobBytes);
      slot += kPackedBlobSlots;
    }
  }
  return true;
}

// count: how many of spec's fields `version` has (FieldsAt), computed once per list.
bool DecodeFields(const FieldList& spec, size_t count, uint32_t version, Reader& r,
                  std::vector<Value>& out, std::string& err) {
  out.clear();
  out.reserve(count);
  for (size_t k = 0; k < count; ++k) {
    const FieldSpec& f = spec[k];
    Value v;
    bool ok = false;
    switch (f.kind) {
      case Kind::U32: {
        uint32_t n = 0;
        ok = r.U32(n);
        v.v = uint64_t(n);
        break;
      }
      case Kind::U64: {
        uint64_t n = 0;
        ok = r.U64(n);
        v.v = n;
        break;
      }
      case Kind::Blob:
      case Kind::Text: {
        std::string s;
        ok = r.Bytes(s);
        v.v = std::move(s);
        break;
      }
      case Kind::Utf16: {
        std::u16string s;
        ok = r.Str16(s);
        v.v = std::move(s);
        break;
      }
      case Kind::List: {
        uint32_t n = 0;
        // Each item takes at least 4 bytes, so a count beyond what is left is a lie.
        if (!r.U32(n)) break;
        if (Packable(*f.record)) {
          PackedRecords packed;
          ok = DecodePacked(f, n, version, r, packed, err);
          v.v = std::move(packed);
          break;
        }
        if (n > kMaxListItems || n > r.Left() / 4) break;
        std::vector<Record> items(n);
        const size_t fields = FieldsAt(*f.record, version);
        ok = true;
        for (auto& item : items)
          if (!DecodeFields(*f.record, fields, version, r, item, err)) {
            ok = false;
            break;
          }
        v.v = std::move(items);
        break;
      }
    }
    if (!ok) {
      if (err.empty()) err = std::string("field '") + f.name + "' is truncated or too long";
      return false;
    }
    out.push_back(std::move(v));
  }
  return true;
}

}  // namespace

bool DecodeValue(const FieldSpec& f, const char* data, size_t n, uint32_t version, Value& out,
                 std::string& err) {
  err.clear();
  Reader r(data, n);
  std::vector<Value> one;
  if (!DecodeFields(FieldList{&f, 1}, 1, version, r, one, err)) return false;
  out = std::move(one[0]);
  return true;
}

EncodeStatus Encode(const Message& m, std::string& out, std::string& err, uint32_t version,
                    uint32_t maxFrame) {
  const MessageSpec* spec = FindSpec(m.type);
  if (!spec) {
    err = "unknown message type " + std::to_string(static_cast<unsigned>(m.type));
    return EncodeStatus::Mismatch;
  }
  if (spec->since > version) {
    err = std::string("'") + spec->name + "' is not in wire version " + std::to_string(version) +
          " (it came with version " + std::to_string(spec->since) + ")";
    return EncodeStatus::Unsupported;
  }
  const size_t start = out.size();
  PutU32(out, 0);  // length, patched below
  PutU16(out, static_cast<uint16_t>(m.type));
  PutU16(out, m.flags);
  PutU32(out, m.id);
  if (m.IsReply()) {
    PutU32(out, m.status);
    PutU32(out, static_cast<uint32_t>(m.error.size()));
    out.append(m.error);
  }
  const FieldList& fields = *FieldsOf(m);
  EncodeStatus status = EncodeFields(fields, FieldsAt(fields, version), m.fields, version, out, err, spec->name)
                            ? EncodeStatus::Ok
                            : EncodeStatus::Mismatch;
  const size_t len = out.size() - start - 4;
  if (status == EncodeStatus::Ok && len > maxFrame) {
    err = std::string(spec->name) + ": frame of " + std::to_string(len) +
          " bytes exceeds the cap of " + std::to_string(maxFrame);
    status = EncodeStatus::TooBig;
  }
  if (status != EncodeStatus::Ok) {
    out.resize(start);
    return status;
  }
  const uint32_t l = static_cast<uint32_t>(len);
  for (int i = 0; i < 4; ++i) out[start + i] = static_cast<char>(l >> (8 * i));
  return EncodeStatus::Ok;
}

namespace {

// The bytes a frame of maxFrame leaves for a list's records, the message's other fields taking
// otherBytes: a frame's length counts type, flags and id, then the payload (the list's count,
// then its records).
size_t RecordBudget(uint32_t maxFrame, size_t otherBytes) {
  const size_t fixed = kHeaderSize - 4 + otherBytes + 4;
  return maxFrame > fixed ? maxFrame - fixed : 0;
}

}  // namespace

std::vector<std::vector<Record>> SplitRecords(std::vector<Record> records, const FieldList& list,
                                              uint32_t version, uint32_t maxFrame,
                                              size_t otherBytes) {
  const size_t budget = RecordBudget(maxFrame, otherBytes);
  const size_t n = FieldsAt(list, version);
  std::vector<std::vector<Record>> runs;
  std::vector<Record> run;
  size_t used = 0;
  std::string scratch, err;
  for (Record& r : records) {
    scratch.clear();
    EncodeFields(list, n, r, version, scratch, err, "record");  // a mismatch: Encode says so
    if (!run.empty() && (used + scratch.size() > budget || run.size() == kMaxListItems)) {
      runs.push_back(std::move(run));
      run.clear();
      used = 0;
    }
    used += scratch.size();
    run.push_back(std::move(r));
  }
  if (!run.empty()) runs.push_back(std::move(run));
  return runs;
}

std::vector<PackedRecords> SplitRecords(PackedRecords records, const FieldList& list, uint32_t version,
                                        uint32_t maxFrame, size_t otherBytes) {
  const size_t budget = RecordBudget(maxFrame, otherBytes);
  const size_t bytes = PackedWireBytes(list, FieldsAt(list, version));
  const size_t count = records.size();
  std::vector<PackedRecords> runs;
  if (count == 0) return runs;
  // A record too big for any frame goes alone (its Encode then says TooBig).
  const size_t per = std::max<size_t>(1, std::min<size_t>(bytes ? budget / bytes : kMaxListItems, kMaxListItems));
  if (per >= count) {
    runs.push_back(std::move(records));
    return runs;
  }
  for (size_t at = 0; at < count; at += per) {
    const size_t take = std::min(per, count - at);
    PackedRecords run;
    run.stride = records.stride;
    run.slots.assign(records[at], records[at] + take * records.stride);
    runs.push_back(std::move(run));
  }
  return runs;
}

std::vector<Record> Unpack(const PackedRecords& p, const FieldList& record, uint32_t version) {
  const size_t n = FieldsAt(record, version);
  std::vector<Record> out(p.size());
  for (size_t k = 0; k < out.size(); ++k) {
    const uint32_t* slot = p[k];
    out[k].reserve(n);
    for (size_t i = 0; i < n; ++i) {
      if (record[i].kind == Kind::U32) {
        out[k].push_back(Value::Num(*slot++));
      } else {
        out[k].push_back(Value::Bytes(slot, kPackedBlobBytes));
        slot += kPackedBlobSlots;
      }
    }
  }
  return out;
}

bool Pack(const std::vector<Record>& records, const FieldList& record, PackedRecords& out, std::string& err) {
  if (!Packable(record)) {
    err = "records of fields other than u32 and blob cannot be packed";
    return false;
  }
  out = NewPacked(record, records.size());
  for (size_t k = 0; k < records.size(); ++k) {
    const Record& r = records[k];
    if (r.size() > record.size()) {
      err = "record " + std::to_string(k) + " has more fields than its list";
      return false;
    }
    uint32_t* slot = out[k];
    for (size_t i = 0; i < r.size(); ++i) {
      const FieldSpec& f = record[i];
      if (f.kind == Kind::U32) {
        const auto* n = std::get_if<uint64_t>(&r[i].v);
        if (!n || *n > 0xFFFFFFFFu) {
          err = std::string("field '") + f.name + "' is not a valid u32";
          return false;
        }
        *slot++ = static_cast<uint32_t>(*n);
        continue;
      }
      const auto* b = std::get_if<std::string>(&r[i].v);
      if (!b || b->size() != kPackedBlobBytes) {
        err = BlobSizeError(f, b ? b->size() : 0);
        return false;
      }
      std::memcpy(slot, b->data(), kPackedBlobBytes);
      slot += kPackedBlobSlots;
    }
  }
  return true;
}

bool DecodeBody(const char* data, size_t n, Message& m, std::string& err, uint32_t version) {
  err.clear();  // DecodeFields only fills an empty err: drop a caller's earlier text
  if (n < kHeaderSize - 4) {
    err = "frame shorter than its header";
    return false;
  }
  m = Message{};
  m.type = static_cast<MsgType>(GetU16(data));
  m.flags = GetU16(data + 2);
  m.id = GetU32(data + 4);
  if (m.flags & ~uint16_t(kFlagReply)) {
    err = "unknown frame flags " + std::to_string(m.flags);
    return false;
  }
  const MessageSpec* spec = FindSpec(m.type);
  if (!spec) {
    err = "unknown message type " + std::to_string(static_cast<unsigned>(m.type));
    return false;
  }
  Reader r(data + 8, n - 8);
  if (m.IsReply()) {
    if (!r.U32(m.status) || !r.Bytes(m.error)) {
      err = std::string(spec->name) + " reply: truncated status";
      return false;
    }
  }
  if (spec->since > version) {
    err = std::string("'") + spec->name + "' is not in wire version " + std::to_string(version);
    return false;
  }
  const FieldList& fields = *FieldsOf(m);
  if (!DecodeFields(fields, FieldsAt(fields, version), version, r, m.fields, err)) {
    err = std::string(spec->name) + ": " + err;
    return false;
  }
  // What follows the fields of this version is a later version's: skipped, and counted.
  m.unknownBytes = static_cast<uint32_t>(r.Left());
  return true;
}

DecodeStatus FrameDecoder::Next(Message& out, std::string& err) {
  const size_t avail = buf_.size() - pos_;
  if (avail < 4) return DecodeStatus::NeedMore;
  const uint32_t len = GetU32(buf_.data() + pos_);
  if (len > maxFrame_) {
    err = "frame of " + std::to_string(len) + " bytes exceeds the cap of " +
          std::to_string(maxFrame_);
    return DecodeStatus::Error;
  }
  if (avail - 4 < len) return DecodeStatus::NeedMore;
  const bool ok = DecodeBody(buf_.data() + pos_ + 4, len, out, err, version_);
  pos_ += 4 + size_t(len);
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > (64u << 10) && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  return ok ? DecodeStatus::Ok : DecodeStatus::Error;
}

}  // namespace rrasbridge::wire
