// The requests a host makes of the library (log, routes, routes6, saveConfig, support,
// synced, restart), each answered by its handler, looked up in a table indexed by message
// type (FRR's zapi_msg.c keeps its handlers the same way). A type without a handler is
// answered ERROR_NOT_SUPPORTED. Handlers run on the host's I/O thread, in arrival order, and
// never wait for the host.
//
// State: none of its own. What the handlers touch is guarded where it lives (the protocol
// state, the event queue, RTM, the stale timer); the support functions are copied under the
// protocol state's mutex for each call.
#pragma once

#include <array>
#include <functional>
#include <string>

#include "../common/wire.h"
#include "host_link.h"
#include "protocol_parts.h"

namespace rrasbridge {

class HostRequests {
 public:
  // reload: a restart the host asked for (a code reload), of the host of this generation.
  using Reload = std::function<void(uint32_t generation, const std::string& reason)>;
  HostRequests(ProtocolParts parts, Reload reload)
      : p_(parts), reload_(std::move(reload)) {}

  // A request (or notification) from `from`, on its I/O thread.
  void Handle(HostLink& from, wire::Message&& m);

 private:
  using Handler = void (HostRequests::*)(HostLink& from, const wire::Message& m);
  static constexpr size_t kTypes = 64;  // one past the largest message type number
  static const std::array<Handler, kTypes> kHandlers;  // indexed by message type

  void Log(HostLink& from, const wire::Message& m);
  void Routes(HostLink& from, const wire::Message& m);  // routes and routes6
  void SaveConfig(HostLink& from, const wire::Message& m);
  void Support(HostLink& from, const wire::Message& m);
  void Synced(HostLink& from, const wire::Message& m);
  void Restart(HostLink& from, const wire::Message& m);

  ProtocolParts p_;
  Reload reload_;
};

}  // namespace rrasbridge
