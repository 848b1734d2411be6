// Writes the seed corpora of the fuzz targets: make_seeds <dir> creates <dir>/fuzz_wire,
// <dir>/fuzz_json and <dir>/fuzz_info_block. Wire seeds come from the codec itself, so they
// follow the catalogue (schema.h): every message at the oldest version, and those that grew
// since also at the newest (read by decoders of both). Run by `node scripts/fuzz.js --write-seeds`; the output is
// committed under native/fuzz/corpus/.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../common/info_block.h"
#include "../common/wire.h"

using namespace rrasbridge::wire;
namespace fs = std::filesystem;

namespace {

fs::path g_root;
int g_files = 0;

void Put(const char* target, const std::string& name, const std::string& bytes) {
  const fs::path dir = g_root / target;
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
  ++g_files;
}

std::string U32s(std::initializer_list<uint32_t> vs) {
  std::string s;
  for (uint32_t v : vs)
    for (int i = 0; i < 4; ++i) s.push_back(char(v >> (8 * i)));
  return s;
}

Value Sample(const FieldSpec& f, uint32_t& n) {
  switch (f.kind) {
    case Kind::U32: return Value::Num(++n);
    case Kind::U64: return Value::Num(0x100000000ull + ++n);
    case Kind::Blob: return Value::Bytes(std::string("\x01\x00\xff", 3));
    case Kind::Text: return Value::Bytes("hi");
    case Kind::Utf16: return Value::Str16(u"if\U0001F600");
    case Kind::List: {
      std::vector<Record> items(2);
      for (Record& r : items)
        for (const FieldSpec& g : *f.record) r.push_back(Sample(g, n));
      return Value::List(std::move(items));
    }
  }
  return Value::Num(0);
}

std::vector<Value> Samples(const FieldList& spec) {
  uint32_t n = 0;
  std::vector<Value> v;
  for (const FieldSpec& f : spec) v.push_back(Sample(f, n));
  return v;
}

std::string Frames(const std::vector<Message>& ms, uint32_t version = kVersion) {
  std::string out, err;
  for (const Message& m : ms)
    if (Encode(m, out, err, version) != EncodeStatus::Ok) std::fprintf(stderr, "make_seeds: %s\n", err.c_str());
  return out;
}

// Frame from raw parts (for invalid seeds).
std::string Raw(uint16_t type, uint16_t flags, uint32_t id, const std::string& payload) {
  std::string body;
  body.push_back(char(type)), body.push_back(char(type >> 8));
  body.push_back(char(flags)), body.push_back(char(flags >> 8));
  body += U32s({id}) + payload;
  return U32s({uint32_t(body.size())}) + body;
}

// The fuzz target's control byte for a version: default cap, chunks of 4, and the version in
// the high nibble (its offset from the oldest).
std::string Control(uint32_t version) { return std::string(1, char(0x03 | (version - kMinVersion) << 4)); }

void WireSeeds() {
  const std::string ctl = Control(kMinVersion);
  for (const MessageSpec& s : AllSpecs()) {
    const Message req = Message::Request(s.type, 7, Samples(s.request));
    const std::vector<Message> frames = {req, Message::Reply(req, 0, "", Samples(s.reply)),
                                         Message::Reply(req, 1003, "failed"),
                                         Message::Request(s.type, 0, Samples(s.request))};
    // Every message at the oldest version that has it (the admin endpoint's: version 3).
    const uint32_t first = std::max(kMinVersion, s.since);
    Put("fuzz_wire", std::string(s.name) + ".bin", Control(first) + Frames(frames, first));
    // A message that grew since: its newest frames, read at its first version too.
    bool grew = false;
    for (const FieldList* f : {&s.request, &s.reply}) grew = grew || FieldsAt(*f, first) != f->size();
    if (grew) {
      Put("fuzz_wire", std::string(s.name) + "_v" + std::to_string(kVersion) + ".bin", Control(kVersion) + Frames(frames, kVersion));
      Put("fuzz_wire", std::string(s.name) + "_newer.bin", Control(first) + Frames(frames, kVersion));
    }
  }
  Put("fuzz_wire", "bad_unknown_type.bin", ctl + Raw(999, 0, 1, ""));
  Put("fuzz_wire", "bad_flags.bin", ctl + Raw(22, 2, 1, U32s({1})));
  Put("fuzz_wire", "bad_truncated_text.bin", ctl + Raw(40, 0, 1, U32s({1, 9}) + "abc"));
  Put("fuzz_wire", "unknown_trailing.bin", ctl + Raw(22, 0, 1, U32s({1}) + "x"));
  Put("fuzz_wire", "bad_list_count.bin", ctl + Raw(41, 1, 1, U32s({0, 0, 1000, 1})));
  Put("fuzz_wire", "bad_short_header.bin", ctl + U32s({4}) + "\x16\x00\x00\x00");
  Put("fuzz_wire", "bad_over_cap.bin", "\x80" + Raw(40, 0, 1, U32s({1, 60}) + std::string(60, 'x')));
  Put("fuzz_wire", "partial_frame.bin", ctl + Raw(22, 0, 1, U32s({1})).substr(0, 10));
}

void JsonSeeds() {
  Put("fuzz_json", "config.json",
      "{\n  \"protocols\": [\n    {\n      \"protocolId\": 723386369,\n      \"name\": \"static-routes\",\n"
      "      \"module\": \"/opt/p/index.js\",\n      \"hostTimeoutMs\": 5000,\n      \"logFile\": null\n"
      "    }\n  ]\n}\n");
  Put("fuzz_json", "values.json",
      "[true,false,null,0,-0,1.5e-3,-12E+2,4294967295,\"\",{},[],{\"a\":{\"b\":[1,[2]]}}]");
  Put("fuzz_json", "escapes.json", R"({"s":"\"\\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00","k\u0000":1})");
  Put("fuzz_json", "deep.json", std::string(32, '[') + "1" + std::string(32, ']'));
  Put("fuzz_json", "utf8.json", "\"h\xC3\xA9llo \xF0\x9F\x98\x80\"");
  Put("fuzz_json", "bad_too_deep.json", std::string(33, '[') + std::string(33, ']'));
  Put("fuzz_json", "bad_trailing_comma.json", "{\"a\":[1,2,],}");
  Put("fuzz_json", "bad_lone_surrogate.json", R"(["\ud800", "\udc00x"])");
  Put("fuzz_json", "bad_duplicate_key.json", R"({"a":1,"a":2})");
  Put("fuzz_json", "bad_numbers.json", "[01,1.,.5,+1,1e,-]");
  Put("fuzz_json", "bad_control.json", "\"a\tb\"");
  Put("fuzz_json", "bad_unterminated.json", "{\"key\":\"val");
}

