// The supervisor thread of one protocol (supervisor.h): its orders, host launches and losses,
// the stop, and the timers between orders.
#include "supervisor.h"

#include <algorithm>
#include <chrono>

#include "replay.h"

namespace rrasbridge {
namespace {

using wire::MsgType;
using wire::Value;
using Phase = ProtocolState::Phase;

constexpr wire::Field kStartRestart = wire::RequestField(MsgType::Start, "restart");
constexpr wire::Field kStartFamily = wire::RequestField(MsgType::Start, "addressFamily");
constexpr wire::Field kStartLibrary = wire::RequestField(MsgType::Start, "library");
constexpr wire::Field kStopReason = wire::RequestField(MsgType::Stop, "reason");

// StartProtocol waits for the launch up to startTimeoutMs, plus stopTimeoutMs to stop a host
// whose protocol refused to start, plus this.
constexpr uint32_t kStartMarginMs = 1000;
constexpr uint32_t kStaleTickMs = 1000;   // the tick without a heartbeat (the stale timer)
constexpr uint32_t kDrainPollMs = 10;     // a planned restart waits for calls in flight so
constexpr size_t kOutputInError = 1024;   // bytes of the host's output in a start error
constexpr size_t kRestartHistory = 32;     // restarts the status reports
constexpr size_t kCrashReportRecords = 64;  // trace records logged when a host is lost

// The supervisor's period: the heartbeat, or the stale timer's tick without one.
std::chrono::milliseconds Tick(const ProtocolConfig& c) {
  return std::chrono::milliseconds(c.heartbeatMs ? c.heartbeatMs : kStaleTickMs);
}

// Statuses the host may give for a start; anything else is 1003.
DWORD StartStatus(const wire::Message& reply) {
  if (reply.status == NO_ERROR || reply.status == ERROR_INVALID_PARAMETER) return reply.status;
  return ERROR_CAN_NOT_COMPLETE;
}

}  // namespace

Supervisor::~Supervisor() {
  std::thread t;
  {
    std::lock_guard<std::mutex> lock(p_.state.mu);
    orders_.push_back({Command::Exit, 0, {}});
    t = std::move(thread_);
  }
  p_.state.cv.notify_all();
  if (t.joinable()) t.join();
}

bool Supervisor::RestartBudget::Spent() {
  const auto now = Clock::now();
  while (!recent_.empty() && now - recent_.front() > std::chrono::milliseconds(config_.restartWindowMs))
    recent_.pop_front();
  return recent_.size() >= config_.restartLimit;
}

// ---- what other threads ask ---------------------------------------------------------------

DWORD Supervisor::Start() {
  std::unique_lock<std::mutex> lock(p_.state.mu);
  launch_ = {};
  orders_.clear();
  orders_.push_back({Command::Launch, 0, {}});
  if (!pin_.OpenSelf())
    p_.log(LogLevel::Warn, "no reference on the library could be taken: unloading it without a stop would be unsafe");
  thread_ = std::thread([this] { Run(); });
  // The host is spawned by the supervisor thread (it must outlive the child, see
  // HostProcess::Spawn); wait for it within the start deadline.
  const auto limit = std::chrono::milliseconds(uint64_t(p_.config.startTimeoutMs) +
                                               p_.config.stopTimeoutMs + kStartMarginMs);
  if (!p_.state.cv.wait_for(lock, limit, [&] { return launch_.done; })) {
    p_.log(LogLevel::Error, "StartProtocol: the host did not start in time");
    launch_.code = ERROR_CAN_NOT_COMPLETE;
  }
  const DWORD code = launch_.code;
  if (code == NO_ERROR) {
    p_.state.phase = Phase::Running;
    return code;
  }
  // The thread tears down what was started; wait for it (bounded by the stop deadline), so
  // that RRAS may call StartProtocol again, or unload the library, as soon as this returned.
  p_.state.phase = Phase::Stopping;
  orders_.push_back({Command::Exit, 0, {}});
  p_.state.cv.notify_all();
  std::thread t = std::move(thread_);
  lock.unlock();
  if (t.joinable()) t.join();
  lock.lock();
  p_.state.phase = Phase::Stopped;
  pin_.Close();
  return code;
}

void Supervisor::Post(Command c, uint32_t generation, std::string reason) {
  {
    std::lock_guard<std::mutex> lock(p_.state.mu);
    orders_.push_back({c, generation, std::move(reason)});
  }
  p_.state.cv.notify_all();
}

void Supervisor::CallDeadline(Clock::time_point deadline) {
  std::lock_guard<std::mutex> lock(p_.state.mu);
  if (deadline >= wakesAt_) return;  // asleep, and it wakes by itself before the deadline
  timersChanged_ = true;
  p_.state.cv.notify_all();
}

bool Supervisor::StopFinished() {
  std::lock_guard<std::mutex> lock(p_.state.mu);
  return stopFinished_;
}

bool Supervisor::CollectStop() { return FinishStop(true); }

void Supervisor::JoinFinishedStop() { FinishStop(false); }

bool Supervisor::FinishStop(bool handOut) {
  std::thread t;
  {
    std::lock_guard<std::mutex> lock(p_.state.mu);
    if (!stopFinished_) return false;
    if (handOut) stopFinished_ = false;
    t = std::move(thread_);
  }
  // Bounded: the thread marked the stop finished as its last act and is returning.
  if (t.joinable()) t.join();
  ReleaseTracing(p_.log.who());
  std::lock_guard<std::mutex> lock(p_.state.mu);
  // The router manager's own reference keeps the library loaded until it unloads it.
  pin_.Close();
  return true;
}

// ---- the thread ----------------------------------------------------------------------------

void Supervisor::Run() {
  RestartBudget budget(p_.config);
  Clock::time_point nextTick = Clock::now() + Tick(p_.config);
  Clock::time_point nextCallDeadline = Clock::time_point::max();
  std::unique_lock<std::mutex> lock(p_.state.mu);
  for (;;) {
    if (orders_.empty()) {
      wakesAt_ = std::min(nextTick, nextCallDeadline);
      p_.state.cv.wait_until(lock, wakesAt_, [&] { return !orders_.empty() || timersChanged_; });
      wakesAt_ = Clock::time_point::max();
      if (orders_.empty()) {
        timersChanged_ = false;
        lock.unlock();
        RunTimers(budget, nextTick, nextCallDeadline);
        lock.lock();
        continue;
      }
    }
    const Order order = orders_.front();
    orders_.pop_front();
    lock.unlock();
    switch (order.what) {
      case Command::Launch: {
        std::string err;
        DWORD code = ERROR_CAN_NOT_COMPLETE;
        SUPPORT_FUNCTIONS support;
        {
          std::lock_guard<std::mutex> g(p_.state.mu);
          support = p_.state.support;
        }
        // RTM is opened while Node starts (about 0.5 ms of the start, a dynamic library's
        // load and the registration); the start handler runs only after both.
        const auto openRtm = [&](std::string& e) {
          if (p_.rtm.Open(support, e)) return true;
          e = "RTM: " + e;
          return false;
        };
        if (!LaunchHost(false, err, code, openRtm))
          p_.log(LogLevel::Error, "host start failed: %s", err.c_str());
        lock.lock();
        launch_.done = true;
        launch_.code = code;
        p_.state.cv.notify_all();
        continue;
      }
      case Command::Lost:
        RecoverFromLoss(budget, order.generation);
        break;
      case Command::Reload:
        RecoverFromLoss(budget, order.generation, true, order.reason);
        break;
      case Command::Stop:
        RunStop();
        return;
      case Command::Exit:
        RunExit();
        return;
    }
    lock.lock();
  }
}

void Supervisor::RunTimers(RestartBudget& budget, Clock::time_point& nextTick,
                           Clock::time_point& nextCallDeadline) {
  const Clock::time_point now = Clock::now();
  // Calls past their deadline (DoUpdateRoutes: updateTimeoutMs) complete as failed.
  std::shared_ptr<HostLink> link = p_.state.Link();
  nextCallDeadline = link ? link->ExpireCalls(now) : Clock::time_point::max();
  if (now < nextTick) return;
  nextTick = now + Tick(p_.config);
  p_.gracefulRestart.Expire(now);
  Heartbeat(budget);
}

void Supervisor::Heartbeat(RestartBudget& budget) {
  std::shared_ptr<HostLink> link;
  {
    std::lock_guard<std::mutex> lock(p_.state.mu);
    if (!p_.config.heartbeatMs || p_.state.phase != Phase::Running || !p_.state.link) return;
    link = p_.state.link;
  }
  if (watchdog_.Tick(*link) != Watchdog::Verdict::Hung) return;
  NoteHost(HostEvent::WatchdogKill, link->generation(), link->pid(),
           "missed " + std::to_string(p_.config.heartbeatMisses) + " heartbeats");
  RecoverFromLoss(budget, link->generation());
}

bool Supervisor::LaunchHost(bool replay, std::string& err, DWORD& code,
                            const std::function<bool(std::string&)>& whileBooting) {
  code = ERROR_CAN_NOT_COMPLETE;
  // Spawn, handshake and the start handler share one deadline.
  const Deadline startBy = DeadlineIn(p_.config.startTimeoutMs);
  uint32_t gen;
  InfoBlob global;
  InterfaceTable snapshot;
  uint64_t version;
  bool completed;
  {
    std::lock_guard<std::mutex> lock(p_.state.mu);
    gen = ++p_.state.generation;
    global = p_.state.globalInfo;
    snapshot = p_.state.interfaces;
    version = p_.state.tableVersion;
    completed = p_.state.startCompleted;
  }
  HostLink::Callbacks cb;
  cb.onRequest = [this](HostLink& from, wire::Message&& m) { requests_.Handle(from, std::move(m)); };
  cb.onLost = [this, gen](const std::string& reason) {
    p_.log(LogLevel::Error, "host (generation %u) lost: %s", gen, reason.c_str());
    NoteHost(HostEvent::Lost, gen, 0, reason);
    Post(Command::Lost, gen);
  };
  cb.trace = &p_.telemetry.trace;
  cb.events = &p_.events;
  cb.logTap = p_.telemetry.log;
  auto link = std::make_shared<HostLink>(p_.config, std::move(cb), gen);
  if (!link->Launch(startBy, err, whileBooting)) {
    link->Shutdown(Clock::now());
    return false;
  }
  // Other protocols' best routes come first, so the start handler can redistribute them.
  p_.rtm.Attach(link, startBy);
  wire::Message start = wire::Message::Request(MsgType::Start, 0);
  start.Set(kStartRestart, Value::Num(replay ? 1 : 0));
  PutInfo<MsgType::Start>(start.fields, global);
  start.Set(kStartFamily, Value::Num(p_.rtm.family()));
  start.Set(kStartLibrary, Value::Bytes(LibraryPath()));
  wire::Message reply;
  const HostLink::Sent started =
      link->Call(MsgType::Start, std::move(start.fields), MsLeft(startBy), reply, err);
  if (!started) {
    if (started.failure == HostLink::Failure::Timeout)
      err = "the start handler did not finish within startTimeoutMs (" + std::to_string(p_.config.startTimeoutMs) + " ms)";
    else if (started.failure == HostLink::Failure::Oversize)
      code = ERROR_INVALID_PARAMETER;
    std::string how = link->Shutdown(Clock::now());
    err = "start: " + err + "; host " + how + "; host output: " + link->OutputTail(kOutputInError);
    return false;
  }
  if (reply.status != NO_ERROR) {
    code = StartStatus(reply);
    err = "the protocol refused to start: " + reply.error;
    link->Shutdown(DeadlineIn(p_.config.stopTimeoutMs));
    return false;
  }
  // A restarted host learns everything RRAS told the previous one.
  if (!Replay(*link, snapshot, completed, p_.config.callTimeoutMs, err)) return false;
  std::lock_guard<std::mutex> lock(p_.state.mu);
  if (p_.state.tableVersion != version) SendDifference(*link, snapshot, p_.state.interfaces);
  watchdog_.Watch(*link);
  p_.telemetry.trace.Host(HostEvent::Started, gen, link->pid(), replay ? "restarted, state replayed" : "started");
  history_.hostStartedWallNs = WallNowNs();
  p_.state.link = std::move(link);
  code = NO_ERROR;
  return true;
}

bool Supervisor::Relaunch() {
  std::string err;
  DWORD code;
  if (LaunchHost(true, err, code)) {
    uint32_t gen;
    {
      std::lock_guard<std::mutex> lock(p_.state.mu);
      gen = p_.state.generation;
    }
    p_.log(LogLevel::Info, "host restarted (generation %u)", gen);
    return true;
  }
  p_.log(LogLevel::Error, "host restart failed: %s", err.c_str());
  return false;
}

void Supervisor::RecoverFromLoss(RestartBudget& budget, uint32_t generation, bool planned,
                                 const std::string& reason) {
  std::shared_ptr<HostLink> dead;
  {
    std::lock_guard<std::mutex> lock(p_.state.mu);
    if (p_.state.phase != Phase::Running) return;
    // Only the current host's loss counts: a notice about a host already replaced (a restart
    // attempt that died while starting) must not take down its healthy successor.
    if (p_.state.link && p_.state.link->generation() == generation) dead = std::move(p_.state.link);
  }
  if (!dead) {
    p_.log(LogLevel::Info, "host generation %u is no longer the current one: its notice is ignored", generation);
    return;
  }
  // Graceful restart: the routes stay in RTM, stale, until the next host re-announces them.
  p_.gracefulRestart.HostLost();
  if (planned) {
    NoteHost(HostEvent::PlannedRestart, generation, dead->pid(), reason);
    // Calls in flight (e.g. the one that asked for the restart) finish first; that and the
    // old host's exit share stopTimeoutMs.
    const Deadline restartBy = DeadlineIn(p_.config.stopTimeoutMs);
    while (dead->pendingCalls() > 0 && Clock::now() < restartBy)
      std::this_thread::sleep_for(std::chrono::milliseconds(kDrainPollMs));
    std::string how = dead->Shutdown(restartBy);
    p_.log(LogLevel::Info, "planned restart of host pid %u (%s); its routes are kept", dead->pid(), how.c_str());
    if (Relaunch()) return;
  } else {
    std::string how = dead->Shutdown(Clock::now());
    p_.log(LogLevel::Error, "host pid %u ended (%s); its last output:\n%s", dead->pid(), how.c_str(),
           dead->OutputTail().c_str());
    LogLastRecords("host pid " + std::to_string(dead->pid()) + " ended");
  }
  // Exponential backoff within a budget of restarts per window.
  uint32_t backoff = p_.config.backoffInitialMs;
  for (;;) {
    if (budget.Spent()) {
      {
        std::lock_guard<std::mutex> lock(p_.state.mu);
        p_.state.gaveUp = true;
        history_.budgetUsed = static_cast<uint32_t>(budget.used());
      }
      p_.log(LogLevel::Error,
             "host restarted %u times within %u ms: giving up; calls answer "
             "ERROR_CAN_NOT_COMPLETE until the protocol is restarted",
             unsigned(budget.used()), p_.config.restartWindowMs);
      NoteHost(HostEvent::GaveUp, generation, 0,
               "restarted " + std::to_string(budget.used()) + " times within " +
                   std::to_string(p_.config.restartWindowMs) + " ms");
      return;
    }
    {
      std::unique_lock<std::mutex> lock(p_.state.mu);
      // A stop or exit order cuts the backoff short.
      if (p_.state.cv.wait_for(lock, std::chrono::milliseconds(backoff), [&] {
            return p_.state.phase != Phase::Running ||
                   std::any_of(orders_.begin(), orders_.end(),
                               [](const Order& o) { return o.what != Command::Lost; });
          }))
        return;
    }
    budget.Take();
    {
      std::lock_guard<std::mutex> lock(p_.state.mu);
      history_.budgetUsed = static_cast<uint32_t>(budget.used());
    }
    if (Relaunch()) return;
    backoff = std::min(backoff * 2, p_.config.backoffMaxMs);
  }
}

// ---- for operators ------------------------------------------------------------------------

void Supervisor::NoteHost(HostEvent what, uint32_t generation, uint32_t pid, const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(p_.state.mu);
    if (!pid && p_.state.link && p_.state.link->generation() == generation) pid = p_.state.link->pid();
    if (what != HostEvent::Started && what != HostEvent::Stopped) {
      history_.restarts.push_back({WallNowNs(), generation, pid, what, reason});
      if (history_.restarts.size() > kRestartHistory) history_.restarts.pop_front();
      if (what == HostEvent::PlannedRestart) ++history_.planned;
      else if (what != HostEvent::GaveUp) ++history_.unplanned;
    }
  }
  p_.telemetry.trace.Host(what, generation, pid, reason);
}

