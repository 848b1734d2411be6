// The messages that tell a host about RRAS's interfaces (interfaces.h).
#include "interfaces.h"

#include "../common/compat.h"

namespace rrasbridge {
namespace {

using wire::MsgType;
using wire::Value;

constexpr wire::Field kAddIndex = wire::RequestField(MsgType::AddInterface, "interfaceIndex");
constexpr wire::Field kAddName = wire::RequestField(MsgType::AddInterface, "name");
constexpr wire::Field kAddType = wire::RequestField(MsgType::AddInterface, "interfaceType");
constexpr wire::Field kAddMedia = wire::RequestField(MsgType::AddInterface, "mediaType");
constexpr wire::Field kAddAccess = wire::RequestField(MsgType::AddInterface, "accessType");
constexpr wire::Field kAddConnection = wire::RequestField(MsgType::AddInterface, "connectionType");
constexpr wire::Field kStatusIndex = wire::RequestField(MsgType::InterfaceStatus, "interfaceIndex");
constexpr wire::Field kStatusActive = wire::RequestField(MsgType::InterfaceStatus, "active");
constexpr wire::Field kStatusType = wire::RequestField(MsgType::InterfaceStatus, "statusType");
constexpr wire::Field kStatusBinding = wire::RequestField(MsgType::InterfaceStatus, "binding");

// The wire's names for routprot.h's values (schema.h) are the headers' values.
constexpr uint32_t StatusType(std::string_view name) {
  return wire::schema::ValueOf(wire::kInterfaceStatusTypeValues, name);
}
constexpr uint32_t InterfaceType(std::string_view name) {
  return wire::schema::ValueOf(wire::kInterfaceTypeValues, name);
}
static_assert(StatusType("RIS_INTERFACE_ADDRESS_CHANGE") == RIS_INTERFACE_ADDRESS_CHANGE &&
                  StatusType("RIS_INTERFACE_ENABLED") == RIS_INTERFACE_ENABLED &&
                  StatusType("RIS_INTERFACE_DISABLED") == RIS_INTERFACE_DISABLED &&
                  StatusType("RIS_INTERFACE_MEDIA_PRESENT") == RIS_INTERFACE_MEDIA_PRESENT &&
                  StatusType("RIS_INTERFACE_MEDIA_ABSENT") == RIS_INTERFACE_MEDIA_ABSENT,
              "schema.h's InterfaceStatusType is routprot.h's");
static_assert(InterfaceType("PERMANENT") == PERMANENT && InterfaceType("DEMAND_DIAL") == DEMAND_DIAL &&
                  InterfaceType("LOCAL_WORKSTATION_DIAL") == LOCAL_WORKSTATION_DIAL &&
                  InterfaceType("REMOTE_WORKSTATION_DIAL") == REMOTE_WORKSTATION_DIAL,
              "schema.h's InterfaceType is routprot.h's NET_INTERFACE_TYPE");

}  // namespace

wire::Message AddInterfaceRequest(const InterfaceState& s) {
  wire::Message m = wire::Message::Request(MsgType::AddInterface, 0);
  m.Set(kAddIndex, Value::Num(s.index));
  m.Set(kAddName, Value::Str16(s.name));
  m.Set(kAddType, Value::Num(s.type));
  m.Set(kAddMedia, Value::Num(s.mediaType));
  m.Set(kAddAccess, Value::Num(s.accessType));
  m.Set(kAddConnection, Value::Num(s.connectionType));
  PutInfo<MsgType::AddInterface>(m.fields, s.info);
  return m;
}

wire::Message InterfaceStatusRequest(uint32_t index, bool active, uint32_t statusType,
                                     const std::string& binding) {
  wire::Message m = wire::Message::Request(MsgType::InterfaceStatus, 0);
  m.Set(kStatusIndex, Value::Num(index));
  m.Set(kStatusActive, Value::Num(active ? 1 : 0));
  m.Set(kStatusType, Value::Num(statusType));
  m.Set(kStatusBinding, Value::Bytes(binding));
  return m;
}

std::vector<wire::Message> InterfaceMessages(const InterfaceState& s) {
  std::vector<wire::Message> out;
  out.push_back(AddInterfaceRequest(s));
  if (s.bound) out.push_back(InterfaceStatusRequest(s.index, s.active, RIS_INTERFACE_ADDRESS_CHANGE, s.binding));
  if (!s.mediaPresent) out.push_back(InterfaceStatusRequest(s.index, s.active, RIS_INTERFACE_MEDIA_ABSENT, {}));
  out.push_back(InterfaceStatusRequest(
      s.index, s.active, s.enabled ? RIS_INTERFACE_ENABLED : RIS_INTERFACE_DISABLED, {}));
  return out;
}

}  // namespace rrasbridge
