#include "wire.h"

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
      auto* l = std::get_if<std::vector<Record>>(&v.v);
      if (!l || l->size() > kMaxListItems) break;
      PutU32(o, static_cast<uint32_t>(l->size()));
      const size_t n = FieldsAt(*f.record, version);
      for (const Record& r : *l)
        if (!EncodeFields(*f.record, n, r, version, o, err, f.name)) return false;
      return true;
    }
  }
  err = std::string("field '") + f.name + "' is not a valid " + KindName(f.kind);
  return false;
}

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
        if (!r.U32(n) || n > kMaxListItems || n > r.Left() / 4) break;
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

std::vector<std::vector<Record>> SplitRecords(std::vector<Record> records, const FieldList& list,
                                              uint32_t version, uint32_t maxFrame,
                                              size_t otherBytes) {
  // A frame's length counts type, flags and id, then the payload: the list's count and records.
  const size_t fixed = kHeaderSize - 4 + otherBytes + 4;
  const size_t budget = maxFrame > fixed ? maxFrame - fixed : 0;
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
