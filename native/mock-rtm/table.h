// The mock RTM's state: entities, next hops, destinations, routes, enumerations and change-
// notification registrations, all addressed by handle ids. Pure data structure: no locking
// (the caller holds Runtime::mu), no threads, no callbacks. Work that must run callbacks is
// queued as Events (and TTL deadlines) for the dispatcher (runtime.h).
//
// Handles are ids, not pointers: (kind << 56) | sequence. Sequences are never reused (not even
// across Reset), so a handle is either live, stale (issued once, object gone) or garbage (never
// issued, or another kind). Objects are reference counted by outstanding handle references;
// they are freed once out of the table and unreferenced.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "../common/compat.h"
#include "address.h"
#include "id_map.h"
#include "node_pool.h"

namespace mockrtm {

using Clock = std::chrono::steady_clock;

enum class Kind : uint8_t { Entity = 1, Dest = 2, Route = 3, NextHop = 4, Enum = 5, Notify = 6 };

constexpr uint64_t kSeqMask = (uint64_t(1) << 56) - 1;
inline uint64_t MakeId(Kind k, uint64_t seq) { return (uint64_t(k) << 56) | (seq & kSeqMask); }
inline Kind KindOf(uint64_t id) { return static_cast<Kind>(id >> 56); }
inline HANDLE ToHandle(uint64_t id) { return reinterpret_cast<HANDLE>(static_cast<uintptr_t>(id)); }
inline uint64_t FromHandle(const void* h) {
  return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(h));
}

// Limits reported in RTM_REGN_PROFILE.
constexpr UINT kMaxNextHopsInRoute = 4;
constexpr UINT kMaxHandlesInEnum = 64;
constexpr RTM_VIEW_SET kSupportedViews = RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST;
constexpr int kNumViews = 2;  // view ids 0 (unicast) and 1 (multicast)

// Views a request matches: RTM_VIEW_MASK_ANY (0) means every view.
inline RTM_VIEW_SET MatchViews(RTM_VIEW_SET v) {
  v &= kSupportedViews;
  return v ? v : kSupportedViews;
}
// Views a dest info reports (ViewInfo entries, in view-id order); ANY reports none.
inline UINT ReportedViewCount(RTM_VIEW_SET v) {
  v &= kSupportedViews;
  return ((v & RTM_VIEW_MASK_UCAST) ? 1u : 0u) + ((v & RTM_VIEW_MASK_MCAST) ? 1u : 0u);
}
// Stride of RTM_DEST_INFO arrays: RTM_SIZE_OF_DEST_INFO(n), never less than sizeof.
size_t DestInfoStride(UINT num_views);

struct Entity {
  uint64_t id = 0;
  RTM_ENTITY_INFO info{};
  RTM_EVENT_CALLBACK callback = nullptr;
  bool synthetic = false;  // auto-registered by the inspection API (MockRtmAddRoute)
};

struct NextHop {
  uint64_t id = 0;
  uint64_t owner = 0;
  // Canonical storage; its address is what RtmFindNextHop hands out as NextHopPointer.
  std::unique_ptr<RTM_NEXTHOP_INFO> info;
  bool in_table = true;
  uint32_t refs = 0;        // outstanding handle references
  uint32_t route_refs = 0;  // route objects (in the table or not) naming it, keep it alive
  uint32_t uses = 0;        // in-table routes naming it (next hop or neighbour)
};

