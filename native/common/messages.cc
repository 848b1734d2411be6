// The message catalogue of wire v1: one row per message type, request and reply fields.
// Field order is wire order. Add rows and fields at the end; never change existing ones.
#include "wire.h"

namespace rrasbridge::wire {
namespace {

const Fields kInfoFields = {
    {"info", Kind::Blob},
    {"structureVersion", Kind::U32},
    {"structureSize", Kind::U32},
    {"structureCount", Kind::U32},
};

Fields Concat(Fields a, const Fields& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// One route operation of a batch (host -> DLL) or one changed destination (DLL -> host).
const Fields kRouteRecord = {
    {"op", Kind::U32},  // 1 add/update, 2 delete
    {"destination", Kind::U32},  // IPv4, network order as a host u32 of the 4 bytes
    {"prefixLength", Kind::U32},
    {"nextHop", Kind::U32},
    {"interfaceIndex", Kind::U32},
    {"metric", Kind::U32},
    {"preference", Kind::U32},
    {"flags", Kind::U32},
    {"ttlMs", Kind::U32},
};
const Fields kStatusRecord = {
    {"status", Kind::U32},
};
const Fields kValueRecord = {
    {"value", Kind::U32},
};
const Fields kChangeRecord = {
    {"destination", Kind::U32},
    {"prefixLength", Kind::U32},
    {"owner", Kind::U32},  // protocol id of the best route's owner, 0 when withdrawn
    {"nextHop", Kind::U32},
    {"interfaceIndex", Kind::U32},
    {"metric", Kind::U32},
    {"preference", Kind::U32},
};

// The same two records for a protocol on the IPv6 router manager: an explicit family
// (AF_INET6, 23, Windows' value) and the 16 address bytes in network order, as
// RTM_NET_ADDRESS.AddrBits holds them.
const Fields kRoute6Record = {
    {"op", Kind::U32},
    {"family", Kind::U32},
    {"destination", Kind::Blob},  // 16 bytes
    {"prefixLength", Kind::U32},
    {"nextHop", Kind::Blob},  // 16 bytes; all zero for none
    {"interfaceIndex", Kind::U32},
    {"metric", Kind::U32},
    {"preference", Kind::U32},
    {"flags", Kind::U32},
    {"ttlMs", Kind::U32},
};
const Fields kChange6Record = {
    {"family", Kind::U32},
    {"destination", Kind::Blob},
    {"prefixLength", Kind::U32},
    {"owner", Kind::U32},
    {"nextHop", Kind::Blob},
    {"interfaceIndex", Kind::U32},
    {"metric", Kind::U32},
    {"preference", Kind::U32},
};

std::vector<MessageSpec> BuildSpecs() {
  using D = Direction;
  return {
      {MsgType::Hello, "hello", D::HostToDll,
       {{"magic", Kind::U32}, {"minVersion", Kind::U32}, {"maxVersion", Kind::U32},
        {"token", Kind::Blob}, {"pid", Kind::U32}},
       {{"version", Kind::U32}, {"protocolId", Kind::U32}, {"name", Kind::Text},
        {"generation", Kind::U32}, {"heartbeatMs", Kind::U32}}},
      {MsgType::Start, "start", D::DllToHost,
       Concat(Concat({{"restart", Kind::U32}}, kInfoFields),
              {{"addressFamily", Kind::U32}}),  // AF_INET (2) or AF_INET6 (23): the router manager
       {}},
      {MsgType::StartComplete, "startComplete", D::DllToHost, {}, {}},
      {MsgType::Stop, "stop", D::DllToHost, {{"reason", Kind::U32}}, {}},
      {MsgType::AddInterface, "addInterface", D::DllToHost,
       Concat({{"interfaceIndex", Kind::U32},
               {"name", Kind::Utf16},
               {"interfaceType", Kind::U32},
               {"mediaType", Kind::U32},
               {"accessType", Kind::U32},
               {"connectionType", Kind::U32}},
              kInfoFields),
       {}},
      {MsgType::DeleteInterface, "deleteInterface", D::DllToHost,
       {{"interfaceIndex", Kind::U32}}, {}},
      {MsgType::InterfaceStatus, "interfaceStatus", D::DllToHost,
       {{"interfaceIndex", Kind::U32}, {"active", Kind::U32}, {"statusType", Kind::U32},
        {"binding", Kind::Blob}},
       {}},
      {MsgType::SetGlobalInfo, "setGlobalInfo", D::DllToHost, kInfoFields, {}},
      {MsgType::SetInterfaceInfo, "setInterfaceInfo", D::DllToHost,
       Concat({{"interfaceIndex", Kind::U32}}, kInfoFields), {}},
      {MsgType::UpdateRoutes, "updateRoutes", D::DllToHost, {{"interfaceIndex", Kind::U32}},
       {}},
      {MsgType::Mib, "mib", D::DllToHost,
       {{"op", Kind::U32}, {"input", Kind::Blob}, {"outputSize", Kind::U32}},
       {{"output", Kind::Blob}}},
      {MsgType::Power, "power", D::DllToHost, {{"op", Kind::U32}, {"powerType", Kind::U32}},
       {}},
      {MsgType::Client, "client", D::DllToHost,
       {{"op", Kind::U32}, {"interfaceIndex", Kind::U32}, {"address", Kind::Blob}}, {}},
      {MsgType::Heartbeat, "heartbeat", D::DllToHost, {{"seq", Kind::U32}},
       {{"seq", Kind::U32}}},
      {MsgType::RouteChanges, "routeChanges", D::DllToHost,
       {{"changes", Kind::List, &kChangeRecord}}, {}},
      {MsgType::Log, "log", D::HostToDll, {{"level", Kind::U32}, {"text", Kind::Text}}, {}},
      {MsgType::Routes, "routes", D::HostToDll,
       {{"ops", Kind::List, &kRouteRecord}},
       {{"results", Kind::List, &kStatusRecord}}},
      {MsgType::SaveConfig, "saveConfig", D::HostToDll,
       Concat({{"scope", Kind::U32}, {"interfaceIndex", Kind::U32}}, kInfoFields), {}},
      {MsgType::Support, "support", D::HostToDll,
       {{"fn", Kind::U32}, {"args", Kind::List, &kValueRecord}, {"input", Kind::Blob},
        {"outputSize", Kind::U32}},
       {{"result", Kind::U32}, {"output", Kind::Blob}}},
      {MsgType::Synced, "synced", D::HostToDll, {}, {}},
      {MsgType::Restart, "restart", D::HostToDll, {{"reason", Kind::Text}}, {}},
      {MsgType::RouteChanges6, "routeChanges6", D::DllToHost,
       {{"changes", Kind::List, &kChange6Record}}, {}},
      {MsgType::Routes6, "routes6", D::HostToDll,
       {{"ops", Kind::List, &kRoute6Record}},
       {{"results", Kind::List, &kStatusRecord}}},
      // The admin endpoint. `protocol` names a protocol ("" = every one the library serves).
      {MsgType::AdminHello, "adminHello", D::AdminToDll,
       {{"magic", Kind::U32}, {"minVersion", Kind::U32}, {"maxVersion", Kind::U32},
        {"client", Kind::Text}},
       {{"version", Kind::U32}, {"pid", Kind::U32}, {"library", Kind::Text},
        {"protocols", Kind::Text}}},
      {MsgType::AdminStatus, "adminStatus", D::AdminToDll, {{"protocol", Kind::Text}},
       {{"status", Kind::Text}}},
      // Records are sent as adminTraceRecords notifications; the reply follows the backlog.
      {MsgType::AdminTrace, "adminTrace", D::AdminToDll,
       {{"protocol", Kind::Text}, {"follow", Kind::U32}, {"backlog", Kind::U32}}, {}},
      {MsgType::AdminTraceRecords, "adminTraceRecords", D::DllToAdmin,
       {{"records", Kind::Text}, {"lost", Kind::U32}}, {}},
      {MsgType::AdminRestart, "adminRestart", D::AdminToDll,
       {{"protocol", Kind::Text}, {"reason", Kind::Text}}, {{"generation", Kind::U32}}},
      {MsgType::AdminLog, "adminLog", D::AdminToDll,
       {{"protocol", Kind::Text}, {"follow", Kind::U32}, {"backlog", Kind::U32}}, {}},
      {MsgType::AdminLogLines, "adminLogLines", D::DllToAdmin,
       {{"lines", Kind::Text}, {"lost", Kind::U32}}, {}},
  };
}

}  // namespace

const std::vector<MessageSpec>& AllSpecs() {
  static const std::vector<MessageSpec> specs = BuildSpecs();
  return specs;
}

const MessageSpec* FindSpec(MsgType type) {
  for (const auto& s : AllSpecs())
    if (s.type == type) return &s;
  return nullptr;
}

const MessageSpec* FindSpec(const std::string& name) {
  for (const auto& s : AllSpecs())
    if (name == s.name) return &s;
  return nullptr;
}

const Fields* FieldsOf(const Message& m) {
  static const Fields kNone;
  const MessageSpec* spec = FindSpec(m.type);
  if (!spec) return nullptr;
  if (!m.IsReply()) return &spec->request;
  return m.status == 0 ? &spec->reply : &kNone;
}

}  // namespace rrasbridge::wire
