#include "convert.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <string_view>
#include <unordered_map>
#include <memory>
#include <utility>

namespace rrasbridge::addon {
namespace {

Napi::Value ValueToJs(Napi::Env env, const wire::FieldSpec& f, const wire::Value& v);

Napi::Object RecordToJs(Napi::Env env, const wire::FieldList& spec, const wire::Record& r) {
  ObjectBuilder o(env);
  for (size_t i = 0; i < spec.size() && i < r.size(); ++i) o.Add(spec[i].name, ValueToJs(env, spec[i], r[i]));
  return o.Build();
}

Napi::Uint32Array PackedToJs(Napi::Env env, const wire::PackedRecords& p) {
  Napi::Uint32Array a = Napi::Uint32Array::New(env, p.slots.size());
  if (!p.slots.empty()) std::memcpy(a.Data(), p.slots.data(), p.slots.size() * sizeof(uint32_t));
  return a;
}

Napi::Value ValueToJs(Napi::Env env, const wire::FieldSpec& f, const wire::Value& v) {
  switch (f.kind) {
    case wire::Kind::U32:
      return Napi::Number::New(env, static_cast<double>(std::get<uint64_t>(v.v)));
    case wire::Kind::U64:
      return Napi::BigInt::New(env, std::get<uint64_t>(v.v));
    case wire::Kind::Blob: {
      const auto& s = std::get<std::string>(v.v);
      return Napi::Buffer<char>::Copy(env, s.data(), s.size());
    }
    case wire::Kind::Text:
      return Napi::String::New(env, std::get<std::string>(v.v));
    case wire::Kind::Utf16:
      return Napi::String::New(env, std::get<std::u16string>(v.v));
    case wire::Kind::List: {
      // A list of records of u32 and blob fields (every list the library sends: route
      // statuses, best-route changes) arrives as packed records (wire.h, PackedRecords): one
      // Uint32Array copied from the codec's slots, no object per item (issue 12: 1M routes).
      if (const auto* p = std::get_if<wire::PackedRecords>(&v.v)) return PackedToJs(env, *p);
      const auto& l = std::get<std::vector<wire::Record>>(v.v);  // a list the codec cannot pack
      Napi::Array a = Napi::Array::New(env, l.size());
      for (size_t i = 0; i < l.size(); ++i) a.Set(i, RecordToJs(env, *f.record, l[i]));
      return a;
    }
  }
  return env.Undefined();
}

[[noreturn]] void Fail(Napi::Env env, const std::string& where, const char* name,
                       const char* expected) {
  throw Napi::TypeError::New(env, where + "." + name + " must be " + expected);
}

std::vector<wire::Value> RecordFromJs(Napi::Env env, const wire::FieldList& spec, size_t count,
                                      Napi::Value obj, const std::string& where, uint32_t version);

// A list given as packed records (wire.h, PackedRecords: this build's whole record, whatever
// the agreed version; the codec leaves out what that version lacks). ctx.routes encodes 1M
// routes this way in a tight loop; here they are one copy into the codec's slots. ta: what
// napi_get_typedarray_info said of the value (type, elements, data).
struct TypedArrayInfo {
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void* data = nullptr;
};

bool TypedArrayOf(napi_env env, napi_value v, TypedArrayInfo& ta) {
  bool is = false;
  return napi_is_typedarray(env, v, &is) == napi_ok && is &&
         napi_get_typedarray_info(env, v, &ta.type, &ta.length, &ta.data, nullptr, nullptr) == napi_ok;
}

wire::Value PackedFromJs(Napi::Env env, const wire::FieldSpec& f, const TypedArrayInfo& ta,
                         const std::string& where) {
  if (ta.type != napi_uint32_array) Fail(env, where, f.name, "an array or a Uint32Array of packed records");
  const wire::FieldList& rec = *f.record;
  if (!wire::Packable(rec)) Fail(env, where, f.name, "an array (its records cannot be packed)");
  const size_t stride = wire::PackedStride(rec);
  const size_t slots = ta.length;
  if (slots % stride != 0)
    Fail(env, where, f.name, ("packed records of " + std::to_string(stride) + " u32 each").c_str());
  if (slots / stride > wire::kMaxListItems) Fail(env, where, f.name, "at most 2^20 packed records");
  const uint32_t* data = static_cast<const uint32_t*>(ta.data);
  wire::PackedRecords packed{slots ? std::vector<uint32_t>(data, data + slots) : std::vector<uint32_t>(), stride};
  return wire::Value::Packed(std::move(packed));
}

wire::Value ValueFromJs(Napi::Env env, const wire::FieldSpec& f, Napi::Value v,
                        const std::string& where, uint32_t version) {
  switch (f.kind) {
    case wire::Kind::U32: {
      double d = -1;  // a number is read with one Node-API call (the common case, per route)
      const bool number = napi_get_value_double(env, v, &d) == napi_ok;
      if (!number && v.IsBoolean()) return wire::Value::Num(v.As<Napi::Boolean>().Value() ? 1 : 0);
      if (!number || d < 0 || d > 4294967295.0 || std::floor(d) != d)
        Fail(env, where, f.name, "an integer from 0 to 4294967295");
      return wire::Value::Num(static_cast<uint64_t>(d));
    }
    case wire::Kind::U64: {
      if (v.IsBigInt()) {
        bool lossless = false;
        uint64_t n = v.As<Napi::BigInt>().Uint64Value(&lossless);
        if (!lossless) Fail(env, where, f.name, "a BigInt from 0 to 2^64-1");
        return wire::Value::Num(n);
      }
      double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
      if (!v.IsNumber() || d < 0 || d > 9007199254740991.0 || std::floor(d) != d)
        Fail(env, where, f.name, "a BigInt or a safe non-negative integer");
      return wire::Value::Num(static_cast<uint64_t>(d));
    }
    case wire::Kind::Blob: {
      if (v.IsUndefined() || v.IsNull()) return wire::Value::Bytes(std::string());
      if (!v.IsTypedArray()) Fail(env, where, f.name, "a Buffer or Uint8Array");
      auto ta = v.As<Napi::TypedArray>();
      if (ta.TypedArrayType() != napi_uint8_array) Fail(env, where, f.name, "a Buffer or Uint8Array");
      auto u8 = v.As<Napi::Uint8Array>();
      return wire::Value::Bytes(u8.Data(), u8.ByteLength());
    }
    case wire::Kind::Text:
      if (!v.IsString()) Fail(env, where, f.name, "a string");
      return wire::Value::Bytes(v.As<Napi::String>().Utf8Value());
    case wire::Kind::Utf16:
      if (!v.IsString()) Fail(env, where, f.name, "a string");
      return wire::Value::Str16(v.As<Napi::String>().Utf16Value());
    case wire::Kind::List: {
      if (TypedArrayInfo ta; TypedArrayOf(env, v, ta)) return PackedFromJs(env, f, ta, where);
      if (!v.IsArray()) Fail(env, where, f.name, "an array or a Uint32Array of packed records");
      auto a = v.As<Napi::Array>();
      if (a.Length() > wire::kMaxListItems) Fail(env, where, f.name, "an array of at most 2^20 items");
      std::vector<wire::Record> items;
      items.reserve(a.Length());
      const size_t count = wire::FieldsAt(*f.record, version);
      for (uint32_t i = 0; i < a.Length(); ++i)
        items.push_back(RecordFromJs(env, *f.record, count, a.Get(i),
                                     where + "." + f.name + "[" + std::to_string(i) + "]", version));
      return wire::Value::List(std::move(items));
    }
  }
  Fail(env, where, f.name, "a known kind");
}

}  // namespace

namespace {

// A field list's reader (FieldsFromJs): `read(o)` copies o's number fields into `numbers`
// (the Float64Array `numbers` is a view of, kept alive by `store`) and returns its other
// fields' values in an array (true when the list has none), or false when a field is not of
// the common form; null `read` where none could be compiled.
struct FieldReader {
  Napi::FunctionReference read;
  Napi::Reference<Napi::Float64Array> store;
  const double* numbers = nullptr;
};

// What the addon keeps per environment (its instance data): the property names, and the
// message factories of CallWithMessage.
struct EnvCache {
  PropertyNames names;
  Napi::Reference<Napi::Array> factories;  // compiled functions (Node-API 8: objects only)
  std::unordered_map<uint64_t, uint32_t> factoryIndex;  // by FactoryKey: place in factories
  Napi::FunctionReference setImmediate;  // KeepTimers
  std::map<std::pair<const wire::FieldList*, size_t>, FieldReader> readers;  // FieldsFromJs, by list and count
};

EnvCache& CacheOf(Napi::Env env) {
  EnvCache* c = env.GetInstanceData<EnvCache>();
  if (!c) {
    c = std::make_unique<EnvCache>().release();  // owned by the environment: deleted at its teardown
    env.SetInstanceData(c);
  }
  return *c;
}

uint64_t FactoryKey(const wire::Message& m, size_t fields) {
  return (uint64_t(m.type) << 33) | (uint64_t(m.IsReply()) << 32) | fields;
}

// (cb, self, id[, status, error], f0, f1, ...) => cb.call(self, {event, message: {type, id,
// reply[, status, error], fields: {name0: f0, ...}}}), the property order of ToJs. Names are
// the schema's (ASCII identifiers), quoted.
std::string FactorySource(const char* type, bool reply, const wire::FieldList& spec, size_t fields) {
  std::string params = reply ? "cb, self, id, status, error" : "cb, self, id", props;
  for (size_t i = 0; i < fields; ++i) {
    params += ", f" + std::to_string(i);
    props += std::string(i ? ", " : "") + "\"" + spec[i].name + "\": f" + std::to_string(i);
  }
  return std::string("(function (") + params + ") { return cb.call(self, { event: 'message', message: { type: '" + type +
         "', id, reply: " + (reply ? "true, status, error" : "false") + ", fields: { " + props + " } } }); })";
}

// The factory for m's type and shape, compiled on first use; null where none can be (an
// environment that refuses to compile code): the caller builds the objects one by one.
napi_value Factory(Napi::Env env, const wire::Message& m, const wire::MessageSpec& spec,
                   const wire::FieldList& fields, size_t count) {
  EnvCache& c = CacheOf(env);
  if (c.factories.IsEmpty()) c.factories = Napi::Persistent(Napi::Array::New(env));
  const uint64_t key = FactoryKey(m, count);
  auto it = c.factoryIndex.find(key);
  napi_value fn = nullptr;
  if (it != c.factoryIndex.end()) {
    if (napi_get_element(env, c.factories.Value(), it->second, &fn) != napi_ok) return nullptr;
    return fn;
  }
  const std::string source = FactorySource(spec.name, m.IsReply(), fields, count);
  napi_value script;
  if (napi_create_string_utf8(env, source.data(), source.size(), &script) != napi_ok ||
      napi_run_script(env, script, &fn) != napi_ok) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
    return nullptr;
  }
  const uint32_t index = static_cast<uint32_t>(c.factoryIndex.size());
  c.factories.Value().Set(index, fn);
  c.factoryIndex.emplace(key, index);
  return fn;
}


// The source of the reader of fields[0, count): every field read once (a getter runs once),
// then checked for the form the host gives it (a u32 as a number that is one, a u64 as a safe
// integer, a blob as a Uint8Array or absent, a string, a list as packed records: the checks
// run no user code), anything else answered false so that the general path converts it and
// names what is wrong. The numbers are stored last: a getter that sends a message of its own
// (a nested read into the same scratch) is over by then.
std::string ReaderSource(const wire::FieldList& fields, size_t count) {
  std::string reads, checks, stores, others;
  for (size_t i = 0; i < count; ++i) {
    const wire::FieldSpec& f = fields[i];
    const std::string v = "v" + std::to_string(i);
    reads += (i ? ", " : "const ") + v + " = o[\"" + f.name + "\"]";
    switch (f.kind) {
      case wire::Kind::U32:
        checks += "if (typeof " + v + " !== 'number' || " + v + " >>> 0 !== " + v + ") return false;\n";
        stores += "n[" + std::to_string(i) + "] = " + v + ";\n";
        break;
      case wire::Kind::U64:
        checks += "if (typeof " + v + " !== 'number' || !(" + v + " >= 0 && " + v + " <= 9007199254740991 && " + v +
                  " % 1 === 0)) return false;\n";
        stores += "n[" + std::to_string(i) + "] = " + v + ";\n";
        break;
      case wire::Kind::Blob:  // the typed array's kind: checked natively
        checks += "if (" + v + " !== undefined && " + v + " !== null && !isView(" + v + ")) return false;\n";
        others += (others.empty() ? "" : ", ") + v;
        break;
      case wire::Kind::Text:
      case wire::Kind::Utf16:
        checks += "if (typeof " + v + " !== 'string') return false;\n";
        others += (others.empty() ? "" : ", ") + v;
        break;
      case wire::Kind::List:  // packed records; a list of objects takes the general path
        checks += "if (!isView(" + v + ")) return false;\n";
        others += (others.empty() ? "" : ", ") + v;
        break;
    }
  }
  return "(function (n) { const isView = ArrayBuffer.isView; return function (o) {\n"
         "if (typeof o !== 'object' || o === null) return false;\n" +
         reads + ";\n" + checks + stores + (others.empty() ? "return true;\n" : "return [" + others + "];\n") + "}; })";
}

// The reader of fields[0, count), compiled on first use; nullptr where it cannot be (an
// environment that refuses to compile code: the general path then serves).
const FieldReader* ReaderOf(Napi::Env env, const wire::FieldList& fields, size_t count) {
  EnvCache& c = CacheOf(env);
  auto [it, made] = c.readers.try_emplace({&fields, count});
  FieldReader& r = it->second;
  if (!made) return r.read.IsEmpty() ? nullptr : &r;
  const std::string source = ReaderSource(fields, count);
  napi_value script, outer, read, store, numbers;
  // Off the JS heap (napi_create_arraybuffer), so `numbers` stays where it is.
  void* data = nullptr;
  if (napi_create_string_utf8(env, source.data(), source.size(), &script) != napi_ok ||
      napi_run_script(env, script, &outer) != napi_ok ||
      napi_create_arraybuffer(env, std::max<size_t>(count, 1) * sizeof(double), &data, &store) != napi_ok ||
      napi_create_typedarray(env, napi_float64_array, std::max<size_t>(count, 1), store, 0, &numbers) != napi_ok ||
      napi_call_function(env, env.Undefined(), outer, 1, &numbers, &read) != napi_ok) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
    return nullptr;
  }
  r.read = Napi::Persistent(Napi::Function(env, read));
  r.store = Napi::Persistent(Napi::Float64Array(env, numbers));
  r.numbers = static_cast<const double*>(data);
  return &r;
}

