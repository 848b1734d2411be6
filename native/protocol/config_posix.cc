#ifndef _WIN32
#include <dlfcn.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "../common/json.h"
#include "config.h"

namespace rrasbridge {
namespace {

bool ReadFile(const std::string& path, std::string& out, std::string& err) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    err = "cannot read " + path;
    return false;
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  if (out.size() > (1u << 20)) {
    err = path + " is larger than 1 MiB";
    return false;
  }
  return true;
}

bool GetU32(const json::Value& o, const char* key, uint32_t& out, std::string& err) {
  const json::Value* v = o.Get(key);
  if (!v) return true;
  if (v->type != json::Value::Type::Number || v->number < 0 || v->number > 4294967295.0 ||
      std::floor(v->number) != v->number) {
    err = std::string("'") + key + "' must be an integer from 0 to 4294967295";
    return false;
  }
  out = static_cast<uint32_t>(v->number);
  return true;
}

bool GetStr(const json::Value& o, const char* key, std::string& out, std::string& err) {
  const json::Value* v = o.Get(key);
  if (!v) return true;
  if (v->type != json::Value::Type::String) {
    err = std::string("'") + key + "' must be a string";
    return false;
  }
  out = v->string;
  return true;
}

bool Parse(const json::Value& p, ProtocolConfig& c, std::string& err) {
  if (!GetStr(p, "name", c.name, err) || !GetStr(p, "module", c.module, err) ||
      !GetStr(p, "nodePath", c.nodePath, err) || !GetStr(p, "hostEntry", c.hostEntry, err) ||
      !GetStr(p, "logFile", c.logFile, err) || !GetStr(p, "rtmLibrary", c.rtmLibrary, err) ||
      !GetStr(p, "adminDirectory", c.adminDirectory, err))
    return false;
  for (const auto& n : NumericFields())
    if (!GetU32(p, n.key, c.*n.field, err)) return false;
  if (const json::Value* a = p.Get("nodeArgs")) {
    if (a->type != json::Value::Type::Array) {
      err = "'nodeArgs' must be an array of strings";
      return false;
    }
    for (const auto& s : a->array) {
      if (s.type != json::Value::Type::String) {
        err = "'nodeArgs' must be an array of strings";
        return false;
      }
      c.nodeArgs.push_back(s.string);
    }
  }
  if (c.module.empty()) {
    err = "'module' is required";
    return false;
  }
  if (c.name.empty()) c.name = "protocol-" + std::to_string(c.protocolId);
  return true;
}

// The configuration file: rras-bridge.json beside this library when there is one (a private
// copy's own configuration: MockRouter copies the library into each router's work folder, so
// routers in one process, or in worker threads whose environment never reaches getenv, do
// not share it), otherwise the file named by RRAS_BRIDGE_CONFIG.
bool ConfigPath(std::string& path, std::string& err) {
  path = BesideConfigPath();
  if (::access(path.c_str(), F_OK) == 0) return true;
  const char* env = std::getenv("RRAS_BRIDGE_CONFIG");
  if (env && *env) {
    path = env;
    return true;
  }
  err = "no configuration: neither " + path + " nor RRAS_BRIDGE_CONFIG";
  return false;
}

}  // namespace

std::string LibraryPath() {
  Dl_info info{};
  if (!::dladdr(reinterpret_cast<void*>(&LibraryPath), &info) || !info.dli_fname) return {};
  return info.dli_fname;
}

std::string BesideConfigPath() { return LibraryDirectory() + "/" + kBesideConfigName; }

bool LoadProtocolConfig(uint32_t protocolId, ProtocolConfig& out, bool* found, std::string& err) {
  *found = false;
  std::string pathText;
  if (!ConfigPath(pathText, err)) return false;
  const char* path = pathText.c_str();
  std::string text;
  if (!ReadFile(path, text, err)) return false;
  json::Value root;
  if (!json::Parse(text, root, err)) {
    err = std::string(path) + ": " + err;
    return false;
  }
  const json::Value* list = root.Get("protocols");
  if (!list || list->type != json::Value::Type::Array) {
    err = std::string(path) + ": 'protocols' must be an array";
    return false;
  }
  for (size_t i = 0; i < list->array.size(); ++i) {
    const json::Value& p = list->array[i];
    uint32_t id = 0;
    if (p.type != json::Value::Type::Object || !p.Get("protocolId") ||
        !GetU32(p, "protocolId", id, err)) {
      err = std::string(path) + ": protocols[" + std::to_string(i) +
            "]: 'protocolId' must be an integer from 0 to 4294967295";
      return false;
    }
    if (id != protocolId) continue;
    out = ProtocolConfig{};
    out.protocolId = id;
    if (!Parse(p, out, err)) {
      err = std::string(path) + ": protocols[" + std::to_string(i) + "]: " + err;
      return false;
    }
    *found = true;
    return true;
  }
  return true;
}

}  // namespace rrasbridge
#endif
