// The supervisor of one protocol's host (FRR's zserv.c client lifecycle is the model): one
// thread per run, from StartProtocol to the end of its stop, that takes orders in turn:
//
//   Launch   RTM opened, the first host spawned and started (StartProtocol waits for it)
//   Lost     the host died or hung: routes kept (graceful_restart.h), restarted with
//            exponential backoff within restartLimit restarts per restartWindowMs, then given up
//   Reload   the host asked to be restarted (a code reload): outside the budget, routes kept
//   Stop     StopProtocol: the stop handler, the host's exit, RTM closed with its routes
//   Exit     a failed start or the library's teardown: everything closed, nothing reported
//
// Between orders it runs the timers: call deadlines (updateTimeoutMs), the stale timer and the
// heartbeat (watchdog.h). Lost and Reload name the host generation they are about, so a notice
// about a host that has been replaced since is ignored. Every host launch, loss and stop
// happens on this thread, in order.
//
// Stop hand-over and unloading: the router manager may unload the library as soon as
// GetEventMessage has returned ROUTER_STOPPED. The supervisor thread finishes the whole stop
// (host stopped, its I/O thread joined, RTM closed, the last line logged), marks the stop
// finished and signals the event; ROUTER_STOPPED is handed out by GetEventMessage, on the
// router manager's thread, only after it has joined the supervisor (CollectStop), which is
// then at its very end. From Start until that join the supervisor holds a reference on the
// library (DynamicLibrary::OpenSelf), so an unload without a stop (or before ROUTER_STOPPED
// was read) cannot unmap code its threads run.
//
// For operators, every host started, lost, killed by the watchdog, restarted as planned or
// given up on is recorded in the trace ring, and in the restart history the status shows; a
// host that died leaves the trace's last records in the log (the crash report).
//
// State: orders_, timersChanged_, wakesAt_, launch_, stopFinished_, thread_, pin_ and history_
// are guarded by the protocol state's mutex (ProtocolState::mu): the supervisor waits for
// orders and for changes of the protocol's phase together, on its cv; the status snapshot
// reads history_ with the protocol state (HistoryLocked). The restart budget is the
// supervisor thread's own (reset as the thread starts, so each run has all of it).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "../common/compat.h"
#include "../common/dynlib.h"
#include "host_link.h"
#include "host_requests.h"
#include "protocol_parts.h"
#include "status.h"
#include "watchdog.h"

namespace rrasbridge {

class Supervisor {
 public:
  enum class Command { Launch, Lost, Reload, Stop, Exit };
  // stopped: called on the thread at the end of a stop, before the stop is marked finished
  // (the admin endpoint lets go of the protocol, its threads joined before ROUTER_STOPPED).
  Supervisor(ProtocolParts parts, Watchdog& watchdog, HostRequests& requests, std::function<void()> stopped)
      : p_(parts), watchdog_(watchdog), requests_(requests), stopped_(std::move(stopped)) {}
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;
  ~Supervisor();  // Exit, and joins a thread still running

  // StartProtocol, in phase Starting: starts the thread with a Launch and waits for the first
  // host within the start deadline. NO_ERROR: the phase is Running. Otherwise the thread has
  // torn down what it started and is joined, and the phase is Stopped.
  DWORD Start();
  // An order; Lost and Reload name the host generation they are about; a Reload says why
  // (the restart history's reason).
  void Post(Command c, uint32_t generation = 0, std::string reason = {});
  // A call with this deadline was sent (DoUpdateRoutes): the thread is woken to recompute its
  // next wake-up only when the deadline comes before it (a thread switch per call saved).
  void CallDeadline(Clock::time_point deadline);
  // Whether a run's stop has finished (ROUTER_STOPPED is next once the queue is empty).
  bool StopFinished();
  // The finished stop, taken once: joins the thread and drops the library reference. False
  // when no stop has finished since.
  bool CollectStop();
  // Joins the thread of a finished stop, leaving the stop to be collected (ROUTER_STOPPED
  // still to hand out): Reconfigure needs no thread alive.
  void JoinFinishedStop();
  // A thread exists (of a run, or of a finished stop not yet collected); the protocol state's
  // mutex held.
  bool HasThreadLocked() const { return thread_.joinable(); }
  // The restart history and the current host's start, into a status; the protocol state's
  // mutex held.
  void HistoryLocked(InstanceStatus& s) const;

 private:
  struct Order {
    Command what;
    uint32_t generation = 0;
    std::string reason;  // Reload
  };
  // Restarts within restartWindowMs; supervisor thread only.
  class RestartBudget {
   public:
    explicit RestartBudget(const ProtocolConfig& config) : config_(config) {}
    // restartLimit restarts were taken within the window (older ones are forgotten).
    bool Spent();
    void Take() { recent_.push_back(Clock::now()); }
    size_t used() const { return recent_.size(); }

   private:
    const ProtocolConfig& config_;
    std::deque<Clock::time_point> recent_;
  };

  void Run();
  void RunTimers(RestartBudget& budget, Clock::time_point& nextTick,
                 Clock::time_point& nextCallDeadline);
  void Heartbeat(RestartBudget& budget);
  // Spawns, handshakes and starts a host (replay: with RRAS's state); on success it is the
  // current host. code: what StartProtocol answers for a first launch that failed.
  // whileBooting: as HostLink::Launch's.
  bool LaunchHost(bool replay, std::string& err, DWORD& code,
                  const std::function<bool(std::string&)>& whileBooting = {});
  // A restart of the current host; false when it failed (logged).
  bool Relaunch();
  // planned: a restart the host asked for (code reload): graceful, outside the budget.
  void RecoverFromLoss(RestartBudget& budget, uint32_t generation, bool planned = false,
                       const std::string& reason = {});
  // A host's start or end, for the trace and the restart history (takes the state's mutex).
  void NoteHost(HostEvent what, uint32_t generation, uint32_t pid, const std::string& reason);
  // The crash report: the trace's last records, into the log.
  void LogLastRecords(const std::string& why);
  void RunStop();
  void RunExit();
  // A finished stop's thread joined and the library reference dropped; handOut: the stop is
  // taken (ROUTER_STOPPED goes out now). False when no stop has finished.
  bool FinishStop(bool handOut);
  void CloseRtm();  // with the protocol's routes: a stop or a failed start

  ProtocolParts p_;
  Watchdog& watchdog_;
  HostRequests& requests_;
  std::function<void()> stopped_;
  // Guarded by p_.state.mu.
  std::deque<Order> orders_;
  bool timersChanged_ = false;  // a call deadline came before wakesAt_: recompute
  // When the sleeping thread wakes by itself (its tick or the next call deadline); max while
  // it is awake (it recomputes before it sleeps again).
  Clock::time_point wakesAt_ = Clock::time_point::max();
  struct {
    bool done = false;
    DWORD code = 0;
  } launch_;  // the first launch's outcome, for Start
  bool stopFinished_ = false;  // the thread has done all of a stop; ROUTER_STOPPED is next
  std::thread thread_;
  DynamicLibrary pin_;  // OpenSelf from Start until the thread is joined
  struct {
    int64_t hostStartedWallNs = 0;         // the current host's start
    std::deque<RestartRecord> restarts;    // the most recent, oldest first
    uint64_t unplanned = 0, planned = 0;   // restarts since the library was loaded
    uint32_t budgetUsed = 0;               // of the restart budget, at the last restart
  } history_;
};

}  // namespace rrasbridge