// A string's UTF-8 bytes (as Napi::String::Utf8Value makes them), one Node-API call when it
// is short.
bool Utf8Of(napi_env env, napi_value v, std::string& out) {
  char buf[256];
  size_t n = 0;
  if (napi_get_value_string_utf8(env, v, buf, sizeof buf, &n) != napi_ok) return false;
  // Written whole when it left room for the longest UTF-8 sequence (4 bytes): a character
  // that did not fit is left out entirely.
  if (n + 4 < sizeof buf - 1) {
    out.assign(buf, n);
    return true;
  }
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &n) != napi_ok) return false;
  out.resize(n + 1);
  if (napi_get_value_string_utf8(env, v, out.data(), n + 1, &n) != napi_ok) return false;
  out.resize(n);
  return true;
}

// FieldsFromJs in one call into JS (the reader), then the numbers from its scratch memory
// and one Node-API call or two per other field. false: a field is not of the common form,
// and the general path must convert (and name what is wrong); `out` is then unspecified.
bool FastFieldsFromJs(Napi::Env env, const wire::FieldList& spec, size_t count, Napi::Value obj,
                      const std::string& where, std::vector<wire::Value>& out) {
  const FieldReader* reader = ReaderOf(env, spec, count);
  if (!reader) return false;
  napi_value result, self = env.Undefined(), arg = obj;
  napi_valuetype type;
  {
    PropertyNames::Outside js(env);  // JS runs: a getter may call into the addon
    if (napi_call_function(env, self, reader->read.Value(), 1, &arg, &result) != napi_ok)
      throw Napi::Error::New(env);  // a getter threw: its exception, as the general path would
  }
  NAPI_THROW_IF_FAILED(env, napi_typeof(env, result, &type), false);
  if (type == napi_boolean) {
    bool ok = false;
    NAPI_THROW_IF_FAILED(env, napi_get_value_bool(env, result, &ok), false);
    if (!ok) return false;
  }
  out.clear();
  out.reserve(count);
  uint32_t other = 0;
  for (size_t i = 0; i < count; ++i) {
    const wire::FieldSpec& f = spec[i];
    if (f.kind == wire::Kind::U32 || f.kind == wire::Kind::U64) {
      out.push_back(wire::Value::Num(static_cast<uint64_t>(reader->numbers[i])));
      continue;
    }
    napi_value v;
    NAPI_THROW_IF_FAILED(env, napi_get_element(env, result, other++, &v), false);
    switch (f.kind) {
      case wire::Kind::Blob: {
        napi_valuetype t;
        NAPI_THROW_IF_FAILED(env, napi_typeof(env, v, &t), false);
        if (t == napi_undefined || t == napi_null) {
          out.push_back(wire::Value::Bytes(std::string()));
          break;
        }
        TypedArrayInfo ta;
        if (!TypedArrayOf(env, v, ta) || ta.type != napi_uint8_array) return false;
        out.push_back(ta.length ? wire::Value::Bytes(ta.data, ta.length) : wire::Value::Bytes(std::string()));
        break;
      }
      case wire::Kind::Text: {
        std::string text;
        if (!Utf8Of(env, v, text)) return false;
        out.push_back(wire::Value::Bytes(std::move(text)));
        break;
      }
      case wire::Kind::Utf16:
        out.push_back(wire::Value::Str16(Napi::String(env, v).Utf16Value()));
        break;
      case wire::Kind::List: {
        TypedArrayInfo ta;
        if (!TypedArrayOf(env, v, ta)) return false;
        out.push_back(PackedFromJs(env, f, ta, where));  // a wrong stride: named as the general path does
        break;
      }
      default:
        return false;
    }
  }
  return true;
}
}  // namespace

