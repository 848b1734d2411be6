// The RTMv2 entry points of RRAS_BRIDGE_RTM_FUNCTIONS (rtm_api.h), with C linkage, over the
// Table. No C++ exception crosses this boundary: bad_alloc gives ERROR_NOT_ENOUGH_MEMORY,
// anything else ERROR_CAN_NOT_COMPLETE. Order of checks: the entity handle
// (ERROR_INVALID_HANDLE), then required pointers (ERROR_INVALID_PARAMETER), then the rest.
#include <new>

#include "../common/compat.h"
#include "../common/rtm_api.h"
#include "export.h"
#include "runtime.h"

namespace mockrtm {
namespace {

using Lock = std::unique_lock<std::mutex>;

template <typename F>
DWORD Guard(F&& f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return ERROR_NOT_ENOUGH_MEMORY;
  } catch (...) {
    return ERROR_CAN_NOT_COMPLETE;
  }
}

// Runs f(table, caller entity) under the lock; ERROR_INVALID_HANDLE for a bad entity handle.
template <typename F>
DWORD WithEntity(RTM_ENTITY_HANDLE h, F&& f) noexcept {
  return Guard([&]() -> DWORD {
    Runtime& rt = Runtime::Get();
    std::unique_lock<std::mutex> lock(rt.mu);
    Entity* e = rt.table.FindEntity(h);
    if (!e) return ERROR_INVALID_HANDLE;
    const DWORD rc = f(rt.table, *e, lock);
    rt.Wake();
    return rc;
  });
}

// RTM_BEST_PROTOCOL -> 0 (any owner), RTM_THIS_PROTOCOL -> the caller's protocol id.
ULONG ResolveProtocol(const Entity& caller, ULONG protocol_id) {
  if (protocol_id == RTM_BEST_PROTOCOL) return 0;
  if (protocol_id == RTM_THIS_PROTOCOL) return caller.info.EntityId.EntityProtocolId;
  return protocol_id;
}

// Releases n handles of one kind; ERROR_INVALID_HANDLE if any was not one (the others are
// still released).
template <typename H>
DWORD ReleaseAll(Table& t, UINT n, const H* handles, Kind kind) {
  if (n && !handles) return ERROR_INVALID_PARAMETER;
  bool ok = true;
  for (UINT i = 0; i < n; ++i) ok = t.ReleaseRef(FromHandle(handles[i]), kind) && ok;
  return ok ? NO_ERROR : ERROR_INVALID_HANDLE;
}

// RtmReleaseRouteInfo, RtmReleaseDestInfo: the references an info structure holds.
template <typename Info>
DWORD ReleaseInfo(RTM_ENTITY_HANDLE handle, Info* info, bool (Table::*release)(const Info*)) {
  return WithEntity(handle, [&](Table& t, Entity&, Lock&) -> DWORD {
    if (!info) return ERROR_INVALID_PARAMETER;
    return (t.*release)(info) ? NO_ERROR : ERROR_INVALID_HANDLE;
  });
}

// RtmGetExactMatchDestination, RtmGetMostSpecificDestination: the address read (parse) in the
// caller's family, the destination `find` picks among those with a route in the views, its info.
template <typename Find>
DWORD GetDestination(RTM_ENTITY_HANDLE handle, const RTM_NET_ADDRESS* address, ULONG protocolId,
                     RTM_VIEW_SET views, PRTM_DEST_INFO out,
                     bool (*parse)(const RTM_NET_ADDRESS*, Prefix*), Find find) {
  return WithEntity(handle, [&](Table& t, Entity& e, Lock&) -> DWORD {
    if (!address || !out) return ERROR_INVALID_PARAMETER;
    Prefix p;
    if (!parse(address, &p) || p.family != e.info.AddressFamily) return ERROR_INVALID_PARAMETER;
    Dest* d = find(t, p, MatchViews(views));
    if (!d) return ERROR_NOT_FOUND;
    t.FillDestInfo(*d, views & kSupportedViews, ResolveProtocol(e, protocolId), out);
    return NO_ERROR;
  });
}

const RTM_NEXTHOP_HANDLE* HopAt(const RTM_ROUTE_INFO* ri, size_t i) {
  return reinterpret_cast<const RTM_NEXTHOP_HANDLE*>(
      reinterpret_cast<const char*>(ri) + offsetof(RTM_ROUTE_INFO, NextHopsList.NextHops) +
      i * sizeof(RTM_NEXTHOP_HANDLE));
}

RTM_DEST_INFO* DestAt(RTM_DEST_INFO* base, size_t stride, size_t i) {
  return reinterpret_cast<RTM_DEST_INFO*>(reinterpret_cast<char*>(base) + i * stride);
}

// Destinations for an enumeration, in (address, length) order: all of them (RTM_ENUM_START),
// from `start` on (RTM_ENUM_NEXT), or within the range `start` (RTM_ENUM_RANGE).
DWORD SelectDests(Table& t, USHORT family, RTM_ENUM_FLAGS flags, const RTM_NET_ADDRESS* start,
                  std::vector<uint64_t>* out) {
  const auto& index = t.dest_index();
  if (flags & (RTM_ENUM_RANGE | RTM_ENUM_NEXT)) {
    Prefix p;
    if (!FromNetAddress(start, &p) || p.family != family) return ERROR_INVALID_PARAMETER;
    if (flags & RTM_ENUM_RANGE) {
      for (auto it = index.lower_bound(p); it != index.end() && CoversAddress(p, it->first); ++it) {
        if (Covers(p, it->first)) out->push_back(it->second->id);
      }
    } else {
      for (auto it = index.lower_bound(p); it != index.end() && it->first.family == p.family; ++it)
        out->push_back(it->second->id);
    }
  } else {
    for (const auto& kv : index)
      if (kv.first.family == family) out->push_back(kv.second->id);
  }
  return NO_ERROR;
}

bool RouteMatches(Table& t, const Route& r, RTM_MATCH_FLAGS flags, const RTM_ROUTE_INFO* crit,
                  ULONG crit_if) {
  if ((flags & RTM_MATCH_OWNER) && r.owner != FromHandle(crit->RouteOwner)) return false;
  if ((flags & RTM_MATCH_NEIGHBOUR) && r.spec.neighbour != FromHandle(crit->Neighbour)) {
    return false;
  }
  if ((flags & RTM_MATCH_PREF) && (r.spec.pref.Metric != crit->PrefInfo.Metric ||
                                   r.spec.pref.Preference != crit->PrefInfo.Preference)) {
    return false;
  }
  if (flags & RTM_MATCH_NEXTHOP) {
    if (crit->NextHopsList.NumNextHops == 0) return false;
    const uint64_t want = FromHandle(*HopAt(crit, 0));
    bool found = false;
    for (uint64_t nh : r.spec.next_hops) found = found || nh == want;
    if (!found) return false;
  }
  if (flags & RTM_MATCH_INTERFACE) {
    bool found = false;
    for (uint64_t id : r.spec.next_hops) {
      const NextHop* nh = t.FindNextHop(id);
      found = found || (nh && nh->info->InterfaceIndex == crit_if);
    }
    if (!found) return false;
  }
  return true;
}

bool DestListed(Table& t, const EnumState& e, uint64_t id, const Entity& caller) {
  const Dest* d = t.FindDest(id);
  if (!d || !t.HasRouteIn(*d, MatchViews(e.views))) return false;
  if (!e.own_only) return true;
  const RTM_VIEW_SET views = MatchViews(e.views);
  for (int v = 0; v < kNumViews; ++v) {
    if (!(views & (RTM_VIEW_SET(1) << v))) continue;
    const uint64_t best = t.Best(*d, v, 0);
    if (best && t.FindRoute(best)->owner == caller.id) return true;
  }
  return false;
}

// Releases an array of dest infos (RtmGetEnumDests / RtmGetChangedDests batches). All entries
// of a batch have the same number of views; the first one tells the stride.
bool ReleaseDestArray(Table& t, UINT count, RTM_DEST_INFO* infos) {
  if (!count) return true;
  const UINT views = infos->NumberOfViews < UINT(kNumViews) ? infos->NumberOfViews
                                                            : UINT(kNumViews);
  const size_t stride = DestInfoStride(views);
  bool ok = true;
  for (UINT i = 0; i < count; ++i) ok = t.ReleaseDestInfoRefs(DestAt(infos, stride, i)) && ok;
  return ok;
}

// Batch getters report no entries on failure, so a caller looping on the count never
// reuses a stale buffer.
DWORD ZeroCountOnError(DWORD rc, PUINT count) {
  if (count && rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS) *count = 0;
  return rc;
}

bool RouteListed(Table& t, uint64_t id) {
  const Route* r = t.FindRoute(id);
  return r && r->in_table;
}

}  // namespace
}  // namespace mockrtm

