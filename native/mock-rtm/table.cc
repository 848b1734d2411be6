#include "table.h"

#include <string.h>
#include <time.h>

#include <algorithm>
#include <utility>

#include "../common/rtm_api.h"

namespace mockrtm {

using rrasbridge::RtmDestViewInfo;

size_t DestInfoStride(UINT num_views) { return rrasbridge::RtmDestInfoSize(num_views); }

FILETIME NowFileTime() {
  // 100 ns ticks since 1601-01-01 (FILETIME epoch). On Linux the coarse clock (a few ms of
  // resolution, plenty for LastChanged): a precise read cost 4% of every route added.
#if defined(__linux__)
  timespec ts;
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  const uint64_t since_1970 = uint64_t(ts.tv_sec) * 1000000000ULL + uint64_t(ts.tv_nsec);
#else
  const uint64_t since_1970 = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
#endif
  const uint64_t ticks = since_1970 / 100 + 116444736000000000ULL;
  FILETIME ft;
  ft.dwLowDateTime = static_cast<DWORD>(ticks & 0xFFFFFFFFu);
  ft.dwHighDateTime = static_cast<DWORD>(ticks >> 32);
  return ft;
}

namespace {

RtmDestViewInfo* ViewAt(RTM_DEST_INFO* di, size_t i) {
  return reinterpret_cast<RtmDestViewInfo*>(reinterpret_cast<char*>(di) +
                                            offsetof(RTM_DEST_INFO, ViewInfo) +
                                            i * sizeof(RtmDestViewInfo));
}
const RtmDestViewInfo* ViewAt(const RTM_DEST_INFO* di, size_t i) {
  return reinterpret_cast<const RtmDestViewInfo*>(reinterpret_cast<const char*>(di) +
                                                  offsetof(RTM_DEST_INFO, ViewInfo) +
                                                  i * sizeof(RtmDestViewInfo));
}
RTM_NEXTHOP_HANDLE* HopAt(RTM_ROUTE_INFO* ri, size_t i) {
  return reinterpret_cast<RTM_NEXTHOP_HANDLE*>(reinterpret_cast<char*>(ri) +
                                               offsetof(RTM_ROUTE_INFO, NextHopsList.NextHops) +
                                               i * sizeof(RTM_NEXTHOP_HANDLE));
}
const RTM_NEXTHOP_HANDLE* HopAt(const RTM_ROUTE_INFO* ri, size_t i) {
  return reinterpret_cast<const RTM_NEXTHOP_HANDLE*>(
      reinterpret_cast<const char*>(ri) + offsetof(RTM_ROUTE_INFO, NextHopsList.NextHops) +
      i * sizeof(RTM_NEXTHOP_HANDLE));
}

constexpr RTM_VIEW_SET ViewBit(int view_id) { return RTM_VIEW_SET(1) << view_id; }

}  // namespace

Table::Table() = default;

void Table::Reset() {
  entities_.clear();
  next_hops_.clear();
  routes_.clear();
  dests_.clear();
  dest_index_.clear();
  enums_.clear();
  notifies_.clear();
  events_.clear();
  ttl_.clear();
  real_entities_ = 0;
  route_count_ = 0;
  stats_ = Stats();
  ++generation_;
  // next_seq_ is kept: handles from before the reset stay stale instead of aliasing.
}

// ---------------------------------------------------------------- lookups

bool Table::WasIssued(uint64_t id, Kind k) const {
  const uint64_t seq = id & kSeqMask;
  return KindOf(id) == k && seq != 0 && seq < next_seq_;
}

Entity* Table::FindEntity(uint64_t id) {
  auto it = entities_.find(id);
  return it == entities_.end() ? nullptr : it->second.get();
}

Entity* Table::FindEntityById(ULONG protocol, ULONG instance, USHORT family) {
  for (auto& kv : entities_) {
    const RTM_ENTITY_ID& eid = kv.second->info.EntityId;
    if (eid.EntityProtocolId == protocol && eid.EntityInstanceId == instance &&
        kv.second->info.AddressFamily == family) {
      return kv.second.get();
    }
  }
  return nullptr;
}

NextHop* Table::FindNextHop(uint64_t id) {
  auto it = next_hops_.find(id);
  return it == next_hops_.end() ? nullptr : it->second.get();
}

Route* Table::FindRoute(uint64_t id) {
  return routes_.find(id);
}

Dest* Table::FindDest(uint64_t id) {
  return dests_.find(id);
}

Dest* Table::FindDest(const Prefix& p) {
  auto it = dest_index_.find(p);
  return it == dest_index_.end() ? nullptr : it->second;
}

EnumState* Table::FindEnum(uint64_t id) {
  auto it = enums_.find(id);
  return it == enums_.end() ? nullptr : it->second.get();
}

Notify* Table::FindNotify(uint64_t id) {
  auto it = notifies_.find(id);
  return it == notifies_.end() ? nullptr : it->second.get();
}

// ---------------------------------------------------------------- entities

void Table::QueueEntityEvent(Event::Type type, const Entity& peer) {
  for (auto& kv : entities_) {
    const Entity& e = *kv.second;
    // Each family's RTM has its own entities: an IPv6 entity never hears of an IPv4 one.
    if (e.id == peer.id || !e.callback || e.info.AddressFamily != peer.info.AddressFamily) continue;
    Event ev;
    ev.type = type;
    ev.target = e.id;
    ev.peer = peer.id;
    ev.peer_info = peer.info;
    events_.push_back(ev);
    dispatcher_work_ = true;
  }
}

DWORD Table::RegisterEntity(const RTM_ENTITY_INFO& info, RTM_EVENT_CALLBACK cb, bool synthetic,
                            uint64_t* out) {
  if (FindEntityById(info.EntityId.EntityProtocolId, info.EntityId.EntityInstanceId,
                     info.AddressFamily)) {
    return ERROR_ALREADY_EXISTS;
  }
  auto e = std::make_unique<Entity>();
  e->id = NextId(Kind::Entity);
  e->info = info;
  e->callback = synthetic ? nullptr : cb;
  e->synthetic = synthetic;
  Entity& ref = *e;
  entities_[e->id] = std::move(e);
  if (!synthetic) ++real_entities_;
  QueueEntityEvent(Event::kEntityRegistered, ref);
  ++generation_;
  *out = ref.id;
  return NO_ERROR;
}

DWORD Table::DeregisterEntity(uint64_t id) {
  Entity* e = FindEntity(id);
  if (!e) return ERROR_INVALID_HANDLE;

  // Its own registrations and enumerations go first: it is not told about its own exit.
  std::vector<uint64_t> gone;
  for (auto& kv : notifies_) {
    if (kv.second->owner == id) gone.push_back(kv.first);
  }
  for (uint64_t n : gone) DeleteNotify(n);
  for (auto it = enums_.begin(); it != enums_.end();) {
    it = it->second->owner == id ? enums_.erase(it) : std::next(it);
  }

  // Its routes (others are notified) and next hops.
  gone.clear();
  routes_.ForEach([&](uint64_t rid, const Route& r) {
    if (r.owner == id && r.in_table) gone.push_back(rid);
  });
  // Deterministic order (by dest, then insertion) so notifications queue predictably.
  std::sort(gone.begin(), gone.end(), [this](uint64_t a, uint64_t b) {
    const Route& ra = routes_.at(a);
    const Route& rb = routes_.at(b);
    const Prefix& pa = dests_.at(ra.dest).prefix;
    const Prefix& pb = dests_.at(rb.dest).prefix;
    if (pa != pb) return pa < pb;
    return ra.id < rb.id;
  });
  for (uint64_t r : gone) {
    bool best_changed;
    RemoveRoute(r, &best_changed);
  }
  gone.clear();
  for (auto& kv : next_hops_) {
    if (kv.second->owner == id && kv.second->in_table) gone.push_back(kv.first);
  }
  for (uint64_t nh : gone) DeleteNextHop(id, nh, false);

  // Nothing more is delivered to it.
  events_.erase(std::remove_if(events_.begin(), events_.end(),
                               [id](const Event& ev) { return ev.target == id; }),
                events_.end());

  Entity copy = *e;
  entities_.erase(id);
  if (!copy.synthetic) --real_entities_;
  QueueEntityEvent(Event::kEntityDeregistered, copy);
  ++generation_;
  return NO_ERROR;
}

// ---------------------------------------------------------------- next hops

NextHop* Table::MatchNextHop(uint64_t owner, const RTM_NET_ADDRESS& addr, ULONG if_index) {
  Prefix a;
  if (!FromNetAddressRaw(&addr, &a)) return nullptr;
  for (auto& kv : next_hops_) {
    NextHop& nh = *kv.second;
    if (!nh.in_table || nh.owner != owner || nh.info->InterfaceIndex != if_index) continue;
    Prefix b;
    if (FromNetAddressRaw(&nh.info->NextHopAddress, &b) && a == b) return &nh;
  }
  return nullptr;
}

DWORD Table::AddNextHop(uint64_t owner, const RTM_NEXTHOP_INFO& info, uint64_t existing,
                        uint64_t* out, bool* is_new) {
  Prefix addr;
  if (!FromNetAddressRaw(&info.NextHopAddress, &addr)) return ERROR_INVALID_PARAMETER;
  // RTM keeps one table per address family: an entity's next hops are of its family.
  const Entity* ent = FindEntity(owner);
  if (ent && ent->info.AddressFamily != addr.family) return ERROR_INVALID_PARAMETER;
  NextHop* nh = nullptr;
  if (existing) {
    nh = FindNextHop(existing);
    if (!nh) return ERROR_INVALID_HANDLE;
    if (!nh->in_table) return ERROR_NOT_FOUND;
    if (nh->owner != owner) return ERROR_ACCESS_DENIED;
  } else {
    nh = MatchNextHop(owner, info.NextHopAddress, info.InterfaceIndex);
  }
  *is_new = nh == nullptr;
  if (!nh) {
    auto fresh = std::make_unique<NextHop>();
    fresh->id = NextId(Kind::NextHop);
    fresh->owner = owner;
    fresh->info = std::make_unique<RTM_NEXTHOP_INFO>();
    nh = fresh.get();
    next_hops_[fresh->id] = std::move(fresh);
  }
  RTM_NEXTHOP_INFO& stored = *nh->info;
  memset(&stored, 0, sizeof(stored));
  ToNetAddress(addr, &stored.NextHopAddress);
  stored.NextHopOwner = ToHandle(owner);
  stored.InterfaceIndex = info.InterfaceIndex;
  stored.State = RTM_NEXTHOP_STATE_CREATED;
  stored.Flags = info.Flags;
  stored.EntitySpecificInfo = info.EntitySpecificInfo;
  stored.RemoteNextHop = info.RemoteNextHop;
  ++generation_;
  *out = nh->id;
  return NO_ERROR;
}

DWORD Table::DeleteNextHop(uint64_t caller, uint64_t id, bool consume_ref) {
  NextHop* nh = FindNextHop(id);
  if (!nh) return ERROR_INVALID_HANDLE;
  if (!nh->in_table) return ERROR_NOT_FOUND;
  if (nh->owner != caller) return ERROR_ACCESS_DENIED;
  if (consume_ref && nh->refs) --nh->refs;
  nh->in_table = false;
  nh->info->State = RTM_NEXTHOP_STATE_DELETED;
  ++generation_;
  MaybeFreeNextHop(id);
  return NO_ERROR;
}

void Table::MaybeFreeNextHop(uint64_t id) {
  NextHop* nh = FindNextHop(id);
  if (nh && !nh->in_table && nh->refs == 0 && nh->route_refs == 0) next_hops_.erase(id);
}

void Table::CollectSyntheticNextHops(uint64_t owner) {
  std::vector<uint64_t> unused;
  for (auto& kv : next_hops_) {
    const NextHop& nh = *kv.second;
    if (nh.owner == owner && nh.in_table && nh.uses == 0) unused.push_back(kv.first);
  }
  for (uint64_t id : unused) DeleteNextHop(owner, id, false);
}

// ---------------------------------------------------------------- routes

void Table::AdjustNextHops(const RouteSpec& spec, int route_refs, int uses) {
  auto step = [](uint32_t& c, int delta) {
    if (delta > 0) ++c;
    else if (delta < 0 && c) --c;
  };
  auto adjust = [&](uint64_t id) {
    NextHop* nh = FindNextHop(id);
    if (!nh) return;
    step(nh->route_refs, route_refs);
    step(nh->uses, uses);
  };
  for (uint64_t id : spec.next_hops) adjust(id);
  if (spec.neighbour) adjust(spec.neighbour);
}

uint64_t Table::Best(const Dest& d, int view_id, ULONG protocol) const {
  const Route* best = BestRoute(d, view_id, protocol);
  return best ? best->id : 0;
}

Route* Table::BestRoute(const Dest& d, int view_id, ULONG protocol) {
  return const_cast<Route*>(std::as_const(*this).BestRoute(d, view_id, protocol));
}

const Route* Table::BestRoute(const Dest& d, int view_id, ULONG protocol) const {
  const Route* best = nullptr;
  for (const Route* rp : d.routes) {
    const Route& r = *rp;
    if (!(r.spec.views & ViewBit(view_id))) continue;
    if (protocol) {
      auto e = entities_.find(r.owner);
      if (e == entities_.end() || e->second->info.EntityId.EntityProtocolId != protocol) continue;
    }
    if (!best || r.spec.pref.Preference < best->spec.pref.Preference ||
        (r.spec.pref.Preference == best->spec.pref.Preference &&
         (r.spec.pref.Metric < best->spec.pref.Metric ||
          (r.spec.pref.Metric == best->spec.pref.Metric && r.id < best->id)))) {
      best = &r;
    }
  }
  return best;
}

bool Table::IsBestSomewhere(const Route& r) const {
  if (!r.in_table) return false;
  const Dest& d = dests_.at(r.dest);
  for (int v = 0; v < kNumViews; ++v) {
    if ((r.spec.views & ViewBit(v)) && Best(d, v, 0) == r.id) return true;
  }
  return false;
}

Table::DestSnap Table::Snapshot(const Dest& d) const {
  // One pass over the routes for both views, with Best()'s order (preference, metric,
  // insertion): this runs twice per route added or deleted.
  DestSnap s;
  const Route* best[kNumViews] = {};
  for (const Route* rp : d.routes) {
    const Route& r = *rp;
    for (int v = 0; v < kNumViews; ++v) {
      if (!(r.spec.views & ViewBit(v))) continue;
      ++s.v[v].count;
      const Route* b = best[v];
      if (!b || r.spec.pref.Preference < b->spec.pref.Preference ||
          (r.spec.pref.Preference == b->spec.pref.Preference &&
           (r.spec.pref.Metric < b->spec.pref.Metric ||
            (r.spec.pref.Metric == b->spec.pref.Metric && r.id < b->id)))) {
        best[v] = &r;
      }
    }
  }
  for (int v = 0; v < kNumViews; ++v) {
    if (!best[v]) continue;
    ViewSnap& vs = s.v[v];
    vs.best = best[v]->id;
    vs.best_version = best[v]->version;
    vs.fwd = best[v]->spec.next_hops;
    vs.fwd_flags = best[v]->spec.flags;
  }
  return s;
}

RTM_VIEW_SET Table::AfterChange(Dest& d, const DestSnap& before, RTM_VIEW_SET touched,
                                uint64_t route, bool* route_is_best, FILETIME now) {
  const DestSnap after = Snapshot(d);
  if (route_is_best) {
    *route_is_best = false;
    for (int v = 0; v < kNumViews; ++v) *route_is_best |= after.v[v].best == route;
  }
  RTM_VIEW_SET any = 0, best = 0, fwd = 0;
  for (int v = 0; v < kNumViews; ++v) {
    const ViewSnap& b = before.v[v];
    const ViewSnap& a = after.v[v];
    const RTM_VIEW_SET bit = ViewBit(v);
    if ((touched & bit) || a.count != b.count) any |= bit;
    if (a.best != b.best || (a.best && a.best_version != b.best_version)) best |= bit;
    if ((a.best == 0) != (b.best == 0) || a.fwd != b.fwd || a.fwd_flags != b.fwd_flags) fwd |= bit;
  }
  if (any | best | fwd) {
    d.last_changed = now.dwLowDateTime || now.dwHighDateTime ? now : NowFileTime();
    QueueChange(d, any | best | fwd, best, fwd);
  }
  return best;
}

void Table::QueueChange(Dest& d, RTM_VIEW_SET any, RTM_VIEW_SET best, RTM_VIEW_SET fwd) {
  for (auto& kv : notifies_) {
    Notify& n = *kv.second;
    RTM_VIEW_SET relevant = 0;
    if (n.flags & RTM_CHANGE_TYPE_ALL) relevant |= any;
    if (n.flags & RTM_CHANGE_TYPE_BEST) relevant |= best;
    if (n.flags & RTM_CHANGE_TYPE_FORWARDING) relevant |= fwd;
    if (!(relevant & MatchViews(n.views))) continue;
    const Entity* owner = FindEntity(n.owner);
    if (owner && owner->info.AddressFamily != d.prefix.family) continue;  // another family's table
    if (!InQueue(n, d)) {
      if (notifies_.size() > 1) n.queued.insert(d.id);
      n.queue.push_back(d.id);
      ++d.queued;
    }
    if (!n.signaled) {
      n.signaled = true;
      const Entity* e = FindEntity(n.owner);
      if (e && e->callback) {
        Event ev;
        ev.type = Event::kChange;
        ev.target = n.owner;
        ev.notify = n.id;
        events_.push_back(ev);
        dispatcher_work_ = true;
      }
    }
  }
}

void Table::ArmTtl(Route& r, ULONG ttl_ms) {
  ++r.ttl_gen;
  if (ttl_ms == INFINITE) {
    r.has_deadline = false;
    return;
  }
  r.has_deadline = true;
  r.deadline = Clock::now() + std::chrono::milliseconds(ttl_ms);
  ttl_.emplace(r.deadline, std::make_pair(r.id, r.ttl_gen));
  dispatcher_work_ = true;  // possibly the earliest deadline now
}

DestIndex::iterator Table::IndexPosition(const Prefix& prefix) {
  // Tables are often loaded in prefix order (a dump, a full-table transfer): then the place is
  // right after the dest created last, found with two compares instead of a descent from the
  // root that missed the cache at most of its twenty levels. Anything else searches.
  if (const Dest* last = FindDest(last_new_dest_)) {
    auto at = last->index_entry;
    if (at->first < prefix) {
      ++at;
      if (at == dest_index_.end() || !(at->first < prefix)) return at;
    }
  }
  return dest_index_.lower_bound(prefix);
}

DWORD Table::AddRoute(uint64_t owner, const Prefix& prefix, const RouteSpec& spec, ULONG ttl_ms,
                      uint64_t existing, bool ignore_neighbour, uint64_t* out_route,
                      DWORD* change_flags) {
  // Validate everything before changing anything.
  if (spec.next_hops.size() > kMaxNextHopsInRoute) return ERROR_INVALID_PARAMETER;
  if (!(spec.views & kSupportedViews)) return ERROR_INVALID_PARAMETER;
  const Entity* ent = FindEntity(owner);
  if (ent && ent->info.AddressFamily != prefix.family) return ERROR_INVALID_PARAMETER;
  for (uint64_t id : spec.next_hops) {
    const NextHop* nh = FindNextHop(id);
    if (!nh || !nh->in_table) return ERROR_INVALID_HANDLE;
  }
  if (spec.neighbour) {
    const NextHop* nh = FindNextHop(spec.neighbour);
    if (!nh || !nh->in_table) return ERROR_INVALID_HANDLE;
  }

  Route* r = nullptr;
  Dest* d = nullptr;
  auto index_at = dest_index_.end();
  if (existing) {
    r = FindRoute(existing);
    if (!r) return ERROR_INVALID_HANDLE;
    if (!r->in_table) return ERROR_NOT_FOUND;
    if (r->owner != owner) return ERROR_ACCESS_DENIED;
    d = FindDest(r->dest);
    if (d->prefix != prefix) return ERROR_INVALID_PARAMETER;
  } else {
    index_at = IndexPosition(prefix);  // also where a new dest goes
    if (index_at != dest_index_.end() && index_at->first == prefix) d = index_at->second;
    if (d) {
      for (Route* cp : d->routes) {
        Route& c = *cp;
        if (c.owner == owner && (ignore_neighbour || c.spec.neighbour == spec.neighbour)) {
          r = &c;
          break;
        }
      }
    }
  }
  FILETIME created{};  // a new destination's creation is also its first change
  if (!d) {
    const uint64_t id = NextId(Kind::Dest);
    d = &dests_.emplace(id);
    d->id = id;
    d->prefix = prefix;
    d->last_changed = created = NowFileTime();
    d->index_entry = dest_index_.emplace_hint(index_at, prefix, d);
    last_new_dest_ = id;
  }

  const DestSnap before = Snapshot(*d);
  RTM_VIEW_SET touched = 0;
  bool is_new = false;
  if (r) {
    if (!r->spec.SameAs(spec)) {
      touched = r->spec.views | spec.views;
      const RouteSpec old = r->spec;
      AdjustNextHops(spec, +1, +1);
      AdjustNextHops(old, -1, -1);
      r->spec = spec;
      ++r->version;
      ++stats_.routes_updated;
      for (uint64_t id : old.next_hops) MaybeFreeNextHop(id);
      if (old.neighbour) MaybeFreeNextHop(old.neighbour);
    }
  } else {
    const uint64_t id = NextId(Kind::Route);
    r = &routes_.emplace(id);
    r->id = id;
    r->dest = d->id;
    r->owner = owner;
    r->spec = spec;
    AdjustNextHops(spec, +1, +1);
    ++d->route_objs;
    d->routes.push_back(r);
    ++route_count_;
    ++stats_.routes_added;
    touched = spec.views;
    is_new = true;
  }
  ArmTtl(*r, ttl_ms);
  bool is_best = false;
  const RTM_VIEW_SET best_changed = AfterChange(*d, before, touched, r->id, &is_best, created);
  *change_flags = (is_new ? RTM_ROUTE_CHANGE_NEW : 0) |
                  ((best_changed || is_best) ? RTM_ROUTE_CHANGE_BEST : 0);
  *out_route = r->id;
  ++generation_;
  return NO_ERROR;
}

void Table::RemoveRoute(uint64_t id, bool* best_changed) {
  *best_changed = false;
  Route* r = FindRoute(id);
  if (!r || !r->in_table) return;
  Dest& d = dests_.at(r->dest);
  const uint64_t dest_id = d.id;
  const RTM_VIEW_SET touched = r->spec.views;
  const DestSnap before = Snapshot(d);
  d.routes.erase(r);
  r->in_table = false;
  r->has_deadline = false;
  ++r->ttl_gen;
  --route_count_;
  ++stats_.routes_deleted;
  AdjustNextHops(r->spec, 0, -1);
  *best_changed = AfterChange(d, before, touched, 0, nullptr, FILETIME{}) != 0;
  ++generation_;
  MaybeFreeRoute(*r);
  MaybeFreeDest(dest_id);  // by id: freeing the route may have freed it
}

void Table::Pin(uint64_t id) {
  if (Route* r = FindRoute(id)) ++r->pins;
}

void Table::Unpin(uint64_t id) {
  Route* r = FindRoute(id);
  if (!r) return;
  if (r->pins) --r->pins;
  MaybeFreeRoute(id);
}

void Table::MaybeFreeRoute(uint64_t id) {
  if (Route* r = FindRoute(id)) MaybeFreeRoute(*r);
}

void Table::MaybeFreeRoute(Route& r) {
  if (r.in_table || r.refs || r.pins) return;
  const RouteSpec spec = r.spec;
  const uint64_t dest_id = r.dest;
  routes_.erase(r.id);
  AdjustNextHops(spec, -1, 0);
  for (uint64_t nh : spec.next_hops) MaybeFreeNextHop(nh);
  if (spec.neighbour) MaybeFreeNextHop(spec.neighbour);
  if (Dest* d = FindDest(dest_id)) {
    if (d->route_objs) --d->route_objs;
    MaybeFreeDest(dest_id);
  }
}

void Table::MaybeFreeDest(uint64_t id) {
  if (Dest* d = FindDest(id)) MaybeFreeDest(*d);
}

void Table::MaybeFreeDest(Dest& d) {
  if (!d.routes.empty() || d.refs || d.queued || d.route_objs) return;
  dest_index_.erase(d.index_entry);
  dests_.erase(d.id);
}

// ---------------------------------------------------------------- info structs

void Table::AddRef(uint64_t id) {
  switch (KindOf(id)) {
    case Kind::Route:
      if (Route* r = FindRoute(id)) ++r->refs;
      break;
    case Kind::Dest:
      if (Dest* d = FindDest(id)) ++d->refs;
      break;
    case Kind::NextHop:
      if (NextHop* nh = FindNextHop(id)) ++nh->refs;
      break;
    default:
      break;
  }
}

bool Table::ReleaseRef(uint64_t id, Kind k) {
  if (id == 0) return true;
  if (!WasIssued(id, k)) return false;
  // The object found once (this runs per handle released): its count, then whether it goes.
  Route* r = k == Kind::Route ? FindRoute(id) : nullptr;
  Dest* d = k == Kind::Dest ? FindDest(id) : nullptr;
  NextHop* nh = k == Kind::NextHop ? FindNextHop(id) : nullptr;
  uint32_t* refs = r ? &r->refs : d ? &d->refs : nh ? &nh->refs : nullptr;
  if (!refs || *refs == 0) {
    ++stats_.over_releases;  // stale or released twice: tolerated, counted
    return true;
  }
  --*refs;
  if (r) MaybeFreeRoute(*r);
  if (d) MaybeFreeDest(*d);
  if (nh) MaybeFreeNextHop(id);
  return true;
}

void Table::FillRouteInfo(const Route& r, RTM_ROUTE_INFO* out, bool take_refs) {
  memset(out, 0, offsetof(RTM_ROUTE_INFO, NextHopsList.NextHops));
  out->DestHandle = ToHandle(r.dest);
  out->RouteOwner = ToHandle(r.owner);
  out->Neighbour = r.spec.neighbour ? ToHandle(r.spec.neighbour) : nullptr;
  out->State = r.in_table ? RTM_ROUTE_STATE_CREATED : RTM_ROUTE_STATE_DELETED;
  out->Flags1 = r.spec.flags1;
  out->Flags = r.spec.flags;
  out->PrefInfo = r.spec.pref;
  out->BelongsToViews = r.spec.views;
  out->EntitySpecificInfo = r.spec.esi;
  out->NextHopsList.NumNextHops = static_cast<USHORT>(r.spec.next_hops.size());
  for (size_t i = 0; i < r.spec.next_hops.size(); ++i) {
    *HopAt(out, i) = ToHandle(r.spec.next_hops[i]);
    if (take_refs) AddRef(r.spec.next_hops[i]);
  }
  if (take_refs) {
    AddRef(r.dest);
    if (r.spec.neighbour) AddRef(r.spec.neighbour);
  }
}

bool Table::ReleaseRouteInfoRefs(const RTM_ROUTE_INFO* ri) {
  bool ok = ReleaseRef(FromHandle(ri->DestHandle), Kind::Dest);
  ok = ReleaseRef(FromHandle(ri->Neighbour), Kind::NextHop) && ok;
  const size_t n = std::min<size_t>(ri->NextHopsList.NumNextHops, kMaxNextHopsInRoute);
  for (size_t i = 0; i < n; ++i) ok = ReleaseRef(FromHandle(*HopAt(ri, i)), Kind::NextHop) && ok;
  return ok;
}

void Table::FillDestInfo(Dest& d, RTM_VIEW_SET views, ULONG protocol, RTM_DEST_INFO* out) {
  memset(out, 0, offsetof(RTM_DEST_INFO, ViewInfo));
  out->DestHandle = ToHandle(d.id);
  ++d.refs;  // the handle's reference (this runs per change reported: no second lookup)
  ToNetAddress(d.prefix, &out->DestAddress);
  out->LastChanged = d.last_changed;
  RTM_VIEW_SET belongs = 0;
  ULONG routesIn[kNumViews] = {};  // each view's routes, in the same one pass
  for (const Route* r : d.routes) {
    const RTM_VIEW_SET in = r->spec.views;
    belongs |= in;
    for (int v = 0; v < kNumViews; ++v) routesIn[v] += (in & ViewBit(v)) ? 1 : 0;
  }
  out->BelongsToViews = belongs;
  out->NumberOfViews = ReportedViewCount(views);
  size_t i = 0;
  for (int v = 0; v < kNumViews; ++v) {
    if (!(views & ViewBit(v))) continue;
    RtmDestViewInfo* vi = ViewAt(out, i++);
    memset(vi, 0, sizeof(*vi));
    vi->ViewId = v;
    vi->NumRoutes = routesIn[v];
    if (Route* best = BestRoute(d, v, protocol)) {
      vi->Route = ToHandle(best->id);
      ++best->refs;
      vi->Owner = ToHandle(best->owner);
    }
  }
}

bool Table::ReleaseDestInfoRefs(const RTM_DEST_INFO* di) {
  bool ok = ReleaseRef(FromHandle(di->DestHandle), Kind::Dest);
  const UINT n = std::min<UINT>(di->NumberOfViews, kNumViews);
  for (UINT i = 0; i < n; ++i) {
    const RtmDestViewInfo* vi = ViewAt(di, i);
    ok = ReleaseRef(FromHandle(vi->Route), Kind::Route) && ok;
    ok = ReleaseRef(FromHandle(vi->HoldRoute), Kind::Route) && ok;
  }
  return ok;
}

// ---------------------------------------------------------------- destinations

bool Table::HasRouteIn(const Dest& d, RTM_VIEW_SET match_views) const {
  for (const Route* r : d.routes) {
    if (r->spec.views & match_views) return true;
  }
  return false;
}

Dest* Table::LongestMatch(const Prefix& addr, uint8_t max_len, RTM_VIEW_SET match_views) {
  for (int len = std::min<int>(max_len, int(MaxBits(addr.family))); len >= 0; --len) {
    Dest* d = FindDest(Masked(addr, unsigned(len)));
    if (d && HasRouteIn(*d, match_views)) return d;
  }
  return nullptr;
}

// ---------------------------------------------------------------- enumerations

uint64_t Table::CreateEnum(std::unique_ptr<EnumState> e) {
  e->id = NextId(Kind::Enum);
  const uint64_t id = e->id;
  enums_[id] = std::move(e);
  return id;
}

void Table::DeleteEnum(uint64_t id) { enums_.erase(id); }

// ---------------------------------------------------------------- change notifications

uint64_t Table::CreateNotify(uint64_t owner, RTM_VIEW_SET views, RTM_NOTIFY_FLAGS flags,
                             PVOID ctx) {
  auto n = std::make_unique<Notify>();
  n->id = NextId(Kind::Notify);
  n->owner = owner;
  n->views = views;
  n->flags = flags;
  n->context = ctx;
  const uint64_t id = n->id;
  notifies_[id] = std::move(n);
  if (notifies_.size() == 2) {
    // The registration there was kept no set of its queue (InQueue): it needs one now.
    for (auto& kv : notifies_) kv.second->queued.insert(kv.second->queue.begin(), kv.second->queue.end());
  }
  return id;
}

bool Table::InQueue(const Notify& n, const Dest& d) const {
  return notifies_.size() == 1 ? d.queued != 0 : n.queued.count(d.id) != 0;
}

void Table::DeleteNotify(uint64_t id) {
  Notify* n = FindNotify(id);
  if (!n) return;
  const std::deque<uint64_t> queued = n->queue;
  notifies_.erase(id);
  if (notifies_.size() == 1) std::unordered_set<uint64_t>().swap(notifies_.begin()->second->queued);
  for (uint64_t did : queued) {
    if (Dest* d = FindDest(did)) {
      if (d->queued) --d->queued;
      MaybeFreeDest(did);
    }
  }
  events_.erase(std::remove_if(events_.begin(), events_.end(),
                               [id](const Event& ev) { return ev.notify == id; }),
                events_.end());
}

UINT Table::PopChanged(Notify& n, UINT max, RTM_DEST_INFO* out, bool* more) {
  const size_t stride = DestInfoStride(ReportedViewCount(n.views));
  UINT count = 0;
  while (count < max && !n.queue.empty()) {
    const uint64_t did = n.queue.front();
    n.queue.pop_front();
    if (notifies_.size() > 1) n.queued.erase(did);
    Dest* d = FindDest(did);
    if (!d) continue;
    if (d->queued) --d->queued;
    FillDestInfo(*d, n.views, 0,
                 reinterpret_cast<RTM_DEST_INFO*>(reinterpret_cast<char*>(out) + count * stride));
    ++count;
    MaybeFreeDest(*d);
  }
  *more = !n.queue.empty();
  if (!*more) n.signaled = false;
  return count;
}

// ---------------------------------------------------------------- dispatcher interface

Event Table::PopEvent() {
  Event ev = events_.front();
  events_.pop_front();
  return ev;
}

bool Table::NextDeadline(Clock::time_point* when) const {
  if (ttl_.empty()) return false;
  *when = ttl_.begin()->first;
  return true;
}

uint64_t Table::PopExpired(Clock::time_point now, bool* popped) {
  *popped = false;
  if (ttl_.empty() || ttl_.begin()->first > now) return 0;
  const auto entry = ttl_.begin()->second;
  ttl_.erase(ttl_.begin());
  *popped = true;
  Route* r = FindRoute(entry.first);
  if (!r || !r->in_table || !r->has_deadline || r->ttl_gen != entry.second) return 0;
  r->has_deadline = false;
  return r->id;
}

// ---------------------------------------------------------------- inspection

void Table::RefTotals(uint64_t* routes, uint64_t* dests, uint64_t* next_hops) const {
  *routes = *dests = *next_hops = 0;
  routes_.ForEach([&](uint64_t, const Route& r) { *routes += r.refs; });
  dests_.ForEach([&](uint64_t, const Dest& d) { *dests += d.refs; });
  for (auto& kv : next_hops_) *next_hops += kv.second->refs;
}

}  // namespace mockrtm
