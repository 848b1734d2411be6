// Blocks in force that RRAS did not set itself (protocol_state.h).
#include "protocol_state.h"

namespace rrasbridge {

bool ProtocolState::Adopt(bool global, uint32_t interfaceIndex, InfoBlob blob, EventQueue& events) {
  MESSAGE msg{};
  ROUTING_PROTOCOL_EVENTS event = SAVE_GLOBAL_CONFIG_INFO;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (global) {
      globalInfo = std::move(blob);
    } else {
      auto it = interfaces.find(interfaceIndex);
      if (it == interfaces.end()) return false;
      it->second.info = std::move(blob);
      ++tableVersion;
      event = SAVE_INTERFACE_CONFIG_INFO;
      msg.InterfaceIndex = interfaceIndex;
    }
  }
  // The cache is updated first: RRAS answers the event with Get*Info and gets the new blob.
  events.Push(event, msg);
  return true;
}

}  // namespace rrasbridge
