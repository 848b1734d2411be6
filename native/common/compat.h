// Win32 / routprot.h / rtmv2.h types for every native target.
//
// Windows: the real SDK (or mingw-w64) headers, built with MPR50.
// POSIX:   our own declarations with the x64 Windows (LLP64) layouts, names as in
//          mingw-w64's headers so the same code compiles against both. Sizes and
//          offsets are pinned by layout_asserts.h.
//
// Include this before any other Windows header: it orders winsock2.h before
// windows.h, and iprtrmib.h (nldef.h) before routprot.h, whose PROTO_IP_* macros
// would otherwise break nldef.h's enum (so iphlpapi.h is safe after this header).
#pragma once

#if defined(_WIN32)

#ifndef MPR50
#define MPR50 1
#endif

// clang-format off
#if !defined(_WINSOCKAPI_)  // windows.h already pulled in winsock.h: keep it
#include <winsock2.h>
#endif
#include <windows.h>
#include <in6addr.h>
#include <iprtrmib.h>
#include <routprot.h>
#include <rtmv2.h>
#include <rtinfo.h>
#include <ipinfoid.h>
#include <mprapi.h>
#include <mprerror.h>
// clang-format on

#else  // POSIX

#include <arpa/inet.h>  // htonl/ntohl, as winsock2.h provides on Windows
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>  // AF_INET (2, as on Windows)

// ---- BEGIN POSIX DECLARATIONS (x64 Windows layouts) ----

// ---- windows.h base types (LLP64: long types are 32-bit) ----

#define WINAPI
#define APIENTRY WINAPI
#define CALLBACK WINAPI
#ifndef VOID
#define VOID void
#endif

typedef char CHAR, *PCHAR, *LPSTR;
typedef const char *LPCSTR;
typedef int16_t SHORT;
typedef int32_t INT, *PINT, LONG, *PLONG;
typedef uint8_t UCHAR, *PUCHAR, BYTE, *PBYTE, *LPBYTE, BOOLEAN;
typedef uint16_t USHORT, *PUSHORT, WORD, *PWORD, *LPWORD;
typedef uint32_t UINT, *PUINT, ULONG, *PULONG, DWORD, *PDWORD, *LPDWORD;
typedef int32_t BOOL, *PBOOL, *LPBOOL, WINBOOL;
typedef int64_t LONGLONG, LONG64;
typedef uint64_t ULONGLONG, *PULONGLONG, ULONG64, DWORD64;
typedef intptr_t INT_PTR, LONG_PTR;
typedef uintptr_t UINT_PTR, ULONG_PTR, DWORD_PTR;
typedef size_t SIZE_T;
typedef void *PVOID, *LPVOID, *HANDLE, **PHANDLE;
typedef const void *LPCVOID;
// UTF-16 code units everywhere; never the 32-bit Linux wchar_t.
typedef char16_t WCHAR, *PWCHAR, *LPWSTR, *PWSTR;
typedef const char16_t *LPCWSTR, *PCWSTR;

#define TRUE 1
#define FALSE 0
#define INFINITE 0xFFFFFFFF
#define INVALID_HANDLE_VALUE ((HANDLE)(LONG_PTR)-1)
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))

typedef struct _FILETIME {
  DWORD dwLowDateTime;
  DWORD dwHighDateTime;
} FILETIME, *PFILETIME, *LPFILETIME;

typedef struct _GUID {
  uint32_t Data1;
  uint16_t Data2;
  uint16_t Data3;
  uint8_t Data4[8];
} GUID;

// ---- winerror.h / mprerror.h ----

#define NO_ERROR 0
#define ERROR_SUCCESS 0
#define ERROR_INVALID_FUNCTION 1
#define ERROR_FILE_NOT_FOUND 2
#define ERROR_ACCESS_DENIED 5
#define ERROR_INVALID_HANDLE 6
#define ERROR_NOT_ENOUGH_MEMORY 8
#define ERROR_INVALID_DATA 13
#define ERROR_OUTOFMEMORY 14
#define ERROR_GEN_FAILURE 31
#define ERROR_NOT_SUPPORTED 50
#define ERROR_INVALID_PARAMETER 87
#define ERROR_BROKEN_PIPE 109
#define ERROR_INSUFFICIENT_BUFFER 122
#define ERROR_BAD_ARGUMENTS 160
#define ERROR_ALREADY_EXISTS 183
#define ERROR_MORE_DATA 234
#define ERROR_NO_MORE_ITEMS 259
#define ERROR_OPERATION_ABORTED 995
#define ERROR_IO_PENDING 997
#define ERROR_CAN_NOT_COMPLETE 1003
#define ERROR_NOT_FOUND 1168
#define ERROR_INVALID_INDEX 1413
#define ERROR_TIMEOUT 1460
#define ERROR_INVALID_STATE 5023

#define ROUTEBASE 900
#define ERROR_ROUTER_STOPPED (ROUTEBASE + 0)
#define ERROR_UNKNOWN_PROTOCOL_ID (ROUTEBASE + 2)
#define ERROR_NO_SUCH_INTERFACE (ROUTEBASE + 5)
#define ERROR_INTERFACE_NOT_CONNECTED (ROUTEBASE + 6)
#define ERROR_PROTOCOL_STOP_PENDING (ROUTEBASE + 7)
#define ERROR_UPDATE_IN_PROGRESS (ROUTEBASE + 11)
#define ERROR_PROTOCOL_ALREADY_INSTALLED (ROUTEBASE + 48)

// ---- mprapi.h / iprtrmib.h / ipinfoid.h ----

#define PID_IP 0x00000021
#define IPRTRMGR_PID 10000