// A route's next-hop handles: at most kMaxNextHopsInRoute, kept inline so that a route costs
// no allocation of its own for them (and a snapshot of the best route's none either).
class NextHopList {
 public:
  // Only the first size() slots are ever read, so only those are written or copied: a route
  // snapshot (two per add) no longer pays for clearing and copying the unused ones.
  NextHopList() = default;
  NextHopList(const NextHopList& o) : n_(o.n_) { std::copy(o.begin(), o.end(), ids_.data()); }
  NextHopList& operator=(const NextHopList& o) {
    n_ = o.n_;
    std::copy(o.begin(), o.end(), ids_.data());
    return *this;
  }
  // The caller checks size() < kMaxNextHopsInRoute first; a push past it is dropped.
  void push_back(uint64_t id) {
    if (n_ < kMaxNextHopsInRoute) ids_[n_++] = id;
  }
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  uint64_t operator[](size_t i) const { return ids_[i]; }
  const uint64_t* begin() const { return ids_.data(); }
  const uint64_t* end() const { return ids_.data() + n_; }
  bool operator==(const NextHopList& o) const {
    return n_ == o.n_ && std::equal(begin(), end(), o.begin());
  }
  bool operator!=(const NextHopList& o) const { return !(*this == o); }

 private:
  std::array<uint64_t, kMaxNextHopsInRoute> ids_;  // the first n_ are the list
  uint8_t n_ = 0;
};

struct RouteSpec {
  uint64_t neighbour = 0;
  UCHAR flags1 = 0;
  USHORT flags = 0;
  RTM_PREF_INFO pref{};
  RTM_VIEW_SET views = RTM_VIEW_MASK_UCAST;
  PVOID esi = nullptr;
  NextHopList next_hops;

  bool SameAs(const RouteSpec& o) const {
    return neighbour == o.neighbour && flags1 == o.flags1 && flags == o.flags &&
           pref.Metric == o.pref.Metric && pref.Preference == o.pref.Preference &&
           views == o.views && esi == o.esi && next_hops == o.next_hops;
  }
};

struct Route {
  uint64_t id = 0;  // also the insertion order (ids only grow): the best-route tie break
  uint64_t dest = 0;
  uint64_t owner = 0;
  uint32_t version = 0;  // bumped when the content changes
  uint32_t refs = 0;     // outstanding handle references
  uint32_t pins = 0;     // internal (expiry callback in flight)
  bool in_table = true;
  bool has_deadline = false;
  RouteSpec spec;
  Clock::time_point deadline{};
  uint64_t ttl_gen = 0;
};

// The in-table routes of a destination, in insertion order, as pointers to the table's route
// nodes (stable, and a route is out of every list before it is freed): best-route selection
// and snapshots, which run twice per route added or deleted, read them with no id lookup.
// Almost every destination has one or two: those are kept inline, so a destination costs no
// allocation of its own for them.
class RouteList {
 public:
  void push_back(Route* r) {
    if (n_ < kInline) {
      inline_[n_++] = r;
      return;
    }
    if (n_ == kInline) heap_.assign(inline_, inline_ + kInline);
    heap_.push_back(r);
    ++n_;
  }
  void erase(const Route* r) {  // keeps the order of the others
    Route** b = data();
    Route** e = std::remove(b, b + n_, r);
    const size_t n = static_cast<size_t>(e - b);
    if (n_ > kInline) {
      heap_.resize(n);
      if (n <= kInline) {
        std::copy(heap_.begin(), heap_.end(), inline_);
        heap_.clear();
        heap_.shrink_to_fit();
      }
    }
    n_ = static_cast<uint32_t>(n);
  }
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  Route* const* begin() const { return n_ > kInline ? heap_.data() : inline_; }
  Route* const* end() const { return begin() + n_; }

 private:
  static constexpr uint32_t kInline = 2;
  Route** data() { return n_ > kInline ? heap_.data() : inline_; }
  Route* inline_[kInline] = {};
  std::vector<Route*> heap_;  // all of them, once there are more than kInline
  uint32_t n_ = 0;
};

struct Dest;
// Destinations by prefix (Table::dest_index_), nodes from the table's pools.
// The value is the dest node itself (stable; erased before the dest is freed): an add finds its
// destination with the index's one search, no id lookup after it.
using DestIndex = std::map<Prefix, Dest*, std::less<Prefix>,
                           PooledAllocator<std::pair<const Prefix, Dest*>>>;

