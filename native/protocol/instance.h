// One routing protocol served by the library: the routprot.h entry points of one protocol id,
// and the parts that serve them. The parts, each in its own file with its state's owner:
//
//   protocol_state.h    what RRAS has told the protocol, and its current host (one mutex)
//   supervisor.h        the thread that launches, restarts and stops the host; the stop hand-over
//   replay.h            RRAS's state replayed to a new host
//   watchdog.h          the heartbeat
//   graceful_restart.h  a lost host's routes kept stale, then swept
//   rtm_glue.h          RTMv2 for the protocol: route batches in, best-route changes out
//   host_requests.h     the host's requests, by a table indexed by message type
//   interfaces.h        RRAS's interfaces, and the messages that tell a host about them
//   event_queue.h       what GetEventMessage hands out
//   protocol_parts.h    the references to these that the supervisor and handlers share
//
//   telemetry.h         what operators read (admin_endpoint.h): the trace ring every entry
//                       point, host message and event is recorded in, call statistics, log lines
//
// The operators' status snapshot (Snapshot) is beside the entry points: it reads ProtocolState
// under its mutex in one go (the supervisor's restart history is guarded by the same mutex),
// and asks the parts that keep state of their own (the host link, RTM's routes, the stale
// timer, the event queue) through methods that lock as theirs do.
//
// Rules (DESIGN §2): an RRAS thread never waits on JS without a deadline; what the library
// can answer from its own state it answers itself; every DoUpdateRoutes that returned
// NO_ERROR gets exactly one UPDATE_COMPLETE, whatever happens to the host; a configuration
// change RRAS was told succeeded is the one in force, and the one a restarted host gets.
//
// State: config_ and log_ change only in Reconfigure, while no thread of the protocol exists
// (Idle); every part reads them through a reference. downLog_ guards itself.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "../common/compat.h"
#include "config.h"
#include "event_queue.h"
#include "graceful_restart.h"
#include "host_link.h"
#include "host_requests.h"
#include "interfaces.h"
#include "log.h"
#include "protocol_parts.h"
#include "protocol_state.h"
#include "rtm_glue.h"
#include "status.h"
#include "supervisor.h"
#include "telemetry.h"
#include "watchdog.h"

namespace rrasbridge {

class Instance {
 public:
  explicit Instance(ProtocolConfig config);
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;
  ~Instance();

  uint32_t protocolId() const { return protocolId_; }
  // At RegisterProtocol: the new configuration, taken when Idle (else the running one stays).
  void Reconfigure(ProtocolConfig config);
  // Stopped, with no thread left: the library may free it (unload).
  bool Idle();
  const ProtocolConfig& config() const { return config_; }

  // For operators (the admin endpoint). What exports.cc's Guard records every call into.
  Telemetry& telemetry() { return telemetry_; }
  // Everything `rras-bridge status` shows, read in one go.
  InstanceStatus Snapshot();
  // The planned restart (`rras-bridge restart`): a new host with the module as it is now on
  // disk, routes kept, outside the restart budget. Empty, with the host generation being
  // replaced, or why it cannot be done.
  std::string RequestRestart(const std::string& reason, uint32_t& generation);

  // routprot.h entry points.
  DWORD StartProtocol(HANDLE event, PSUPPORT_FUNCTIONS support, LPVOID globalInfo,
                      ULONG version, ULONG size, ULONG count);
  DWORD StartComplete();
  DWORD StopProtocol();
  DWORD GetGlobalInfo(PVOID info, PULONG bufferSize, PULONG version, PULONG size, PULONG count);
  DWORD SetGlobalInfo(PVOID info, ULONG version, ULONG size, ULONG count);
  // type: the NET_INTERFACE_TYPE as RRAS passed it, read as an integer (it may be out of range).
  DWORD AddInterface(LPWSTR name, ULONG index, uint32_t type, DWORD mediaType,
                     WORD accessType, WORD connectionType, PVOID info, ULONG version,
                     ULONG size, ULONG count);
  DWORD DeleteInterface(ULONG index);
  DWORD InterfaceStatus(ULONG index, BOOL active, DWORD statusType, PVOID statusInfo);
  DWORD GetInterfaceInfo(ULONG index, PVOID info, PULONG bufferSize, PULONG version,
                         PULONG size, PULONG count);
  DWORD SetInterfaceInfo(ULONG index, PVOID info, ULONG version, ULONG size, ULONG count);
  DWORD GetEventMessage(ROUTING_PROTOCOL_EVENTS* event, MESSAGE* result);
  DWORD DoUpdateRoutes(ULONG index);
  DWORD Mib(wire::MibOperation op, ULONG inSize, PVOID in, PULONG outSize, PVOID out);
  DWORD MibSetTrapInfo(HANDLE event, ULONG inSize, PVOID in, PULONG outSize, PVOID out);
  DWORD Power(wire::PowerOperation op, DWORD powerType);
  DWORD Client(wire::ClientOperation op, ULONG index, PVOID clientAddress);

 private:
  using Phase = ProtocolState::Phase;

  ProtocolParts Parts();  // what the supervisor and the host's request handlers share
  bool IdleLocked();      // state_.mu held

  // A call that needs the host's answer, within callTimeoutMs; NO_ERROR when it answered
  // (its status is in reply). late: where an answer after the deadline goes.
  DWORD ForwardCall(wire::Message request, wire::Message& reply, const std::string& what,
                    HostLink::Completion late = {});
  HostLink::Completion LateConfig(bool global, uint32_t interfaceIndex, InfoBlob blob,
                                  std::string what);
  bool CopyInfo(PVOID info, ULONG version, ULONG size, ULONG count, InfoBlob& out,
                const std::string& what);
  static DWORD AnswerInfo(const InfoBlob& b, PVOID info, PULONG bufferSize, PULONG version,
                          PULONG size, PULONG count);
  void QueueUpdateComplete(uint32_t index, const wire::Message* reply, const std::string& failure);

  const uint32_t protocolId_;
  ProtocolConfig config_;
  Telemetry telemetry_;  // guards itself
  Logger log_;
  LogThrottle downLog_;  // calls refused while the host is down: one line a second
  EventQueue events_{&telemetry_.trace};
  ProtocolState state_;
  RtmGlue rtm_;
  GracefulRestart gracefulRestart_;
  Watchdog watchdog_;
  HostRequests requests_;
  Supervisor supervisor_;  // last: its thread uses all of the above
};

}  // namespace rrasbridge
