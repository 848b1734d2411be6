// The library's record of the router manager's interfaces for this protocol: what RRAS told
// us, kept so that it can answer Get*Info natively and replay it to a restarted host, and the
// messages that tell a host about it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "../common/wire.h"

namespace rrasbridge {

struct InfoBlob {
  std::string data;
  uint32_t structureVersion = 0, structureSize = 0, structureCount = 0;
};

struct InterfaceState {
  uint32_t index = 0;
  std::u16string name;
  uint32_t type = 0, mediaType = 0, accessType = 0, connectionType = 0;
  InfoBlob info;
  bool enabled = false;       // RIS_INTERFACE_ENABLED / DISABLED
  bool active = false;        // InterfaceActive of the last status call
  bool mediaPresent = true;   // RIS_INTERFACE_MEDIA_PRESENT / ABSENT
  bool bound = false;         // an ADDRESS_CHANGE binding was given
  std::string binding;        // raw IP_ADAPTER_BINDING_INFO

  bool SameStatus(const InterfaceState& o) const {
    return enabled == o.enabled && active == o.active && mediaPresent == o.mediaPresent &&
           bound == o.bound && binding == o.binding;
  }
};

using InterfaceTable = std::map<uint32_t, InterfaceState>;

// A block as the info fields of T's request (info, structureVersion, structureSize,
// structureCount), and back.
template <wire::MsgType T>
void PutInfo(std::vector<wire::Value>& f, const InfoBlob& b) {
  constexpr wire::Field kData = wire::RequestField(T, "info");
  constexpr wire::Field kVersion = wire::RequestField(T, "structureVersion");
  constexpr wire::Field kSize = wire::RequestField(T, "structureSize");
  constexpr wire::Field kCount = wire::RequestField(T, "structureCount");
  wire::Set(f, kData, wire::Value::Bytes(b.data));
  wire::Set(f, kVersion, wire::Value::Num(b.structureVersion));
  wire::Set(f, kSize, wire::Value::Num(b.structureSize));
  wire::Set(f, kCount, wire::Value::Num(b.structureCount));
}
template <wire::MsgType T>
InfoBlob GetInfo(const wire::Message& m) {
  constexpr wire::Field kData = wire::RequestField(T, "info");
  constexpr wire::Field kVersion = wire::RequestField(T, "structureVersion");
  constexpr wire::Field kSize = wire::RequestField(T, "structureSize");
  constexpr wire::Field kCount = wire::RequestField(T, "structureCount");
  return InfoBlob{m.Bytes(kData), m.U32(kVersion), m.U32(kSize), m.U32(kCount)};
}

// addInterface for s, as RRAS gave it.
wire::Message AddInterfaceRequest(const InterfaceState& s);
// interfaceStatus: one status change of interface `index`.
wire::Message InterfaceStatusRequest(uint32_t index, bool active, uint32_t statusType,
                                     const std::string& binding);
// Everything a new host needs to know of s: its addInterface, then the status calls that
// bring it where RRAS left it (binding, media, enabled).
std::vector<wire::Message> InterfaceMessages(const InterfaceState& s);

}  // namespace rrasbridge