struct Dest {
  uint64_t id = 0;
  Prefix prefix;
  DestIndex::iterator index_entry;  // this dest in Table::dest_index_
  RouteList routes;  // in-table routes, insertion order
  uint32_t refs = 0;             // outstanding handle references
  uint32_t queued = 0;           // change-notification queues holding it
  uint32_t route_objs = 0;       // route objects (in the table or not) naming it
  FILETIME last_changed{};
};

struct EnumState {
  uint64_t id = 0;
  uint64_t owner = 0;
  bool dests = false;            // dest enum (else route enum)
  std::vector<uint64_t> items;   // snapshot at creation; gone items are skipped
  size_t pos = 0;
  RTM_VIEW_SET views = 0;        // as requested (dest enum: also the reported views)
  ULONG protocol = 0;            // dest enum: whose best route to report (0 = any)
  bool own_only = false;         // dest enum: RTM_ENUM_OWN_DESTS
};

struct Notify {
  uint64_t id = 0;
  uint64_t owner = 0;
  RTM_VIEW_SET views = 0;  // as requested (also the reported views)
  RTM_NOTIFY_FLAGS flags = 0;
  PVOID context = nullptr;
  std::deque<uint64_t> queue;  // changed dests, coalesced
  // The dests in queue, while there is more than one registration; with one, a dest's
  // queued count tells (InQueue), with no set to add to and erase from per change.
  std::unordered_set<uint64_t> queued;
  bool signaled = false;  // a callback was queued and the queue was not drained since
};

struct Event {
  enum Type { kEntityRegistered, kEntityDeregistered, kChange } type = kChange;
  uint64_t target = 0;  // entity whose callback to call
  uint64_t notify = 0;  // kChange
  uint64_t peer = 0;    // entity events: the (de)registered entity
  RTM_ENTITY_INFO peer_info{};
};

struct Stats {
  uint64_t over_releases = 0;  // releases of stale or already released handles (tolerated)
  // Route operations that changed the table, since the last Reset: a benchmark or a test
  // proves with these that no route left RTM during a graceful restart, which sampling the
  // route count could miss.
  uint64_t routes_added = 0;
  uint64_t routes_updated = 0;  // an existing route whose content changed
  uint64_t routes_deleted = 0;  // deleted, expired or removed with their entity
};

class Table {
 public:
  Table();

  // Drops everything but the id sequence (so old handles stay stale, never alias new ones).
  void Reset();
  uint64_t generation() const { return generation_; }
  uint32_t real_entities() const { return real_entities_; }
  const Stats& stats() const { return stats_; }

  // ---- lookups (live objects only; nullptr otherwise) ----
  Entity* FindEntity(uint64_t id);
  Entity* FindEntity(const void* h) { return FindEntity(FromHandle(h)); }
  // Each family's RTM has its own entities: the same id may register in both.
  Entity* FindEntityById(ULONG protocol, ULONG instance, USHORT family);
  NextHop* FindNextHop(uint64_t id);
  Route* FindRoute(uint64_t id);
  Dest* FindDest(uint64_t id);
  Dest* FindDest(const Prefix& p);
  EnumState* FindEnum(uint64_t id);
  Notify* FindNotify(uint64_t id);
  // Was `id` ever issued as a handle of kind `k`?
  bool WasIssued(uint64_t id, Kind k) const;

  // ---- entities ----
  DWORD RegisterEntity(const RTM_ENTITY_INFO& info, RTM_EVENT_CALLBACK cb, bool synthetic,
                       uint64_t* out);
  DWORD DeregisterEntity(uint64_t entity);

  // ---- next hops ----
  // Finds the in-table next hop of `owner` with this address and interface.
  NextHop* MatchNextHop(uint64_t owner, const RTM_NET_ADDRESS& addr, ULONG if_index);
  // Adds or updates; *is_new reports creation. `existing` (0 = match by address/interface).
  DWORD AddNextHop(uint64_t owner, const RTM_NEXTHOP_INFO& info, uint64_t existing,
                   uint64_t* out, bool* is_new);
  // Only the owner may delete. consume_ref: the caller's handle reference is released too
  // (RtmDeleteNextHop called with a handle).
  DWORD DeleteNextHop(uint64_t caller, uint64_t nh, bool consume_ref);