#define IP_ROUTER_MANAGER_VERSION 1
#define IP_GENERAL_INFO_BASE 0xffff0000
#define IP_IN_FILTER_INFO IP_GENERAL_INFO_BASE + 1
#define IP_OUT_FILTER_INFO IP_GENERAL_INFO_BASE + 2
#define IP_GLOBAL_INFO IP_GENERAL_INFO_BASE + 3
#define IP_INTERFACE_STATUS_INFO IP_GENERAL_INFO_BASE + 4
#define IP_ROUTE_INFO IP_GENERAL_INFO_BASE + 5
#define IP_PROT_PRIORITY_INFO IP_GENERAL_INFO_BASE + 6
#define IP_ROUTER_DISC_INFO IP_GENERAL_INFO_BASE + 7
#define IP_DEMAND_DIAL_FILTER_INFO IP_GENERAL_INFO_BASE + 9
#define IP_MCAST_HEARBEAT_INFO IP_GENERAL_INFO_BASE + 10
#define IP_MCAST_BOUNDARY_INFO IP_GENERAL_INFO_BASE + 11
#define IP_IPINIP_CFG_INFO IP_GENERAL_INFO_BASE + 12
#define IP_IFFILTER_INFO IP_GENERAL_INFO_BASE + 13
#define IP_MCAST_LIMIT_INFO IP_GENERAL_INFO_BASE + 14

// ---- rtinfo.h ----

#define ALIGN_SIZE 0x00000008
#define ALIGN_SHIFT (ALIGN_SIZE - 0x00000001)
#define ALIGN_MASK_POINTER (~(UINT_PTR)ALIGN_SHIFT)
#define ALIGN_MASK_LENGTH (~ALIGN_SHIFT)
#define ALIGN_MASK (~ALIGN_SHIFT)
#define ALIGN_POINTER(ptr) { (ptr) = (PVOID)((DWORD_PTR)(ptr) + ALIGN_SHIFT); (ptr) = (PVOID)((DWORD_PTR)(ptr) & ALIGN_MASK_POINTER); }
#define ALIGN_LENGTH(length) { (length) = (DWORD)((length) + ALIGN_SHIFT); (length) = (DWORD)((length) & ALIGN_MASK_LENGTH); }
#define IS_ALIGNED(ptr) (((UINT_PTR)(ptr) & ALIGN_SHIFT) == 0x00000000)

typedef struct _RTR_TOC_ENTRY {
  ULONG InfoType;
  ULONG InfoSize;
  ULONG Count;
  ULONG Offset;
} RTR_TOC_ENTRY, *PRTR_TOC_ENTRY;

#define RTR_INFO_BLOCK_VERSION 1

typedef struct _RTR_INFO_BLOCK_HEADER {
  ULONG Version;
  ULONG Size;
  ULONG TocEntriesCount;
  RTR_TOC_ENTRY TocEntry[1];
} RTR_INFO_BLOCK_HEADER, *PRTR_INFO_BLOCK_HEADER;

#define GetInfoFromTocEntry(hdr, toc) \
  (((toc)->Offset < (hdr)->Size) ? ((PVOID)(((PBYTE)(hdr)) + (toc)->Offset)) : NULL)

// ---- stm.h (IPX service table; an IP protocol only zeroes it) ----

#define SERVICES 0x00000002
#define DEMAND_UPDATE_SERVICES 0x00000008

typedef struct _IPX_SERVER_ENTRY {
  USHORT Type;
  UCHAR Name[48];
  UCHAR Network[4];
  UCHAR Node[6];
  UCHAR Socket[2];
  USHORT HopCount;
} IPX_SERVER_ENTRY, *PIPX_SERVER_ENTRY;

typedef struct _IPX_SERVICE {
  ULONG InterfaceIndex;
  ULONG Protocol;
  IPX_SERVER_ENTRY Server;
} IPX_SERVICE, *PIPX_SERVICE;

typedef BOOL (WINAPI *PIS_SERVICE)(USHORT Type, PUCHAR Name, PIPX_SERVICE Service);
typedef HANDLE (WINAPI *PCREATE_SERVICE_ENUMERATION_HANDLE)(DWORD ExclusionFlags, PIPX_SERVICE CriteriaService);
typedef DWORD (WINAPI *PENUMERATE_GET_NEXT_SERVICE)(HANDLE EnumerationHandle, PIPX_SERVICE Service);
typedef DWORD (WINAPI *PCLOSE_SERVICE_ENUMERATION_HANDLE)(HANDLE EnumerationHandle);
typedef ULONG (WINAPI *PGET_SERVICE_COUNT)(VOID);
typedef DWORD (WINAPI *PCREATE_STATIC_SERVICE)(ULONG InterfaceIndex, PIPX_SERVER_ENTRY ServerEntry);
typedef DWORD (WINAPI *PDELETE_STATIC_SERVICE)(ULONG InterfaceIndex, PIPX_SERVER_ENTRY ServerEntry);
typedef DWORD (WINAPI *PBLOCK_CONVERT_SERVICES_TO_STATIC)(ULONG InterfaceIndex);
typedef DWORD (WINAPI *PBLOCK_DELETE_STATIC_SERVICES)(ULONG InterfaceIndex);
typedef DWORD (WINAPI *PGET_FIRST_ORDERED_SERVICE)(DWORD OrderingMethod, DWORD ExclusionFlags, PIPX_SERVICE Service);
typedef DWORD (WINAPI *PGET_NEXT_ORDERED_SERVICE)(DWORD OrderingMethod, DWORD ExclusionFlags, PIPX_SERVICE Service);
typedef DWORD (WINAPI *PDO_UPDATE_SERVICES)(ULONG InterfaceIndex);