PropertyNames& PropertyNames::Of(Napi::Env env) { return CacheOf(env).names; }

void KeepTimers(Napi::Env env) {
  CacheOf(env).setImmediate = Napi::Persistent(env.Global().Get("setImmediate").As<Napi::Function>());
}

Napi::Function SetImmediate(Napi::Env env) { return CacheOf(env).setImmediate.Value(); }

Napi::Value CallJs(Napi::Env env, napi_value fn, napi_value self, size_t argc, const napi_value* argv) {
  napi_value result = nullptr;
  if (napi_call_function(env, self, fn, argc, argv, &result) == napi_ok) return Napi::Value(env, result);
  napi_value thrown = nullptr;
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) napi_get_and_clear_last_exception(env, &thrown);
  // With nothing pending, a call checked like every call into JS fails only while the
  // environment can run none (a worker ending reports its termination as an exception too).
  napi_value undefined = nullptr;
  bool same = false;
  napi_get_undefined(env, &undefined);
  if (napi_strict_equals(env, undefined, undefined, &same) != napi_ok) throw JsUnavailable{};
  if (thrown) throw Napi::Error(env, thrown);
  throw Napi::Error::New(env);
}

Napi::Value CallWithMessage(Napi::Env env, Napi::Function cb, napi_value self, const wire::Message& m) {
  const wire::MessageSpec* spec = wire::FindSpec(m.type);
  const wire::FieldList* fields = wire::FieldsOf(m);
  napi_value fn = nullptr;
  size_t count = 0;
  if (spec && fields && !m.unknownBytes) {
    count = std::min(fields->size(), m.fields.size());
    fn = Factory(env, m, *spec, *fields, count);
  }
  if (!fn) {
    ObjectBuilder b(env);
    b.Add("event", PropertyNames::Of(env)(env, "message")).Add("message", ToJs(env, m));
    Napi::Object o = b.Build();
    PropertyNames::Outside js(env);
    napi_value arg = o;
    return CallJs(env, cb, self, 1, &arg);
  }
  constexpr size_t kInlineArgs = 16;
  napi_value inlineArgs[kInlineArgs];
  std::vector<napi_value> moreArgs;
  const size_t argc = (m.IsReply() ? 5 : 3) + count;
  napi_value* argv = argc <= kInlineArgs ? inlineArgs : (moreArgs.resize(argc), moreArgs.data());
  size_t n = 0;
  argv[n++] = cb;
  argv[n++] = self;
  argv[n++] = Napi::Number::New(env, m.id);
  if (m.IsReply()) {
    argv[n++] = Napi::Number::New(env, m.status);
    argv[n++] = m.error.empty() ? PropertyNames::Of(env)(env, "") : Napi::String::New(env, m.error);
  }
  for (size_t i = 0; i < count; ++i) argv[n++] = ValueToJs(env, (*fields)[i], m.fields[i]);
  PropertyNames::Outside js(env);  // JS runs: what it calls has scopes of its own
  return CallJs(env, fn, env.Undefined(), argc, argv);
}