void Supervisor::LogLastRecords(const std::string& why) {
  std::vector<TraceRecord> records = p_.telemetry.trace.Last(kCrashReportRecords);
  if (records.empty()) return;
  // In the order things happened (a call is recorded when it returns, with its start time).
  std::stable_sort(records.begin(), records.end(),
                   [](const TraceRecord& a, const TraceRecord& b) { return a.timeNs < b.timeNs; });
  std::string text = why + "; the last " + std::to_string(records.size()) +
                     " trace records before it (rras-bridge trace shows more):";
  for (const TraceRecord& r : records) text += "\n  " + TraceText(r, p_.telemetry.trace);
  p_.log.Write(LogLevel::Error, text);
}

void Supervisor::HistoryLocked(InstanceStatus& s) const {
  s.hostStartedWallNs = p_.state.link ? history_.hostStartedWallNs : 0;
  s.restarts.assign(history_.restarts.begin(), history_.restarts.end());
  s.unplannedRestarts = history_.unplanned;
  s.plannedRestarts = history_.planned;
  s.budgetUsed = history_.budgetUsed;
}

void Supervisor::CloseRtm() {
  p_.rtm.Close(true);  // a stop removes the protocol's routes
  p_.gracefulRestart.Disarm();
}

void Supervisor::RunStop() {
  // One deadline for the whole stop: the stop handler, the host's exit and its kill.
  const Deadline stopBy = DeadlineIn(p_.config.stopTimeoutMs);
  std::shared_ptr<HostLink> link;
  {
    std::lock_guard<std::mutex> lock(p_.state.mu);
    link = std::move(p_.state.link);
  }
  if (link) {
    wire::Message stop = wire::Message::Request(MsgType::Stop, 0);
    stop.Set(kStopReason, Value::Num(uint32_t(wire::StopReason::StopProtocol)));
    wire::Message reply;
    std::string err;
    if (!link->Call(MsgType::Stop, std::move(stop.fields), MsLeft(stopBy), reply, err))
      p_.log(LogLevel::Warn, "stop handler: %s", err.c_str());
    else if (reply.status != NO_ERROR)
      p_.log(LogLevel::Warn, "stop handler failed: %s", reply.error.c_str());
    // Fails calls still in flight: each pending DoUpdateRoutes queues its UPDATE_COMPLETE
    // (ERROR_CAN_NOT_COMPLETE) now, before ROUTER_STOPPED.
    const std::string how = link->Shutdown(stopBy);
    p_.log(LogLevel::Info, "host pid %u ended (%s)", link->pid(), how.c_str());
  }
  CloseRtm();
  p_.log(LogLevel::Info, "stopped");
  {
    uint32_t gen;
    {
      std::lock_guard<std::mutex> lock(p_.state.mu);
      gen = p_.state.generation;
    }
    NoteHost(HostEvent::Stopped, gen, link ? link->pid() : 0, "StopProtocol");
  }
  // Before the stop is finished (and ROUTER_STOPPED can be read): with the last protocol, the
  // admin endpoint's threads are joined here.
  if (stopped_) stopped_();
  {
    std::lock_guard<std::mutex> lock(p_.state.mu);
    p_.state.phase = Phase::Stopped;
    p_.state.interfaces.clear();
    stopFinished_ = true;
  }
  // The last thing this thread does: ROUTER_STOPPED itself is handed out by GetEventMessage
  // once it has joined this thread.
  p_.events.Signal();
}

void Supervisor::RunExit() {
  std::shared_ptr<HostLink> link;
  {
    std::lock_guard<std::mutex> lock(p_.state.mu);
    link = std::move(p_.state.link);
  }
  if (link) link->Shutdown(DeadlineIn(p_.config.stopTimeoutMs));
  CloseRtm();
  std::lock_guard<std::mutex> lock(p_.state.mu);
  if (p_.state.phase == Phase::Stopping) p_.state.phase = Phase::Stopped;
}

}  // namespace rrasbridge