  // ---- routes ----
  // Adds or updates a route of `owner` at `prefix`. `existing` names the route to update
  // (0: find an equal route: same dest and owner, and same neighbour unless ignore_neighbour).
  // ttl_ms: INFINITE or milliseconds. Sets RTM_ROUTE_CHANGE_NEW / _BEST in *change_flags.
  DWORD AddRoute(uint64_t owner, const Prefix& prefix, const RouteSpec& spec, ULONG ttl_ms,
                 uint64_t existing, bool ignore_neighbour, uint64_t* out_route,
                 DWORD* change_flags);
  // Removes an in-table route, queueing change notifications; *best_changed if the best
  // route of one of its views changed.
  void RemoveRoute(uint64_t route, bool* best_changed);
  // Best route of `dest` in view `view_id` among routes whose owner's protocol is `protocol`
  // (0: any owner). 0 if none.
  uint64_t Best(const Dest& d, int view_id, ULONG protocol) const;
  bool IsBestSomewhere(const Route& r) const;
  // Keeps a route object alive across an unlocked callback.
  void Pin(uint64_t route);
  void Unpin(uint64_t route);
  uint32_t RouteCount() const { return route_count_; }

  // ---- info structs (handle references are taken when take_refs) ----
  void FillRouteInfo(const Route& r, RTM_ROUTE_INFO* out, bool take_refs);
  void FillDestInfo(Dest& d, RTM_VIEW_SET views, ULONG protocol, RTM_DEST_INFO* out);
  // Release of handles found in structs; false if a handle is garbage (never issued).
  bool ReleaseRef(uint64_t id, Kind k);
  bool ReleaseDestInfoRefs(const RTM_DEST_INFO* di);
  bool ReleaseRouteInfoRefs(const RTM_ROUTE_INFO* ri);
  void AddRef(uint64_t id);  // route, dest or next hop

  // ---- destinations ----
  bool HasRouteIn(const Dest& d, RTM_VIEW_SET match_views) const;
  // Longest prefix among destinations covering `addr` within the first `max_len` bits
  // that have a route in `match_views`.
  // (the address's own family: 32 or 128 bits).
  Dest* LongestMatch(const Prefix& addr, uint8_t max_len, RTM_VIEW_SET match_views);
  const DestIndex& dest_index() const { return dest_index_; }

  // ---- enumerations ----
  uint64_t CreateEnum(std::unique_ptr<EnumState> e);
  void DeleteEnum(uint64_t id);

  // ---- change notifications ----
  uint64_t CreateNotify(uint64_t owner, RTM_VIEW_SET views, RTM_NOTIFY_FLAGS flags, PVOID ctx);
  void DeleteNotify(uint64_t id);
  // Pops up to `max` dests; fills `out` (stride from the registration's views). *more tells
  // whether the queue still has entries.
  UINT PopChanged(Notify& n, UINT max, RTM_DEST_INFO* out, bool* more);

  // ---- dispatcher interface ----
  bool HasEvents() const { return !events_.empty(); }
  // Whether the dispatcher has new work (an event queued, a lifetime armed) since the last
  // call; clears the flag. Entry points wake the dispatcher only then, not on every call.
  bool TakeDispatcherWork() {
    const bool w = dispatcher_work_;
    dispatcher_work_ = false;
    return w;
  }
  Event PopEvent();
  bool NextDeadline(Clock::time_point* when) const;
  // Pops one due TTL entry; returns the route id if it is still live and due (its deadline
  // is cleared), else 0 (stale entry). *popped tells whether an entry was due at all.
  uint64_t PopExpired(Clock::time_point now, bool* popped);

  // ---- inspection ----
  const std::map<uint64_t, std::unique_ptr<Entity>>& entities() const { return entities_; }
  const std::map<uint64_t, std::unique_ptr<NextHop>>& next_hops() const { return next_hops_; }
  const std::map<uint64_t, std::unique_ptr<Notify>>& notifies() const { return notifies_; }

