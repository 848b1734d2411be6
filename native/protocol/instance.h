// One routing protocol served by the library: the routprot.h entry points for one protocol
// id, its state as RRAS sees it, and the supervisor thread that owns its host.
//
// Rules (DESIGN §2): an RRAS thread never waits on JS without a deadline; what the library
// can answer from its own state it answers itself; every DoUpdateRoutes that returned
// NO_ERROR gets exactly one UPDATE_COMPLETE, whatever happens to the host; a configuration
// change RRAS was told succeeded is the one in force, and the one a restarted host gets.
//
// Threads and unloading: the router manager may unload the library as soon as GetEventMessage
// has returned ROUTER_STOPPED. The supervisor thread finishes the whole stop (host stopped, its
// I/O thread joined, RTM closed, the last line logged), marks the stop finished and signals the
// event; ROUTER_STOPPED is handed out by GetEventMessage, on the router manager's thread, only
// after it has joined the supervisor, which is then at its very end. From StartProtocol until
// that join the instance holds a reference on the library (DynamicLibrary::OpenSelf), so an
// unload without a stop (or before ROUTER_STOPPED was read) cannot unmap code its threads run.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "../common/compat.h"
#include "../common/dynlib.h"
#include "config.h"
#include "event_queue.h"
#include "host_link.h"
#include "interfaces.h"
#include "log.h"
#include "rtm_client.h"
#include "status.h"
#include "telemetry.h"

namespace rrasbridge {

class Instance {
 public:
  explicit Instance(ProtocolConfig config);
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;
  ~Instance();

  const ProtocolConfig& config() const { return config_; }
  void Reconfigure(ProtocolConfig config);  // at RegisterProtocol, when not running
  // Stopped, with no thread left: the library may free it (unload).
  bool Idle();

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
  DWORD Mib(uint32_t op, ULONG inSize, PVOID in, PULONG outSize, PVOID out);
  DWORD MibSetTrapInfo(HANDLE event, ULONG inSize, PVOID in, PULONG outSize, PVOID out);
  DWORD Power(uint32_t op, DWORD powerType);
  DWORD Client(uint32_t op, ULONG index, PVOID clientAddress);

 private:
  enum class State { Stopped, Starting, Running, Stopping };
  enum class Command { Launch, Lost, Reload, Stop, Exit };
  // A command for the supervisor; Lost and Reload name the host generation they are about, so
  // a notice about a host that has been replaced since is ignored.
  struct Order {
    Command what;
    uint32_t generation = 0;
  };

  // Supervisor thread.
  void Supervise();
  bool LaunchHost(bool replay, std::string& err, DWORD& code);
  // planned: a restart the host asked for (code reload): graceful, outside the budget.
  void RecoverFromLoss(uint32_t generation, bool planned = false);
  void RunStop();
  void RunTimers(Clock::time_point& nextTick, Clock::time_point& nextCallDeadline);
  void Heartbeat();
  void Post(Command c, uint32_t generation = 0);
  // The finished stop, taken once: joins the supervisor and drops the library reference.
  // False when no stop has finished since.
  bool CollectStop();

  std::shared_ptr<HostLink> Link();
  DWORD ForwardCall(wire::MsgType type, std::vector<wire::Value> fields, wire::Message& reply,
                    const std::string& what, HostLink::Completion late = {});
  void OnHostRequest(HostLink& from, wire::Message&& m);
  void HandleRoutes(HostLink& from, const wire::Message& m);
  void HandleSaveConfig(HostLink& from, const wire::Message& m);
  void HandleSupport(HostLink& from, const wire::Message& m);
  // A block in force that RRAS did not set itself (the protocol saved it, or applied a
  // SetInfo after its deadline): cached, then SAVE_*_CONFIG_INFO so RRAS reads and keeps it.
  // global, or interfaceIndex's block; false for an unknown interface.
  bool AdoptConfig(bool global, uint32_t interfaceIndex, InfoBlob blob);
  HostLink::Completion LateConfig(bool global, uint32_t interfaceIndex, InfoBlob blob,
                                  std::string what);
  bool OpenRtm(std::string& err);
  void CloseRtm(bool deleteRoutes);
  void SendRouteChanges(HostLink& link, const std::vector<RouteChange>& changes);
  // The RTM family of the protocol's router manager (config ipv6).
  uint16_t Family() const;
  void SweepStale(const char* why);
  void QueueUpdateComplete(uint32_t index, const wire::Message* reply, const std::string& failure);
  bool CopyInfo(PVOID info, ULONG version, ULONG size, ULONG count, InfoBlob& out,
                const std::string& what);
  static std::vector<wire::Value> InfoFields(const InfoBlob& b);
  static DWORD AnswerInfo(const InfoBlob& b, PVOID info, PULONG bufferSize, PULONG version,
                          PULONG size, PULONG count);
  std::vector<wire::Message> ReplayMessages(const InterfaceState& s) const;
  // The host's life for the trace and the restart history; takes mu_.
  void NoteHost(HostEvent what, const std::string& reason);
  // The crash report: the trace's last records, into the log.
  void LogLastRecords(const std::string& why);

  ProtocolConfig config_;
  Telemetry telemetry_;
  Logger log_;
  EventQueue events_{&telemetry_.trace};
  LogThrottle downLog_;  // calls refused while the host is down: one line a second

  std::mutex mu_;  // guards everything below; never held while waiting for the host
  State state_ = State::Stopped;
  bool startCompleted_ = false;
  bool gaveUp_ = false;  // restart budget exhausted: 1003 until restarted by RRAS
  SUPPORT_FUNCTIONS support_{};
  InfoBlob globalInfo_;
  InterfaceTable interfaces_;
  uint64_t tableVersion_ = 0;
  std::shared_ptr<HostLink> link_;
  uint32_t generation_ = 0;
  std::deque<Order> commands_;
  bool timersChanged_ = false;  // a call with a deadline was sent: the supervisor recomputes
  // When the sleeping supervisor wakes by itself (its tick or the next call deadline); max
  // while it is awake. A call whose deadline is later needs no wake-up (a thread switch per
  // DoUpdateRoutes): the supervisor sees it when it next recomputes.
  Clock::time_point supervisorWakesAt_ = Clock::time_point::max();
  std::condition_variable cv_;
  std::thread supervisor_;
  bool stopFinished_ = false;   // the supervisor has done all of a stop; ROUTER_STOPPED is next
  DynamicLibrary pin_;          // OpenSelf from StartProtocol until the supervisor is joined
  // Launch handshake between StartProtocol and the supervisor.
  bool launchDone_ = false;
  DWORD launchCode_ = 0;
  // Restarts within restartWindowMs: supervisor thread only (StartProtocol clears it before the
  // supervisor starts, so each run has its whole budget).
  std::deque<Clock::time_point> restarts_;
  // RTM: opened before the first host starts, closed after the last one stopped. Set and
  // reset on the supervisor thread while no host is connected, under mu_ (Snapshot copies
  // it); used by the I/O thread.
  std::shared_ptr<RtmClient> rtm_;
  bool staleArmed_ = false;  // a dead host's routes are kept until this deadline
  Clock::time_point staleDeadline_{};
  // Watchdog.
  uint32_t heartbeatSeq_ = 0, heartbeatAnswered_ = 0, heartbeatMisses_ = 0;
  // For Snapshot (guarded by mu_).
  int64_t startedWallNs_ = 0, hostStartedWallNs_ = 0;
  std::deque<RestartRecord> restartHistory_;
  uint64_t unplannedRestarts_ = 0, plannedRestarts_ = 0;
  uint32_t budgetUsed_ = 0;
};

}  // namespace rrasbridge
