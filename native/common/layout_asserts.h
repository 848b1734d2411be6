// Compile-time checks that the types and constants we use have the x64 Windows
// layouts and values of the reference (rras-protocol-interface.md §2, §3, §4.5,
// §5.1). Compiled on POSIX against compat.h and with mingw-w64 against the real
// headers, so both are pinned to the same numbers. layout_dump.cc prints the
// same tables for a run-time diff of the two builds.
#pragma once

#include <stddef.h>

#include <type_traits>

#include "compat.h"
#include "rtm_api.h"

static_assert(sizeof(void*) == 8, "layouts below are for x64 (LLP64) only");

// S(type, size, alignment)
#define RRAS_BRIDGE_LAYOUT_TYPES(S)               \
  S(BYTE, 1, 1)                                   \
  S(WORD, 2, 2)                                   \
  S(USHORT, 2, 2)                                 \
  S(WCHAR, 2, 2)                                  \
  S(DWORD, 4, 4)                                  \
  S(ULONG, 4, 4)                                  \
  S(UINT, 4, 4)                                   \
  S(LONG, 4, 4)                                   \
  S(BOOL, 4, 4)                                   \
  S(ULONGLONG, 8, 8)                              \
  S(HANDLE, 8, 8)                                 \
  S(PVOID, 8, 8)                                  \
  S(ROUTING_PROTOCOL_EVENTS, 4, 4)                \
  S(NET_INTERFACE_TYPE, 4, 4)                     \
  S(RTM_EVENT_TYPE, 4, 4)                         \
  S(FILETIME, 8, 4)                               \
  S(GUID, 16, 4)                                  \
  S(MPR50_ROUTING_CHARACTERISTICS, 224, 8)        \
  S(MPR_ROUTING_CHARACTERISTICS, 224, 8)          \
  S(MPR40_SERVICE_CHARACTERISTICS, 112, 8)        \
  S(MPR_SERVICE_CHARACTERISTICS, 112, 8)          \
  S(SUPPORT_FUNCTIONS, 96, 8)                     \
  S(UPDATE_COMPLETE_MESSAGE, 12, 4)               \
  S(MESSAGE, 12, 4)                               \
  S(IP_LOCAL_BINDING, 8, 4)                       \
  S(IP_ADAPTER_BINDING_INFO, 24, 8)               \
  S(IN6_ADDR, 16, 2)                              \
  S(IPV6_LOCAL_BINDING, 20, 4)                    \
  S(IPV6_ADAPTER_BINDING_INFO, 32, 8)             \
  S(IPX_SERVER_ENTRY, 64, 2)                      \
  S(IPX_SERVICE, 72, 4)                           \
  S(RTR_TOC_ENTRY, 16, 4)                         \
  S(RTR_INFO_BLOCK_HEADER, 28, 4)                 \
  S(RTM_NET_ADDRESS, 20, 2)                       \
  S(RTM_PREF_INFO, 8, 4)                          \
  S(RTM_NEXTHOP_LIST, 16, 8)                      \
  S(RTM_ROUTE_INFO, 64, 8)                        \
  S(RTM_NEXTHOP_INFO, 56, 8)                      \
  S(RTM_DEST_INFO, 88, 8)                         \
  S(rrasbridge::RtmDestViewInfo, 40, 8)           \
  S(RTM_ENTITY_ID, 8, 8)                          \
  S(RTM_ENTITY_INFO, 16, 8)                       \
  S(RTM_REGN_PROFILE, 16, 4)                      \
  S(RTM_ENTITY_METHOD_INPUT, 12, 4)               \
  S(RTM_ENTITY_METHOD_OUTPUT, 16, 4)              \
  S(RTM_ENTITY_EXPORT_METHODS, 16, 8)

