// Conversions between wire messages and plain JS objects, driven by the message schema, so
// every message type (present and future) crosses the boundary the same way.
#pragma once

#include <napi.h>

#include "../common/wire.h"

namespace rrasbridge::addon {

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