typedef struct _MPR40_SERVICE_CHARACTERISTICS {
  DWORD dwVersion;
  DWORD dwProtocolId;
  DWORD fSupportedFunctionality;
  PIS_SERVICE pfnIsService;
  PDO_UPDATE_SERVICES pfnUpdateServices;
  PCREATE_SERVICE_ENUMERATION_HANDLE pfnCreateServiceEnumerationHandle;
  PENUMERATE_GET_NEXT_SERVICE pfnEnumerateGetNextService;
  PCLOSE_SERVICE_ENUMERATION_HANDLE pfnCloseServiceEnumerationHandle;
  PGET_SERVICE_COUNT pfnGetServiceCount;
  PCREATE_STATIC_SERVICE pfnCreateStaticService;
  PDELETE_STATIC_SERVICE pfnDeleteStaticService;
  PBLOCK_CONVERT_SERVICES_TO_STATIC pfnBlockConvertServicesToStatic;
  PBLOCK_DELETE_STATIC_SERVICES pfnBlockDeleteStaticServices;
  PGET_FIRST_ORDERED_SERVICE pfnGetFirstOrderedService;
  PGET_NEXT_ORDERED_SERVICE pfnGetNextOrderedService;
} MPR40_SERVICE_CHARACTERISTICS;

// In C++ the headers name the wrapped member (it is anonymous only in C).
typedef struct _MPR50_SERVICE_CHARACTERISTICS {
  MPR40_SERVICE_CHARACTERISTICS mscMpr40ServiceChars;
} MPR50_SERVICE_CHARACTERISTICS;

typedef MPR50_SERVICE_CHARACTERISTICS MPR_SERVICE_CHARACTERISTICS;
typedef MPR_SERVICE_CHARACTERISTICS *PMPR_SERVICE_CHARACTERISTICS;

// ---- routprot.h ----

#define RF_ROUTING 0x00000001
#define RF_DEMAND_UPDATE_ROUTES 0x00000004
#define RF_ADD_ALL_INTERFACES 0x00000010
#define RF_MULTICAST 0x00000020
#define RF_POWER 0x00000040

#ifndef MPR50
#define MPR50 1
#endif
#define MS_ROUTER_VERSION 0x00000500

typedef enum _ROUTING_PROTOCOL_EVENTS {
  ROUTER_STOPPED,
  SAVE_GLOBAL_CONFIG_INFO,
  SAVE_INTERFACE_CONFIG_INFO,
  UPDATE_COMPLETE
} ROUTING_PROTOCOL_EVENTS;

typedef enum _NET_INTERFACE_TYPE {
  PERMANENT,
  DEMAND_DIAL,
  LOCAL_WORKSTATION_DIAL,
  REMOTE_WORKSTATION_DIAL
} NET_INTERFACE_TYPE;

#define IR_PROMISCUOUS 0
#define IR_PROMISCUOUS_MULTICAST 1

typedef struct _SUPPORT_FUNCTIONS {
  __extension__ union {
    ULONGLONG _Align8;
    __extension__ struct {
      DWORD dwVersion;
      DWORD dwReserved;
    };
  };
  DWORD (WINAPI *DemandDialRequest)(DWORD ProtocolId, DWORD InterfaceIndex);
  DWORD (WINAPI *SetInterfaceReceiveType)(DWORD ProtocolId, DWORD InterfaceIndex, DWORD InterfaceReceiveType, BOOL bActivate);
  DWORD (WINAPI *ValidateRoute)(DWORD ProtocolId, PVOID RouteInfo, PVOID DestAddress);
  DWORD (WINAPI *MIBEntryCreate)(DWORD dwRoutingPid, DWORD dwEntrySize, LPVOID lpEntry);
  DWORD (WINAPI *MIBEntryDelete)(DWORD dwRoutingPid, DWORD dwEntrySize, LPVOID lpEntry);
  DWORD (WINAPI *MIBEntrySet)(DWORD dwRoutingPid, DWORD dwEntrySize, LPVOID lpEntry);
  DWORD (WINAPI *MIBEntryGet)(DWORD dwRoutingPid, DWORD dwInEntrySize, LPVOID lpInEntry, LPDWORD lpOutEntrySize, LPVOID lpOutEntry);
  DWORD (WINAPI *MIBEntryGetFirst)(DWORD dwRoutingPid, DWORD dwInEntrySize, LPVOID lpInEntry, LPDWORD lpOutEntrySize, LPVOID lpOutEntry);
  DWORD (WINAPI *MIBEntryGetNext)(DWORD dwRoutingPid, DWORD dwInEntrySize, LPVOID lpInEntry, LPDWORD lpOutEntrySize, LPVOID lpOutEntry);
  DWORD (WINAPI *GetRouterId)(VOID);
  BOOL (WINAPI *HasMulticastBoundary)(DWORD dwIfIndex, DWORD dwGroupAddress);
} SUPPORT_FUNCTIONS, *PSUPPORT_FUNCTIONS;

#define PROTO_IP_OTHER 1
#define PROTO_IP_LOCAL 2
#define PROTO_IP_NETMGMT 3
#define PROTO_IP_ICMP 4
#define PROTO_IP_EGP 5
#define PROTO_IP_GGP 6
#define PROTO_IP_HELLO 7
#define PROTO_IP_RIP 8
#define PROTO_IP_IS_IS 9
#define PROTO_IP_ES_IS 10
#define PROTO_IP_CISCO 11
#define PROTO_IP_BBN 12
#define PROTO_IP_OSPF 13
#define PROTO_IP_BGP 14
#define PROTO_IP_BOOTP 9999
#define PROTO_IP_NT_AUTOSTATIC 10002
#define PROTO_IP_NT_STATIC 10006
#define PROTO_IP_NT_STATIC_NON_DOD 10007