// M(type, member designator, offset)
#define RRAS_BRIDGE_LAYOUT_MEMBERS(M)                                        \
  M(MPR50_ROUTING_CHARACTERISTICS, dwVersion, 0)                             \
  M(MPR50_ROUTING_CHARACTERISTICS, dwProtocolId, 4)                          \
  M(MPR50_ROUTING_CHARACTERISTICS, fSupportedFunctionality, 8)               \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnStartProtocol, 16)                     \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnStartComplete, 24)                     \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnStopProtocol, 32)                      \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnGetGlobalInfo, 40)                     \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnSetGlobalInfo, 48)                     \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnQueryPower, 56)                        \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnSetPower, 64)                          \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnAddInterface, 72)                      \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnDeleteInterface, 80)                   \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnInterfaceStatus, 88)                   \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnGetInterfaceInfo, 96)                  \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnSetInterfaceInfo, 104)                 \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnGetEventMessage, 112)                  \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnUpdateRoutes, 120)                     \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnConnectClient, 128)                    \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnDisconnectClient, 136)                 \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnGetNeighbors, 144)                     \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnGetMfeStatus, 152)                     \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnMibCreateEntry, 160)                   \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnMibDeleteEntry, 168)                   \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnMibGetEntry, 176)                      \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnMibSetEntry, 184)                      \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnMibGetFirstEntry, 192)                 \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnMibGetNextEntry, 200)                  \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnMibSetTrapInfo, 208)                   \
  M(MPR50_ROUTING_CHARACTERISTICS, pfnMibGetTrapInfo, 216)                   \
  M(MPR40_SERVICE_CHARACTERISTICS, dwVersion, 0)                             \
  M(MPR40_SERVICE_CHARACTERISTICS, dwProtocolId, 4)                          \
  M(MPR40_SERVICE_CHARACTERISTICS, fSupportedFunctionality, 8)               \
  M(MPR40_SERVICE_CHARACTERISTICS, pfnIsService, 16)                         \
  M(MPR40_SERVICE_CHARACTERISTICS, pfnUpdateServices, 24)                    \
  M(MPR40_SERVICE_CHARACTERISTICS, pfnCreateServiceEnumerationHandle, 32)    \
  M(MPR40_SERVICE_CHARACTERISTICS, pfnEnumerateGetNextService, 40)           \
  M(MPR40_SERVICE_CHARACTERISTICS, pfnCloseServiceEnumerationHandle, 48)     \
  M(MPR40_SERVICE_CHARACTERISTICS, pfnGetServiceCount, 56)                   \
  M(MPR40_SERVICE_CHARACTERISTICS, pfnCreateStaticService, 64)               \
  M(MPR40_SERVICE_CHARACTERISTICS, pfnDeleteStaticService, 72)               \
  M(MPR40_SERVICE_CHARACTERISTICS, pfnBlockConvertServicesToStatic, 80)      \
  M(MPR40_SERVICE_CHARACTERISTICS, pfnBlockDeleteStaticServices, 88)         \
  M(MPR40_SERVICE_CHARACTERISTICS, pfnGetFirstOrderedService, 96)            \
  M(MPR40_SERVICE_CHARACTERISTICS, pfnGetNextOrderedService, 104)            \
  M(MPR_SERVICE_CHARACTERISTICS, mscMpr40ServiceChars, 0)                    \
  M(MPR_SERVICE_CHARACTERISTICS, mscMpr40ServiceChars.fSupportedFunctionality, 8) \
  M(MPR_SERVICE_CHARACTERISTICS, mscMpr40ServiceChars.pfnGetNextOrderedService, 104) \
  M(SUPPORT_FUNCTIONS, _Align8, 0)                                           \
  M(SUPPORT_FUNCTIONS, dwVersion, 0)                                         \
  M(SUPPORT_FUNCTIONS, dwReserved, 4)                                        \
  M(SUPPORT_FUNCTIONS, DemandDialRequest, 8)                                 \
  M(SUPPORT_FUNCTIONS, SetInterfaceReceiveType, 16)                          \
  M(SUPPORT_FUNCTIONS, ValidateRoute, 24)                                    \
  M(SUPPORT_FUNCTIONS, MIBEntryCreate, 32)                                   \
  M(SUPPORT_FUNCTIONS, MIBEntryDelete, 40)                                   \
  M(SUPPORT_FUNCTIONS, MIBEntrySet, 48)                                      \
  M(SUPPORT_FUNCTIONS, MIBEntryGet, 56)                                      \
  M(SUPPORT_FUNCTIONS, MIBEntryGetFirst, 64)                                 \
  M(SUPPORT_FUNCTIONS, MIBEntryGetNext, 72)                                  \
  M(SUPPORT_FUNCTIONS, GetRouterId, 80)                                      \
  M(SUPPORT_FUNCTIONS, HasMulticastBoundary, 88)                             \
  M(UPDATE_COMPLETE_MESSAGE, InterfaceIndex, 0)                              \
  M(UPDATE_COMPLETE_MESSAGE, UpdateType, 4)                                  \
  M(UPDATE_COMPLETE_MESSAGE, UpdateStatus, 8)                                \
  M(MESSAGE, UpdateCompleteMessage, 0)                                       \
  M(MESSAGE, InterfaceIndex, 0)                                              \
  M(IP_LOCAL_BINDING, Address, 0)                                            \
  M(IP_LOCAL_BINDING, Mask, 4)                                               \
  M(IP_ADAPTER_BINDING_INFO, AddressCount, 0)                                \
  M(IP_ADAPTER_BINDING_INFO, RemoteAddress, 4)                               \
  M(IP_ADAPTER_BINDING_INFO, Mtu, 8)                                         \
  M(IP_ADAPTER_BINDING_INFO, Speed, 16)                                      \
  M(IP_ADAPTER_BINDING_INFO, Address, 24)                                    \
  M(IPV6_LOCAL_BINDING, Address, 0)                                          \
  M(IPV6_LOCAL_BINDING, PrefixLength, 16)                                    \
  M(IPV6_ADAPTER_BINDING_INFO, AddressCount, 0)                              \
  M(IPV6_ADAPTER_BINDING_INFO, RemoteAddress, 4)                             \
  M(IPV6_ADAPTER_BINDING_INFO, Mtu, 20)                                      \
  M(IPV6_ADAPTER_BINDING_INFO, Speed, 24)                                    \
  M(IPV6_ADAPTER_BINDING_INFO, Address, 32)                                  \
  M(RTR_TOC_ENTRY, InfoType, 0)                                              \
  M(RTR_TOC_ENTRY, InfoSize, 4)                                              \
  M(RTR_TOC_ENTRY, Count, 8)                                                 \
  M(RTR_TOC_ENTRY, Offset, 12)                                               \
  M(RTR_INFO_BLOCK_HEADER, Version, 0)                                       \
  M(RTR_INFO_BLOCK_HEADER, Size, 4)                                          \
  M(RTR_INFO_BLOCK_HEADER, TocEntriesCount, 8)                               \
  M(RTR_INFO_BLOCK_HEADER, TocEntry, 12)                                     \
  M(RTM_NET_ADDRESS, AddressFamily, 0)                                       \
  M(RTM_NET_ADDRESS, NumBits, 2)                                             \
  M(RTM_NET_ADDRESS, AddrBits, 4)                                            \
  M(RTM_PREF_INFO, Metric, 0)                                                \
  M(RTM_PREF_INFO, Preference, 4)                                            \
  M(RTM_NEXTHOP_LIST, NumNextHops, 0)                                        \
  M(RTM_NEXTHOP_LIST, NextHops, 8)                                           \
  M(RTM_ROUTE_INFO, DestHandle, 0)                                           \
  M(RTM_ROUTE_INFO, RouteOwner, 8)                                           \
  M(RTM_ROUTE_INFO, Neighbour, 16)                                           \
  M(RTM_ROUTE_INFO, State, 24)                                               \
  M(RTM_ROUTE_INFO, Flags1, 25)                                              \
  M(RTM_ROUTE_INFO, Flags, 26)                                               \
  M(RTM_ROUTE_INFO, PrefInfo, 28)                                            \
  M(RTM_ROUTE_INFO, BelongsToViews, 36)                                      \
  M(RTM_ROUTE_INFO, EntitySpecificInfo, 40)                                  \
  M(RTM_ROUTE_INFO, NextHopsList, 48)                                        \
  M(RTM_ROUTE_INFO, NextHopsList.NumNextHops, 48)                            \
  M(RTM_ROUTE_INFO, NextHopsList.NextHops[0], 56)                            \
  M(RTM_NEXTHOP_INFO, NextHopAddress, 0)                                     \
  M(RTM_NEXTHOP_INFO, NextHopOwner, 24)                                      \
  M(RTM_NEXTHOP_INFO, InterfaceIndex, 32)                                    \
  M(RTM_NEXTHOP_INFO, State, 36)                                             \
  M(RTM_NEXTHOP_INFO, Flags, 38)                                             \
  M(RTM_NEXTHOP_INFO, EntitySpecificInfo, 40)                                \
  M(RTM_NEXTHOP_INFO, RemoteNextHop, 48)                                     \
  M(RTM_DEST_INFO, DestHandle, 0)                                            \
  M(RTM_DEST_INFO, DestAddress, 8)                                           \
  M(RTM_DEST_INFO, LastChanged, 28)                                          \
  M(RTM_DEST_INFO, BelongsToViews, 36)                                       \
  M(RTM_DEST_INFO, NumberOfViews, 40)                                        \
  M(RTM_DEST_INFO, ViewInfo, 48)                                             \
  M(RTM_DEST_INFO, ViewInfo[0].ViewId, 48)                                   \
  M(RTM_DEST_INFO, ViewInfo[0].NumRoutes, 52)                                \
  M(RTM_DEST_INFO, ViewInfo[0].Route, 56)                                    \
  M(RTM_DEST_INFO, ViewInfo[0].Owner, 64)                                    \
  M(RTM_DEST_INFO, ViewInfo[0].DestFlags, 72)                                \
  M(RTM_DEST_INFO, ViewInfo[0].HoldRoute, 80)                                \
  M(RTM_DEST_INFO, ViewInfo[1].ViewId, 88)                                   \
  M(RTM_ENTITY_ID, EntityProtocolId, 0)                                      \
  M(RTM_ENTITY_ID, EntityInstanceId, 4)                                      \
  M(RTM_ENTITY_ID, EntityId, 0)                                              \
  M(RTM_ENTITY_INFO, RtmInstanceId, 0)                                       \
  M(RTM_ENTITY_INFO, AddressFamily, 2)                                       \
  M(RTM_ENTITY_INFO, EntityId, 8)                                            \
  M(RTM_ENTITY_INFO, EntityId.EntityProtocolId, 8)                           \
  M(RTM_ENTITY_INFO, EntityId.EntityInstanceId, 12)                          \
  M(RTM_REGN_PROFILE, MaxNextHopsInRoute, 0)                                 \
  M(RTM_REGN_PROFILE, MaxHandlesInEnum, 4)                                   \
  M(RTM_REGN_PROFILE, ViewsSupported, 8)                                     \
  M(RTM_REGN_PROFILE, NumberOfViews, 12)                                     \
  M(RTM_ENTITY_METHOD_INPUT, MethodType, 0)                                  \
  M(RTM_ENTITY_METHOD_INPUT, InputSize, 4)                                   \
  M(RTM_ENTITY_METHOD_INPUT, InputData, 8)                                   \
  M(RTM_ENTITY_METHOD_OUTPUT, MethodType, 0)                                 \
  M(RTM_ENTITY_METHOD_OUTPUT, MethodStatus, 4)                               \
  M(RTM_ENTITY_METHOD_OUTPUT, OutputSize, 8)                                 \
  M(RTM_ENTITY_METHOD_OUTPUT, OutputData, 12)                                \
  M(RTM_ENTITY_EXPORT_METHODS, NumMethods, 0)                                \
  M(RTM_ENTITY_EXPORT_METHODS, Methods, 8)