napi_value PropertyNames::operator()(napi_env env, const char* staticName) {
  // Node-API 8 references only objects: the strings live in one array, referenced once.
  if (strings_.IsEmpty()) strings_ = Napi::Persistent(Napi::Array::New(env));
  auto it = entries_.find(staticName);
  if (it == entries_.end()) {
    it = entries_.emplace(staticName, Entry{static_cast<uint32_t>(entries_.size())}).first;
    strings_.Value().Set(it->second.index, Napi::String::New(env, staticName));
  }
  Entry& e = it->second;
  if (batch_ && e.batch == batch_) return e.value;
  napi_value name;
  NAPI_THROW_IF_FAILED(env, napi_get_element(env, strings_.Value(), e.index, &name), nullptr);
  if (batch_) {
    e.batch = batch_;
    e.value = name;
  }
  return name;
}

PropertyNames::Batch::Batch(Napi::Env env) : names_(Of(env)), saved_(names_.batch_) {
  names_.batch_ = ++names_.batches_;
}

PropertyNames::Batch::~Batch() { names_.batch_ = saved_; }

ObjectBuilder& ObjectBuilder::Add(const char* staticName, napi_value v) {
  const napi_property_descriptor d{nullptr, names_(env_, staticName), nullptr, nullptr, nullptr, v,
                                   napi_default_jsproperty, nullptr};
  if (count_ < kInline)
    inline_[count_++] = d;
  else
    more_.push_back(d);
  return *this;
}