#define PROTOCOL_ID(Type, VendorId, ProtocolId) \
  (((Type & 0x03) << 30) | ((VendorId & 0x3FFF) << 16) | (ProtocolId & 0xFFFF))
#define TYPE_FROM_PROTO_ID(X) (((X) >> 30) & 0x03)
#define VENDOR_FROM_PROTO_ID(X) (((X) >> 16) & 0x3FFF)
#define PROTO_FROM_PROTO_ID(X) ((X) & 0xFFFF)

#define PROTO_TYPE_UCAST 0
#define PROTO_TYPE_MCAST 1
#define PROTO_TYPE_MS0 2
#define PROTO_TYPE_MS1 3

#define PROTO_VENDOR_MS0 0x0000
#define PROTO_VENDOR_MS1 0x137
#define PROTO_VENDOR_MS2 0x3FFF

#define MS_IP_BOOTP PROTOCOL_ID(PROTO_TYPE_UCAST, PROTO_VENDOR_MS0, PROTO_IP_BOOTP)
#define MS_IP_RIP PROTOCOL_ID(PROTO_TYPE_UCAST, PROTO_VENDOR_MS0, PROTO_IP_RIP)
#define MS_IP_OSPF PROTOCOL_ID(PROTO_TYPE_UCAST, PROTO_VENDOR_MS0, PROTO_IP_OSPF)

typedef struct _UPDATE_COMPLETE_MESSAGE {
  ULONG InterfaceIndex;
  ULONG UpdateType;
  ULONG UpdateStatus;
} UPDATE_COMPLETE_MESSAGE, *PUPDATE_COMPLETE_MESSAGE;

typedef union _MESSAGE {
  UPDATE_COMPLETE_MESSAGE UpdateCompleteMessage;
  DWORD InterfaceIndex;
} MESSAGE, *PMESSAGE;

#define RIS_INTERFACE_ADDRESS_CHANGE 0
#define RIS_INTERFACE_ENABLED 1
#define RIS_INTERFACE_DISABLED 2
#define RIS_INTERFACE_MEDIA_PRESENT 3
#define RIS_INTERFACE_MEDIA_ABSENT 4

typedef struct IP_LOCAL_BINDING {
  DWORD Address;
  DWORD Mask;
} IP_LOCAL_BINDING, *PIP_LOCAL_BINDING;

typedef struct IP_ADAPTER_BINDING_INFO {
  ULONG AddressCount;
  DWORD RemoteAddress;
  ULONG Mtu;
  ULONGLONG Speed;
  __extension__ IP_LOCAL_BINDING Address[0];  // AddressCount entries follow
} IP_ADAPTER_BINDING_INFO, *PIP_ADAPTER_BINDING_INFO;

#define SIZEOF_IP_BINDING(X) \
  (FIELD_OFFSET(IP_ADAPTER_BINDING_INFO, Address[0]) + ((X) * sizeof(IP_LOCAL_BINDING)))

typedef DWORD (WINAPI *PSTART_PROTOCOL)(HANDLE NotificationEvent, PSUPPORT_FUNCTIONS SupportFunctions, LPVOID GlobalInfo, ULONG StructureVersion, ULONG StructureSize, ULONG StructureCount);
typedef DWORD (WINAPI *PSTART_COMPLETE)(VOID);
typedef DWORD (WINAPI *PSTOP_PROTOCOL)(VOID);
typedef DWORD (WINAPI *PADD_INTERFACE)(LPWSTR InterfaceName, ULONG InterfaceIndex, NET_INTERFACE_TYPE InterfaceType, DWORD MediaType, WORD AccessType, WORD ConnectionType, PVOID InterfaceInfo, ULONG StructureVersion, ULONG StructureSize, ULONG StructureCount);
typedef DWORD (WINAPI *PDELETE_INTERFACE)(ULONG InterfaceIndex);
typedef DWORD (WINAPI *PGET_EVENT_MESSAGE)(ROUTING_PROTOCOL_EVENTS *Event, MESSAGE *Result);
typedef DWORD (WINAPI *PGET_INTERFACE_INFO)(ULONG InterfaceIndex, PVOID InterfaceInfo, PULONG BufferSize, PULONG StructureVersion, PULONG StructureSize, PULONG StructureCount);
typedef DWORD (WINAPI *PSET_INTERFACE_INFO)(ULONG InterfaceIndex, PVOID InterfaceInfo, ULONG StructureVersion, ULONG StructureSize, ULONG StructureCount);
typedef DWORD (WINAPI *PINTERFACE_STATUS)(ULONG InterfaceIndex, BOOL InterfaceActive, DWORD StatusType, PVOID StatusInfo);
typedef DWORD (WINAPI *PQUERY_POWER)(DWORD PowerType);
typedef DWORD (WINAPI *PSET_POWER)(DWORD PowerType);
typedef DWORD (WINAPI *PGET_GLOBAL_INFO)(PVOID GlobalInfo, PULONG BufferSize, PULONG StructureVersion, PULONG StructureSize, PULONG StructureCount);
typedef DWORD (WINAPI *PSET_GLOBAL_INFO)(PVOID GlobalInfo, ULONG StructureVersion, ULONG StructureSize, ULONG StructureCount);
typedef DWORD (WINAPI *PDO_UPDATE_ROUTES)(ULONG InterfaceIndex);
typedef DWORD (WINAPI *PMIB_CREATE)(ULONG InputDataSize, PVOID InputData);
typedef DWORD (WINAPI *PMIB_DELETE)(ULONG InputDataSize, PVOID InputData);
typedef DWORD (WINAPI *PMIB_GET)(ULONG InputDataSize, PVOID InputData, PULONG OutputDataSize, PVOID OutputData);
typedef DWORD (WINAPI *PMIB_SET)(ULONG InputDataSize, PVOID InputData);
typedef DWORD (WINAPI *PMIB_GET_FIRST)(ULONG InputDataSize, PVOID InputData, PULONG OutputDataSize, PVOID OutputData);
typedef DWORD (WINAPI *PMIB_GET_NEXT)(ULONG InputDataSize, PVOID InputData, PULONG OutputDataSize, PVOID OutputData);
typedef DWORD (WINAPI *PMIB_SET_TRAP_INFO)(HANDLE Event, ULONG InputDataSize, PVOID InputData, PULONG OutputDataSize, PVOID OutputData);
typedef DWORD (WINAPI *PMIB_GET_TRAP_INFO)(ULONG InputDataSize, PVOID InputData, PULONG OutputDataSize, PVOID OutputData);
typedef DWORD (WINAPI *PCONNECT_CLIENT)(ULONG InterfaceIndex, PVOID ClientAddress);
typedef DWORD (WINAPI *PDISCONNECT_CLIENT)(ULONG InterfaceIndex, PVOID ClientAddress);

