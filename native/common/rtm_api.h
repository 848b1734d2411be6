// RTMv2 entry points as function-pointer types, for run-time resolution
// (GetProcAddress on rtm.dll, dlsym on the mock RTM library).
//
// Signatures are those of mingw-w64's rtmv2.h (layout_asserts.h checks them
// against the real declarations on Windows). Generate the pointer struct and
// the resolver loop from RRAS_BRIDGE_RTM_FUNCTIONS:
//
//   struct RtmApi {
//   #define X(name) PFN_##name name;
//     RRAS_BRIDGE_RTM_FUNCTIONS(X)
//   #undef X
//   };
#pragma once

#include <stddef.h>

#include <type_traits>

#include "compat.h"

#define RRAS_BRIDGE_RTM_FUNCTIONS(X)      \
  X(RtmRegisterEntity)                    \
  X(RtmDeregisterEntity)                  \
  X(RtmAddNextHop)                        \
  X(RtmDeleteNextHop)                     \
  X(RtmFindNextHop)                       \
  X(RtmGetNextHopInfo)                    \
  X(RtmReleaseNextHops)                   \
  X(RtmReleaseNextHopInfo)                \
  X(RtmAddRouteToDest)                    \
  X(RtmDeleteRouteToDest)                 \
  X(RtmGetRouteInfo)                      \
  X(RtmReleaseRoutes)                     \
  X(RtmReleaseRouteInfo)                  \
  X(RtmGetExactMatchDestination)          \
  X(RtmGetMostSpecificDestination)        \
  X(RtmReleaseDestInfo)                   \
  X(RtmRegisterForChangeNotification)     \
  X(RtmDeregisterFromChangeNotification)  \
  X(RtmGetChangedDests)                   \
  X(RtmReleaseChangedDests)               \
  X(RtmCreateRouteEnum)                   \
  X(RtmGetEnumRoutes)                     \
  X(RtmDeleteEnumHandle)                  \
  X(RtmCreateDestEnum)                    \
  X(RtmGetEnumDests)                      \
  X(RtmReleaseDests)

