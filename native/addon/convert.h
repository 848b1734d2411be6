// Conversions between wire messages and plain JS objects, driven by the message schema, so
// every message type (present and future) crosses the boundary the same way.
#pragma once

#include <napi.h>

#include "../common/wire.h"

namespace rrasbridge::addon {

// {type, id, reply, status?, error?, fields: {...}}
Napi::Object ToJs(Napi::Env env, const wire::Message& m);
// Builds the fields of a message from a JS object; throws a JS TypeError naming the field.
std::vector<wire::Value> FieldsFromJs(Napi::Env env, const wire::Fields& spec, Napi::Value obj,
                                      const std::string& where);

}  // namespace rrasbridge::addon
