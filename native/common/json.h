// A small strict JSON reader for the protocol library's configuration file (POSIX stand-in
// for the registry). Depth- and size-limited; errors name the byte offset.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rrasbridge::json {

struct Value {
  enum class Type { Null, Bool, Number, String, Array, Object } type = Type::Null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Value> array;
  std::map<std::string, Value> object;

  const Value* Get(const std::string& key) const {
    auto it = object.find(key);
    return type == Type::Object && it != object.end() ? &it->second : nullptr;
  }
};

bool Parse(const std::string& text, Value& out, std::string& err);

}  // namespace rrasbridge::json
