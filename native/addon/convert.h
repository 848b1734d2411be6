// Conversions between wire messages and plain JS objects, driven by the message schema, so
// every message type (present and future) crosses the boundary the same way.
#pragma once

#include <napi.h>

#include <unordered_map>

#include "../common/wire.h"

namespace rrasbridge::addon {

// Property names as JS strings, each made once per environment. A name built from a C string
// for every message is internalized by V8 every time: a fifth of the host's CPU per event
// before this cache (issue 12). Keys are the addresses of static strings (schema names and
// literals), so the cache holds at most one entry per name the code can use.
class PropertyNames {
 public:
  static PropertyNames& Of(Napi::Env env);
  napi_value operator()(napi_env env, const char* staticName);

  // While one lives (on the JS thread, in the HandleScope it was made in, with no inner
  // scope opened meanwhile), each name is fetched from the array once: the channel converts
  // a batch of messages under one. JS called meanwhile must be called Outside it (a native
  // method it calls has scopes of its own).
  class Batch {
   public:
    explicit Batch(Napi::Env env);
    ~Batch();
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

   private:
    PropertyNames& names_;
    uint64_t saved_;
  };
  class Outside {
   public:
    explicit Outside(Napi::Env env) : names_(Of(env)), saved_(names_.batch_) { names_.batch_ = 0; }
    ~Outside() { names_.batch_ = saved_; }
    Outside(const Outside&) = delete;
    Outside& operator=(const Outside&) = delete;

   private:
    PropertyNames& names_;
    uint64_t saved_;
  };

 private:
  struct Entry {
    uint32_t index;         // the name's place in strings_
    uint64_t batch = 0;     // the batch `value` was fetched in (0: none)
    napi_value value = nullptr;
  };
  Napi::Reference<Napi::Array> strings_;  // the names, made once each
  std::unordered_map<const char*, Entry> entries_;
  uint64_t batch_ = 0;  // the current Batch's number, 0 outside one
  uint64_t batches_ = 0;
};

// A plain object made with one Node-API call for all its properties (napi_set_property for
// each costs an exception scope and a lookup per property), named by PropertyNames.
class ObjectBuilder {
 public:
  explicit ObjectBuilder(Napi::Env env) : env_(env), names_(PropertyNames::Of(env)) {}
  ObjectBuilder& Add(const char* staticName, napi_value v);
  Napi::Object Build();

 private:
  static constexpr size_t kInline = 12;
  Napi::Env env_;
  PropertyNames& names_;
  napi_property_descriptor inline_[kInline];
  size_t count_ = 0;
  std::vector<napi_property_descriptor> more_;  // past kInline (a long record)
};

// {type, id, reply, status?, error?, fields: {...}, unknownBytes?}: the fields the message
// carries (those of the channel's version).
Napi::Object ToJs(Napi::Env env, const wire::Message& m);
// Thrown instead of a Napi::Error when a call into JS failed with no exception pending: the
// environment runs no more JS (a worker ending: process.exit() in a handler, terminate()).
// node-addon-api's Error would need JS to wrap the failure, and aborts the process without it.
struct JsUnavailable {};
// fn.call(self, ...args), throwing what JS threw (Napi::Error) or JsUnavailable.
Napi::Value CallJs(Napi::Env env, napi_value fn, napi_value self, size_t argc, const napi_value* argv);
// cb.call(self, {event: 'message', message: ToJs(m)}) in one call into JS: a function compiled once per
// message type and shape builds the three objects as literals (V8 makes a literal of a known
// shape in a few instructions; a Node-API call per object and property cost more than the
// host's handling of the message, issue 12). Returns cb's result; throws as CallJs.
Napi::Value CallWithMessage(Napi::Env env, Napi::Function cb, napi_value self, const wire::Message& m);
// The global setImmediate as it was when the addon loaded (KeepTimers, from its init): fake
// timers a test installs later must not hold the channel's writes.
void KeepTimers(Napi::Env env);
Napi::Function SetImmediate(Napi::Env env);
// Builds the fields of a message from a JS object, those `version` has (a later version's
// are left out); throws a JS TypeError naming a missing or invalid field.
std::vector<wire::Value> FieldsFromJs(Napi::Env env, const wire::FieldList& spec, Napi::Value obj,
                                      const std::string& where, uint32_t version);
// The catalogue's message named by the JS string v (a send's or reply's type), or nullptr: one
// Node-API call and a hash lookup, as the host names a message on every send.
const wire::MessageSpec* SpecNamed(napi_env env, napi_value v);
// The message catalogue for JS: {version, minVersion, magic, headerBytes, replyFlag, messages,
// enums} (the source of lib/addon/wire.ts).
Napi::Object SchemaToJs(Napi::Env env);

}  // namespace rrasbridge::addon
