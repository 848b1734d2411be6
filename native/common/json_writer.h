// Writes JSON text: an object/array builder with string escaping, for the documents the
// library hands out (the admin endpoint's status and trace records). json.h is the reader.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace rrasbridge::json {

// Appends the UTF-8 encoding of a code point (up to U+10FFFF).
void AppendUtf8(std::string& out, uint32_t codePoint);
// UTF-16 as UTF-8; an unpaired surrogate becomes U+FFFD.
std::string Utf16ToUtf8(const std::u16string& s);

// Appends s as a JSON string literal. Bytes that are not valid UTF-8 become U+FFFD, so the
// document is always valid JSON whatever a protocol logs or names.
void AppendQuoted(std::string& out, const std::string& s);

// Appends members and elements, inserting the commas. Keys are written as given (callers
// pass literals); values are escaped.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  Writer& Open() { return Punct('{', true); }
  Writer& Close() { return Punct('}', false); }
  Writer& OpenArray() { return Punct('[', true); }
  Writer& CloseArray() { return Punct(']', false); }
  // A member key; the next call writes its value.
  Writer& Key(const char* k) {
    Sep();
    AppendQuoted(out_, k);
    out_ += ':';
    afterKey_ = true;
    return *this;
  }
  Writer& Object(const char* k) { return Key(k).Open(); }
  Writer& Array(const char* k) { return Key(k).OpenArray(); }

  Writer& Str(const std::string& v) {
    Sep();
    AppendQuoted(out_, v);
    return *this;
  }
  Writer& Num(uint64_t v) { return Raw(std::to_string(v)); }
  Writer& Int(int64_t v) { return Raw(std::to_string(v)); }
  Writer& Real(double v, int decimals = 3) {
    char b[64];
    std::snprintf(b, sizeof b, "%.*f", decimals, v);
    return Raw(b);
  }
  Writer& Bool(bool v) { return Raw(v ? "true" : "false"); }
  Writer& Null() { return Raw("null"); }

  Writer& Str(const char* k, const std::string& v) { return Key(k).Str(v); }
  Writer& Num(const char* k, uint64_t v) { return Key(k).Num(v); }
  Writer& Int(const char* k, int64_t v) { return Key(k).Int(v); }
  Writer& Real(const char* k, double v, int decimals = 3) { return Key(k).Real(v, decimals); }
  Writer& Bool(const char* k, bool v) { return Key(k).Bool(v); }

 private:
  Writer& Raw(const std::string& text) {
    Sep();
    out_ += text;
    return *this;
  }
  void Sep() {
    if (afterKey_) {
      afterKey_ = false;
      return;
    }
    if (needComma_) out_ += ',';
    needComma_ = true;
  }
  Writer& Punct(char c, bool opens) {
    if (opens) Sep();
    out_ += c;
    needComma_ = !opens;
    return *this;
  }

  std::string& out_;
  bool needComma_ = false;
  bool afterKey_ = false;
};

}  // namespace rrasbridge::json