std::string Block(const std::vector<std::vector<uint32_t>>& toc, uint32_t size,
                  uint32_t version = 1) {
  std::string b = U32s({version, size, uint32_t(toc.size())});
  for (const auto& e : toc) b += U32s({e[0], e[1], e[2], e[3]});
  for (size_t i = b.size(); i < size; ++i) b.push_back(char(0xA0 + i % 16));
  return b;
}

void InfoBlockSeeds() {
  Put("fuzz_info_block", "empty.bin", Block({}, 16));
  Put("fuzz_info_block", "one_entry.bin", Block({{0x2B1D0001, 4, 1, 32}}, 40));
  Put("fuzz_info_block", "ip_global.bin",
      Block({{0xFFFF0003, 8, 1, 64}, {0xFFFF0006, 8, 3, 72}, {0x2B1D0001, 0, 0, 96}}, 96));
  Put("fuzz_info_block", "over_allocated.bin", Block({{1, 3, 3, 32}}, 48) + std::string(16, '\0'));
  Put("fuzz_info_block", "bad_overlap.bin", Block({{1, 16, 1, 48}, {2, 8, 1, 56}}, 64));
  Put("fuzz_info_block", "bad_misaligned.bin", Block({{1, 4, 1, 36}}, 40));
  Put("fuzz_info_block", "bad_duplicate.bin", Block({{7, 4, 1, 48}, {7, 4, 1, 56}}, 64));
  Put("fuzz_info_block", "bad_overflow.bin", Block({{1, 0x10000, 0x10000, 32}}, 40));
  Put("fuzz_info_block", "bad_toc_count.bin", Block({}, 16).replace(8, 4, U32s({0x10000000})));
  // IP_ADAPTER_BINDING_INFO: AddressCount, RemoteAddress, Mtu, pad, Speed, {Address, Mask}[n].
  const std::string head = U32s({0, 0, 1500, 0, 1000000000, 0});
  Put("fuzz_info_block", "binding_unnumbered.bin", head);
  Put("fuzz_info_block", "binding_two.bin",
      U32s({2}) + head.substr(4) + U32s({0x0100000A, 0x00FFFFFF, 0x0101A8C0, 0x00FFFFFF}));
  Put("fuzz_info_block", "bad_binding_count.bin", U32s({4097}) + head.substr(4));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds <corpus-dir>\n");
    return 2;
  }
  g_root = argv[1];
  WireSeeds();
  JsonSeeds();
  InfoBlockSeeds();
  std::printf("make_seeds: wrote %d files under %s\n", g_files, argv[1]);
  return 0;
}
