// One routing protocol served by the library: the routprot.h entry points for one protocol
// id, its state as RRAS sees it, and the supervisor thread that owns its host.
//
// Rules (DESIGN §2): an RRAS thread never waits on JS without a deadline; what the library
// can answer from its own state it answers itself; every DoUpdateRoutes that returned
// NO_ERROR gets exactly one UPDATE_COMPLETE, whatever happens to the host.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "../common/compat.h"
#include "config.h"
#include "event_queue.h"
#include "host_link.h"
#include "interfaces.h"
#include "log.h"
#include "rtm_client.h"

namespace rrasbridge {

class Instance {
 public:
  explicit Instance(ProtocolConfig config);
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;
  ~Instance();

  const ProtocolConfig& config() const { return config_; }
  void Reconfigure(ProtocolConfig config);  // at RegisterProtocol, when not running

  // routprot.h entry points.
  DWORD StartProtocol(HANDLE event, PSUPPORT_FUNCTIONS support, LPVOID globalInfo,
                      ULONG version, ULONG size, ULONG count);
  DWORD StartComplete();
  DWORD StopProtocol();
  DWORD GetGlobalInfo(PVOID info, PULONG bufferSize, PULONG version, PULONG size, PULONG count);
  DWORD SetGlobalInfo(PVOID info, ULONG version, ULONG size, ULONG count);
  DWORD AddInterface(LPWSTR name, ULONG index, NET_INTERFACE_TYPE type, DWORD mediaType,
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

  // Supervisor thread.
  void Supervise();
  bool LaunchHost(bool replay, std::string& err, DWORD& code);
  // planned: a restart the host asked for (code reload): graceful, outside the budget.
  void RecoverFromLoss(bool planned = false);
  void RunStop();
  void Heartbeat();
  void Post(Command c);

  std::shared_ptr<HostLink> Link();
  DWORD ForwardCall(wire::MsgType type, std::vector<wire::Value> fields,
                    wire::Message* replyOut, const char* what);
  void OnHostRequest(HostLink& from, wire::Message&& m);
  void HandleRoutes(HostLink& from, const wire::Message& m);
  void HandleSaveConfig(HostLink& from, const wire::Message& m);
  void HandleSupport(HostLink& from, const wire::Message& m);
  bool OpenRtm(std::string& err);
  void CloseRtm(bool deleteRoutes);
  void SendRouteChanges(HostLink& link, const std::vector<RouteChange>& changes);
  // The RTM family of the protocol's router manager (config ipv6).
  uint16_t Family() const;
  void SweepStale(const char* why);
  void QueueUpdateComplete(uint32_t index, const wire::Message* reply, const std::string& failure);
  static bool CopyInfo(PVOID info, ULONG version, ULONG size, ULONG count, InfoBlob& out);
  static std::vector<wire::Value> InfoFields(const InfoBlob& b);
  static DWORD AnswerInfo(const InfoBlob& b, PVOID info, PULONG bufferSize, PULONG version,
                          PULONG size, PULONG count);
  std::vector<wire::Message> ReplayMessages(const InterfaceState& s) const;

  ProtocolConfig config_;
  Logger log_;
  EventQueue events_;

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
  std::deque<Command> commands_;
  std::condition_variable cv_;
  std::thread supervisor_;
  // Launch handshake between StartProtocol and the supervisor.
  bool launchDone_ = false;
  DWORD launchCode_ = 0;
  std::deque<Clock::time_point> restarts_;  // supervisor thread only
  // RTM: opened before the first host starts, closed after the last one stopped. Set and
  // reset on the supervisor thread while no host is connected; used by the I/O thread.
  std::unique_ptr<RtmClient> rtm_;
  bool staleArmed_ = false;  // a dead host's routes are kept until this deadline
  Clock::time_point staleDeadline_{};
  // Watchdog.
  uint32_t heartbeatSeq_ = 0, heartbeatAnswered_ = 0, heartbeatMisses_ = 0;
};

}  // namespace rrasbridge