// C(expression, value)
#define RRAS_BRIDGE_LAYOUT_CONSTANTS(C)                   \
  C(NO_ERROR, 0)                                          \
  C(ERROR_SUCCESS, 0)                                     \
  C(ERROR_INVALID_FUNCTION, 1)                            \
  C(ERROR_FILE_NOT_FOUND, 2)                              \
  C(ERROR_ACCESS_DENIED, 5)                               \
  C(ERROR_INVALID_HANDLE, 6)                              \
  C(ERROR_NOT_ENOUGH_MEMORY, 8)                           \
  C(ERROR_INVALID_DATA, 13)                               \
  C(ERROR_OUTOFMEMORY, 14)                                \
  C(ERROR_GEN_FAILURE, 31)                                \
  C(ERROR_NOT_SUPPORTED, 50)                              \
  C(ERROR_INVALID_PARAMETER, 87)                          \
  C(ERROR_BROKEN_PIPE, 109)                               \
  C(ERROR_INSUFFICIENT_BUFFER, 122)                       \
  C(ERROR_BAD_ARGUMENTS, 160)                             \
  C(ERROR_ALREADY_EXISTS, 183)                            \
  C(ERROR_MORE_DATA, 234)                                 \
  C(ERROR_NO_MORE_ITEMS, 259)                             \
  C(ERROR_OPERATION_ABORTED, 995)                         \
  C(ERROR_IO_PENDING, 997)                                \
  C(ERROR_CAN_NOT_COMPLETE, 1003)                         \
  C(ERROR_NOT_FOUND, 1168)                                \
  C(ERROR_INVALID_INDEX, 1413)                            \
  C(ERROR_TIMEOUT, 1460)                                  \
  C(ERROR_INVALID_STATE, 5023)                            \
  C(ERROR_ROUTER_STOPPED, 900)                            \
  C(ERROR_UNKNOWN_PROTOCOL_ID, 902)                       \
  C(ERROR_NO_SUCH_INTERFACE, 905)                         \
  C(ERROR_INTERFACE_NOT_CONNECTED, 906)                   \
  C(ERROR_PROTOCOL_STOP_PENDING, 907)                     \
  C(ERROR_UPDATE_IN_PROGRESS, 911)                        \
  C(ERROR_PROTOCOL_ALREADY_INSTALLED, 948)                \
  C(INFINITE, 0xFFFFFFFF)                                 \
  C(TRUE, 1)                                              \
  C(FALSE, 0)                                             \
  C(MS_ROUTER_VERSION, 0x500)                             \
  C(RF_ROUTING, 0x01)                                     \
  C(RF_ROUTINGV6, 0x02)                                   \
  C(RF_DEMAND_UPDATE_ROUTES, 0x04)                        \
  C(RF_ADD_ALL_INTERFACES, 0x10)                          \
  C(RF_MULTICAST, 0x20)                                   \
  C(RF_POWER, 0x40)                                       \
  C(SERVICES, 0x02)                                       \
  C(DEMAND_UPDATE_SERVICES, 0x08)                         \
  C(ROUTER_STOPPED, 0)                                    \
  C(SAVE_GLOBAL_CONFIG_INFO, 1)                           \
  C(SAVE_INTERFACE_CONFIG_INFO, 2)                        \
  C(UPDATE_COMPLETE, 3)                                   \
  C(PERMANENT, 0)                                         \
  C(DEMAND_DIAL, 1)                                       \
  C(LOCAL_WORKSTATION_DIAL, 2)                            \
  C(REMOTE_WORKSTATION_DIAL, 3)                           \
  C(RIS_INTERFACE_ADDRESS_CHANGE, 0)                      \
  C(RIS_INTERFACE_ENABLED, 1)                             \
  C(RIS_INTERFACE_DISABLED, 2)                            \
  C(RIS_INTERFACE_MEDIA_PRESENT, 3)                       \
  C(RIS_INTERFACE_MEDIA_ABSENT, 4)                        \
  C(IR_PROMISCUOUS, 0)                                    \
  C(IR_PROMISCUOUS_MULTICAST, 1)                          \
  C(MRINFO_TUNNEL_FLAG, 0x01)                             \
  C(MRINFO_PIM_FLAG, 0x04)                                \
  C(MRINFO_DOWN_FLAG, 0x10)                               \
  C(MRINFO_DISABLED_FLAG, 0x20)                           \
  C(MRINFO_QUERIER_FLAG, 0x40)                            \
  C(MRINFO_LEAF_FLAG, 0x80)                               \
  C(MFE_NO_ERROR, 0)                                      \
  C(MFE_REACHED_CORE, 1)                                  \
  C(MFE_NOT_FORWARDING, 2)                                \
  C(MFE_WRONG_IF, 3)                                      \
  C(MFE_PRUNED_UPSTREAM, 4)                               \
  C(MFE_OIF_PRUNED, 5)                                    \
  C(MFE_BOUNDARY_REACHED, 6)                              \
  C(MFE_NO_MULTICAST, 7)                                  \
  C(MFE_IIF, 8)                                           \
  C(MFE_NO_ROUTE, 9)                                      \
  C(MFE_NOT_LAST_HOP, 10)                                 \
  C(MFE_OLD_ROUTER, 11)                                   \
  C(MFE_PROHIBITED, 12)                                   \
  C(MFE_NO_SPACE, 13)                                     \
  C(SIZEOF_IP_BINDING(0), 24)                             \
  C(SIZEOF_IP_BINDING(1), 32)                             \
  C(SIZEOF_IP_BINDING(2), 40)                             \
  C(SIZEOF_IPV6_BINDING(0), 32)                           \
  C(SIZEOF_IPV6_BINDING(1), 52)                           \
  C(SIZEOF_IPV6_BINDING(2), 72)                           \
  C(RF_ROUTINGV6, 2)                                      \
  C(PID_IPV6, 0x57)                                       \
  C(RRAS_BRIDGE_AF_INET6, 23)                             \
  C(PROTO_TYPE_UCAST, 0)                                  \
  C(PROTO_TYPE_MCAST, 1)                                  \
  C(PROTO_TYPE_MS0, 2)                                    \
  C(PROTO_TYPE_MS1, 3)                                    \
  C(PROTO_VENDOR_MS0, 0x0000)                             \
  C(PROTO_VENDOR_MS1, 0x137)                              \
  C(PROTO_VENDOR_MS2, 0x3FFF)                             \
  C(PROTOCOL_ID(0, 0x1234, 1), 0x12340001)                \
  C(TYPE_FROM_PROTO_ID(0xC1370002u), 3)                   \
  C(VENDOR_FROM_PROTO_ID(0xC1370002u), 0x137)             \
  C(PROTO_FROM_PROTO_ID(0xC1370002u), 2)                  \
  C(PROTO_IP_LOCAL, 2)                                    \
  C(PROTO_IP_NETMGMT, 3)                                  \
  C(PROTO_IP_RIP, 8)                                      \
  C(PROTO_IP_OSPF, 13)                                    \
  C(PROTO_IP_BOOTP, 9999)                                 \
  C(PROTO_IP_NT_AUTOSTATIC, 10002)                        \
  C(PROTO_IP_NT_STATIC, 10006)                            \
  C(PROTO_IP_NT_STATIC_NON_DOD, 10007)                    \
  C(MS_IP_RIP, 8)                                         \
  C(MS_IP_OSPF, 13)                                       \
  C(MS_IP_BOOTP, 9999)                                    \
  C(IPRTRMGR_PID, 10000)                                  \
  C(PID_IP, 0x21)                                         \
  C(RTR_INFO_BLOCK_VERSION, 1)                            \
  C(ALIGN_SIZE, 8)                                        \
  C(IP_GENERAL_INFO_BASE, 0xFFFF0000)                     \
  C(IP_IN_FILTER_INFO, 0xFFFF0001)                        \
  C(IP_OUT_FILTER_INFO, 0xFFFF0002)                       \
  C(IP_GLOBAL_INFO, 0xFFFF0003)                           \
  C(IP_INTERFACE_STATUS_INFO, 0xFFFF0004)                 \
  C(IP_ROUTE_INFO, 0xFFFF0005)                            \
  C(IP_PROT_PRIORITY_INFO, 0xFFFF0006)                    \
  C(IP_ROUTER_DISC_INFO, 0xFFFF0007)                      \
  C(IP_DEMAND_DIAL_FILTER_INFO, 0xFFFF0009)               \
  C(IP_MCAST_HEARBEAT_INFO, 0xFFFF000A)                   \
  C(IP_MCAST_BOUNDARY_INFO, 0xFFFF000B)                   \
  C(IP_IPINIP_CFG_INFO, 0xFFFF000C)                       \
  C(IP_IFFILTER_INFO, 0xFFFF000D)                         \
  C(IP_MCAST_LIMIT_INFO, 0xFFFF000E)                      \
  C(AF_INET, 2)                                           \
  C(RTM_MAX_ADDRESS_SIZE, 16)                             \
  C(RTM_VIEW_ID_UCAST, 0)                                 \
  C(RTM_VIEW_ID_MCAST, 1)                                 \
  C(RTM_VIEW_MASK_UCAST, 1)                               \
  C(RTM_VIEW_MASK_MCAST, 2)                               \
  C(RTM_VIEW_MASK_ALL, 0xFFFFFFFF)                        \
  C(RTM_CHANGE_TYPE_ALL, 1)                               \
  C(RTM_CHANGE_TYPE_BEST, 2)                              \
  C(RTM_CHANGE_TYPE_FORWARDING, 4)                        \
  C(RTM_ROUTE_CHANGE_FIRST, 1)                            \
  C(RTM_ROUTE_CHANGE_NEW, 2)                              \
  C(RTM_ROUTE_CHANGE_BEST, 0x10000)                       \
  C(RTM_NEXTHOP_CHANGE_NEW, 1)                            \
  C(RTM_NEXTHOP_FLAGS_REMOTE, 1)                          \
  C(RTM_NEXTHOP_FLAGS_DOWN, 2)                            \
  C(RTM_ENTITY_REGISTERED, 0)                             \
  C(RTM_ENTITY_DEREGISTERED, 1)                           \
  C(RTM_ROUTE_EXPIRED, 2)                                 \
  C(RTM_CHANGE_NOTIFICATION, 3)                           \
  C(RTM_MATCH_NONE, 0)                                    \
  C(RTM_MATCH_OWNER, 1)                                   \
  C(RTM_MATCH_NEIGHBOUR, 2)                               \
  C(RTM_MATCH_PREF, 4)                                    \
  C(RTM_MATCH_NEXTHOP, 8)                                 \
  C(RTM_MATCH_INTERFACE, 0x10)                            \
  C(RTM_MATCH_FULL, 0xFFFF)                               \
  C(RTM_BEST_PROTOCOL, 0)                                 \
  C(RTM_THIS_PROTOCOL, 0xFFFFFFFF)                        \
  C(RTM_ENUM_START, 0)                                    \
  C(RTM_ENUM_NEXT, 1)                                     \
  C(RTM_ENUM_RANGE, 2)                                    \
  C(RTM_ENUM_OWN_DESTS, 0x1000000)                        \
  C(RTM_ENUM_OWN_ROUTES, 0x10000)                         \
  C(RTM_NOTIFY_ONLY_MARKED_DESTS, 0x10000)                \
  C(RTM_BASIC_ROUTE_INFO_SIZE, 48)                        \
  C(RTM_SIZE_OF_ROUTE_INFO(1), 56)                        \
  C(RTM_SIZE_OF_ROUTE_INFO(2), 64)                        \
  C(RTM_SIZE_OF_ROUTE_INFO(4), 80)                        \
  C(rrasbridge::RtmRouteInfoSize(1), 64)                  \
  C(rrasbridge::RtmRouteInfoSize(4), 88)                  \
  C(RTM_BASIC_DEST_INFO_SIZE, 48)                         \
  C(RTM_DEST_VIEW_INFO_SIZE, 40)                          \
  C(RTM_SIZE_OF_DEST_INFO(1), 88)                         \
  C(RTM_SIZE_OF_DEST_INFO(2), 128)                        \
  C(rrasbridge::RtmDestInfoSize(2), 128)

