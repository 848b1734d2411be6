// The host's native mirror of an IPv4 protocol's routes (route_mirror.cc): the class the
// addon exports as RouteMirror (lib/addon/index.ts describes it for JS).
#pragma once

#include <napi.h>

namespace rrasbridge::addon {

Napi::Function RouteMirrorClass(Napi::Env env);

}  // namespace rrasbridge::addon