Napi::Object ObjectBuilder::Build() {
  napi_value o;
  NAPI_THROW_IF_FAILED(env_, napi_create_object(env_, &o), Napi::Object());
  NAPI_THROW_IF_FAILED(env_, napi_define_properties(env_, o, count_, inline_), Napi::Object());
  if (!more_.empty())
    NAPI_THROW_IF_FAILED(env_, napi_define_properties(env_, o, more_.size(), more_.data()), Napi::Object());
  return Napi::Object(env_, o);
}

Napi::Object ToJs(Napi::Env env, const wire::Message& m) {
  const wire::MessageSpec* spec = wire::FindSpec(m.type);
  PropertyNames& names = PropertyNames::Of(env);
  ObjectBuilder o(env);
  // The type's name is a value, but the same few recur: cached like the property names.
  o.Add("type", names(env, spec ? spec->name : "unknown"));
  o.Add("id", Napi::Number::New(env, m.id));
  o.Add("reply", Napi::Boolean::New(env, m.IsReply()));
  if (m.IsReply()) {
    o.Add("status", Napi::Number::New(env, m.status));
    o.Add("error", m.error.empty() ? names(env, "") : Napi::String::New(env, m.error));
  }
  const wire::FieldList* fields = wire::FieldsOf(m);
  o.Add("fields", fields ? RecordToJs(env, *fields, m.fields) : Napi::Object::New(env));
  if (m.unknownBytes) o.Add("unknownBytes", Napi::Number::New(env, m.unknownBytes));
  return o.Build();
}