#define MRINFO_TUNNEL_FLAG 0x01
#define MRINFO_PIM_FLAG 0x04
#define MRINFO_DOWN_FLAG 0x10
#define MRINFO_DISABLED_FLAG 0x20
#define MRINFO_QUERIER_FLAG 0x40
#define MRINFO_LEAF_FLAG 0x80

typedef DWORD (WINAPI *PGET_NEIGHBORS)(DWORD InterfaceIndex, PDWORD NeighborList, PDWORD NeighborListSize, PBYTE InterfaceFlags);

#define MFE_NO_ERROR 0
#define MFE_REACHED_CORE 1
#define MFE_NOT_FORWARDING 2
#define MFE_WRONG_IF 3
#define MFE_PRUNED_UPSTREAM 4
#define MFE_OIF_PRUNED 5
#define MFE_BOUNDARY_REACHED 6
#define MFE_NO_MULTICAST 7
#define MFE_IIF 8
#define MFE_NO_ROUTE 9
#define MFE_NOT_LAST_HOP 10
#define MFE_OLD_ROUTER 11
#define MFE_PROHIBITED 12
#define MFE_NO_SPACE 13

typedef DWORD (WINAPI *PGET_MFE_STATUS)(DWORD InterfaceIndex, DWORD GroupAddress, DWORD SourceAddress, PBYTE StatusCode);

typedef struct _MPR50_ROUTING_CHARACTERISTICS {
  DWORD dwVersion;
  DWORD dwProtocolId;
  DWORD fSupportedFunctionality;
  PSTART_PROTOCOL pfnStartProtocol;
  PSTART_COMPLETE pfnStartComplete;
  PSTOP_PROTOCOL pfnStopProtocol;
  PGET_GLOBAL_INFO pfnGetGlobalInfo;
  PSET_GLOBAL_INFO pfnSetGlobalInfo;
  PQUERY_POWER pfnQueryPower;
  PSET_POWER pfnSetPower;
  PADD_INTERFACE pfnAddInterface;
  PDELETE_INTERFACE pfnDeleteInterface;
  PINTERFACE_STATUS pfnInterfaceStatus;
  PGET_INTERFACE_INFO pfnGetInterfaceInfo;
  PSET_INTERFACE_INFO pfnSetInterfaceInfo;
  PGET_EVENT_MESSAGE pfnGetEventMessage;
  PDO_UPDATE_ROUTES pfnUpdateRoutes;
  PCONNECT_CLIENT pfnConnectClient;
  PDISCONNECT_CLIENT pfnDisconnectClient;
  PGET_NEIGHBORS pfnGetNeighbors;
  PGET_MFE_STATUS pfnGetMfeStatus;
  PMIB_CREATE pfnMibCreateEntry;
  PMIB_DELETE pfnMibDeleteEntry;
  PMIB_GET pfnMibGetEntry;
  PMIB_SET pfnMibSetEntry;
  PMIB_GET_FIRST pfnMibGetFirstEntry;
  PMIB_GET_NEXT pfnMibGetNextEntry;
  PMIB_SET_TRAP_INFO pfnMibSetTrapInfo;
  PMIB_GET_TRAP_INFO pfnMibGetTrapInfo;
} MPR50_ROUTING_CHARACTERISTICS;

typedef MPR50_ROUTING_CHARACTERISTICS MPR_ROUTING_CHARACTERISTICS;
typedef MPR_ROUTING_CHARACTERISTICS *PMPR_ROUTING_CHARACTERISTICS;

#define REGISTER_PROTOCOL_ENTRY_POINT RegisterProtocol
#define REGISTER_PROTOCOL_ENTRY_POINT_STRING "RegisterProtocol"

typedef DWORD (WINAPI *PREGISTER_PROTOCOL)(PMPR_ROUTING_CHARACTERISTICS pRoutingChar, PMPR_SERVICE_CHARACTERISTICS pServiceChar);

// ---- rtmv2.h ----

#define RTM_MAX_ADDRESS_SIZE 16
#define RTM_MAX_VIEWS 32

#define RTM_VIEW_ID_UCAST 0
#define RTM_VIEW_ID_MCAST 1

