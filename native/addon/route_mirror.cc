// RouteMirror: the host's mirror of an IPv4 protocol's own routes (ctx.routes.list, replace's
// deletions; lib/host/routeTable.ts), what RTM accepted, kept in C++ and fed a whole batch a
// call. In JS a 1M-route hash table cost about 0.3 µs a route added and deleted (cache misses
// and typed-array code), the largest part of the host's work per route (issue 12).
//
// Records sit densely in one vector (a deleted one's place reused); an open-addressed index
// of (hash, record number) finds them (linear probing, backward-shift deletion, no
// tombstones): an add or a delete reads one index entry and one record, which for routes
// added and deleted in order are mostly in cache. About 38 bytes a route at 1M routes. JS
// thread only, like every Node-API object.
#include "route_mirror.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "../common/prefetch.h"
#include "../common/wire.h"

namespace rrasbridge::addon {
namespace {

namespace schema = wire::schema;

template <const wire::FieldList& kList>
struct Slots {
  static constexpr size_t At(std::string_view name) { return wire::PackedSlot(kList, name); }
};
using Op = Slots<schema::kRouteRecordList>;
constexpr size_t kStride = wire::PackedStride(schema::kRouteRecordList);
constexpr size_t kOp = Op::At("op"), kDestination = Op::At("destination"), kPrefixLength = Op::At("prefixLength"),
                 kNextHop = Op::At("nextHop"), kInterfaceIndex = Op::At("interfaceIndex"), kMetric = Op::At("metric"),
                 kPreference = Op::At("preference"), kFlags = Op::At("flags"), kTtlMs = Op::At("ttlMs");
constexpr uint32_t kAdd = uint32_t(wire::RouteOperation::Add);
constexpr uint32_t kHasPreference = uint32_t(wire::RouteFlag::HasPreference);

// A route as the mirror keeps it: the key (wire u32 addresses), the prefix length and flags
// in one word, the metric. A preference or a lifetime (rare: most routes take the protocol's
// preference and live until deleted) is kept beside it (kExtra).
struct Route {
  uint32_t destination, nextHop, interfaceIndex;
  uint32_t lengthFlags;  // prefix length (low 8 bits), RouteFlag bits << 8, kExtra, kInUse
  uint32_t metric;
  uint32_t Length() const { return lengthFlags & 0xff; }
  bool Is(uint32_t d, uint32_t l, uint32_t i, uint32_t h) const {
    return destination == d && nextHop == h && Length() == l && interfaceIndex == i;
  }
};
static_assert(sizeof(Route) == 5 * sizeof(uint32_t), "20 bytes a route");
constexpr uint32_t kFlagShift = 8;
constexpr uint32_t kExtra = 1u << 30;  // its Extra is in Table::extras_
constexpr uint32_t kInUse = 1u << 31;
struct Extra {
  uint32_t preference = 0, ttlMs = 0;
};
constexpr uint32_t kMaxLength = 32;  // IPv4: the key's length fits its 8 bits
// records(): a route's slots for JS.
constexpr uint32_t kRecordSlots = 8;
constexpr uint32_t kEmpty = 0;  // an index entry without a record (records are numbered from 1)
constexpr size_t kInitialIndex = 1024;
// accept() prefetches the index entry of the record this many ahead of the one it applies:
// enough to cover a memory load's latency with the work on the records between.
constexpr size_t kPrefetchAhead = 8;

uint32_t Hash(uint32_t d, uint32_t l, uint32_t i, uint32_t h) {
  uint32_t x = (d ^ (l << 26)) * 0x9e3779b1u;
  x = (x ^ (x >> 15) ^ h) * 0x85ebca6bu;
  x = (x ^ (x >> 13) ^ i) * 0xc2b2ae35u;
  return x ^ (x >> 16);
}

class Table {
 public:
  size_t size() const { return count_; }

  void Set(Route r, const Extra& extra) {
    const bool more = extra.preference || extra.ttlMs || (r.lengthFlags & (kHasPreference << kFlagShift));
    if (more) r.lengthFlags |= kExtra;
    if ((count_ + 1) * 4 > index_.size() * 3) Grow();  // load ≤ 3/4: probes stay short
    const uint32_t hash = Hash(r.destination, r.Length(), r.interfaceIndex, r.nextHop);
    size_t at = hash & mask_;
    for (;; at = (at + 1) & mask_) {
      const Slot s = index_[at];
      if (s.record == kEmpty) break;
      if (s.hash == hash && routes_[s.record - 1].Is(r.destination, r.Length(), r.interfaceIndex, r.nextHop)) {
        Store(s.record, r, extra);  // an update of the same route
        return;
      }
    }
    uint32_t n;
    if (!free_.empty()) {
      n = free_.back();
      free_.pop_back();
    } else {
      routes_.emplace_back();
      n = static_cast<uint32_t>(routes_.size());
    }
    Store(n, r, extra);
    index_[at] = Slot{hash, n};
    ++count_;
  }