std::vector<wire::Value> FieldsFromJs(Napi::Env env, const wire::FieldList& spec, Napi::Value obj,
                                      const std::string& where, uint32_t version) {
  const size_t count = wire::FieldsAt(spec, version);
  std::vector<wire::Value> out;
  if (count && FastFieldsFromJs(env, spec, count, obj, where, out)) return out;
  return RecordFromJs(env, spec, count, obj, where, version);
}

namespace {

// count: how many of spec's fields `version` has, computed once per list.
std::vector<wire::Value> RecordFromJs(Napi::Env env, const wire::FieldList& spec, size_t count,
                                      Napi::Value obj, const std::string& where, uint32_t version) {
  if (!obj.IsObject() && !(count == 0 && (obj.IsUndefined() || obj.IsNull())))
    throw Napi::TypeError::New(env, where + " must be an object");
  std::vector<wire::Value> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const wire::FieldSpec& f = spec[i];
    Napi::Value v = obj.As<Napi::Object>().Get(PropertyNames::Of(env)(env, f.name));
    if (v.IsUndefined() && f.kind != wire::Kind::Blob)
      throw Napi::TypeError::New(env, where + "." + f.name + " is missing");
    out.push_back(ValueFromJs(env, f, v, where, version));
  }
  return out;
}