using namespace mockrtm;  // NOLINT: the C entry points below are thin wrappers

// ==================================================================== entities

MOCK_RTM_EXPORT DWORD WINAPI RtmRegisterEntity(PRTM_ENTITY_INFO RtmEntityInfo,
                                               PRTM_ENTITY_EXPORT_METHODS ExportMethods,
                                               RTM_EVENT_CALLBACK EventCallback,
                                               BOOL ReserveOpaquePointer,
                                               PRTM_REGN_PROFILE RtmRegProfile,
                                               PRTM_ENTITY_HANDLE RtmRegHandle) {
  (void)ExportMethods;         // entity methods are not supported (never invoked)
  (void)ReserveOpaquePointer;  // no opaque pointers (RtmGetOpaqueInformationPointer absent)
  return Guard([&]() -> DWORD {
    if (!RtmEntityInfo || !RtmRegProfile || !RtmRegHandle) return ERROR_INVALID_PARAMETER;
    // The IPv4 and the IPv6 router manager's RTM instances (0); no other family.
    if ((RtmEntityInfo->AddressFamily != kAfInet && RtmEntityInfo->AddressFamily != kAfInet6) ||
        RtmEntityInfo->RtmInstanceId != 0) {
      return ERROR_INVALID_PARAMETER;
    }
    Runtime& rt = Runtime::Get();
    std::unique_lock<std::mutex> lock(rt.mu);
    uint64_t id = 0;
    const DWORD rc = rt.table.RegisterEntity(*RtmEntityInfo, EventCallback, false, &id);
    if (rc != NO_ERROR) return rc;
    RtmRegProfile->MaxNextHopsInRoute = kMaxNextHopsInRoute;
    RtmRegProfile->MaxHandlesInEnum = kMaxHandlesInEnum;
    RtmRegProfile->ViewsSupported = kSupportedViews;
    RtmRegProfile->NumberOfViews = kNumViews;
    try {
      rt.EnsureDispatcher(lock);
    } catch (...) {
      rt.table.DeregisterEntity(id);  // no dispatcher, no registration
      throw;
    }
    *RtmRegHandle = ToHandle(id);
    rt.Wake();
    return NO_ERROR;
  });
}