#define RTM_VIEW_MASK_SIZE 0x20
#define RTM_VIEW_MASK_NONE 0x00000000
#define RTM_VIEW_MASK_ANY 0x00000000
#define RTM_VIEW_MASK_UCAST 0x00000001
#define RTM_VIEW_MASK_MCAST 0x00000002
#define RTM_VIEW_MASK_ALL 0xFFFFFFFF

typedef INT RTM_VIEW_ID, *PRTM_VIEW_ID;
typedef DWORD RTM_VIEW_SET, *PRTM_VIEW_SET;

typedef struct _RTM_REGN_PROFILE {
  UINT MaxNextHopsInRoute;
  UINT MaxHandlesInEnum;
  RTM_VIEW_SET ViewsSupported;
  UINT NumberOfViews;
} RTM_REGN_PROFILE, *PRTM_REGN_PROFILE;

typedef HANDLE RTM_ENTITY_HANDLE, *PRTM_ENTITY_HANDLE;
typedef HANDLE RTM_DEST_HANDLE, *PRTM_DEST_HANDLE;
typedef HANDLE RTM_ROUTE_HANDLE, *PRTM_ROUTE_HANDLE;
typedef HANDLE RTM_NEXTHOP_HANDLE, *PRTM_NEXTHOP_HANDLE;
typedef HANDLE RTM_ENUM_HANDLE, *PRTM_ENUM_HANDLE;
typedef HANDLE RTM_ROUTE_LIST_HANDLE, *PRTM_ROUTE_LIST_HANDLE;
typedef HANDLE RTM_NOTIFY_HANDLE, *PRTM_NOTIFY_HANDLE;

typedef struct _RTM_NET_ADDRESS {
  USHORT AddressFamily;
  USHORT NumBits;
  UCHAR AddrBits[RTM_MAX_ADDRESS_SIZE];
} RTM_NET_ADDRESS, *PRTM_NET_ADDRESS;

#define RTM_IPV4_MAKE_NET_ADDRESS(NetAddress, Addr, Len) RTM_IPV4_SET_ADDR_AND_LEN(NetAddress, Addr, Len)
#define RTM_IPV4_SET_ADDR_AND_LEN(NetAddress, Addr, Len) \
  (NetAddress)->AddressFamily = AF_INET; (NetAddress)->NumBits = (USHORT)(Len); (*(ULONG *)((NetAddress)->AddrBits)) = (Addr);
#define RTM_IPV4_GET_ADDR_AND_LEN(Addr, Len, NetAddress) \
  (Len) = (NetAddress)->NumBits; (Addr) = (*(ULONG *)((NetAddress)->AddrBits));

typedef struct _RTM_PREF_INFO {
  ULONG Metric;
  ULONG Preference;
} RTM_PREF_INFO, *PRTM_PREF_INFO;

typedef struct _RTM_NEXTHOP_LIST {
  USHORT NumNextHops;
  RTM_NEXTHOP_HANDLE NextHops[1];
} RTM_NEXTHOP_LIST, *PRTM_NEXTHOP_LIST;

// The view element type is unnamed in the headers (see RtmDestViewInfo in rtm_api.h).
typedef struct _RTM_DEST_INFO {
  RTM_DEST_HANDLE DestHandle;
  RTM_NET_ADDRESS DestAddress;
  FILETIME LastChanged;
  RTM_VIEW_SET BelongsToViews;
  UINT NumberOfViews;
  struct {
    RTM_VIEW_ID ViewId;
    UINT NumRoutes;
    RTM_ROUTE_HANDLE Route;
    RTM_ENTITY_HANDLE Owner;
    DWORD DestFlags;
    RTM_ROUTE_HANDLE HoldRoute;
  } ViewInfo[1];
} RTM_DEST_INFO, *PRTM_DEST_INFO;

#define RTM_BASIC_DEST_INFO_SIZE FIELD_OFFSET(RTM_DEST_INFO, ViewInfo)
#define RTM_DEST_VIEW_INFO_SIZE (sizeof(RTM_DEST_INFO) - RTM_BASIC_DEST_INFO_SIZE)
#define RTM_SIZE_OF_DEST_INFO(NumViews) (RTM_BASIC_DEST_INFO_SIZE + (NumViews) * RTM_DEST_VIEW_INFO_SIZE)

#define RTM_DEST_FLAG_NATURAL_NET 0x01
#define RTM_DEST_FLAG_FWD_ENGIN_ADD 0x02
#define RTM_DEST_FLAG_DONT_FORWARD 0x04

typedef struct _RTM_ROUTE_INFO {
  RTM_DEST_HANDLE DestHandle;
  RTM_ENTITY_HANDLE RouteOwner;
  RTM_NEXTHOP_HANDLE Neighbour;
  UCHAR State;
  UCHAR Flags1;
  USHORT Flags;
  RTM_PREF_INFO PrefInfo;
  RTM_VIEW_SET BelongsToViews;
  PVOID EntitySpecificInfo;
  RTM_NEXTHOP_LIST NextHopsList;
} RTM_ROUTE_INFO, *PRTM_ROUTE_INFO;

// As in the headers: 8 bytes short of the real array end (see RtmRouteInfoSize).
#define RTM_BASIC_ROUTE_INFO_SIZE FIELD_OFFSET(RTM_ROUTE_INFO, NextHopsList.NumNextHops)
#define RTM_SIZE_OF_ROUTE_INFO(NumHops) (RTM_BASIC_ROUTE_INFO_SIZE + (NumHops) * sizeof(RTM_NEXTHOP_HANDLE))