const char* KindName(wire::Kind k) {
  switch (k) {
    case wire::Kind::U32: return "u32";
    case wire::Kind::U64: return "u64";
    case wire::Kind::Blob: return "blob";
    case wire::Kind::Text: return "text";
    case wire::Kind::Utf16: return "utf16";
    case wire::Kind::List: return "list";
  }
  return "?";
}

Napi::Array FieldsToJs(Napi::Env env, const wire::FieldList& list) {
  Napi::Array a = Napi::Array::New(env, list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const wire::FieldSpec& f = list[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", f.name);
    o.Set("kind", KindName(f.kind));
    o.Set("since", Napi::Number::New(env, f.since));
    if (f.values) o.Set("enum", f.values->name);
    if (f.record) o.Set("record", FieldsToJs(env, *f.record));
    a.Set(i, o);
  }
  return a;
}

const char* DirectionName(wire::Direction d) {
  switch (d) {
    case wire::Direction::DllToHost: return "dllToHost";
    case wire::Direction::HostToDll: return "hostToDll";
    case wire::Direction::AdminToDll: return "adminToDll";
    case wire::Direction::DllToAdmin: return "dllToAdmin";
  }
  return "?";
}

}  // namespace

const wire::MessageSpec* SpecNamed(napi_env env, napi_value v) {
  static const std::unordered_map<std::string_view, const wire::MessageSpec*> byName = [] {
    std::unordered_map<std::string_view, const wire::MessageSpec*> m;
    for (const wire::MessageSpec& s : wire::AllSpecs()) m.emplace(s.name, &s);
    return m;
  }();
  char name[64];
  size_t n = 0;
  // A longer string (or none) names no message: every name fits with room to spare.
  if (napi_get_value_string_utf8(env, v, name, sizeof name, &n) != napi_ok || n + 1 >= sizeof name) return nullptr;
  auto it = byName.find(std::string_view(name, n));
  return it == byName.end() ? nullptr : it->second;
}

Napi::Object SchemaToJs(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", Napi::Number::New(env, wire::kVersion));
  o.Set("minVersion", Napi::Number::New(env, wire::kMinVersion));
  o.Set("adminMinVersion", Napi::Number::New(env, wire::kAdminMinVersion));
  o.Set("magic", Napi::Number::New(env, wire::kMagic));
  o.Set("headerBytes", Napi::Number::New(env, static_cast<double>(wire::kHeaderSize)));
  o.Set("replyFlag", Napi::Number::New(env, wire::kFlagReply));
  Napi::Array messages = Napi::Array::New(env);
  uint32_t i = 0;
  for (const wire::MessageSpec& s : wire::AllSpecs()) {
    Napi::Object m = Napi::Object::New(env);
    m.Set("name", s.name);
    m.Set("type", Napi::Number::New(env, static_cast<uint16_t>(s.type)));
    m.Set("direction", DirectionName(s.direction));
    m.Set("since", Napi::Number::New(env, s.since));
    m.Set("request", FieldsToJs(env, s.request));
    m.Set("reply", FieldsToJs(env, s.reply));
    messages.Set(i++, m);
  }
  o.Set("messages", messages);
  Napi::Array enums = Napi::Array::New(env);
  i = 0;
  for (auto e = wire::EnumsBegin(); e != wire::EnumsEnd(); ++e) {
    Napi::Object eo = Napi::Object::New(env);
    eo.Set("name", (*e)->name);
    eo.Set("bits", Napi::Boolean::New(env, (*e)->bits));
    Napi::Array values = Napi::Array::New(env, (*e)->size);
    uint32_t k = 0;
    for (const wire::EnumValue& v : **e) {
      Napi::Object vo = Napi::Object::New(env);
      vo.Set("name", v.name);
      vo.Set("value", Napi::Number::New(env, v.value));
      values.Set(k++, vo);
    }
    eo.Set("values", values);
    enums.Set(i++, eo);
  }
  o.Set("enums", enums);
  return o;
}

}  // namespace rrasbridge::addon