#define RRAS_BRIDGE_ASSERT_TYPE(T, size, align)                                   \
  static_assert(sizeof(T) == (size), "sizeof(" #T ") must be " #size);            \
  static_assert(alignof(T) == (align), "alignof(" #T ") must be " #align);
#define RRAS_BRIDGE_ASSERT_MEMBER(T, m, off) \
  static_assert(offsetof(T, m) == (off), "offsetof(" #T ", " #m ") must be " #off);
#define RRAS_BRIDGE_ASSERT_CONSTANT(expr, value)                                 \
  static_assert(static_cast<unsigned long long>(expr) ==                         \
                    static_cast<unsigned long long>(value),                      \
                #expr " must be " #value);

RRAS_BRIDGE_LAYOUT_TYPES(RRAS_BRIDGE_ASSERT_TYPE)
RRAS_BRIDGE_LAYOUT_MEMBERS(RRAS_BRIDGE_ASSERT_MEMBER)
RRAS_BRIDGE_LAYOUT_CONSTANTS(RRAS_BRIDGE_ASSERT_CONSTANT)

#if defined(_WIN32)
static_assert(AF_INET6 == RRAS_BRIDGE_AF_INET6, "RTM's IPv6 family is Windows' AF_INET6");
#endif

#undef RRAS_BRIDGE_ASSERT_TYPE
#undef RRAS_BRIDGE_ASSERT_MEMBER
#undef RRAS_BRIDGE_ASSERT_CONSTANT

// Same type names on both sides, and PFN_* equal to the headers' declarations
// (on Windows these are mingw's; on POSIX rtm_api.h declares them from PFN_*).
static_assert(std::is_same<MPR_ROUTING_CHARACTERISTICS, MPR50_ROUTING_CHARACTERISTICS>::value,
              "MPR_ROUTING_CHARACTERISTICS must be the MPR50 struct");
static_assert(std::is_same<MPR_SERVICE_CHARACTERISTICS, MPR50_SERVICE_CHARACTERISTICS>::value,
              "MPR_SERVICE_CHARACTERISTICS must be the MPR50 struct");
static_assert(std::is_same<RTM_EVENT_CALLBACK, DWORD (WINAPI *)(RTM_ENTITY_HANDLE, RTM_EVENT_TYPE, PVOID, PVOID)>::value,
              "RTM_EVENT_CALLBACK signature");
static_assert(std::is_same<PDO_UPDATE_ROUTES, decltype(MPR50_ROUTING_CHARACTERISTICS::pfnUpdateRoutes)>::value,
              "pfnUpdateRoutes is a PDO_UPDATE_ROUTES");

#define RRAS_BRIDGE_ASSERT_RTM_SIGNATURE(name)                              \
  static_assert(std::is_same<PFN_##name, decltype(&::name)>::value,         \
                "PFN_" #name " must match the rtmv2.h declaration of " #name);
RRAS_BRIDGE_RTM_FUNCTIONS(RRAS_BRIDGE_ASSERT_RTM_SIGNATURE)
#undef RRAS_BRIDGE_ASSERT_RTM_SIGNATURE