typedef DWORD (WINAPI *PFN_RtmRegisterEntity)(PRTM_ENTITY_INFO RtmEntityInfo, PRTM_ENTITY_EXPORT_METHODS ExportMethods, RTM_EVENT_CALLBACK EventCallback, BOOL ReserveOpaquePointer, PRTM_REGN_PROFILE RtmRegProfile, PRTM_ENTITY_HANDLE RtmRegHandle);
typedef DWORD (WINAPI *PFN_RtmDeregisterEntity)(RTM_ENTITY_HANDLE RtmRegHandle);
// Resolved optionally (a route owner's protocol id); not part of RRAS_BRIDGE_RTM_FUNCTIONS.
typedef DWORD (WINAPI *PFN_RtmGetEntityInfo)(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENTITY_HANDLE EntityHandle, PRTM_ENTITY_INFO EntityInfo);
typedef DWORD (WINAPI *PFN_RtmAddNextHop)(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NEXTHOP_INFO NextHopInfo, PRTM_NEXTHOP_HANDLE NextHopHandle, PRTM_NEXTHOP_CHANGE_FLAGS ChangeFlags);
typedef DWORD (WINAPI *PFN_RtmDeleteNextHop)(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NEXTHOP_HANDLE NextHopHandle, PRTM_NEXTHOP_INFO NextHopInfo);
typedef DWORD (WINAPI *PFN_RtmFindNextHop)(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NEXTHOP_INFO NextHopInfo, PRTM_NEXTHOP_HANDLE NextHopHandle, PRTM_NEXTHOP_INFO *NextHopPointer);
typedef DWORD (WINAPI *PFN_RtmGetNextHopInfo)(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NEXTHOP_HANDLE NextHopHandle, PRTM_NEXTHOP_INFO NextHopInfo);
typedef DWORD (WINAPI *PFN_RtmReleaseNextHops)(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumNextHops, PRTM_NEXTHOP_HANDLE NextHopHandles);
typedef DWORD (WINAPI *PFN_RtmReleaseNextHopInfo)(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NEXTHOP_INFO NextHopInfo);
typedef DWORD (WINAPI *PFN_RtmAddRouteToDest)(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_ROUTE_HANDLE RouteHandle, PRTM_NET_ADDRESS DestAddress, PRTM_ROUTE_INFO RouteInfo, ULONG TimeToLive, RTM_ROUTE_LIST_HANDLE RouteListHandle, RTM_NOTIFY_FLAGS NotifyType, RTM_NOTIFY_HANDLE NotifyHandle, PRTM_ROUTE_CHANGE_FLAGS ChangeFlags);
typedef DWORD (WINAPI *PFN_RtmDeleteRouteToDest)(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle, PRTM_ROUTE_CHANGE_FLAGS ChangeFlags);
typedef DWORD (WINAPI *PFN_RtmGetRouteInfo)(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle, PRTM_ROUTE_INFO RouteInfo, PRTM_NET_ADDRESS DestAddress);
typedef DWORD (WINAPI *PFN_RtmReleaseRoutes)(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumRoutes, PRTM_ROUTE_HANDLE RouteHandles);
typedef DWORD (WINAPI *PFN_RtmReleaseRouteInfo)(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_ROUTE_INFO RouteInfo);
typedef DWORD (WINAPI *PFN_RtmGetExactMatchDestination)(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NET_ADDRESS DestAddress, ULONG ProtocolId, RTM_VIEW_SET TargetViews, PRTM_DEST_INFO DestInfo);
typedef DWORD (WINAPI *PFN_RtmGetMostSpecificDestination)(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NET_ADDRESS DestAddress, ULONG ProtocolId, RTM_VIEW_SET TargetViews, PRTM_DEST_INFO DestInfo);
typedef DWORD (WINAPI *PFN_RtmReleaseDestInfo)(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_DEST_INFO DestInfo);
typedef DWORD (WINAPI *PFN_RtmRegisterForChangeNotification)(RTM_ENTITY_HANDLE RtmRegHandle, RTM_VIEW_SET TargetViews, RTM_NOTIFY_FLAGS NotifyFlags, PVOID NotifyContext, PRTM_NOTIFY_HANDLE NotifyHandle);
typedef DWORD (WINAPI *PFN_RtmDeregisterFromChangeNotification)(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle);
typedef DWORD (WINAPI *PFN_RtmGetChangedDests)(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle, PUINT NumDests, PRTM_DEST_INFO ChangedDests);
typedef DWORD (WINAPI *PFN_RtmReleaseChangedDests)(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle, UINT NumDests, PRTM_DEST_INFO ChangedDests);
typedef DWORD (WINAPI *PFN_RtmCreateRouteEnum)(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle, RTM_VIEW_SET TargetViews, RTM_ENUM_FLAGS EnumFlags, PRTM_NET_ADDRESS StartDest, RTM_MATCH_FLAGS MatchingFlags, PRTM_ROUTE_INFO CriteriaRoute, ULONG CriteriaInterface, PRTM_ENUM_HANDLE RtmEnumHandle);
typedef DWORD (WINAPI *PFN_RtmGetEnumRoutes)(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle, PUINT NumRoutes, PRTM_ROUTE_HANDLE RouteHandles);
typedef DWORD (WINAPI *PFN_RtmDeleteEnumHandle)(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle);
typedef DWORD (WINAPI *PFN_RtmCreateDestEnum)(RTM_ENTITY_HANDLE RtmRegHandle, RTM_VIEW_SET TargetViews, RTM_ENUM_FLAGS EnumFlags, PRTM_NET_ADDRESS NetAddress, ULONG ProtocolId, PRTM_ENUM_HANDLE RtmEnumHandle);
typedef DWORD (WINAPI *PFN_RtmGetEnumDests)(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle, PUINT NumDests, PRTM_DEST_INFO DestInfos);
typedef DWORD (WINAPI *PFN_RtmReleaseDests)(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumDests, PRTM_DEST_INFO DestInfos);

#if !defined(_WIN32)
// POSIX has no rtmv2.h: declare the same prototypes so the mock RTM's
// definitions are checked against them (the DLL itself still uses dlsym).
extern "C" {
#define RRAS_BRIDGE_DECLARE_RTM(name) std::remove_pointer_t<PFN_##name> name;
RRAS_BRIDGE_RTM_FUNCTIONS(RRAS_BRIDGE_DECLARE_RTM)
#undef RRAS_BRIDGE_DECLARE_RTM
}
#endif

namespace rrasbridge {

// Element type of RTM_DEST_INFO::ViewInfo, which the headers leave unnamed.
using RtmDestViewInfo = std::remove_extent_t<decltype(RTM_DEST_INFO::ViewInfo)>;

// Bytes for an RTM_ROUTE_INFO holding n next hops. RTM_SIZE_OF_ROUTE_INFO(n)
// measures from NextHopsList.NumNextHops (48), not from NextHops (56), so it
// is 8 bytes short; allocate with this instead. Never less than sizeof.
constexpr size_t RtmRouteInfoSize(size_t num_next_hops) {
  return offsetof(RTM_ROUTE_INFO, NextHopsList.NextHops) +
         (num_next_hops ? num_next_hops : 1) * sizeof(RTM_NEXTHOP_HANDLE);
}

// Bytes for an RTM_DEST_INFO with n views (= RTM_SIZE_OF_DEST_INFO(n), n >= 1).
constexpr size_t RtmDestInfoSize(size_t num_views) {
  return offsetof(RTM_DEST_INFO, ViewInfo) +
         (num_views ? num_views : 1) * sizeof(RtmDestViewInfo);
}

}  // namespace rrasbridge
