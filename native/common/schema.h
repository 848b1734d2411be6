// The message catalogue of the wire: one row per message type with its request and reply
// fields, the records of its lists, and the enums its numbers mean. It is the one source of
// wire numbers and field names: C++ reads and writes fields by these names (RequestField,
// ReplyField, RecordField: a misspelt name does not build), the addon converts by them, and
// lib/addon/wire.ts is generated from them (npm run wire:types; a test checks it is current).
//
// Evolution: field order is wire order. A new field goes at the end of its list with the
// version that adds it (`since`), and the version goes up; a new message type gets a new
// number and its `since`. Never change, reorder or remove what a released version has. The
// hello request and reply are read before a version is agreed: they never change.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wire.h"

namespace rrasbridge::wire {

// ---- enums: what the numbers of some u32 fields mean ---------------------------------

// Each enum of ours is written once, as a list X(Name, value): RRAS_BRIDGE_WIRE_ENUM makes the
// C++ enum class and the table of its names for TypeScript from it.
#define RRAS_BRIDGE_WIRE_ENUMERATOR(Name, value) Name = value,
#define RRAS_BRIDGE_WIRE_NAMED(Name, value) EnumValue{#Name, value},
#define RRAS_BRIDGE_WIRE_ENUM(Type, VALUES)                   \
  enum class Type : uint32_t { VALUES(RRAS_BRIDGE_WIRE_ENUMERATOR) }; \
  inline constexpr EnumValue k##Type##Values[] = {VALUES(RRAS_BRIDGE_WIRE_NAMED)};

// support.fn: which SUPPORT_FUNCTIONS member the host calls (routprot.h's names).
#define RRAS_BRIDGE_SUPPORT_FUNCTIONS(X)                                                  \
  X(GetRouterId, 1) X(DemandDialRequest, 2) X(SetInterfaceReceiveType, 3)                \
  X(HasMulticastBoundary, 4) X(MIBEntryCreate, 5) X(MIBEntryDelete, 6) X(MIBEntrySet, 7) \
  X(MIBEntryGet, 8) X(MIBEntryGetFirst, 9) X(MIBEntryGetNext, 10)
RRAS_BRIDGE_WIRE_ENUM(SupportFunction, RRAS_BRIDGE_SUPPORT_FUNCTIONS)

// routes / routes6 records: op, and flags (bits).
#define RRAS_BRIDGE_ROUTE_OPERATIONS(X) X(Add, 1) X(Delete, 2)
RRAS_BRIDGE_WIRE_ENUM(RouteOperation, RRAS_BRIDGE_ROUTE_OPERATIONS)
#define RRAS_BRIDGE_ROUTE_FLAGS(X) X(HasPreference, 1)
RRAS_BRIDGE_WIRE_ENUM(RouteFlag, RRAS_BRIDGE_ROUTE_FLAGS)

// mib.op: which routprot.h MIB entry point RRAS called.
#define RRAS_BRIDGE_MIB_OPERATIONS(X)                                             \
  X(Create, 1) X(Delete, 2) X(Get, 3) X(Set, 4) X(GetFirst, 5) X(GetNext, 6) \
  X(SetTrapInfo, 7) X(GetTrapInfo, 8)
RRAS_BRIDGE_WIRE_ENUM(MibOperation, RRAS_BRIDGE_MIB_OPERATIONS)

// power.op: QueryPower or SetPower. client.op: ConnectClient or DisconnectClient.
#define RRAS_BRIDGE_POWER_OPERATIONS(X) X(Query, 1) X(Set, 2)
RRAS_BRIDGE_WIRE_ENUM(PowerOperation, RRAS_BRIDGE_POWER_OPERATIONS)
#define RRAS_BRIDGE_CLIENT_OPERATIONS(X) X(Connect, 1) X(Disconnect, 2)
RRAS_BRIDGE_WIRE_ENUM(ClientOperation, RRAS_BRIDGE_CLIENT_OPERATIONS)

// saveConfig.scope: which block the protocol saves.
#define RRAS_BRIDGE_CONFIG_SCOPES(X) X(Global, 1) X(Interface, 2)
RRAS_BRIDGE_WIRE_ENUM(ConfigScope, RRAS_BRIDGE_CONFIG_SCOPES)

// start.addressFamily, routes6 / routeChanges6 family: the router manager's family, as
// Windows numbers it (AF_INET, and AF_INET6 of ws2def.h, not POSIX's).
#define RRAS_BRIDGE_ADDRESS_FAMILIES(X) X(Ipv4, 2) X(Ipv6, 23)
RRAS_BRIDGE_WIRE_ENUM(AddressFamily, RRAS_BRIDGE_ADDRESS_FAMILIES)

// log.level. stop.reason.
#define RRAS_BRIDGE_LOG_LEVELS(X) X(Error, 0) X(Warn, 1) X(Info, 2) X(Debug, 3)
RRAS_BRIDGE_WIRE_ENUM(LogLevel, RRAS_BRIDGE_LOG_LEVELS)
#define RRAS_BRIDGE_STOP_REASONS(X) X(StopProtocol, 0)
RRAS_BRIDGE_WIRE_ENUM(StopReason, RRAS_BRIDGE_STOP_REASONS)

// interfaceStatus.statusType: routprot.h's InterfaceStatus StatusType (RIS_*), and
// addInterface.interfaceType: its NET_INTERFACE_TYPE. Microsoft's names; they are macros and
// enumerators of the headers, so they live here as names only, and the library checks the
// numbers against the headers (interfaces.cc).
inline constexpr EnumValue kInterfaceStatusTypeValues[] = {
    {"RIS_INTERFACE_ADDRESS_CHANGE", 0}, {"RIS_INTERFACE_ENABLED", 1},
    {"RIS_INTERFACE_DISABLED", 2},       {"RIS_INTERFACE_MEDIA_PRESENT", 3},
    {"RIS_INTERFACE_MEDIA_ABSENT", 4},
};
inline constexpr EnumValue kInterfaceTypeValues[] = {
    {"PERMANENT", 0},
    {"DEMAND_DIAL", 1},
    {"LOCAL_WORKSTATION_DIAL", 2},
    {"REMOTE_WORKSTATION_DIAL", 3},
};


namespace schema {

template <size_t N>
constexpr EnumSpec Enum(const char* name, const EnumValue (&v)[N], bool bits = false) {
  return EnumSpec{name, v, N, bits};
}
inline constexpr EnumSpec kSupportFunction = Enum("SupportFunction", kSupportFunctionValues);
inline constexpr EnumSpec kRouteOperation = Enum("RouteOperation", kRouteOperationValues);
inline constexpr EnumSpec kRouteFlag = Enum("RouteFlag", kRouteFlagValues, true);
inline constexpr EnumSpec kMibOperation = Enum("MibOperation", kMibOperationValues);
inline constexpr EnumSpec kPowerOperation = Enum("PowerOperation", kPowerOperationValues);
inline constexpr EnumSpec kClientOperation = Enum("ClientOperation", kClientOperationValues);
inline constexpr EnumSpec kConfigScope = Enum("ConfigScope", kConfigScopeValues);
inline constexpr EnumSpec kAddressFamily = Enum("AddressFamily", kAddressFamilyValues);
inline constexpr EnumSpec kLogLevel = Enum("LogLevel", kLogLevelValues);
inline constexpr EnumSpec kStopReason = Enum("StopReason", kStopReasonValues);
inline constexpr EnumSpec kInterfaceStatusType = Enum("InterfaceStatusType", kInterfaceStatusTypeValues);
inline constexpr EnumSpec kInterfaceType = Enum("InterfaceType", kInterfaceTypeValues);
inline constexpr const EnumSpec* kEnums[] = {
    &kSupportFunction, &kRouteOperation, &kRouteFlag,  &kMibOperation,
    &kPowerOperation,  &kClientOperation, &kConfigScope, &kAddressFamily,
    &kLogLevel,        &kStopReason,      &kInterfaceStatusType, &kInterfaceType,
};

// The number of `name` in an enum's values (a name it lacks does not compile).
template <size_t N>
constexpr uint32_t ValueOf(const EnumValue (&values)[N], std::string_view name) {
  for (const EnumValue& v : values)
    if (std::string_view(v.name) == name) return v.value;
  throw "no value of this name in the enum";
}

// ---- fields ------------------------------------------------------------------------------

constexpr FieldSpec U32(const char* name, const EnumSpec* values = nullptr, uint32_t since = 1) {
  return FieldSpec{name, Kind::U32, since, nullptr, values};
}
constexpr FieldSpec U64(const char* name, uint32_t since = 1) {
  return FieldSpec{name, Kind::U64, since, nullptr, nullptr};
}
constexpr FieldSpec Blob(const char* name, uint32_t since = 1) {
  return FieldSpec{name, Kind::Blob, since, nullptr, nullptr};
}
constexpr FieldSpec Text(const char* name, uint32_t since = 1) {
  return FieldSpec{name, Kind::Text, since, nullptr, nullptr};
}
constexpr FieldSpec Utf16(const char* name, uint32_t since = 1) {
  return FieldSpec{name, Kind::Utf16, since, nullptr, nullptr};
}
constexpr FieldSpec ListOf(const char* name, const FieldList& record, uint32_t since = 1) {
  return FieldSpec{name, Kind::List, since, &record, nullptr};
}

template <size_t N>
constexpr FieldList List(const FieldSpec (&f)[N]) {
  return FieldList{f, N};
}
template <size_t N>
constexpr FieldList List(const std::array<FieldSpec, N>& f) {
  return FieldList{f.data(), N};
}
template <typename T>
struct Count;
template <size_t N>
struct Count<FieldSpec[N]> {
  static constexpr size_t value = N;
};
template <size_t N>
struct Count<std::array<FieldSpec, N>> {
  static constexpr size_t value = N;
};
template <typename L, size_t N>
constexpr void Append(std::array<FieldSpec, N>& out, size_t& at, const L& list) {
  for (const FieldSpec& f : list) out[at++] = f;
}
// The lists one after another (a message made of shared parts).
template <typename... L>
constexpr std::array<FieldSpec, (Count<L>::value + ...)> Concat(const L&... lists) {
  std::array<FieldSpec, (Count<L>::value + ...)> out{};
  size_t at = 0;
  (Append(out, at, lists), ...);
  return out;
}
inline constexpr FieldList kNone{};

// A configuration block as RRAS passes it (RTR_INFO_BLOCK_HEADER or a protocol's own).
inline constexpr FieldSpec kInfo[] = {
    Blob("info"), U32("structureVersion"), U32("structureSize"), U32("structureCount"),
};

// One route operation of a batch (host -> DLL) or one changed destination (DLL -> host). The
// addresses are the router manager's family's: IPv4 as a u32 whose little-endian bytes are the
// address in network order; IPv6 (routes6, routeChanges6) as an explicit family and the 16
// bytes in network order, as RTM_NET_ADDRESS.AddrBits holds them. The rest is the same.
inline constexpr FieldSpec kRouteHead[] = {
    U32("op", &kRouteOperation), U32("destination"), U32("prefixLength"), U32("nextHop"),
};
inline constexpr FieldSpec kRoute6Head[] = {
    U32("op", &kRouteOperation),
    U32("family", &kAddressFamily),
    Blob("destination"),  // 16 bytes
    U32("prefixLength"),
    Blob("nextHop"),  // 16 bytes; all zero for none
};
inline constexpr FieldSpec kRouteTail[] = {
    U32("interfaceIndex"), U32("metric"), U32("preference"), U32("flags", &kRouteFlag), U32("ttlMs"),
};
inline constexpr auto kRouteRecord = Concat(kRouteHead, kRouteTail);
inline constexpr auto kRoute6Record = Concat(kRoute6Head, kRouteTail);
inline constexpr FieldSpec kChangeHead[] = {
    U32("destination"),
    U32("prefixLength"),
    U32("owner"),  // protocol id of the best route's owner, 0 when withdrawn
    U32("nextHop"),
};
inline constexpr FieldSpec kChange6Head[] = {
    U32("family", &kAddressFamily), Blob("destination"), U32("prefixLength"), U32("owner"), Blob("nextHop"),
};
inline constexpr FieldSpec kChangeTail[] = {U32("interfaceIndex"), U32("metric"), U32("preference")};
inline constexpr auto kChangeRecord = Concat(kChangeHead, kChangeTail);
inline constexpr auto kChange6Record = Concat(kChange6Head, kChangeTail);
inline constexpr FieldSpec kStatusRecord[] = {U32("status")};
inline constexpr FieldSpec kValueRecord[] = {U32("value")};
inline constexpr FieldList kRouteRecordList = List(kRouteRecord);
inline constexpr FieldList kStatusRecordList = List(kStatusRecord);
inline constexpr FieldList kValueRecordList = List(kValueRecord);
inline constexpr FieldList kChangeRecordList = List(kChangeRecord);
inline constexpr FieldList kRoute6RecordList = List(kRoute6Record);
inline constexpr FieldList kChange6RecordList = List(kChange6Record);

// ---- messages ------------------------------------------------------------------------------

inline constexpr FieldSpec kHelloRequest[] = {
    U32("magic"), U32("minVersion"), U32("maxVersion"), Blob("token"), U32("pid"),
};
inline constexpr FieldSpec kHelloReply[] = {
    U32("version"), U32("protocolId"), Text("name"), U32("generation"), U32("heartbeatMs"),
};
inline constexpr FieldSpec kStartHead[] = {U32("restart")};
inline constexpr FieldSpec kStartTail[] = {
    U32("addressFamily", &kAddressFamily),  // the router manager's
    Text("library", 2),                     // the protocol library's path (host's log)
};
inline constexpr auto kStartRequest = Concat(kStartHead, kInfo, kStartTail);
inline constexpr FieldSpec kStopRequest[] = {U32("reason", &kStopReason)};
inline constexpr FieldSpec kAddInterfaceHead[] = {
    U32("interfaceIndex"), Utf16("name"),      U32("interfaceType", &kInterfaceType),
    U32("mediaType"),      U32("accessType"), U32("connectionType"),
};
inline constexpr auto kAddInterfaceRequest = Concat(kAddInterfaceHead, kInfo);
inline constexpr FieldSpec kInterfaceIndex[] = {U32("interfaceIndex")};
inline constexpr FieldSpec kInterfaceStatusRequest[] = {
    U32("interfaceIndex"), U32("active"), U32("statusType", &kInterfaceStatusType),
    Blob("binding"),  // IP_ADAPTER_BINDING_INFO or IPV6_ADAPTER_BINDING_INFO as RRAS gave it
};
inline constexpr auto kSetInterfaceInfoRequest = Concat(kInterfaceIndex, kInfo);
inline constexpr FieldSpec kMibRequest[] = {
    U32("op", &kMibOperation), Blob("input"), U32("outputSize"),
};
inline constexpr FieldSpec kMibReply[] = {Blob("output")};
inline constexpr FieldSpec kPowerRequest[] = {U32("op", &kPowerOperation), U32("powerType")};
inline constexpr FieldSpec kClientRequest[] = {
    U32("op", &kClientOperation), U32("interfaceIndex"), Blob("address"),
};
inline constexpr FieldSpec kHeartbeatRequest[] = {U32("seq")};
inline constexpr FieldSpec kHeartbeatReply[] = {
    U32("seq"),
    U64("rssBytes", 2),  // the host's resident memory when it answered
};
inline constexpr FieldSpec kRouteChangesRequest[] = {ListOf("changes", kChangeRecordList)};
inline constexpr FieldSpec kRouteChanges6Request[] = {ListOf("changes", kChange6RecordList)};
inline constexpr FieldSpec kLogRequest[] = {U32("level", &kLogLevel), Text("text")};
inline constexpr FieldSpec kRoutesRequest[] = {ListOf("ops", kRouteRecordList)};
inline constexpr FieldSpec kRoutes6Request[] = {ListOf("ops", kRoute6RecordList)};
inline constexpr FieldSpec kRoutesReply[] = {ListOf("results", kStatusRecordList)};
inline constexpr FieldSpec kSaveConfigHead[] = {
    U32("scope", &kConfigScope), U32("interfaceIndex"),
};
inline constexpr auto kSaveConfigRequest = Concat(kSaveConfigHead, kInfo);
inline constexpr FieldSpec kSupportRequest[] = {
    U32("fn", &kSupportFunction), ListOf("args", kValueRecordList), Blob("input"),
    U32("outputSize"),
};
inline constexpr FieldSpec kSupportReply[] = {U32("result"), Blob("output")};
inline constexpr FieldSpec kRestartRequest[] = {Text("reason")};

// The admin endpoint (native/protocol/admin_endpoint.h, docs/operations.md), version 3: an
// operator's tool and the library. `protocol` names a protocol ("" = every one the library
// serves); the documents (status, trace records, log lines) are JSON text. Like the host's
// hello, adminHello is read before a version is agreed: it never changes.
constexpr uint32_t kAdmin = kAdminMinVersion;
inline constexpr FieldSpec kAdminHelloRequest[] = {
    U32("magic", nullptr, kAdmin), U32("minVersion", nullptr, kAdmin), U32("maxVersion", nullptr, kAdmin),
    Text("client", kAdmin),  // who is asking, for the library's log
};
inline constexpr FieldSpec kAdminHelloReply[] = {
    U32("version", nullptr, kAdmin), U32("pid", nullptr, kAdmin), Text("library", kAdmin),
    Text("protocols", kAdmin),  // JSON: [{protocolId, name, state}]
};
inline constexpr FieldSpec kAdminStatusRequest[] = {Text("protocol", kAdmin)};
inline constexpr FieldSpec kAdminStatusReply[] = {Text("status", kAdmin)};
// The records come as adminTraceRecords (adminLog: adminLogLines) notifications: the backlog
// first, then the reply, then (follow) what happens next.
inline constexpr FieldSpec kAdminFollowRequest[] = {
    Text("protocol", kAdmin), U32("follow", nullptr, kAdmin), U32("backlog", nullptr, kAdmin),
};
inline constexpr FieldSpec kAdminTraceRecordsRequest[] = {
    Text("records", kAdmin),           // JSON lines
    U32("lost", nullptr, kAdmin),      // records the follower was too slow for
};
inline constexpr FieldSpec kAdminRestartRequest[] = {Text("protocol", kAdmin), Text("reason", kAdmin)};
inline constexpr FieldSpec kAdminRestartReply[] = {U32("generation", nullptr, kAdmin)};  // the host replaced
inline constexpr FieldSpec kAdminLogLinesRequest[] = {Text("lines", kAdmin), U32("lost", nullptr, kAdmin)};

using D = Direction;
inline constexpr MessageSpec kMessages[] = {
    {MsgType::Hello, "hello", D::HostToDll, List(kHelloRequest), List(kHelloReply)},
    {MsgType::Start, "start", D::DllToHost, List(kStartRequest), kNone},
    {MsgType::StartComplete, "startComplete", D::DllToHost, kNone, kNone},
    {MsgType::Stop, "stop", D::DllToHost, List(kStopRequest), kNone},
    {MsgType::AddInterface, "addInterface", D::DllToHost, List(kAddInterfaceRequest), kNone},
    {MsgType::DeleteInterface, "deleteInterface", D::DllToHost, List(kInterfaceIndex), kNone},
    {MsgType::InterfaceStatus, "interfaceStatus", D::DllToHost, List(kInterfaceStatusRequest), kNone},
    {MsgType::SetGlobalInfo, "setGlobalInfo", D::DllToHost, List(kInfo), kNone},
    {MsgType::SetInterfaceInfo, "setInterfaceInfo", D::DllToHost, List(kSetInterfaceInfoRequest), kNone},
    {MsgType::UpdateRoutes, "updateRoutes", D::DllToHost, List(kInterfaceIndex), kNone},
    {MsgType::Mib, "mib", D::DllToHost, List(kMibRequest), List(kMibReply)},
    {MsgType::Power, "power", D::DllToHost, List(kPowerRequest), kNone},
    {MsgType::Client, "client", D::DllToHost, List(kClientRequest), kNone},
    {MsgType::Heartbeat, "heartbeat", D::DllToHost, List(kHeartbeatRequest), List(kHeartbeatReply)},
    {MsgType::RouteChanges, "routeChanges", D::DllToHost, List(kRouteChangesRequest), kNone},
    {MsgType::Log, "log", D::HostToDll, List(kLogRequest), kNone},
    {MsgType::Routes, "routes", D::HostToDll, List(kRoutesRequest), List(kRoutesReply)},
    {MsgType::SaveConfig, "saveConfig", D::HostToDll, List(kSaveConfigRequest), kNone},
    {MsgType::Support, "support", D::HostToDll, List(kSupportRequest), List(kSupportReply)},
    {MsgType::Synced, "synced", D::HostToDll, kNone, kNone},
    {MsgType::Restart, "restart", D::HostToDll, List(kRestartRequest), kNone},
    {MsgType::RouteChanges6, "routeChanges6", D::DllToHost, List(kRouteChanges6Request), kNone},
    {MsgType::Routes6, "routes6", D::HostToDll, List(kRoutes6Request), List(kRoutesReply)},
    {MsgType::AdminHello, "adminHello", D::AdminToDll, List(kAdminHelloRequest), List(kAdminHelloReply), kAdmin},
    {MsgType::AdminStatus, "adminStatus", D::AdminToDll, List(kAdminStatusRequest), List(kAdminStatusReply), kAdmin},
    {MsgType::AdminTrace, "adminTrace", D::AdminToDll, List(kAdminFollowRequest), kNone, kAdmin},
    {MsgType::AdminTraceRecords, "adminTraceRecords", D::DllToAdmin, List(kAdminTraceRecordsRequest), kNone, kAdmin},
    {MsgType::AdminRestart, "adminRestart", D::AdminToDll, List(kAdminRestartRequest), List(kAdminRestartReply), kAdmin},
    {MsgType::AdminLog, "adminLog", D::AdminToDll, List(kAdminFollowRequest), kNone, kAdmin},
    {MsgType::AdminLogLines, "adminLogLines", D::DllToAdmin, List(kAdminLogLinesRequest), kNone, kAdmin},
};

constexpr const MessageSpec& Spec(MsgType t) {
  for (const MessageSpec& s : kMessages)
    if (s.type == t) return s;
  throw "no such message type";  // in a constant expression: a build error
}

// What every later version must keep true of the catalogue (checked when it is compiled).
// frozen: a hello's fields, read before a version is agreed: all of the message's own version.
constexpr bool InOrder(const FieldList& list, bool frozen, uint32_t first = 1) {
  uint32_t since = first;
  for (const FieldSpec& f : list) {
    if (f.since < since || f.since > kVersion || (frozen && f.since != first)) return false;
    // No pointer to a catalogue entry is compared with null: GCC with AddressSanitizer cannot
    // fold an inline variable's address in a constant expression (only nullptr itself). A
    // list's records are read (none: no constant, a build error); a pointer another kind
    // holds must be nullptr.
    if (f.kind == Kind::List) {
      if (!InOrder(*f.record, frozen, first)) return false;
    } else if (f.record != nullptr) {
      return false;
    }
    if (f.kind != Kind::U32 && f.values != nullptr) return false;
    since = f.since;
  }
  return true;
}
constexpr bool WellFormed() {
  for (const MessageSpec& s : kMessages) {
    const bool hello = s.type == MsgType::Hello || s.type == MsgType::AdminHello;
    const bool admin = s.direction == Direction::AdminToDll || s.direction == Direction::DllToAdmin;
    if (s.since < 1 || s.since > kVersion || (s.type == MsgType::Hello && s.since != 1)) return false;
    if (admin && s.since < kAdminMinVersion) return false;
    if (!InOrder(s.request, hello, s.since) || !InOrder(s.reply, hello, s.since)) return false;
    for (const MessageSpec& t : kMessages)
      if (&s != &t && (s.type == t.type || std::string_view(s.name) == t.name)) return false;
  }
  return true;
}
static_assert(WellFormed(),
              "the wire catalogue: fields in version order and none before their message's, the "
              "hellos frozen at their first version, the admin endpoint's messages from "
              "kAdminMinVersion, unique types and names");

}  // namespace schema

// A field of a message type's request or reply, or of a list's records, by its schema name.
constexpr Field RequestField(MsgType t, std::string_view name) {
  return FieldOf(schema::Spec(t).request, name);
}
constexpr Field ReplyField(MsgType t, std::string_view name) {
  return FieldOf(schema::Spec(t).reply, name);
}
constexpr Field RecordField(const FieldList& record, std::string_view name) {
  return FieldOf(record, name);
}
// Where a record's field begins in its packed slots (PackedRecords), by its schema name:
// constexpr size_t kX = PackedSlot(list, RecordField(list, "name")).
constexpr size_t PackedSlot(const FieldList& record, Field f) {
  size_t at = 0;
  for (size_t i = 0; i < f.index(); ++i) at += PackedSlots(record[i]);
  return at;
}
constexpr size_t PackedSlot(const FieldList& record, std::string_view name) {
  return PackedSlot(record, RecordField(record, name));
}

}  // namespace rrasbridge::wire