  bool Has(uint32_t d, uint32_t l, uint32_t i, uint32_t h) const { return Find(d, l, i, h) != kNone; }

  // The index entry a route's probe begins at (nullptr before the first route), for accept()
  // to prefetch: at 1M routes the index is larger than the caches, and loading that entry was
  // most of a batch's time (a miss per route).
  const void* ProbeStart(uint32_t d, uint32_t l, uint32_t i, uint32_t h) const {
    return index_.empty() ? nullptr : &index_[Hash(d, l, i, h) & mask_];
  }

  void Delete(uint32_t d, uint32_t l, uint32_t i, uint32_t h) {
    const size_t at = Find(d, l, i, h);
    if (at == kNone) return;
    const uint32_t n = index_[at].record;
    if (routes_[n - 1].lengthFlags & kExtra) extras_.erase(n);
    routes_[n - 1].lengthFlags = 0;  // not in use
    free_.push_back(n);
    RemoveAt(at);
    if (--count_ == 0) Clear();  // a table emptied gives its memory back
  }

  // Each route in use, as records() hands them out.
  template <typename F>
  void ForEach(F f) const {
    for (size_t n = 0; n < routes_.size(); ++n) {
      const Route& r = routes_[n];
      if (!(r.lengthFlags & kInUse)) continue;
      f(r, r.lengthFlags & kExtra ? extras_.at(static_cast<uint32_t>(n + 1)) : Extra{});
    }
  }

 private:
  // An index entry: the route's hash (probes and moves need no record) and its record number.
  struct Slot {
    uint32_t hash;
    uint32_t record;  // 1-based into routes_; kEmpty for none
  };

  static constexpr size_t kNone = SIZE_MAX;

  // The index entry of a route, or kNone.
  size_t Find(uint32_t d, uint32_t l, uint32_t i, uint32_t h) const {
    if (index_.empty()) return kNone;
    const uint32_t hash = Hash(d, l, i, h);
    for (size_t at = hash & mask_;; at = (at + 1) & mask_) {
      const Slot s = index_[at];
      if (s.record == kEmpty) return kNone;
      if (s.hash == hash && routes_[s.record - 1].Is(d, l, i, h)) return at;
    }
  }

  void Store(uint32_t n, Route r, const Extra& extra) {
    if (routes_[n - 1].lengthFlags & kExtra) extras_.erase(n);
    r.lengthFlags |= kInUse;
    routes_[n - 1] = r;
    if (r.lengthFlags & kExtra) extras_[n] = extra;
  }

  // Empties index slot `hole`, moving back each entry after it in its run whose probe started
  // at or before the hole (backward-shift deletion: no tombstones, probes stay short).
  void RemoveAt(size_t hole) {
    for (size_t j = (hole + 1) & mask_; index_[j].record != kEmpty; j = (j + 1) & mask_) {
      const size_t k = index_[j].hash & mask_;
      const bool stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
      if (stays) continue;
      index_[hole] = index_[j];
      hole = j;
    }
    index_[hole] = Slot{0, kEmpty};
  }

  void Grow() {
    const size_t size = std::max(kInitialIndex, index_.size() * 2);
    std::vector<Slot> old(size, Slot{0, kEmpty});
    old.swap(index_);
    mask_ = size - 1;
    for (const Slot& s : old) {
      if (s.record == kEmpty) continue;
      size_t at = s.hash & mask_;
      while (index_[at].record != kEmpty) at = (at + 1) & mask_;
      index_[at] = s;
    }
  }

  void Clear() {
    std::vector<Route>().swap(routes_);
    std::vector<Slot>().swap(index_);
    std::vector<uint32_t>().swap(free_);
    extras_.clear();
    mask_ = 0;
  }

