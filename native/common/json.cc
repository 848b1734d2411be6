#include "json.h"

#include <cstdlib>

#include "json_writer.h"

namespace rrasbridge::json {
namespace {

constexpr int kMaxDepth = 32;

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}

  bool Document(Value& out, std::string& err) {
    if (!Parse(out, 0)) {
      err = err_ + " at byte " + std::to_string(i_);
      return false;
    }
    Ws();
    if (i_ != s_.size()) {
      err = "trailing characters at byte " + std::to_string(i_);
      return false;
    }
    return true;
  }

 private:
  bool Fail(const char* what) {
    err_ = what;
    return false;
  }
  void Ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool Lit(const char* w) {
    size_t n = std::char_traits<char>::length(w);
    if (s_.compare(i_, n, w) != 0) return false;
    i_ += n;
    return true;
  }

  bool Parse(Value& v, int depth) {
    Ws();
    if (i_ >= s_.size()) return Fail("unexpected end");
    char c = s_[i_];
    if ((c == '{' || c == '[') && depth >= kMaxDepth) return Fail("nesting too deep");
    if (c == '{') return Obj(v, depth);
    if (c == '[') return Arr(v, depth);
    if (c == '"') {
      v.type = Value::Type::String;
      return Str(v.string);
    }
    if (Lit("true")) {
      v.type = Value::Type::Bool;
      v.boolean = true;
      return true;
    }
    if (Lit("false")) {
      v.type = Value::Type::Bool;
      return true;
    }
    if (Lit("null")) return true;
    return Num(v);
  }

  bool Digit() const { return i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; }
  bool Digits() {  // one or more
    if (!Digit()) return false;
    while (Digit()) ++i_;
    return true;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool Num(Value& v) {
    size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (i_ == start && !Digit()) return Fail("unexpected character");
    if (i_ < s_.size() && s_[i_] == '0') {
      ++i_;
      if (Digit()) return Fail("bad number (leading zero)");
    } else if (!Digits()) {
      return Fail("bad number");
    }
    if (i_ < s_.size() && s_[i_] == '.' && (++i_, !Digits())) return Fail("bad number");
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (!Digits()) return Fail("bad number");
    }
    std::string tok = s_.substr(start, i_ - start);
    char* end = nullptr;
    v.number = std::strtod(tok.c_str(), &end);
    if (end != tok.c_str() + tok.size()) return Fail("bad number");
    v.type = Value::Type::Number;
    return true;
  }

  bool Hex4(unsigned& cp) {
    if (i_ + 4 > s_.size()) return Fail("bad \\u escape");
    cp = 0;
    for (int k = 0; k < 4; ++k) {
      char h = s_[i_++];
      cp <<= 4;
      if (h >= '0' && h <= '9') cp |= unsigned(h - '0');
      else if (h >= 'a' && h <= 'f') cp |= unsigned(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') cp |= unsigned(h - 'A' + 10);
      else return Fail("bad \\u escape");
    }
    return true;
  }

  bool Str(std::string& out) {
    ++i_;  // opening quote
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return Fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) break;
      char e = s_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp;
          if (!Hex4(cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail("lone surrogate");
          if (cp >= 0xD800 && cp < 0xDC00) {
            if (!Lit("\\u")) return Fail("lone surrogate");
            unsigned lo;
            if (!Hex4(lo)) return false;
            if (lo < 0xDC00 || lo > 0xDFFF) return Fail("bad surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          AppendUtf8(out, cp);
          break;
        }
        default: return Fail("bad escape");
      }
    }
    return Fail("unterminated string");
  }

  bool Arr(Value& v, int depth) {
    v.type = Value::Type::Array;
    ++i_;
    Ws();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return true;
    }
    for (;;) {
      v.array.emplace_back();
      if (!Parse(v.array.back(), depth + 1)) return false;
      Ws();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == ']') {
        ++i_;
        return true;
      }
      return Fail("expected ',' or ']'");
    }
  }

  bool Obj(Value& v, int depth) {
    v.type = Value::Type::Object;
    ++i_;
    Ws();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return true;
    }
    for (;;) {
      Ws();
      if (i_ >= s_.size() || s_[i_] != '"') return Fail("expected a key");
      std::string key;
      if (!Str(key)) return false;
      Ws();
      if (i_ >= s_.size() || s_[i_] != ':') return Fail("expected ':'");
      ++i_;
      auto slot = v.object.emplace(std::move(key), Value{});
      if (!slot.second) return Fail("duplicate key");
      if (!Parse(slot.first->second, depth + 1)) return false;
      Ws();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
        return true;
      }
      return Fail("expected ',' or '}'");
    }
  }

  const std::string& s_;
  size_t i_ = 0;
  std::string err_;
};

}  // namespace

bool Parse(const std::string& text, Value& out, std::string& err) {
  out = Value{};
  return Parser(text).Document(out, err);
}

}  // namespace rrasbridge::json
