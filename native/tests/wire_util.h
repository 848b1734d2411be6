// Structural equality of wire values and messages (shared by wire_test and fuzz_wire).
#pragma once

#include "../common/wire.h"

namespace rrasbridge::test {

inline bool Equal(const wire::Value& a, const wire::Value& b);

inline bool Equal(const wire::Record& a, const wire::Record& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!Equal(a[i], b[i])) return false;
  return true;
}

inline bool Equal(const wire::Value& a, const wire::Value& b) {
  if (a.v.index() != b.v.index()) return false;
  if (auto* l = std::get_if<std::vector<wire::Record>>(&a.v)) {
    const auto& r = std::get<std::vector<wire::Record>>(b.v);
    if (l->size() != r.size()) return false;
    for (size_t i = 0; i < l->size(); ++i)
      if (!Equal((*l)[i], r[i])) return false;
    return true;
  }
  if (auto* p = std::get_if<wire::PackedRecords>(&a.v)) {
    const auto& q = std::get<wire::PackedRecords>(b.v);
    return p->stride == q.stride && p->slots == q.slots;
  }
  if (auto* n = std::get_if<uint64_t>(&a.v)) return *n == std::get<uint64_t>(b.v);
  if (auto* s = std::get_if<std::string>(&a.v)) return *s == std::get<std::string>(b.v);
  return std::get<std::u16string>(a.v) == std::get<std::u16string>(b.v);
}

inline bool Equal(const wire::Message& a, const wire::Message& b) {
  return a.type == b.type && a.flags == b.flags && a.id == b.id && a.status == b.status &&
         a.error == b.error && Equal(a.fields, b.fields);
}

}  // namespace rrasbridge::test