  std::vector<Route> routes_;  // dense; a deleted one's lengthFlags are 0 and its number is in free_
  std::vector<uint32_t> free_;
  std::unordered_map<uint32_t, Extra> extras_;  // by record number, for kExtra routes
  std::vector<Slot> index_;    // a power of two long
  size_t mask_ = 0;
  size_t count_ = 0;
};

class RouteMirror : public Napi::ObjectWrap<RouteMirror> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "RouteMirror",
                       {InstanceMethod("accept", &RouteMirror::Accept), InstanceMethod("delete", &RouteMirror::Delete),
                        InstanceMethod("has", &RouteMirror::Has), InstanceMethod("records", &RouteMirror::Records),
                        InstanceAccessor("size", &RouteMirror::Size, nullptr),
                        StaticValue("recordSlots", Napi::Number::New(env, kRecordSlots))});
  }

  explicit RouteMirror(const Napi::CallbackInfo& info) : Napi::ObjectWrap<RouteMirror>(info) {}

 private:
  // accept(ops, count, statuses?): the first `count` records of `ops` (packed routes records,
  // RoutesOpsLayout) that RTM accepted, applied in order: record k is accepted when statuses
  // is absent or statuses[k] is NO_ERROR (0) or missing. True when an accepted add has a
  // lifetime: JS keeps the timers, and without one (the common case) it need not read the batch.
  Napi::Value Accept(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const uint32_t* ops = U32Arg(env, info[0], "ops");
    const size_t slots = info[0].As<Napi::Uint32Array>().ElementLength();
    if (!info[1].IsNumber()) throw Napi::TypeError::New(env, "RouteMirror.accept: count must be a number");
    const size_t count = info[1].As<Napi::Number>().Uint32Value();
    if (count > slots / kStride) throw Napi::RangeError::New(env, "RouteMirror.accept: count exceeds the records given");
    const uint32_t* statuses = nullptr;
    size_t statusCount = 0;
    if (!info[2].IsUndefined()) {
      statuses = U32Arg(env, info[2], "statuses");
      statusCount = info[2].As<Napi::Uint32Array>().ElementLength();
    }
    bool lifetimes = false;
    for (size_t k = 0; k < count; ++k) {
      if (k + kPrefetchAhead < count) {
        const uint32_t* p = ops + (k + kPrefetchAhead) * kStride;
        if (const void* at = table_.ProbeStart(p[kDestination], p[kPrefixLength], p[kInterfaceIndex], p[kNextHop]))
          PrefetchLine(at);
      }
      if (statuses && k < statusCount && statuses[k] != 0) continue;
      const uint32_t* o = ops + k * kStride;
      if (o[kOp] != kAdd) {
        table_.Delete(o[kDestination], o[kPrefixLength], o[kInterfaceIndex], o[kNextHop]);
        continue;
      }
      if (o[kPrefixLength] > kMaxLength) throw Napi::RangeError::New(env, "RouteMirror.accept: an IPv4 prefix length over 32");
      const bool pref = (o[kFlags] & kHasPreference) != 0;
      lifetimes = lifetimes || o[kTtlMs] != 0;
      table_.Set(Route{o[kDestination], o[kNextHop], o[kInterfaceIndex],
                       o[kPrefixLength] | (pref ? kHasPreference << kFlagShift : 0), o[kMetric]},
                 Extra{pref ? o[kPreference] : 0, o[kTtlMs]});
    }
    return Napi::Boolean::New(env, lifetimes);
  }

  // delete(destination, prefixLength, interfaceIndex, nextHop): a route RTM no longer has (its
  // lifetime ended).
  Napi::Value Delete(const Napi::CallbackInfo& info) {
    const Key k = KeyArgs(info, "delete");
    table_.Delete(k.d, k.l, k.i, k.h);
    return info.Env().Undefined();
  }

  // has(destination, prefixLength, interfaceIndex, nextHop)
  Napi::Value Has(const Napi::CallbackInfo& info) {
    const Key k = KeyArgs(info, "has");
    return Napi::Boolean::New(info.Env(), table_.Has(k.d, k.l, k.i, k.h));
  }

  struct Key {
    uint32_t d, l, i, h;
  };
  static Key KeyArgs(const Napi::CallbackInfo& info, const char* method) {
    uint32_t k[4];
    for (size_t i = 0; i < 4; ++i) {
      if (!info[i].IsNumber())
        throw Napi::TypeError::New(info.Env(), std::string("RouteMirror.") + method + ": the key is four numbers");
      k[i] = info[i].As<Napi::Number>().Uint32Value();
    }
    return Key{k[0], k[1], k[2], k[3]};
  }

  // records(): every route, recordSlots u32 each: destination, prefixLength, interfaceIndex,
  // nextHop, metric, preference, flags, ttlMs.
  Napi::Value Records(const Napi::CallbackInfo& info) {
    Napi::Uint32Array a = Napi::Uint32Array::New(info.Env(), table_.size() * kRecordSlots);
    uint32_t* w = a.Data();
    table_.ForEach([&w](const Route& r, const Extra& e) {
      const uint32_t slots[kRecordSlots] = {r.destination, r.Length(),    r.interfaceIndex,
                                            r.nextHop,     r.metric,      e.preference,
                                            (r.lengthFlags >> kFlagShift) & kHasPreference, e.ttlMs};
      std::memcpy(w, slots, sizeof slots);
      w += kRecordSlots;
    });
    return a;
  }

  Napi::Value Size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), double(table_.size())); }

  static const uint32_t* U32Arg(Napi::Env env, Napi::Value v, const char* name) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array)
      throw Napi::TypeError::New(env, std::string("RouteMirror.accept: ") + name + " must be a Uint32Array");
    return v.As<Napi::Uint32Array>().Data();
  }

  Table table_;
};

}  // namespace

Napi::Function RouteMirrorClass(Napi::Env env) { return RouteMirror::Init(env); }

}  // namespace rrasbridge::addon