#define RTM_ROUTE_STATE_CREATED 0
#define RTM_ROUTE_STATE_DELETING 1
#define RTM_ROUTE_STATE_DELETED 2

#define RTM_ROUTE_FLAGS_MARTIAN 0x0001
#define RTM_ROUTE_FLAGS_BLACKHOLE 0x0002
#define RTM_ROUTE_FLAGS_DISCARD 0x0004
#define RTM_ROUTE_FLAGS_INACTIVE 0x0008
#define RTM_ROUTE_FLAGS_LOCAL 0x0010
#define RTM_ROUTE_FLAGS_REMOTE 0x0020
#define RTM_ROUTE_FLAGS_MYSELF 0x0040
#define RTM_ROUTE_FLAGS_LOOPBACK 0x0080
#define RTM_ROUTE_FLAGS_MCAST 0x0100
#define RTM_ROUTE_FLAGS_LOCAL_MCAST 0x0200
#define RTM_ROUTE_FLAGS_LIMITED_BC 0x0400
#define RTM_ROUTE_FLAGS_ZEROS_NETBC 0x1000
#define RTM_ROUTE_FLAGS_ZEROS_SUBNETBC 0x2000
#define RTM_ROUTE_FLAGS_ONES_NETBC 0x4000
#define RTM_ROUTE_FLAGS_ONES_SUBNETBC 0x8000
#define RTM_ROUTE_FLAGS_FORWARDING (RTM_ROUTE_FLAGS_MARTIAN | RTM_ROUTE_FLAGS_BLACKHOLE | RTM_ROUTE_FLAGS_DISCARD | RTM_ROUTE_FLAGS_INACTIVE)
#define RTM_ROUTE_FLAGS_ANY_UNICAST (RTM_ROUTE_FLAGS_LOCAL | RTM_ROUTE_FLAGS_REMOTE | RTM_ROUTE_FLAGS_MYSELF)
#define RTM_ROUTE_FLAGS_ANY_MCAST (RTM_ROUTE_FLAGS_MCAST | RTM_ROUTE_FLAGS_LOCAL_MCAST)
#define RTM_ROUTE_FLAGS_NET_BCAST (RTM_ROUTE_FLAGS_ONES_NETBC | RTM_ROUTE_FLAGS_ZEROS_NETBC)

typedef struct _RTM_NEXTHOP_INFO {
  RTM_NET_ADDRESS NextHopAddress;
  RTM_ENTITY_HANDLE NextHopOwner;
  ULONG InterfaceIndex;
  USHORT State;
  USHORT Flags;
  PVOID EntitySpecificInfo;
  RTM_DEST_HANDLE RemoteNextHop;
} RTM_NEXTHOP_INFO, *PRTM_NEXTHOP_INFO;

#define RTM_NEXTHOP_STATE_CREATED 0
#define RTM_NEXTHOP_STATE_DELETED 1

#define RTM_NEXTHOP_FLAGS_REMOTE 0x0001
#define RTM_NEXTHOP_FLAGS_DOWN 0x0002

typedef struct _RTM_ENTITY_ID {
  __extension__ union {
    __extension__ struct {
      ULONG EntityProtocolId;
      ULONG EntityInstanceId;
    };
    ULONGLONG EntityId;
  };
} RTM_ENTITY_ID, *PRTM_ENTITY_ID;

typedef struct _RTM_ENTITY_INFO {
  USHORT RtmInstanceId;
  USHORT AddressFamily;
  RTM_ENTITY_ID EntityId;
} RTM_ENTITY_INFO, *PRTM_ENTITY_INFO;

typedef enum _RTM_EVENT_TYPE {
  RTM_ENTITY_REGISTERED,
  RTM_ENTITY_DEREGISTERED,
  RTM_ROUTE_EXPIRED,
  RTM_CHANGE_NOTIFICATION
} RTM_EVENT_TYPE, *PRTM_EVENT_TYPE;

typedef DWORD (WINAPI *_EVENT_CALLBACK)(RTM_ENTITY_HANDLE RtmRegHandle, RTM_EVENT_TYPE EventType, PVOID Context1, PVOID Context2);
typedef _EVENT_CALLBACK RTM_EVENT_CALLBACK, *PRTM_EVENT_CALLBACK;

#define METHOD_TYPE_ALL_METHODS 0xFFFFFFFF

#define METHOD_RIP2_NEIGHBOUR_ADDR 0x00000001
#define METHOD_RIP2_OUTBOUND_INTF 0x00000002
#define METHOD_RIP2_ROUTE_TAG 0x00000004
#define METHOD_RIP2_ROUTE_TIMESTAMP 0x00000008

#define METHOD_OSPF_ROUTE_TYPE 0x00000001
#define METHOD_OSPF_ROUTE_METRIC 0x00000002
#define METHOD_OSPF_LSDB_TYPE 0x00000004
#define METHOD_OSPF_ROUTE_TAG 0x00000008
#define METHOD_OSPF_ROUTE_AREA 0x00000010
#define METHOD_OSPF_FWD_ADDRESS 0x00000020

#define METHOD_BGP4_AS_PATH 0x00000001
#define METHOD_BGP4_PEER_ID 0x00000002
#define METHOD_BGP4_PA_ORIGIN 0x00000004
#define METHOD_BGP4_NEXTHOP_ATTR 0x00000008

typedef DWORD RTM_ENTITY_METHOD_TYPE, *PRTM_ENTITY_METHOD_TYPE;

typedef struct _RTM_ENTITY_METHOD_INPUT {
  RTM_ENTITY_METHOD_TYPE MethodType;
  UINT InputSize;
  UCHAR InputData[1];
} RTM_ENTITY_METHOD_INPUT, *PRTM_ENTITY_METHOD_INPUT;

