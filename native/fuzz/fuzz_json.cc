// libFuzzer target: the strict JSON reader over arbitrary bytes.
// Properties: no crash or sanitizer report; an error names a byte offset; an accepted document
// nests at most 32 containers; when the input is ASCII (so every non-ASCII character came from
// a \u escape) every string is valid UTF-8; writing it back out and reading that again gives
// an equal value.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "../common/json.h"

using rrasbridge::json::Value;
using Type = rrasbridge::json::Value::Type;

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz_json: property violated: %s %s\n", what, detail.c_str());
  std::abort();
}

void WriteString(const std::string& s, std::string& o) {
  o += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += char(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      o += buf;
    } else {
      o += char(c);
    }
  }
  o += '"';
}

void Write(const Value& v, std::string& o) {
  switch (v.type) {
    case Type::Null: o += "null"; break;
    case Type::Bool: o += v.boolean ? "true" : "false"; break;
    case Type::Number: {
      if (std::isnan(v.number)) Fail("NaN accepted");
      if (std::isinf(v.number)) {
        o += v.number > 0 ? "1e999" : "-1e999";
        break;
      }
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", v.number);
      o += buf;
      break;
    }
    case Type::String: WriteString(v.string, o); break;
    case Type::Array:
      o += '[';
      for (size_t i = 0; i < v.array.size(); ++i) {
        if (i) o += ',';
        Write(v.array[i], o);
      }
      o += ']';
      break;
    case Type::Object: {
      o += '{';
      bool first = true;
      for (const auto& kv : v.object) {
        if (!first) o += ',';
        first = false;
        WriteString(kv.first, o);
        o += ':';
        Write(kv.second, o);
      }
      o += '}';
      break;
    }
  }
}

bool Same(const Value& a, const Value& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case Type::Null: return true;
    case Type::Bool: return a.boolean == b.boolean;
    case Type::Number:
      return a.number == b.number && std::signbit(a.number) == std::signbit(b.number);
    case Type::String: return a.string == b.string;
    case Type::Array:
      if (a.array.size() != b.array.size()) return false;
      for (size_t i = 0; i < a.array.size(); ++i)
        if (!Same(a.array[i], b.array[i])) return false;
      return true;
    case Type::Object: {
      if (a.object.size() != b.object.size()) return false;
      auto i = a.object.begin();
      auto j = b.object.begin();
      for (; i != a.object.end(); ++i, ++j)
        if (i->first != j->first || !Same(i->second, j->second)) return false;
      return true;
    }
  }
  return false;
}

// Strict UTF-8: shortest form, no surrogates, at most U+10FFFF.
bool ValidUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    size_t len;
    uint32_t cp;
    if (c < 0x80) len = 1, cp = c;
    else if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07;
    else return false;
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3F);
    }
    static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

bool AllUtf8(const Value& v) {
  if (v.type == Type::String && !ValidUtf8(v.string)) return false;
  for (const Value& e : v.array)
    if (!AllUtf8(e)) return false;
  for (const auto& kv : v.object)
    if (!ValidUtf8(kv.first) || !AllUtf8(kv.second)) return false;
  return true;
}

int Depth(const Value& v) {
  int d = 0;
  for (const Value& e : v.array) d = std::max(d, Depth(e));
  for (const auto& kv : v.object) d = std::max(d, Depth(kv.second));
  return (v.type == Type::Array || v.type == Type::Object) ? d + 1 : d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  Value v;
  std::string err;
  if (!rrasbridge::json::Parse(text, v, err)) {
    if (err.find(" at byte ") == std::string::npos) Fail("error without an offset:", err);
    return 0;
  }
  if (Depth(v) > 32) Fail("nesting deeper than 32 accepted");
  if (std::all_of(text.begin(), text.end(), [](char c) { return (c & 0x80) == 0; }) && !AllUtf8(v))
    Fail("escapes produced invalid UTF-8");
  std::string out;
  Write(v, out);
  Value back;
  if (!rrasbridge::json::Parse(out, back, err)) Fail("re-read failed:", err + " in " + out);
  if (!Same(v, back)) Fail("re-read differs:", out);
  // Canonical output is a fixed point.
  std::string out2;
  Write(back, out2);
  if (out2 != out) Fail("writer not stable");
  return 0;
}