  size_t enum_count() const { return enums_.size(); }
  // Outstanding handle references by kind (routes, dests, next hops).
  void RefTotals(uint64_t* routes, uint64_t* dests, uint64_t* next_hops) const;
  // Deletes next hops of a synthetic entity that no in-table route uses.
  void CollectSyntheticNextHops(uint64_t owner);

 private:
  struct ViewSnap {
    uint64_t best = 0;
    uint32_t best_version = 0;
    uint32_t count = 0;
    NextHopList fwd;  // next hops of the best route
    USHORT fwd_flags = 0;
  };
  struct DestSnap {
    ViewSnap v[kNumViews];
  };

  uint64_t NextId(Kind k) { return MakeId(k, next_seq_++); }
  DestSnap Snapshot(const Dest& d) const;
  // Where `prefix` is or would go in the index (its lower bound).
  DestIndex::iterator IndexPosition(const Prefix& prefix);
  // Best()'s route itself (null: none), for a caller that needs more of it than its id.
  const Route* BestRoute(const Dest& d, int view_id, ULONG protocol) const;
  Route* BestRoute(const Dest& d, int view_id, ULONG protocol);
  // Compares, stamps LastChanged and queues notifications. Returns the views whose best
  // route changed (as a view mask).
  // `route`/`route_is_best`: whether that route is now the best in one of its views (null:
  // not asked). `now`: the time to stamp, when the caller has it (zero: read the clock).
  RTM_VIEW_SET AfterChange(Dest& d, const DestSnap& before, RTM_VIEW_SET touched,
                           uint64_t route, bool* route_is_best, FILETIME now);
  void QueueChange(Dest& d, RTM_VIEW_SET any, RTM_VIEW_SET best, RTM_VIEW_SET fwd);
  bool InQueue(const Notify& n, const Dest& d) const;  // whether n's queue holds d
  // Steps the route_refs (route objects) and uses (in-table routes) counters of the spec's next
  // hops and neighbour.
  void AdjustNextHops(const RouteSpec& spec, int route_refs, int uses);  // each -1, 0 or +1
  void ArmTtl(Route& r, ULONG ttl_ms);
  void MaybeFreeRoute(uint64_t id);
  void MaybeFreeRoute(Route& r);  // r is live; it may be freed
  void MaybeFreeDest(uint64_t id);
  void MaybeFreeDest(Dest& d);  // d is live; it may be freed
  void MaybeFreeNextHop(uint64_t id);
  void QueueEntityEvent(Event::Type type, const Entity& peer);

  NodePools pools_;  // first: the maps below take their nodes from it
  bool dispatcher_work_ = false;
  uint64_t next_seq_ = 1;
  uint64_t generation_ = 0;
  uint32_t real_entities_ = 0;
  uint32_t route_count_ = 0;
  uint64_t last_new_dest_ = 0;  // the dest created last (IndexPosition's first guess)
  Stats stats_;

  std::map<uint64_t, std::unique_ptr<Entity>> entities_;  // ordered by registration
  std::map<uint64_t, std::unique_ptr<NextHop>> next_hops_;
  // Routes and destinations by id, in nodes from pools_ (addresses stay stable). Declared
  // after pools_, so destroyed before it.
  IdMap<Route> routes_{&pools_};
  IdMap<Dest> dests_{&pools_};
  // Destinations in prefix order (family, address, length): exact lookups for every add and
  // the order of enumerations and the dump. Each Dest keeps its own entry's iterator, so a
  // delete erases without a second search.
  DestIndex dest_index_{std::less<Prefix>(),
                        PooledAllocator<std::pair<const Prefix, Dest*>>(&pools_)};
  std::unordered_map<uint64_t, std::unique_ptr<EnumState>> enums_;
  std::map<uint64_t, std::unique_ptr<Notify>> notifies_;
  std::deque<Event> events_;
  std::multimap<Clock::time_point, std::pair<uint64_t, uint64_t>> ttl_;  // -> (route, gen)
};

FILETIME NowFileTime();

}  // namespace mockrtm