typedef struct _RTM_ENTITY_METHOD_OUTPUT {
  RTM_ENTITY_METHOD_TYPE MethodType;
  DWORD MethodStatus;
  UINT OutputSize;
  UCHAR OutputData[1];
} RTM_ENTITY_METHOD_OUTPUT, *PRTM_ENTITY_METHOD_OUTPUT;

typedef VOID (WINAPI *_ENTITY_METHOD)(RTM_ENTITY_HANDLE CallerHandle, RTM_ENTITY_HANDLE CalleeHandle, RTM_ENTITY_METHOD_INPUT *Input, RTM_ENTITY_METHOD_OUTPUT *Output);
typedef _ENTITY_METHOD RTM_ENTITY_EXPORT_METHOD, *PRTM_ENTITY_EXPORT_METHOD;

typedef struct _RTM_ENTITY_EXPORT_METHODS {
  UINT NumMethods;
  RTM_ENTITY_EXPORT_METHOD Methods[1];
} RTM_ENTITY_EXPORT_METHODS, *PRTM_ENTITY_EXPORT_METHODS;

#define RTM_RESUME_METHODS 0
#define RTM_BLOCK_METHODS 1

typedef DWORD RTM_ROUTE_CHANGE_FLAGS, *PRTM_ROUTE_CHANGE_FLAGS;

#define RTM_ROUTE_CHANGE_FIRST 0x01
#define RTM_ROUTE_CHANGE_NEW 0x02
#define RTM_ROUTE_CHANGE_BEST 0x00010000

typedef DWORD RTM_NEXTHOP_CHANGE_FLAGS, *PRTM_NEXTHOP_CHANGE_FLAGS;

#define RTM_NEXTHOP_CHANGE_NEW 0x01

typedef DWORD RTM_MATCH_FLAGS, *PRTM_MATCH_FLAGS;

#define RTM_MATCH_NONE 0x00000000
#define RTM_MATCH_OWNER 0x00000001
#define RTM_MATCH_NEIGHBOUR 0x00000002
#define RTM_MATCH_PREF 0x00000004
#define RTM_MATCH_NEXTHOP 0x00000008
#define RTM_MATCH_INTERFACE 0x00000010
#define RTM_MATCH_FULL 0x0000FFFF

#define RTM_BEST_PROTOCOL (ULONG)0
#define RTM_THIS_PROTOCOL (ULONG)~0

typedef DWORD RTM_ENUM_FLAGS, *PRTM_ENUM_FLAGS;

#define RTM_ENUM_START 0x00000000
#define RTM_ENUM_NEXT 0x00000001
#define RTM_ENUM_RANGE 0x00000002

#define RTM_ENUM_ALL_DESTS 0x00000000
#define RTM_ENUM_OWN_DESTS 0x01000000

#define RTM_ENUM_ALL_ROUTES 0x00000000
#define RTM_ENUM_OWN_ROUTES 0x00010000

typedef DWORD RTM_NOTIFY_FLAGS, *PRTM_NOTIFY_FLAGS;

#define RTM_NUM_CHANGE_TYPES 3

#define RTM_CHANGE_TYPE_ALL 0x0001
#define RTM_CHANGE_TYPE_BEST 0x0002
#define RTM_CHANGE_TYPE_FORWARDING 0x0004

#define RTM_NOTIFY_ONLY_MARKED_DESTS 0x00010000

// ---- END POSIX DECLARATIONS ----

#endif  // _WIN32

// ---- Both platforms: names the mingw-w64 headers lack (Windows SDK only) ----

#ifndef RF_ROUTINGV6
#define RF_ROUTINGV6 0x00000002
#endif

// ---- Both platforms: the IPv6 router manager's types (Windows SDK routprot.h; neither
// mingw-w64 nor POSIX has them). Layouts: reference §3.8, pinned by layout_asserts.h. ----

// AF_INET6 as Windows numbers it (ws2def.h). RTM_NET_ADDRESS.AddressFamily carries this
// value on every platform; POSIX's own AF_INET6 (10 on Linux) is for its sockets only.
#define RRAS_BRIDGE_AF_INET6 23
// The IPv6 transport id (mprapi.h PID_IPV6), beside PID_IP (0x21).
#ifndef PID_IPV6
#define PID_IPV6 0x00000057
#endif

#if !defined(_WIN32)
typedef struct in6_addr_compat {
  union {
    UCHAR Byte[16];
    USHORT Word[8];
  } u;
} IN6_ADDR, *PIN6_ADDR;
#endif

#if !defined(_MSC_VER)  // the SDK (MSVC builds) declares these in routprot.h
typedef struct _IPV6_LOCAL_BINDING {
  IN6_ADDR Address;
  ULONG PrefixLength;
} IPV6_LOCAL_BINDING, *PIPV6_LOCAL_BINDING;

typedef struct _IPV6_ADAPTER_BINDING_INFO {
  ULONG AddressCount;
  IN6_ADDR RemoteAddress;
  ULONG Mtu;
  ULONGLONG Speed;
  __extension__ IPV6_LOCAL_BINDING Address[0];  // AddressCount entries follow
} IPV6_ADAPTER_BINDING_INFO, *PIPV6_ADAPTER_BINDING_INFO;
#endif

#ifndef SIZEOF_IPV6_BINDING
#define SIZEOF_IPV6_BINDING(X) \
  (FIELD_OFFSET(IPV6_ADAPTER_BINDING_INFO, Address) + ((X) * sizeof(IPV6_LOCAL_BINDING)))
#endif
