// Unit tests of the strict JSON reader (json.cc).
#include <cmath>
#include <string>

#include "../common/json.h"
#include "check.h"

using rrasbridge::json::Parse;
using rrasbridge::json::Value;
using Type = rrasbridge::json::Value::Type;

namespace {

bool Ok(const std::string& text, Value& v) {
  std::string err;
  const bool ok = Parse(text, v, err);
  if (!ok) std::fprintf(stderr, "     parse error for %s: %s\n", text.c_str(), err.c_str());
  return ok;
}

bool Ok(const std::string& text) {
  Value v;
  return Ok(text, v);
}

// Fails with an error containing `want` (and naming a byte offset).
bool Fails(const std::string& text, const std::string& want) {
  Value v;
  std::string err;
  if (Parse(text, v, err)) {
    std::fprintf(stderr, "     accepted: %s\n", text.c_str());
    return false;
  }
  if (err.find(want) == std::string::npos || err.find("at byte ") == std::string::npos) {
    std::fprintf(stderr, "     error for %s: '%s', wanted '%s'\n", text.c_str(), err.c_str(),
                 want.c_str());
    return false;
  }
  return true;
}

bool Rejected(const std::string& text) {
  Value v;
  std::string err;
  return !Parse(text, v, err);
}

std::string Nest(int depth, const std::string& inner, char open = '[', char close = ']') {
  return std::string(size_t(depth), open) + inner + std::string(size_t(depth), close);
}

void TestValidDocuments() {
  Value v;
  CHECK(Ok(" { \"protocols\" : [ { \"protocolId\": 1, \"module\": \"./m.js\", \"on\": true,"
           " \"off\": false, \"none\": null, \"nested\": {\"a\": [1, [2, []], {}]} } ] }\r\n\t",
           v));
  CHECK(v.type == Type::Object && v.object.size() == 1);
  const Value* list = v.Get("protocols");
  CHECK(list && list->type == Type::Array && list->array.size() == 1);
  const Value& p = list->array[0];
  CHECK(p.Get("protocolId") && p.Get("protocolId")->type == Type::Number &&
        p.Get("protocolId")->number == 1);
  CHECK(p.Get("module") && p.Get("module")->string == "./m.js");
  CHECK(p.Get("on") && p.Get("on")->type == Type::Bool && p.Get("on")->boolean);
  CHECK(p.Get("off") && p.Get("off")->type == Type::Bool && !p.Get("off")->boolean);
  CHECK(p.Get("none") && p.Get("none")->type == Type::Null);
  CHECK(p.Get("missing") == nullptr);
  const Value* nested = p.Get("nested");
  CHECK(nested && nested->Get("a") && nested->Get("a")->array.size() == 3);
  CHECK(nested->Get("a")->array[1].array[1].type == Type::Array);
  CHECK(nested->Get("a")->array[2].type == Type::Object);

  // Scalars as whole documents.
  CHECK(Ok("true", v) && v.type == Type::Bool && v.boolean);
  CHECK(Ok("null", v) && v.type == Type::Null);
  CHECK(Ok("  \"s\"  ", v) && v.string == "s");
  CHECK(Ok("[]", v) && v.type == Type::Array && v.array.empty());
  CHECK(Ok("{}", v) && v.type == Type::Object && v.object.empty());
  CHECK(Ok("{\"\":0}", v) && v.Get("") != nullptr);
  // Get on a non-object.
  CHECK(Ok("[1]", v) && v.Get("0") == nullptr);
  // Parse resets the output value.
  CHECK(Ok("{\"a\":1}", v) && Ok("[2]", v) && v.type == Type::Array && v.object.empty());
}

void TestStrings() {
  Value v;
  CHECK(Ok(R"("\" \\ \/ \b \f \n \r \t")", v) && v.string == "\" \\ / \b \f \n \r \t");
  CHECK(Ok(R"("\u0041\u00e9\u20AC")", v) && v.string == "A\xC3\xA9\xE2\x82\xAC");
  CHECK(Ok(R"("\u0000")", v) && v.string == std::string(1, '\0'));
  CHECK(Ok(R"("\uD83D\uDE00")", v) && v.string == "\xF0\x9F\x98\x80");  // surrogate pair
  CHECK(Ok(R"("\udbff\udfff")", v) && v.string == "\xF4\x8F\xBF\xBF");  // U+10FFFF
  CHECK(Ok(R"("\uFFFF")", v) && v.string == "\xEF\xBF\xBF");
  CHECK(Ok("\"h\xC3\xA9llo \xF0\x9F\x98\x80\"", v) && v.string == "h\xC3\xA9llo \xF0\x9F\x98\x80");
  CHECK(Ok("\"\x7F\"", v) && v.string == "\x7F");  // DEL is not a control character in JSON
}

void TestStringErrors() {
  CHECK(Fails("\"abc", "unterminated string"));
  CHECK(Fails("\"abc\\", "unterminated string"));
  CHECK(Fails("{\"key", "unterminated string"));
  CHECK(Fails("\"", "unterminated string"));
  CHECK(Fails(R"("\x")", "bad escape"));
  CHECK(Fails(R"("\a")", "bad escape"));
  CHECK(Fails(R"("\U0041")", "bad escape"));
  CHECK(Fails(R"("\'")", "bad escape"));
  CHECK(Fails(R"("\u12")", "bad \\u escape"));
  CHECK(Fails(R"("\u12G4")", "bad \\u escape"));
  CHECK(Fails(R"("\u")", "bad \\u escape"));
  CHECK(Fails("\"\\u00", "bad \\u escape"));
  // Surrogates: a high one must be followed by a low one, a low one must follow a high one.
  CHECK(Fails(R"("\uD83D\u0041")", "surrogate"));
  CHECK(Fails(R"("\uD83D\uD83D")", "surrogate"));
  CHECK(Fails(R"("\uD83D\uZZZZ")", "bad \\u escape"));
  CHECK(Fails(R"("\uD83D")", "surrogate"));
  CHECK(Fails(R"("\uD83Dx")", "surrogate"));
  CHECK(Fails(R"("\uD83D\n")", "surrogate"));
  CHECK(Fails(R"("\uDE00")", "surrogate"));
  CHECK(Fails(R"("\uDE00\uD83D")", "surrogate"));
  // Raw control characters in strings.
  for (int c = 0; c < 0x20; ++c)
    CHECK(Fails(std::string("\"a") + char(c) + "b\"", "control character in string"));
  CHECK(Fails("{\"a\nb\":1}", "control character in string"));
}

void TestStructureErrors() {
  CHECK(Fails("", "unexpected end"));
  CHECK(Fails("   ", "unexpected end"));
  CHECK(Fails("[", "unexpected end"));
  CHECK(Fails("[1", "expected ',' or ']'"));
  CHECK(Fails("[1,", "unexpected end"));
  CHECK(Fails("[1,]", "unexpected character"));
  CHECK(Fails("[1 2]", "expected ',' or ']'"));
  CHECK(Fails("{", "expected a key"));
  CHECK(Fails("{\"a\"", "expected ':'"));
  CHECK(Fails("{\"a\" 1}", "expected ':'"));
  CHECK(Fails("{\"a\":", "unexpected end"));
  CHECK(Fails("{\"a\":1", "expected ',' or '}'"));
  CHECK(Fails("{\"a\":1,}", "expected a key"));
  CHECK(Fails("{a:1}", "expected a key"));
  CHECK(Fails("{'a':1}", "expected a key"));
  CHECK(Fails("{1:1}", "expected a key"));
  CHECK(Fails("['a']", "unexpected character"));
  CHECK(Fails("tru", "unexpected character"));
  CHECK(Fails("nul", "unexpected character"));
  CHECK(Fails("True", "unexpected character"));
  CHECK(Fails("undefined", "unexpected character"));
  CHECK(Fails("// c\n1", "unexpected character"));
  CHECK(Fails("/* c */ 1", "unexpected character"));
  CHECK(Fails("\xEF\xBB\xBF{}", "unexpected character"));  // BOM
  CHECK(Fails("\v1", "unexpected character"));  // not JSON whitespace
  // A key may appear once.
  CHECK(Fails(R"({"a":"x","a":"y"})", "duplicate key"));
  CHECK(Fails(R"({"a":[1],"b":0,"a":[2]})", "duplicate key"));
  CHECK(Fails(R"({"o":{"a":1,"a":1}})", "duplicate key"));
  CHECK(Ok(R"({"a":{"a":1},"b":{"a":2}})"));
}

void TestTrailingData() {
  CHECK(Fails("{} {}", "trailing characters"));
  CHECK(Fails("[]]", "trailing characters"));
  CHECK(Fails("1 2", "trailing characters"));
  CHECK(Fails("null x", "trailing characters"));
  CHECK(Fails("truex", "trailing characters"));
  CHECK(Fails(std::string("{}\0", 3), "trailing characters"));
  Value v;
  std::string err;
  CHECK(!Parse("[1]  ,", v, err) && err == "trailing characters at byte 5");
  CHECK(Ok("{}  \n\r\t "));
}

void TestDepth() {
  // 32 nested containers are fine, 33 are not, whatever they hold.
  CHECK(Ok(Nest(32, "")));
  CHECK(Ok(Nest(32, "1")));
  CHECK(Ok(Nest(31, "{\"a\":1}")));
  CHECK(Ok(Nest(32, "\"s\"")));
  CHECK(Fails(Nest(33, ""), "nesting too deep"));
  CHECK(Fails(Nest(33, "1"), "nesting too deep"));
  CHECK(Fails(Nest(32, "{}"), "nesting too deep"));
  std::string objs;
  for (int i = 0; i < 33; ++i) objs += "{\"a\":";
  CHECK(Fails(objs + "1" + std::string(33, '}'), "nesting too deep"));
  CHECK(Ok(objs.substr(5) + "1" + std::string(32, '}')));
  // Deep garbage is refused without recursing far.
  CHECK(Fails(std::string(100000, '['), "nesting too deep"));
  CHECK(Fails(std::string(100000, '{'), "expected a key"));
  std::string deepObj;
  for (int i = 0; i < 100000; ++i) deepObj += "{\"a\":";
  CHECK(Fails(deepObj, "nesting too deep"));
}

void TestNumbers() {
  struct {
    const char* text;
    double value;
  } ok[] = {
      {"0", 0},         {"-0", -0.0},       {"1", 1},          {"-1", -1},
      {"4294967295", 4294967295.0},         {"1.5", 1.5},      {"-0.25", -0.25},
      {"1e3", 1000},    {"1E3", 1000},      {"1e+3", 1000},    {"1e-3", 0.001},
      {"2.5E-1", 0.25}, {"0.0", 0},         {"0e0", 0},        {"10", 10},
      {"123456789012345678901234567890", 123456789012345678901234567890.0},
  };
  for (const auto& c : ok) {
    Value v;
    CHECK(Ok(c.text, v) && v.type == Type::Number && v.number == c.value);
  }
  Value v;
  CHECK(Ok("-0", v) && std::signbit(v.number));
  CHECK(Ok("[0,-1,2.5e2]", v) && v.array.size() == 3 && v.array[2].number == 250);
  CHECK(Ok("{\"n\":-12}", v) && v.Get("n")->number == -12);
  CHECK(Ok("1e400", v) && std::isinf(v.number));  // grammatical; range is the caller's check
  CHECK(Ok("1e-400", v) && v.number == 0);

  // Not JSON numbers.
  for (const char* bad : {"-", "--1", "-a", "1.", "1.e5", "1e", "1e+", "1E-", "01", "-01", "00",
                          "1.2.3", "1e5e5", "1-2", "1+2", "0x10"})
    CHECK_MSG(Rejected(bad), bad);
  for (const char* bad : {".5", "+1", "-.5", "NaN", "Infinity", "-Infinity", "e5", "[.5]", "[+1]"})
    CHECK_MSG(Rejected(bad), bad);
  CHECK(Fails("01", "bad number"));
  CHECK(Fails("[1.]", "bad number"));
  CHECK(Fails("{\"a\":1e}", "bad number"));
}

void TestErrorOffsets() {
  Value v;
  std::string err;
  CHECK(!Parse("[1, \"x\\q\"]", v, err) && err == "bad escape at byte 8");
  CHECK(!Parse("{\"a\": tru}", v, err) && err == "unexpected character at byte 6");
}

}  // namespace

int main() {
  TestValidDocuments();
  TestStrings();
  TestStringErrors();
  TestStructureErrors();
  TestTrailingData();
  TestDepth();
  TestNumbers();
  TestErrorOffsets();
  return rrasbridge::test::Finish();
}