// Another entity's registration info (how a client learns a route owner's protocol id).
MOCK_RTM_EXPORT DWORD WINAPI RtmGetEntityInfo(RTM_ENTITY_HANDLE RtmRegHandle,
                                              RTM_ENTITY_HANDLE EntityHandle,
                                              PRTM_ENTITY_INFO EntityInfo) {
  return WithEntity(RtmRegHandle, [&](Table& t, Entity&, Lock&) -> DWORD {
    if (!EntityInfo) return ERROR_INVALID_PARAMETER;
    const Entity* other = t.FindEntity(EntityHandle);
    if (!other) return ERROR_INVALID_HANDLE;
    *EntityInfo = other->info;
    return NO_ERROR;
  });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmDeregisterEntity(RTM_ENTITY_HANDLE RtmRegHandle) {
  return Guard([&]() -> DWORD {
    Runtime& rt = Runtime::Get();
    std::unique_lock<std::mutex> lock(rt.mu);
    const uint64_t id = FromHandle(RtmRegHandle);
    const DWORD rc = rt.table.DeregisterEntity(id);
    if (rc != NO_ERROR) return rc;
    rt.Wake();
    rt.AfterDeregister(lock, id, 0);
    return NO_ERROR;
  });
}

// ==================================================================== next hops

MOCK_RTM_EXPORT DWORD WINAPI RtmAddNextHop(RTM_ENTITY_HANDLE RtmRegHandle,
                                           PRTM_NEXTHOP_INFO NextHopInfo,
                                           PRTM_NEXTHOP_HANDLE NextHopHandle,
                                           PRTM_NEXTHOP_CHANGE_FLAGS ChangeFlags) {
  return WithEntity(RtmRegHandle, [&](Table& t, Entity& e, Lock&) -> DWORD {
    if (!NextHopInfo || !ChangeFlags) return ERROR_INVALID_PARAMETER;
    const uint64_t existing = NextHopHandle ? FromHandle(*NextHopHandle) : 0;
    uint64_t id = 0;
    bool is_new = false;
    const DWORD rc = t.AddNextHop(e.id, *NextHopInfo, existing, &id, &is_new);
    if (rc != NO_ERROR) return rc;
    *ChangeFlags = is_new ? RTM_NEXTHOP_CHANGE_NEW : 0;
    if (NextHopHandle && !*NextHopHandle) {
      *NextHopHandle = ToHandle(id);
      t.AddRef(id);
    }
    return NO_ERROR;
  });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmDeleteNextHop(RTM_ENTITY_HANDLE RtmRegHandle,
                                              RTM_NEXTHOP_HANDLE NextHopHandle,
                                              PRTM_NEXTHOP_INFO NextHopInfo) {
  return WithEntity(RtmRegHandle, [&](Table& t, Entity& e, Lock&) -> DWORD {
    if (NextHopHandle) return t.DeleteNextHop(e.id, FromHandle(NextHopHandle), true);
    if (!NextHopInfo) return ERROR_INVALID_PARAMETER;
    Prefix addr;
    if (!FromNetAddressRaw(&NextHopInfo->NextHopAddress, &addr)) return ERROR_INVALID_PARAMETER;
    NextHop* nh = t.MatchNextHop(e.id, NextHopInfo->NextHopAddress, NextHopInfo->InterfaceIndex);
    if (!nh) return ERROR_NOT_FOUND;
    return t.DeleteNextHop(e.id, nh->id, false);
  });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmFindNextHop(RTM_ENTITY_HANDLE RtmRegHandle,
                                            PRTM_NEXTHOP_INFO NextHopInfo,
                                            PRTM_NEXTHOP_HANDLE NextHopHandle,
                                            PRTM_NEXTHOP_INFO* NextHopPointer) {
  return WithEntity(RtmRegHandle, [&](Table& t, Entity& e, Lock&) -> DWORD {
    if (!NextHopInfo || !NextHopHandle) return ERROR_INVALID_PARAMETER;
    uint64_t owner = e.id;
    if (NextHopInfo->NextHopOwner) {
      owner = FromHandle(NextHopInfo->NextHopOwner);
      if (!t.FindEntity(owner)) return ERROR_INVALID_HANDLE;
    }
    Prefix addr;
    if (!FromNetAddressRaw(&NextHopInfo->NextHopAddress, &addr)) return ERROR_INVALID_PARAMETER;
    NextHop* nh = t.MatchNextHop(owner, NextHopInfo->NextHopAddress, NextHopInfo->InterfaceIndex);
    if (!nh) return ERROR_NOT_FOUND;
    *NextHopHandle = ToHandle(nh->id);
    t.AddRef(nh->id);
    // Direct access to the stored info is for the owner only.
    if (NextHopPointer) *NextHopPointer = owner == e.id ? nh->info.get() : nullptr;
    return NO_ERROR;
  });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmGetNextHopInfo(RTM_ENTITY_HANDLE RtmRegHandle,
                                               RTM_NEXTHOP_HANDLE NextHopHandle,
                                               PRTM_NEXTHOP_INFO NextHopInfo) {
  return WithEntity(RtmRegHandle, [&](Table& t, Entity&, Lock&) -> DWORD {
    if (!NextHopInfo) return ERROR_INVALID_PARAMETER;
    const NextHop* nh = t.FindNextHop(FromHandle(NextHopHandle));
    if (!nh) return ERROR_INVALID_HANDLE;
    *NextHopInfo = *nh->info;  // State tells RTM_NEXTHOP_STATE_DELETED after a delete
    return NO_ERROR;
  });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmReleaseNextHops(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumNextHops,
                                                PRTM_NEXTHOP_HANDLE NextHopHandles) {
  return WithEntity(RtmRegHandle, [&](Table& t, Entity&, Lock&) -> DWORD {
    return ReleaseAll(t, NumNextHops, NextHopHandles, Kind::NextHop);
  });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmReleaseNextHopInfo(RTM_ENTITY_HANDLE RtmRegHandle,
                                                   PRTM_NEXTHOP_INFO NextHopInfo) {
  // RtmGetNextHopInfo hands out no references (NextHopOwner is an entity handle and
  // RemoteNextHop is stored as given), so there is nothing to release.
  return WithEntity(RtmRegHandle, [&](Table&, Entity&, Lock&) -> DWORD {
    return NextHopInfo ? NO_ERROR : ERROR_INVALID_PARAMETER;
  });
}

// ==================================================================== routes

MOCK_RTM_EXPORT DWORD WINAPI RtmAddRouteToDest(RTM_ENTITY_HANDLE RtmRegHandle,
                                               PRTM_ROUTE_HANDLE RouteHandle,
                                               PRTM_NET_ADDRESS DestAddress,
                                               PRTM_ROUTE_INFO RouteInfo, ULONG TimeToLive,
                                               RTM_ROUTE_LIST_HANDLE RouteListHandle,
                                               RTM_NOTIFY_FLAGS NotifyType,
                                               RTM_NOTIFY_HANDLE NotifyHandle,
                                               PRTM_ROUTE_CHANGE_FLAGS ChangeFlags) {
  (void)NotifyType;    // reserved ("set to NULL")
  (void)NotifyHandle;  // reserved ("set to NULL")
  return WithEntity(RtmRegHandle, [&](Table& t, Entity& e, Lock&) -> DWORD {
    if (!RouteInfo || !ChangeFlags) return ERROR_INVALID_PARAMETER;
    if (RouteListHandle) return ERROR_INVALID_HANDLE;  // route lists are not supported
    const uint64_t existing = RouteHandle ? FromHandle(*RouteHandle) : 0;
    Prefix prefix;
    if (DestAddress) {
      if (!FromNetAddress(DestAddress, &prefix)) return ERROR_INVALID_PARAMETER;
    } else if (existing) {
      const Route* r = t.FindRoute(existing);
      if (!r) return ERROR_INVALID_HANDLE;
      prefix = t.FindDest(r->dest)->prefix;
    } else {
      return ERROR_INVALID_PARAMETER;
    }
    RouteSpec spec;
    spec.neighbour = FromHandle(RouteInfo->Neighbour);
    spec.flags1 = RouteInfo->Flags1;
    spec.flags = RouteInfo->Flags;
    spec.pref = RouteInfo->PrefInfo;
    spec.views = RouteInfo->BelongsToViews & kSupportedViews;
    spec.esi = RouteInfo->EntitySpecificInfo;
    const USHORT n = RouteInfo->NextHopsList.NumNextHops;
    if (n > kMaxNextHopsInRoute) return ERROR_INVALID_PARAMETER;
    for (USHORT i = 0; i < n; ++i) {
      const uint64_t nh = FromHandle(*HopAt(RouteInfo, i));
      if (!nh) return ERROR_INVALID_HANDLE;
      spec.next_hops.push_back(nh);
    }
    const bool ignore_neighbour = (*ChangeFlags & RTM_ROUTE_CHANGE_FIRST) != 0;
    uint64_t route = 0;
    DWORD flags = 0;
    const DWORD rc =
        t.AddRoute(e.id, prefix, spec, TimeToLive, existing, ignore_neighbour, &route, &flags);
    if (rc != NO_ERROR) return rc;
    *ChangeFlags = flags;
    if (RouteHandle && !*RouteHandle) {
      *RouteHandle = ToHandle(route);
      t.AddRef(route);
    }
    return NO_ERROR;
  });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmDeleteRouteToDest(RTM_ENTITY_HANDLE RtmRegHandle,
                                                  RTM_ROUTE_HANDLE RouteHandle,
                                                  PRTM_ROUTE_CHANGE_FLAGS ChangeFlags) {
  return WithEntity(RtmRegHandle, [&](Table& t, Entity& e, Lock&) -> DWORD {
    if (!ChangeFlags) return ERROR_INVALID_PARAMETER;
    const uint64_t id = FromHandle(RouteHandle);
    Route* r = t.FindRoute(id);
    if (!r) return ERROR_INVALID_HANDLE;
    if (!r->in_table) return ERROR_NOT_FOUND;
    if (r->owner != e.id) return ERROR_ACCESS_DENIED;
    if (r->refs) --r->refs;  // "deletes the route and releases the handle"
    bool best_changed = false;
    t.RemoveRoute(id, &best_changed);
    *ChangeFlags = best_changed ? RTM_ROUTE_CHANGE_BEST : 0;
    return NO_ERROR;
  });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmGetRouteInfo(RTM_ENTITY_HANDLE RtmRegHandle,
                                             RTM_ROUTE_HANDLE RouteHandle,
                                             PRTM_ROUTE_INFO RouteInfo,
                                             PRTM_NET_ADDRESS DestAddress) {
  return WithEntity(RtmRegHandle, [&](Table& t, Entity&, Lock&) -> DWORD {
    if (!RouteInfo && !DestAddress) return ERROR_INVALID_PARAMETER;
    const Route* r = t.FindRoute(FromHandle(RouteHandle));
    if (!r) return ERROR_INVALID_HANDLE;
    if (RouteInfo) t.FillRouteInfo(*r, RouteInfo, true);
    if (DestAddress) {
      const Prefix& p = t.FindDest(r->dest)->prefix;
      ToNetAddress(p, DestAddress);
    }
    return NO_ERROR;
  });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmReleaseRoutes(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumRoutes,
                                              PRTM_ROUTE_HANDLE RouteHandles) {
  return WithEntity(RtmRegHandle, [&](Table& t, Entity&, Lock&) -> DWORD {
    return ReleaseAll(t, NumRoutes, RouteHandles, Kind::Route);
  });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmReleaseRouteInfo(RTM_ENTITY_HANDLE RtmRegHandle,
                                                 PRTM_ROUTE_INFO RouteInfo) {
  return ReleaseInfo(RtmRegHandle, RouteInfo, &Table::ReleaseRouteInfoRefs);
}

// ==================================================================== destinations

MOCK_RTM_EXPORT DWORD WINAPI RtmGetExactMatchDestination(RTM_ENTITY_HANDLE RtmRegHandle,
                                                         PRTM_NET_ADDRESS DestAddress,
                                                         ULONG ProtocolId,
                                                         RTM_VIEW_SET TargetViews,
                                                         PRTM_DEST_INFO DestInfo) {
  return GetDestination(RtmRegHandle, DestAddress, ProtocolId, TargetViews, DestInfo, &FromNetAddress,
                        [](Table& t, const Prefix& p, RTM_VIEW_SET views) -> Dest* {
                          Dest* d = t.FindDest(p);
                          return d && t.HasRouteIn(*d, views) ? d : nullptr;
                        });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmGetMostSpecificDestination(RTM_ENTITY_HANDLE RtmRegHandle,
                                                           PRTM_NET_ADDRESS DestAddress,
                                                           ULONG ProtocolId,
                                                           RTM_VIEW_SET TargetViews,
                                                           PRTM_DEST_INFO DestInfo) {
  // The address keeps its host bits: it is looked up, not a prefix.
  return GetDestination(RtmRegHandle, DestAddress, ProtocolId, TargetViews, DestInfo, &FromNetAddressRaw,
                        [](Table& t, const Prefix& addr, RTM_VIEW_SET views) -> Dest* {
                          return t.LongestMatch(addr, addr.len, views);
                        });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmReleaseDestInfo(RTM_ENTITY_HANDLE RtmRegHandle,
                                                PRTM_DEST_INFO DestInfo) {
  return ReleaseInfo(RtmRegHandle, DestInfo, &Table::ReleaseDestInfoRefs);
}

// ==================================================================== change notification

MOCK_RTM_EXPORT DWORD WINAPI RtmRegisterForChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle,
                                                              RTM_VIEW_SET TargetViews,
                                                              RTM_NOTIFY_FLAGS NotifyFlags,
                                                              PVOID NotifyContext,
                                                              PRTM_NOTIFY_HANDLE NotifyHandle) {
  return WithEntity(RtmRegHandle, [&](Table& t, Entity& e, Lock&) -> DWORD {
    if (!NotifyHandle) return ERROR_INVALID_PARAMETER;
    if (NotifyFlags & RTM_NOTIFY_ONLY_MARKED_DESTS) return ERROR_NOT_SUPPORTED;
    const RTM_NOTIFY_FLAGS types =
        RTM_CHANGE_TYPE_ALL | RTM_CHANGE_TYPE_BEST | RTM_CHANGE_TYPE_FORWARDING;
    if (!(NotifyFlags & types) || (NotifyFlags & ~types)) return ERROR_INVALID_PARAMETER;
    *NotifyHandle = ToHandle(t.CreateNotify(e.id, TargetViews, NotifyFlags, NotifyContext));
    return NO_ERROR;
  });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmDeregisterFromChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle,
                                                                 RTM_NOTIFY_HANDLE NotifyHandle) {
  return WithEntity(RtmRegHandle,
                    [&](Table& t, Entity& e, Lock& lock) -> DWORD {
                      const uint64_t id = FromHandle(NotifyHandle);
                      const Notify* n = t.FindNotify(id);
                      if (!n || n->owner != e.id) return ERROR_INVALID_HANDLE;
                      t.DeleteNotify(id);
                      Runtime::Get().AfterDeregister(lock, 0, id);
                      return NO_ERROR;
                    });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmGetChangedDests(RTM_ENTITY_HANDLE RtmRegHandle,
                                                RTM_NOTIFY_HANDLE NotifyHandle, PUINT NumDests,
                                                PRTM_DEST_INFO ChangedDests) {
  return ZeroCountOnError(WithEntity(RtmRegHandle, [&](Table& t, Entity& e, Lock&) -> DWORD {
    Notify* n = t.FindNotify(FromHandle(NotifyHandle));
    if (!n || n->owner != e.id) return ERROR_INVALID_HANDLE;
    if (!NumDests || *NumDests > kMaxHandlesInEnum) return ERROR_INVALID_PARAMETER;
    if (*NumDests && !ChangedDests) return ERROR_INVALID_PARAMETER;
    bool more = false;
    *NumDests = t.PopChanged(*n, *NumDests, ChangedDests, &more);
    return more ? NO_ERROR : ERROR_NO_MORE_ITEMS;
  }), NumDests);
}

MOCK_RTM_EXPORT DWORD WINAPI RtmReleaseChangedDests(RTM_ENTITY_HANDLE RtmRegHandle,
                                                    RTM_NOTIFY_HANDLE NotifyHandle,
                                                    UINT NumDests, PRTM_DEST_INFO ChangedDests) {
  return WithEntity(RtmRegHandle, [&](Table& t, Entity& e, Lock&) -> DWORD {
    if (NumDests && !ChangedDests) return ERROR_INVALID_PARAMETER;
    // The batch is released even if the registration is gone meanwhile (deregistered by
    // another thread while this one was draining): its references were handed out.
    const uint64_t nid = FromHandle(NotifyHandle);
    const Notify* n = t.FindNotify(nid);
    const bool handle_ok = n ? n->owner == e.id : t.WasIssued(nid, Kind::Notify);
    const bool ok = ReleaseDestArray(t, NumDests, ChangedDests);
    return handle_ok && ok ? NO_ERROR : ERROR_INVALID_HANDLE;
  });
}

// ==================================================================== enumeration

MOCK_RTM_EXPORT DWORD WINAPI RtmCreateRouteEnum(RTM_ENTITY_HANDLE RtmRegHandle,
                                                RTM_DEST_HANDLE DestHandle,
                                                RTM_VIEW_SET TargetViews,
                                                RTM_ENUM_FLAGS EnumFlags,
                                                PRTM_NET_ADDRESS StartDest,
                                                RTM_MATCH_FLAGS MatchingFlags,
                                                PRTM_ROUTE_INFO CriteriaRoute,
                                                ULONG CriteriaInterface,
                                                PRTM_ENUM_HANDLE RtmEnumHandle) {
  return WithEntity(RtmRegHandle, [&](Table& t, Entity& e, Lock&) -> DWORD {
    if (!RtmEnumHandle) return ERROR_INVALID_PARAMETER;
    const RTM_MATCH_FLAGS need_route =
        RTM_MATCH_OWNER | RTM_MATCH_NEIGHBOUR | RTM_MATCH_PREF | RTM_MATCH_NEXTHOP;
    if ((MatchingFlags & need_route) && !CriteriaRoute) return ERROR_INVALID_PARAMETER;
    std::vector<uint64_t> dests;
    if (DestHandle) {
      const Dest* d = t.FindDest(FromHandle(DestHandle));
      if (!d) return ERROR_INVALID_HANDLE;
      dests.push_back(d->id);
    } else {
      const DWORD rc = SelectDests(t, e.info.AddressFamily, EnumFlags, StartDest, &dests);
      if (rc != NO_ERROR) return rc;
    }
    auto en = std::make_unique<EnumState>();
    en->owner = e.id;
    en->dests = false;
    en->views = TargetViews;
    const RTM_VIEW_SET views = MatchViews(TargetViews);
    for (uint64_t did : dests) {
      for (const Route* rp : t.FindDest(did)->routes) {
        const Route& r = *rp;
        const uint64_t rid = r.id;
        if (!(r.spec.views & views)) continue;
        if ((EnumFlags & RTM_ENUM_OWN_ROUTES) && r.owner != e.id) continue;
        if (!RouteMatches(t, r, MatchingFlags, CriteriaRoute, CriteriaInterface)) continue;
        en->items.push_back(rid);
      }
    }
    *RtmEnumHandle = ToHandle(t.CreateEnum(std::move(en)));
    return NO_ERROR;
  });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmGetEnumRoutes(RTM_ENTITY_HANDLE RtmRegHandle,
                                              RTM_ENUM_HANDLE EnumHandle, PUINT NumRoutes,
                                              PRTM_ROUTE_HANDLE RouteHandles) {
  return ZeroCountOnError(WithEntity(RtmRegHandle, [&](Table& t, Entity& e, Lock&) -> DWORD {
    EnumState* en = t.FindEnum(FromHandle(EnumHandle));
    if (!en || en->owner != e.id || en->dests) return ERROR_INVALID_HANDLE;
    if (!NumRoutes || *NumRoutes > kMaxHandlesInEnum) return ERROR_INVALID_PARAMETER;
    if (*NumRoutes && !RouteHandles) return ERROR_INVALID_PARAMETER;
    UINT count = 0;
    while (count < *NumRoutes && en->pos < en->items.size()) {
      const uint64_t id = en->items[en->pos++];
      if (!RouteListed(t, id)) continue;  // deleted since the enumeration started
      RouteHandles[count++] = ToHandle(id);
      t.AddRef(id);
    }
    while (en->pos < en->items.size() && !RouteListed(t, en->items[en->pos])) ++en->pos;
    *NumRoutes = count;
    return en->pos < en->items.size() ? NO_ERROR : ERROR_NO_MORE_ITEMS;
  }), NumRoutes);
}

MOCK_RTM_EXPORT DWORD WINAPI RtmDeleteEnumHandle(RTM_ENTITY_HANDLE RtmRegHandle,
                                                 RTM_ENUM_HANDLE EnumHandle) {
  return WithEntity(RtmRegHandle, [&](Table& t, Entity& e, Lock&) -> DWORD {
    const EnumState* en = t.FindEnum(FromHandle(EnumHandle));
    if (!en || en->owner != e.id) return ERROR_INVALID_HANDLE;
    t.DeleteEnum(en->id);
    return NO_ERROR;
  });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmCreateDestEnum(RTM_ENTITY_HANDLE RtmRegHandle,
                                               RTM_VIEW_SET TargetViews, RTM_ENUM_FLAGS EnumFlags,
                                               PRTM_NET_ADDRESS NetAddress, ULONG ProtocolId,
                                               PRTM_ENUM_HANDLE RtmEnumHandle) {
  return WithEntity(RtmRegHandle, [&](Table& t, Entity& e, Lock&) -> DWORD {
    if (!RtmEnumHandle) return ERROR_INVALID_PARAMETER;
    auto en = std::make_unique<EnumState>();
    const DWORD rc = SelectDests(t, e.info.AddressFamily, EnumFlags, NetAddress, &en->items);
    if (rc != NO_ERROR) return rc;
    en->owner = e.id;
    en->dests = true;
    en->views = TargetViews;
    en->protocol = ResolveProtocol(e, ProtocolId);
    en->own_only = (EnumFlags & RTM_ENUM_OWN_DESTS) != 0;
    *RtmEnumHandle = ToHandle(t.CreateEnum(std::move(en)));
    return NO_ERROR;
  });
}

MOCK_RTM_EXPORT DWORD WINAPI RtmGetEnumDests(RTM_ENTITY_HANDLE RtmRegHandle,
                                             RTM_ENUM_HANDLE EnumHandle, PUINT NumDests,
                                             PRTM_DEST_INFO DestInfos) {
  return ZeroCountOnError(WithEntity(RtmRegHandle, [&](Table& t, Entity& e, Lock&) -> DWORD {
    EnumState* en = t.FindEnum(FromHandle(EnumHandle));
    if (!en || en->owner != e.id || !en->dests) return ERROR_INVALID_HANDLE;
    if (!NumDests || *NumDests > kMaxHandlesInEnum) return ERROR_INVALID_PARAMETER;
    if (*NumDests && !DestInfos) return ERROR_INVALID_PARAMETER;
    const RTM_VIEW_SET reported = en->views & kSupportedViews;
    const size_t stride = DestInfoStride(ReportedViewCount(reported));
    UINT count = 0;
    while (count < *NumDests && en->pos < en->items.size()) {
      const uint64_t id = en->items[en->pos++];
      if (!DestListed(t, *en, id, e)) continue;
      t.FillDestInfo(*t.FindDest(id), reported, en->protocol, DestAt(DestInfos, stride, count++));
    }
    while (en->pos < en->items.size() && !DestListed(t, *en, en->items[en->pos], e)) ++en->pos;
    *NumDests = count;
    return en->pos < en->items.size() ? NO_ERROR : ERROR_NO_MORE_ITEMS;
  }), NumDests);
}

MOCK_RTM_EXPORT DWORD WINAPI RtmReleaseDests(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumDests,
                                             PRTM_DEST_INFO DestInfos) {
  return WithEntity(RtmRegHandle, [&](Table& t, Entity&, Lock&) -> DWORD {
    if (NumDests && !DestInfos) return ERROR_INVALID_PARAMETER;
    return ReleaseDestArray(t, NumDests, DestInfos) ? NO_ERROR : ERROR_INVALID_HANDLE;
  });
}
