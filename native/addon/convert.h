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

 private:
  Napi::Reference<Napi::Array> strings_;  // the names, made once each
  std::unordered_map<const char*, uint32_t> index_;  // a name's place in strings_
};

// Sets o[name] = v with a cached name (name: a static string).
void SetNamed(Napi::Env env, Napi::Object o, const char* name, napi_value v);

// {type, id, reply, status?, error?, fields: {...}, unknownBytes?}: the fields the message
// carries (those of the channel's version).
Napi::Object ToJs(Napi::Env env, const wire::Message& m);
// Builds the fields of a message from a JS object, those `version` has (a later version's
// are left out); throws a JS TypeError naming a missing or invalid field.
std::vector<wire::Value> FieldsFromJs(Napi::Env env, const wire::FieldList& spec, Napi::Value obj,
                                      const std::string& where, uint32_t version);
// The message catalogue for JS: {version, minVersion, magic, headerBytes, replyFlag, messages,
// enums} (the source of lib/addon/wire.ts).
Napi::Object SchemaToJs(Napi::Env env);

}  // namespace rrasbridge::addon
