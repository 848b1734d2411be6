// The library's record of the router manager's interfaces for this protocol: what RRAS told
// us, kept so that it can answer Get*Info natively and replay it to a restarted host.
#pragma once

#include <cstdint>
#include <map>
#include <string>

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

}  // namespace rrasbridge
