// The entry points of one protocol id and the supervisor of its host (instance.h). In order:
// the lifecycle (start, stop, and the hand-over of ROUTER_STOPPED), the supervisor thread,
// calls forwarded to the host, requests from the host, RTM.
#include "instance.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "../common/info_block.h"
#include "admin_endpoint.h"
#include "log.h"

namespace rrasbridge {

using wire::Message;
using wire::MsgType;
using wire::Value;

namespace {

constexpr uint32_t kDemandUpdateRoutes = RF_DEMAND_UPDATE_ROUTES;  // UPDATE_COMPLETE's UpdateType
constexpr size_t kRestartHistory = 32;     // restarts Snapshot reports
constexpr size_t kCrashReportRecords = 64;  // trace records logged when a host is lost

int64_t WallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
constexpr uint32_t kMaxInfoBytes = 16u << 20;  // a block RRAS passes; larger is refused
// StartProtocol waits for the launch up to startTimeoutMs, plus stopTimeoutMs to stop a host
// whose protocol refused to start, plus this.
constexpr uint32_t kStartMarginMs = 1000;

// The supervisor's period: the heartbeat, or a second without one (stale timer).
std::chrono::milliseconds Tick(const ProtocolConfig& c) {
  return std::chrono::milliseconds(c.heartbeatMs ? c.heartbeatMs : 1000);
}

std::u16string WideToU16(LPWSTR s) {
  std::u16string out;
  if (!s) return out;
  for (size_t i = 0; s[i] && i < 1024; ++i) out.push_back(static_cast<char16_t>(s[i]));
  return out;
}

// Statuses the host may give for a call that configures something; anything else is 1003.
DWORD ConfigStatus(const Message& reply) {
  if (reply.status == NO_ERROR || reply.status == ERROR_INVALID_PARAMETER) return reply.status;
  return ERROR_CAN_NOT_COMPLETE;
}

}  // namespace

Instance::Instance(ProtocolConfig config)
    : config_(std::move(config)),
      telemetry_(config_.traceRingRecords),
      log_(config_.name, config_.logFile, LogLevelOf(config_.logLevel)) {
  log_.Tap(telemetry_.log);
}

Instance::~Instance() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    commands_.push_back({Command::Exit});
  }
  cv_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  if (link_) link_->Shutdown(Clock::now());
  AdminEndpoint::Detach(*this);
}

bool Instance::Idle() {
  std::lock_guard<std::mutex> lock(mu_);
  return state_ == State::Stopped && !supervisor_.joinable() && !link_;
}

void Instance::Reconfigure(ProtocolConfig config) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::Stopped) return;
  config_ = std::move(config);
  log_ = Logger(config_.name, config_.logFile, LogLevelOf(config_.logLevel));
  log_.Tap(telemetry_.log);
  telemetry_.trace.Configure(config_.traceRingRecords);
}

std::shared_ptr<HostLink> Instance::Link() {
  std::lock_guard<std::mutex> lock(mu_);
  return link_;
}

void Instance::Post(Command c, uint32_t generation) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    commands_.push_back({c, generation});
  }
  cv_.notify_all();
}

bool Instance::CopyInfo(PVOID info, ULONG version, ULONG size, ULONG count, InfoBlob& out,
                        const std::string& what) {
  const uint64_t total = uint64_t(size) * count;
  if (total > kMaxInfoBytes || (total > 0 && !info)) {
    log_(LogLevel::Error, "%s: a block of %u x %u bytes at %p is refused (%s)", what.c_str(),
         unsigned(size), unsigned(count), info, total > kMaxInfoBytes ? "over 16 MiB" : "NULL");
    return false;
  }
  out.data.assign(static_cast<const char*>(info), static_cast<size_t>(total));
  out.structureVersion = version;
  out.structureSize = size;
  out.structureCount = count;
  return true;
}

std::vector<Value> Instance::InfoFields(const InfoBlob& b) {
  return {Value::Bytes(b.data), Value::Num(b.structureVersion), Value::Num(b.structureSize),
          Value::Num(b.structureCount)};
}

DWORD Instance::AnswerInfo(const InfoBlob& b, PVOID info, PULONG bufferSize, PULONG version,
                           PULONG size, PULONG count) {
  if (!bufferSize) return ERROR_INVALID_PARAMETER;
  const ULONG needed = static_cast<ULONG>(b.data.size());
  if (*bufferSize < needed || (needed > 0 && !info)) {
    *bufferSize = needed;
    return ERROR_INSUFFICIENT_BUFFER;
  }
  if (needed) std::memcpy(info, b.data.data(), needed);
  *bufferSize = needed;
  if (version) *version = b.structureVersion;
  if (size) *size = b.structureSize;
  if (count) *count = b.structureCount;
  return NO_ERROR;
}

// ---- lifecycle -----------------------------------------------------------------------

DWORD Instance::StartProtocol(HANDLE event, PSUPPORT_FUNCTIONS support, LPVOID globalInfo,
                              ULONG version, ULONG size, ULONG count) {
  InfoBlob info;
  if (!CopyInfo(globalInfo, version, size, count, info, "StartProtocol: global info"))
    return ERROR_INVALID_PARAMETER;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::Stopped) return ERROR_CAN_NOT_COMPLETE;
    state_ = State::Starting;
  }
  // The previous run's ROUTER_STOPPED, if the router manager has not read it: it stays first
  // (without signalling the old event, which may be closed by now).
  if (CollectStop()) events_.Push(ROUTER_STOPPED, MESSAGE{}, false);
  AdminEndpoint::Attach(*this);  // operators see the protocol from its start
  {
    std::lock_guard<std::mutex> lock(mu_);
    events_.SetHandle(event);
    support_ = support ? *support : SUPPORT_FUNCTIONS{};
    globalInfo_ = std::move(info);
    interfaces_.clear();
    startCompleted_ = false;
    gaveUp_ = false;
    restarts_.clear();  // a new run gets the whole restart budget
    launchDone_ = false;
    commands_.clear();
    commands_.push_back({Command::Launch});
    if (!pin_.OpenSelf())
      log_(LogLevel::Warn, "no reference on the library could be taken: unloading it without a stop would be unsafe");
    supervisor_ = std::thread([this] { Supervise(); });
  }
  // The host is spawned by the supervisor thread (it must outlive the child, see
  // HostProcess::Spawn); wait for it within the start deadline.
  std::unique_lock<std::mutex> lock(mu_);
  const auto limit = std::chrono::milliseconds(uint64_t(config_.startTimeoutMs) + config_.stopTimeoutMs + kStartMarginMs);
  if (!cv_.wait_for(lock, limit, [&] { return launchDone_; })) {
    log_(LogLevel::Error, "StartProtocol: the host did not start in time");
    launchCode_ = ERROR_CAN_NOT_COMPLETE;
  }
  DWORD code = launchCode_;
  if (code == NO_ERROR) {
    state_ = State::Running;
    startedWallNs_ = WallNowNs();
    return code;
  }
  // The supervisor tears down what was started; wait for it (bounded by the stop deadline),
  // so that RRAS may call StartProtocol again, or unload the library, as soon as this returned.
  state_ = State::Stopping;
  commands_.push_back({Command::Exit});
  cv_.notify_all();
  std::thread sup = std::move(supervisor_);
  lock.unlock();
  if (sup.joinable()) sup.join();
  AdminEndpoint::Detach(*this);  // the router manager may unload the library once we return
  lock.lock();
  state_ = State::Stopped;
  pin_.Close();
  return code;
}

DWORD Instance::StartComplete() {
  std::shared_ptr<HostLink> link;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::Running) return ERROR_CAN_NOT_COMPLETE;
    startCompleted_ = true;
    link = link_;
  }
  std::string err;
  if (link && !link->CallAsync(MsgType::StartComplete, {}, [](const Message*, const std::string&) {},
                               err))
    log_(LogLevel::Warn, "StartComplete not forwarded: %s", err.c_str());
  return NO_ERROR;
}

DWORD Instance::StopProtocol() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::Running) return ERROR_CAN_NOT_COMPLETE;
    state_ = State::Stopping;
  }
  Post(Command::Stop);
  return ERROR_PROTOCOL_STOP_PENDING;
}

bool Instance::CollectStop() {
  std::thread sup;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopFinished_) return false;
    stopFinished_ = false;
    sup = std::move(supervisor_);
  }
  // Bounded: the supervisor marked the stop finished as its last act and is returning.
  if (sup.joinable()) sup.join();
  ReleaseTracing(log_.who());
  std::lock_guard<std::mutex> lock(mu_);
  // The router manager's own reference keeps the library loaded until it unloads it.
  pin_.Close();
  return true;
}

DWORD Instance::GetEventMessage(ROUTING_PROTOCOL_EVENTS* event, MESSAGE* result) {
  if (!event) return ERROR_INVALID_PARAMETER;
  // Read before popping: nothing is queued once a stop has finished, so if it had, an empty
  // queue means that ROUTER_STOPPED, after every UPDATE_COMPLETE of the stop, is next.
  bool finished;
  {
    std::lock_guard<std::mutex> lock(mu_);
    finished = stopFinished_;
  }
  if (events_.Pop(event, result) == NO_ERROR) return NO_ERROR;
  if (!finished || !CollectStop()) return ERROR_NO_MORE_ITEMS;
  // No thread of the library exists any more: the router manager may unload it now.
  telemetry_.trace.Event(true, ROUTER_STOPPED, MESSAGE{});
  *event = ROUTER_STOPPED;
  if (result) *result = MESSAGE{};
  return NO_ERROR;
}

// ---- supervisor ----------------------------------------------------------------------

void Instance::Supervise() {
  Clock::time_point nextTick = Clock::now() + Tick(config_);
  Clock::time_point nextCallDeadline = Clock::time_point::max();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (commands_.empty()) {
      supervisorWakesAt_ = std::min(nextTick, nextCallDeadline);
      cv_.wait_until(lock, supervisorWakesAt_,
                     [&] { return !commands_.empty() || timersChanged_; });
      supervisorWakesAt_ = Clock::time_point::max();
      if (commands_.empty()) {
        timersChanged_ = false;
        lock.unlock();
        RunTimers(nextTick, nextCallDeadline);
        lock.lock();
        continue;
      }
    }
    const Order order = commands_.front();
    commands_.pop_front();
    lock.unlock();
    switch (order.what) {
      case Command::Launch: {
        std::string err;
        DWORD code = ERROR_CAN_NOT_COMPLETE;
        if (!OpenRtm(err))
          log_(LogLevel::Error, "RTM: %s", err.c_str());
        else if (!LaunchHost(false, err, code))
          log_(LogLevel::Error, "host start failed: %s", err.c_str());
        lock.lock();
        launchDone_ = true;
        launchCode_ = code;
        cv_.notify_all();
        continue;
      }
      case Command::Lost:
        RecoverFromLoss(order.generation);
        break;
      case Command::Reload:
        RecoverFromLoss(order.generation, true);
        break;
      case Command::Stop:
        RunStop();
        return;
      case Command::Exit: {
        std::shared_ptr<HostLink> link;
        {
          std::lock_guard<std::mutex> g(mu_);
          link = std::move(link_);
        }
        if (link) link->Shutdown(DeadlineIn(config_.stopTimeoutMs));
        CloseRtm(true);
        std::lock_guard<std::mutex> g(mu_);
        if (state_ == State::Stopping) state_ = State::Stopped;
        return;
      }
    }
    lock.lock();
  }
}

void Instance::RunTimers(Clock::time_point& nextTick, Clock::time_point& nextCallDeadline) {
  const Clock::time_point now = Clock::now();
  // Calls past their deadline (DoUpdateRoutes: updateTimeoutMs) complete as failed.
  std::shared_ptr<HostLink> link = Link();
  nextCallDeadline = link ? link->ExpireCalls(now) : Clock::time_point::max();
  if (now < nextTick) return;
  nextTick = now + Tick(config_);
  bool staleDue;
  {
    std::lock_guard<std::mutex> lock(mu_);
    staleDue = staleArmed_ && now >= staleDeadline_;
  }
  if (staleDue) SweepStale("the stale timer expired before the host declared itself synced");
  Heartbeat();
}

bool Instance::LaunchHost(bool replay, std::string& err, DWORD& code) {
  code = ERROR_CAN_NOT_COMPLETE;
  // Spawn, handshake and the start handler share one deadline.
  const Deadline startBy = DeadlineIn(config_.startTimeoutMs);
  uint32_t gen;
  InfoBlob global;
  InterfaceTable snapshot;
  uint64_t version;
  bool completed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    gen = ++generation_;
    global = globalInfo_;
    snapshot = interfaces_;
    version = tableVersion_;
    completed = startCompleted_;
  }
  HostLink::Callbacks cb;
  cb.onRequest = [this](HostLink& from, Message&& m) { OnHostRequest(from, std::move(m)); };
  cb.onLost = [this, gen](const std::string& reason) {
    log_(LogLevel::Error, "host (generation %u) lost: %s", gen, reason.c_str());
    NoteHost(HostEvent::Lost, reason);
    Post(Command::Lost, gen);
  };
  cb.trace = &telemetry_.trace;
  cb.logTap = telemetry_.log;
  auto link = std::make_shared<HostLink>(config_, std::move(cb), gen);
  if (!link->Launch(startBy, err)) {
    link->Shutdown(Clock::now());
    return false;
  }
  // Other protocols' best routes come first, so the start handler can redistribute them.
  if (rtm_) SendRouteChanges(*link, rtm_->BestRoutes());
  std::vector<Value> start = {Value::Num(replay ? 1 : 0)};
  for (auto& f : InfoFields(global)) start.push_back(std::move(f));
  start.push_back(Value::Num(Family()));
  Message reply;
  const HostLink::Sent started = link->Call(MsgType::Start, std::move(start), MsLeft(startBy), reply, err);
  if (!started) {
    if (started.failure == HostLink::Failure::Timeout)
      err = "the start handler did not finish within startTimeoutMs (" + std::to_string(config_.startTimeoutMs) + " ms)";
    else if (started.failure == HostLink::Failure::Oversize)
      code = ERROR_INVALID_PARAMETER;
    std::string how = link->Shutdown(Clock::now());
    err = "start: " + err + "; host " + how + "; host output: " + link->OutputTail(1024);
    return false;
  }
  if (reply.status != NO_ERROR) {
    code = ConfigStatus(reply);
    err = "the protocol refused to start: " + reply.error;
    link->Shutdown(DeadlineIn(config_.stopTimeoutMs));
    return false;
  }
  // A restarted host learns everything RRAS told the previous one.
  std::vector<Message> replayed;
  for (const auto& [index, s] : snapshot)
    for (auto& m : ReplayMessages(s)) replayed.push_back(std::move(m));
  if (completed) replayed.push_back(Message::Request(MsgType::StartComplete, 0, {}));
  for (auto& m : replayed) {
    if (!link->Call(m.type, std::move(m.fields), config_.callTimeoutMs, reply, err) ||
        reply.status != NO_ERROR) {
      err = "replay: " + (err.empty() ? reply.error : err);
      link->Shutdown(Clock::now());
      return false;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (tableVersion_ != version) {
    // RRAS changed interfaces while we replayed: send the difference, in order, before any
    // later call can use the link (we hold mu_, and sending only queues).
    std::string e;
    for (const auto& [index, old] : snapshot)
      if (!interfaces_.count(index))
        link->CallAsync(MsgType::DeleteInterface, {Value::Num(index)},
                        [](const Message*, const std::string&) {}, e);
    for (const auto& [index, now] : interfaces_) {
      auto it = snapshot.find(index);
      if (it == snapshot.end() || !it->second.SameStatus(now)) {
        auto msgs = ReplayMessages(now);
        for (size_t i = it == snapshot.end() ? 0 : 1; i < msgs.size(); ++i)
          link->CallAsync(msgs[i].type, std::move(msgs[i].fields),
                          [](const Message*, const std::string&) {}, e);
      }
    }
  }
  telemetry_.trace.Host(HostEvent::Started, gen, link->pid(), replay ? "restarted, state replayed" : "started");
  hostStartedWallNs_ = WallNowNs();
  link_ = std::move(link);
  heartbeatSeq_ = heartbeatAnswered_ = heartbeatMisses_ = 0;
  code = NO_ERROR;
  return true;
}

std::vector<Message> Instance::ReplayMessages(const InterfaceState& s) const {
  std::vector<Message> out;
  std::vector<Value> add = {Value::Num(s.index),     Value::Str16(s.name),
                            Value::Num(s.type),      Value::Num(s.mediaType),
                            Value::Num(s.accessType), Value::Num(s.connectionType)};
  for (auto& f : InfoFields(s.info)) add.push_back(std::move(f));
  out.push_back(Message::Request(MsgType::AddInterface, 0, std::move(add)));
  auto status = [&](DWORD type, const std::string& binding) {
    out.push_back(Message::Request(MsgType::InterfaceStatus, 0,
                                   {Value::Num(s.index), Value::Num(s.active ? 1 : 0),
                                    Value::Num(type), Value::Bytes(binding)}));
  };
  if (s.bound) status(RIS_INTERFACE_ADDRESS_CHANGE, s.binding);
  if (!s.mediaPresent) status(RIS_INTERFACE_MEDIA_ABSENT, {});
  status(s.enabled ? RIS_INTERFACE_ENABLED : RIS_INTERFACE_DISABLED, {});
  return out;
}

void Instance::RecoverFromLoss(uint32_t generation, bool planned) {
  std::shared_ptr<HostLink> dead;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::Running) return;
    // Only the current host's loss counts: a notice about a host already replaced (a restart
    // attempt that died while starting) must not take down its healthy successor.
    if (link_ && link_->generation() == generation) dead = std::move(link_);
  }
  if (!dead) {
    log_(LogLevel::Info, "host generation %u is no longer the current one: its notice is ignored", generation);
    return;
  }
  if (rtm_ && rtm_->routeCount() > 0) {
    // Graceful restart: the routes stay in RTM, stale, until the next host re-announces them.
    rtm_->MarkAllStale();
    std::lock_guard<std::mutex> lock(mu_);
    staleArmed_ = true;
    staleDeadline_ = Clock::now() + std::chrono::milliseconds(config_.staleTimeoutMs);
  }
  if (planned) {
    // Calls in flight (e.g. the one that asked for the restart) finish first; that and the
    // old host's exit share stopTimeoutMs.
    const Deadline restartBy = DeadlineIn(config_.stopTimeoutMs);
    while (dead->pendingCalls() > 0 && Clock::now() < restartBy)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::string how = dead->Shutdown(restartBy);
    log_(LogLevel::Info, "planned restart of host pid %u (%s); its routes are kept", dead->pid(), how.c_str());
    std::string err;
    DWORD code;
    if (LaunchHost(true, err, code)) {
      log_(LogLevel::Info, "host restarted (generation %u)", generation_);
      return;
    }
    log_(LogLevel::Error, "host restart failed: %s", err.c_str());
  } else {
    std::string how = dead->Shutdown(Clock::now());
    log_(LogLevel::Error, "host pid %u ended (%s); its last output:\n%s",
         dead->pid(), how.c_str(), dead->OutputTail().c_str());
    LogLastRecords("host pid " + std::to_string(dead->pid()) + " ended");
  }
  // Exponential backoff within a budget of restarts per window.
  auto& recent = restarts_;
  uint32_t backoff = config_.backoffInitialMs;
  for (;;) {
    const auto now = Clock::now();
    while (!recent.empty() && now - recent.front() > std::chrono::milliseconds(config_.restartWindowMs))
      recent.pop_front();
    if (recent.size() >= config_.restartLimit) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        gaveUp_ = true;
        budgetUsed_ = static_cast<uint32_t>(recent.size());
      }
      log_(LogLevel::Error,
           "host restarted %u times within %u ms: giving up; calls answer "
           "ERROR_CAN_NOT_COMPLETE until the protocol is restarted",
           unsigned(recent.size()), config_.restartWindowMs);
      NoteHost(HostEvent::GaveUp, "restarted " + std::to_string(recent.size()) + " times within " +
                                      std::to_string(config_.restartWindowMs) + " ms");
      return;
    }
    {
      std::unique_lock<std::mutex> lock(mu_);
      // A stop or exit request cuts the backoff short.
      if (cv_.wait_for(lock, std::chrono::milliseconds(backoff), [&] {
            return state_ != State::Running ||
                   std::any_of(commands_.begin(), commands_.end(),
                               [](const Order& o) { return o.what != Command::Lost; });
          }))
        return;
    }
    recent.push_back(Clock::now());
    {
      std::lock_guard<std::mutex> lock(mu_);
      budgetUsed_ = static_cast<uint32_t>(recent.size());
    }
    std::string err;
    DWORD code;
    if (LaunchHost(true, err, code)) {
      log_(LogLevel::Info, "host restarted (generation %u)", generation_);
      return;
    }
    log_(LogLevel::Error, "host restart failed: %s", err.c_str());
    backoff = std::min(backoff * 2, config_.backoffMaxMs);
  }
}

void Instance::Heartbeat() {
  std::shared_ptr<HostLink> link;
  uint32_t seq = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!config_.heartbeatMs || state_ != State::Running || !link_) return;
    link = link_;
    if (heartbeatSeq_ != heartbeatAnswered_) {
      if (++heartbeatMisses_ < config_.heartbeatMisses) return;  // still waiting
    } else {
      seq = ++heartbeatSeq_;
    }
  }
  if (seq == 0) {
    log_(LogLevel::Error,
         "host missed %u heartbeats: its event loop is blocked; restarting it",
         config_.heartbeatMisses);
    NoteHost(HostEvent::WatchdogKill, "missed " + std::to_string(config_.heartbeatMisses) + " heartbeats");
    RecoverFromLoss(link->generation());
    return;
  }
  // The answer has to pass through the JS thread, so it proves the event loop is alive.
  std::string err;
  link->CallAsync(MsgType::Heartbeat, {Value::Num(seq)},
                  // A raw pointer for identity only: a completion must not own its link.
                  [this, raw = link.get(), seq](const Message* r, const std::string&) {
                    std::lock_guard<std::mutex> lock(mu_);
                    if (r && r->status == NO_ERROR && raw == link_.get() && seq == heartbeatSeq_) {
                      heartbeatAnswered_ = seq;
                      heartbeatMisses_ = 0;
                    }
                  },
                  err);
}

void Instance::RunStop() {
  // One deadline for the whole stop: the stop handler, the host's exit and its kill.
  const Deadline stopBy = DeadlineIn(config_.stopTimeoutMs);
  std::shared_ptr<HostLink> link;
  {
    std::lock_guard<std::mutex> lock(mu_);
    link = std::move(link_);
  }
  if (link) {
    Message reply;
    std::string err;
    if (!link->Call(MsgType::Stop, {Value::Num(0)}, MsLeft(stopBy), reply, err))
      log_(LogLevel::Warn, "stop handler: %s", err.c_str());
    else if (reply.status != NO_ERROR)
      log_(LogLevel::Warn, "stop handler failed: %s", reply.error.c_str());
    // Fails calls still in flight: each pending DoUpdateRoutes queues its UPDATE_COMPLETE
    // (ERROR_CAN_NOT_COMPLETE) now, before ROUTER_STOPPED.
    const std::string how = link->Shutdown(stopBy);
    log_(LogLevel::Info, "host pid %u ended (%s)", link->pid(), how.c_str());
  }
  CloseRtm(true);  // a planned stop removes the protocol's routes
  log_(LogLevel::Info, "stopped");
  NoteHost(HostEvent::Stopped, "StopProtocol");
  // Before the stop is finished (and ROUTER_STOPPED can be read): with the last protocol, the
  // admin endpoint's threads are joined here.
  AdminEndpoint::Detach(*this);
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = State::Stopped;
    interfaces_.clear();
    stopFinished_ = true;
  }
  // The last thing this thread does: ROUTER_STOPPED itself is handed out by GetEventMessage
  // once it has joined this thread.
  events_.Signal();
}

// ---- calls forwarded to the host ------------------------------------------------------

DWORD Instance::ForwardCall(MsgType type, std::vector<Value> fields, Message& reply,
                            const std::string& what, HostLink::Completion late) {
  std::shared_ptr<HostLink> link;
  std::string err;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::Running) err = "the protocol is not running";
    else if (gaveUp_) err = "the host was given up on (its restart budget is exhausted)";
    else if (!link_) err = "the host is restarting";
    else link = link_;
  }
  if (link) {
    CallOptions options;
    options.late = std::move(late);
    const HostLink::Sent sent = link->Call(type, std::move(fields), config_.callTimeoutMs, reply, err, std::move(options));
    if (sent) {
      // A MIB walk ends with ERROR_NO_MORE_ITEMS: an answer, not a refusal worth a warning.
      const bool endOfTable = type == MsgType::Mib && reply.status == ERROR_NO_MORE_ITEMS;
      if (reply.status != NO_ERROR && !endOfTable)
        log_(LogLevel::Warn, "%s refused by the protocol (%u): %s", what.c_str(), reply.status, reply.error.c_str());
      return NO_ERROR;
    }
    if (sent.failure == HostLink::Failure::Oversize) {
      log_(LogLevel::Error, "%s: refused: %s (maxFrameBytes)", what.c_str(), err.c_str());
      return ERROR_INVALID_PARAMETER;
    }
  }
  uint64_t held = 0;
  if (downLog_.Allow(&held))
    log_(LogLevel::Warn, "%s failed: %s%s", what.c_str(), err.c_str(),
         held ? (" (" + std::to_string(held) + " more failed calls before it, not logged)").c_str() : "");
  return ERROR_CAN_NOT_COMPLETE;
}

DWORD Instance::GetGlobalInfo(PVOID info, PULONG bufferSize, PULONG version, PULONG size,
                              PULONG count) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::Running) return ERROR_CAN_NOT_COMPLETE;
  return AnswerInfo(globalInfo_, info, bufferSize, version, size, count);
}

DWORD Instance::SetGlobalInfo(PVOID info, ULONG version, ULONG size, ULONG count) {
  InfoBlob blob;
  if (!CopyInfo(info, version, size, count, blob, "SetGlobalInfo")) return ERROR_INVALID_PARAMETER;
  Message reply;
  DWORD code = ForwardCall(MsgType::SetGlobalInfo, InfoFields(blob), reply, "SetGlobalInfo",
                           LateConfig(true, 0, blob, "SetGlobalInfo"));
  if (code == NO_ERROR) code = ConfigStatus(reply);
  if (code != NO_ERROR) return code;  // the block in force (and a restarted host's) stays
  std::lock_guard<std::mutex> lock(mu_);
  globalInfo_ = std::move(blob);
  return NO_ERROR;
}

HostLink::Completion Instance::LateConfig(bool global, uint32_t interfaceIndex, InfoBlob blob,
                                          std::string what) {
  // RRAS was told ERROR_CAN_NOT_COMPLETE, but the protocol may still apply the block: then it
  // is the one in force, and RRAS is asked to read and keep it.
  return [this, global, interfaceIndex, blob = std::move(blob), what = std::move(what)](
             const Message* r, const std::string&) mutable {
    if (!r || r->status != NO_ERROR) {
      log_(LogLevel::Warn, "%s: the protocol refused the block after callTimeoutMs (%u: %s); the old one stays",
           what.c_str(), r ? r->status : 0, r ? r->error.c_str() : "");
      return;
    }
    if (AdoptConfig(global, interfaceIndex, std::move(blob)))
      log_(LogLevel::Warn,
           "%s: the protocol applied the block after callTimeoutMs; the library keeps it and "
           "queues SAVE_%s_CONFIG_INFO so RRAS saves it",
           what.c_str(), global ? "GLOBAL" : "INTERFACE");
  };
}

DWORD Instance::AddInterface(LPWSTR name, ULONG index, uint32_t type, DWORD mediaType,
                             WORD accessType, WORD connectionType, PVOID info, ULONG version,
                             ULONG size, ULONG count) {
  const std::string what = "AddInterface(" + std::to_string(index) + ")";
  if (type > REMOTE_WORKSTATION_DIAL) {
    log_(LogLevel::Warn, "%s: interface type %u is not a NET_INTERFACE_TYPE (0 to %u)", what.c_str(),
         unsigned(type), unsigned(REMOTE_WORKSTATION_DIAL));
    return ERROR_INVALID_PARAMETER;
  }
  InterfaceState s;
  if (!CopyInfo(info, version, size, count, s.info, what)) return ERROR_INVALID_PARAMETER;
  s.index = index;
  s.name = WideToU16(name);
  s.type = type;
  s.mediaType = mediaType;
  s.accessType = accessType;
  s.connectionType = connectionType;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::Running) return ERROR_CAN_NOT_COMPLETE;
    if (interfaces_.count(index)) return ERROR_INVALID_PARAMETER;
  }
  std::vector<Value> f = {Value::Num(index),      Value::Str16(s.name),
                          Value::Num(s.type),     Value::Num(mediaType),
                          Value::Num(accessType), Value::Num(connectionType)};
  for (auto& v : InfoFields(s.info)) f.push_back(std::move(v));
  Message reply;
  DWORD code = ForwardCall(MsgType::AddInterface, std::move(f), reply, what,
                           [this, index, what](const Message* r, const std::string&) {
                             if (!r || r->status != NO_ERROR) return;
                             // RRAS was told it failed: the host must not keep the interface.
                             log_(LogLevel::Warn, "%s: the protocol added it after callTimeoutMs; it is deleted again", what.c_str());
                             std::string e;
                             if (std::shared_ptr<HostLink> link = Link())
                               link->CallAsync(MsgType::DeleteInterface, {Value::Num(index)},
                                               [](const Message*, const std::string&) {}, e);
                           });
  if (code == NO_ERROR) code = ConfigStatus(reply);
  if (code != NO_ERROR) return code;
  std::lock_guard<std::mutex> lock(mu_);
  if (!interfaces_.emplace(index, std::move(s)).second) return ERROR_INVALID_PARAMETER;
  ++tableVersion_;
  return NO_ERROR;
}

DWORD Instance::DeleteInterface(ULONG index) {
  std::shared_ptr<HostLink> link;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::Running) return ERROR_CAN_NOT_COMPLETE;
    if (!interfaces_.erase(index)) return ERROR_INVALID_PARAMETER;
    ++tableVersion_;
    link = link_;
  }
  // RRAS has forgotten the interface whatever the host says; a restarted host never sees it.
  std::string err;
  if (link)
    link->CallAsync(MsgType::DeleteInterface, {Value::Num(index)},
                    [this, index](const Message* r, const std::string& failure) {
                      if (!r || r->status != NO_ERROR)
                        log_(LogLevel::Warn, "DeleteInterface(%u): %s", unsigned(index),
                             r ? r->error.c_str() : failure.c_str());
                    },
                    err);
  return NO_ERROR;
}

DWORD Instance::InterfaceStatus(ULONG index, BOOL active, DWORD statusType, PVOID statusInfo) {
  std::string binding;
  if (statusType == RIS_INTERFACE_ADDRESS_CHANGE) {
    // RRAS passes no size: the address count is trusted up to the validator's cap.
    size_t bytes = 0;
    std::string err;
    const bool ok = Family() == kFamilyIpv6
                        ? infoblock::Binding6Size(statusInfo, infoblock::kMaxBinding6Bytes, bytes, err)
                        : infoblock::BindingSize(statusInfo, infoblock::kMaxBindingBytes, bytes, err);
    if (!ok) {
      log_(LogLevel::Warn, "InterfaceStatus(%u): binding refused: %s", unsigned(index), err.c_str());
      return ERROR_INVALID_PARAMETER;
    }
    binding.assign(static_cast<const char*>(statusInfo), bytes);
  } else if (statusType > RIS_INTERFACE_MEDIA_ABSENT) {
    return ERROR_INVALID_PARAMETER;
  }
  std::shared_ptr<HostLink> link;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::Running) return ERROR_CAN_NOT_COMPLETE;
    auto it = interfaces_.find(index);
    if (it == interfaces_.end()) return ERROR_INVALID_PARAMETER;
    InterfaceState& s = it->second;
    s.active = active != 0;
    switch (statusType) {
      case RIS_INTERFACE_ADDRESS_CHANGE:
        s.bound = true;
        s.binding = binding;
        break;
      case RIS_INTERFACE_ENABLED: s.enabled = true; break;
      case RIS_INTERFACE_DISABLED: s.enabled = false; break;
      case RIS_INTERFACE_MEDIA_PRESENT: s.mediaPresent = true; break;
      case RIS_INTERFACE_MEDIA_ABSENT: s.mediaPresent = false; break;
    }
    ++tableVersion_;
    link = link_;
  }
  // The new state is recorded (and replayed to a restarted host), so RRAS gets NO_ERROR
  // even while the host is down; the protocol's own errors are logged.
  std::string err;
  if (link)
    link->CallAsync(MsgType::InterfaceStatus,
                    {Value::Num(index), Value::Num(active ? 1 : 0), Value::Num(statusType),
                     Value::Bytes(binding)},
                    [this, index](const Message* r, const std::string& failure) {
                      if (!r || r->status != NO_ERROR)
                        log_(LogLevel::Warn, "InterfaceStatus(%u): %s", unsigned(index),
                             r ? r->error.c_str() : failure.c_str());
                    },
                    err);
  return NO_ERROR;
}

DWORD Instance::GetInterfaceInfo(ULONG index, PVOID info, PULONG bufferSize, PULONG version,
                                 PULONG size, PULONG count) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::Running) return ERROR_CAN_NOT_COMPLETE;
  auto it = interfaces_.find(index);
  if (it == interfaces_.end()) return ERROR_INVALID_PARAMETER;
  return AnswerInfo(it->second.info, info, bufferSize, version, size, count);
}

DWORD Instance::SetInterfaceInfo(ULONG index, PVOID info, ULONG version, ULONG size,
                                 ULONG count) {
  const std::string what = "SetInterfaceInfo(" + std::to_string(index) + ")";
  InfoBlob blob;
  if (!CopyInfo(info, version, size, count, blob, what)) return ERROR_INVALID_PARAMETER;
  // A zero-length block removes the protocol from the interface.
  if (blob.data.empty()) return DeleteInterface(index);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::Running) return ERROR_CAN_NOT_COMPLETE;
    if (!interfaces_.count(index)) return ERROR_INVALID_PARAMETER;
  }
  std::vector<Value> f = {Value::Num(index)};
  for (auto& v : InfoFields(blob)) f.push_back(std::move(v));
  Message reply;
  DWORD code = ForwardCall(MsgType::SetInterfaceInfo, std::move(f), reply, what,
                           LateConfig(false, index, blob, what));
  if (code == NO_ERROR) code = ConfigStatus(reply);
  if (code != NO_ERROR) return code;  // the block in force (and a restarted host's) stays
  std::lock_guard<std::mutex> lock(mu_);
  auto it = interfaces_.find(index);
  if (it == interfaces_.end()) return ERROR_INVALID_PARAMETER;  // deleted meanwhile
  it->second.info = std::move(blob);
  ++tableVersion_;
  return NO_ERROR;
}

void Instance::QueueUpdateComplete(uint32_t index, const Message* reply,
                                   const std::string& failure) {
  MESSAGE m{};
  m.UpdateCompleteMessage.InterfaceIndex = index;
  m.UpdateCompleteMessage.UpdateType = kDemandUpdateRoutes;
  m.UpdateCompleteMessage.UpdateStatus =
      reply && reply->status == NO_ERROR ? NO_ERROR : ERROR_CAN_NOT_COMPLETE;
  if (!reply)
    log_(LogLevel::Error, "DoUpdateRoutes(%u) failed: %s", index, failure.c_str());
  else if (reply->status != NO_ERROR)
    log_(LogLevel::Error, "DoUpdateRoutes(%u) failed in the protocol: %s", index,
         reply->error.c_str());
  events_.Push(UPDATE_COMPLETE, m);
}

DWORD Instance::DoUpdateRoutes(ULONG index) {
  std::shared_ptr<HostLink> link;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!interfaces_.count(index)) return ERROR_INVALID_PARAMETER;
    if (state_ != State::Running || gaveUp_ || !link_) return ERROR_CAN_NOT_COMPLETE;
    link = link_;
  }
  std::string err;
  // Taken before the call is sent, so it is never later than the deadline the link arms.
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(config_.updateTimeoutMs);
  CallOptions options;
  options.timeoutMs = config_.updateTimeoutMs;
  options.deadlineName = "updateTimeoutMs";
  options.late = [this, index](const Message* r, const std::string&) {
    log_(LogLevel::Warn,
         "DoUpdateRoutes(%u): the protocol answered after updateTimeoutMs (status %u); the answer "
         "is dropped: its UPDATE_COMPLETE (ERROR_CAN_NOT_COMPLETE) was queued at the deadline",
         unsigned(index), r ? r->status : 0);
  };
  if (!link->CallAsync(MsgType::UpdateRoutes, {Value::Num(index)},
                       [this, index](const Message* r, const std::string& failure) {
                         QueueUpdateComplete(index, r, failure);
                       },
                       err, std::move(options))) {
    log_(LogLevel::Error, "DoUpdateRoutes(%u): %s", unsigned(index), err.c_str());
    return ERROR_CAN_NOT_COMPLETE;
  }
  if (config_.updateTimeoutMs) {
    std::lock_guard<std::mutex> lock(mu_);
    if (deadline < supervisorWakesAt_) {  // before its next wake-up, or it is awake: recompute
      timersChanged_ = true;
      cv_.notify_all();
    }
  }
  return NO_ERROR;
}

DWORD Instance::Mib(uint32_t op, ULONG inSize, PVOID in, PULONG outSize, PVOID out) {
  if (inSize > 0 && !in) return ERROR_INVALID_PARAMETER;
  const bool wantsOutput = outSize != nullptr;
  Message reply;
  DWORD code = ForwardCall(
      MsgType::Mib,
      {Value::Num(op), Value::Bytes(in, inSize), Value::Num(wantsOutput ? *outSize : 0)},
      reply, "MIB call");
  if (code != NO_ERROR) return code;
  if (reply.status != NO_ERROR) return reply.status;  // the protocol's code passes through
  if (!wantsOutput) return NO_ERROR;
  const std::string& data = reply.Bytes(0);
  if (data.size() > *outSize || (!data.empty() && !out)) {
    *outSize = static_cast<ULONG>(data.size());
    return ERROR_INSUFFICIENT_BUFFER;
  }
  if (!data.empty()) std::memcpy(out, data.data(), data.size());
  *outSize = static_cast<ULONG>(data.size());
  return NO_ERROR;
}

DWORD Instance::MibSetTrapInfo(HANDLE /*event*/, ULONG inSize, PVOID in, PULONG outSize,
                               PVOID out) {
  return Mib(7, inSize, in, outSize, out);
}

DWORD Instance::Power(uint32_t op, DWORD powerType) {
  Message reply;  // the protocol's status passes through
  const DWORD code = ForwardCall(MsgType::Power, {Value::Num(op), Value::Num(powerType)}, reply,
                                 op == 1 ? "QueryPower" : "SetPower");
  return code != NO_ERROR ? code : reply.status;
}

DWORD Instance::Client(uint32_t op, ULONG index, PVOID clientAddress) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!interfaces_.count(index)) return ERROR_INVALID_PARAMETER;
  }
  // The address's type is not documented for IP [U]; an IPv4 address (4 bytes) is assumed.
  std::string address = clientAddress ? std::string(static_cast<const char*>(clientAddress), 4) : std::string();
  Message reply;  // the protocol's status passes through
  const DWORD code = ForwardCall(MsgType::Client, {Value::Num(op), Value::Num(index), Value::Bytes(std::move(address))},
                                 reply, op == 1 ? "ConnectClient" : "DisconnectClient");
  return code != NO_ERROR ? code : reply.status;
}

// ---- requests from the host -----------------------------------------------------------

void Instance::OnHostRequest(HostLink& from, Message&& m) {
  auto reply = [&](uint32_t status, std::string error, std::vector<Value> f = {}) {
    from.Reply(m, status, std::move(error), std::move(f));
  };
  switch (m.type) {
    case MsgType::Log: {
      const uint32_t level = std::min<uint32_t>(m.U32(0), 3);
      log_.Write(static_cast<LogLevel>(level), m.Bytes(1), "/js");
      reply(NO_ERROR, {});
      return;
    }
    case MsgType::Routes:
    case MsgType::Routes6:
      HandleRoutes(from, m);
      return;
    case MsgType::SaveConfig:
      HandleSaveConfig(from, m);
      return;
    case MsgType::Support:
      HandleSupport(from, m);
      return;
    case MsgType::Synced:
      SweepStale("the host declared itself synced");
      reply(NO_ERROR, {});
      return;
    case MsgType::Restart:
      log_(LogLevel::Info, "the host asks to be restarted: %s", m.Bytes(0).c_str());
      NoteHost(HostEvent::PlannedRestart, "the host asked: " + m.Bytes(0));
      reply(NO_ERROR, {});
      Post(Command::Reload, from.generation());
      return;
    default: {
      const wire::MessageSpec* spec = wire::FindSpec(m.type);
      reply(ERROR_NOT_SUPPORTED,
            std::string("'") + (spec ? spec->name : "?") + "' is not supported by this library");
      return;
    }
  }
}

// ---- RTM -------------------------------------------------------------------------------

bool Instance::OpenRtm(std::string& err) {
  if (rtm_ || config_.rtmLibrary.empty()) return true;
  auto rtm = std::make_unique<RtmClient>(log_, config_.protocolId, config_.routePreference, Family());
  auto sink = [this](std::vector<RouteChange> changes) {
    std::shared_ptr<HostLink> link = Link();
    if (link) SendRouteChanges(*link, changes);
  };
  RtmClient::Validator validate;
  if (config_.validateRoutes && support_.ValidateRoute) {
    validate = [this](RTM_ROUTE_INFO& ri, RTM_NET_ADDRESS& dest) {
      return support_.ValidateRoute(config_.protocolId, &ri, &dest);
    };
  }
  if (!rtm->Open(config_.rtmLibrary, sink, validate, err)) return false;
  std::lock_guard<std::mutex> lock(mu_);
  rtm_ = std::move(rtm);
  return true;
}

void Instance::CloseRtm(bool deleteRoutes) {
  if (!rtm_) return;
  const size_t n = rtm_->routeCount();
  rtm_->Close(deleteRoutes);
  if (deleteRoutes && n) log_(LogLevel::Info, "deleted the protocol's %u route(s) from RTM", unsigned(n));
  std::lock_guard<std::mutex> lock(mu_);
  rtm_.reset();
  staleArmed_ = false;
}

void Instance::SweepStale(const char* why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!staleArmed_) return;
    staleArmed_ = false;
  }
  if (!rtm_) return;
  const size_t n = rtm_->Sweep();
  log_(LogLevel::Info, "%s: swept %u stale route(s)", why, unsigned(n));
}

uint16_t Instance::Family() const { return config_.ipv6 ? kFamilyIpv6 : kFamilyIpv4; }

// routeChanges (IPv4, addresses as u32) or routeChanges6 (family + 16 bytes), by the
// protocol's router manager.
void Instance::SendRouteChanges(HostLink& link, const std::vector<RouteChange>& changes) {
  if (changes.empty()) return;
  const bool v6 = Family() == kFamilyIpv6;
  auto addr = [v6](const Address& a) {
    return v6 ? Value::Bytes(a.data(), a.size()) : Value::Num(Ipv4Wire(a));
  };
  std::vector<wire::Record> records;
  records.reserve(changes.size());
  for (const auto& c : changes) {
    wire::Record r = {addr(c.destination), Value::Num(c.prefixLength), Value::Num(c.owner),
                      addr(c.nextHop), Value::Num(c.interfaceIndex), Value::Num(c.metric),
                      Value::Num(c.preference)};
    if (v6) r.insert(r.begin(), Value::Num(kFamilyIpv6));
    records.push_back(std::move(r));
  }
  std::string err;
  if (!link.Notify(v6 ? MsgType::RouteChanges6 : MsgType::RouteChanges,
                   {Value::List(std::move(records))}, err))
    log_(LogLevel::Warn, "route changes not delivered to the host: %s", err.c_str());
}

namespace {

// One route operation of a routes (IPv4) or routes6 record; false with err for a record of
// another family or an address that is not 16 bytes.
bool DecodeRouteOp(const wire::Record& r, bool v6, RouteOp& op, std::string& err) {
  auto num = [&](size_t i) { return static_cast<uint32_t>(std::get<uint64_t>(r.at(i).v)); };
  auto addr6 = [&](size_t i, Address& out) {
    const std::string& b = std::get<std::string>(r.at(i).v);
    if (b.size() != out.size()) {
      err = "an IPv6 address of " + std::to_string(b.size()) + " bytes, not 16";
      return false;
    }
    std::memcpy(out.data(), b.data(), out.size());
    return true;
  };
  if (!v6) {
    op = RouteOp{num(0), Ipv4Address(num(1)), num(2), Ipv4Address(num(3)), num(4),
                 num(5),  num(6),              num(7), num(8)};
    return true;
  }
  if (num(1) != kFamilyIpv6) {
    err = "routes6 record of family " + std::to_string(num(1)) + ", not AF_INET6 (23)";
    return false;
  }
  op.op = num(0);
  op.prefixLength = num(3);
  op.interfaceIndex = num(5);
  op.metric = num(6);
  op.preference = num(7);
  op.flags = num(8);
  op.ttlMs = num(9);
  return addr6(2, op.destination) && addr6(4, op.nextHop);
}

}  // namespace

void Instance::HandleRoutes(HostLink& from, const Message& m) {
  if (!rtm_) {
    from.Reply(m, ERROR_NOT_SUPPORTED,
               "no RTM library is configured for this protocol (rtmLibrary); routes are not kept");
    return;
  }
  const bool v6 = m.type == MsgType::Routes6;
  if (v6 != (Family() == kFamilyIpv6)) {
    from.Reply(m, ERROR_INVALID_PARAMETER,
               std::string(v6 ? "IPv6 routes" : "IPv4 routes") + " for a protocol on the " +
                   (Family() == kFamilyIpv6 ? "IPv6" : "IPv4") + " router manager");
    return;
  }
  std::vector<wire::Record> results;
  const auto& ops = m.List(0);
  results.reserve(ops.size());
  std::string firstError;
  for (const auto& r : ops) {
    RouteOp op;
    std::string err;
    DWORD status = DecodeRouteOp(r, v6, op, err) ? rtm_->Apply(op, err) : ERROR_INVALID_PARAMETER;
    if (status != NO_ERROR && firstError.empty()) firstError = err;
    results.push_back({Value::Num(status)});
  }
  from.Reply(m, NO_ERROR, {}, {Value::List(std::move(results))});
  if (!firstError.empty()) log_(LogLevel::Warn, "routes: %s", firstError.c_str());
}

void Instance::HandleSaveConfig(HostLink& from, const Message& m) {
  const uint32_t scope = m.U32(0);  // 1 global, 2 interface
  if (scope != 1 && scope != 2) {
    from.Reply(m, ERROR_INVALID_PARAMETER, "unknown scope");
    return;
  }
  if (!AdoptConfig(scope == 1, m.U32(1), InfoBlob{m.Bytes(2), m.U32(3), m.U32(4), m.U32(5)})) {
    from.Reply(m, ERROR_INVALID_PARAMETER, "unknown interface index");
    return;
  }
  from.Reply(m, NO_ERROR, {});
}

bool Instance::AdoptConfig(bool global, uint32_t interfaceIndex, InfoBlob blob) {
  MESSAGE msg{};
  ROUTING_PROTOCOL_EVENTS event = SAVE_GLOBAL_CONFIG_INFO;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (global) {
      globalInfo_ = std::move(blob);
    } else {
      auto it = interfaces_.find(interfaceIndex);
      if (it == interfaces_.end()) return false;
      it->second.info = std::move(blob);
      ++tableVersion_;
      event = SAVE_INTERFACE_CONFIG_INFO;
      msg.InterfaceIndex = interfaceIndex;
    }
  }
  // The cache is updated first: RRAS answers the event with Get*Info and gets the new blob.
  events_.Push(event, msg);
  return true;
}

void Instance::HandleSupport(HostLink& from, const Message& m) {
  const SUPPORT_FUNCTIONS sf = support_;
  const auto& args = m.List(1);
  auto arg = [&](size_t i) -> DWORD {
    return i < args.size() ? static_cast<DWORD>(std::get<uint64_t>(args[i].at(0).v)) : 0;
  };
  std::string input = m.Bytes(2);
  const DWORD pid = config_.protocolId;
  DWORD result = 0;
  std::string output;
  bool missing = false;
  switch (m.U32(0)) {
    case 1: missing = !sf.GetRouterId; if (!missing) result = sf.GetRouterId(); break;
    case 2: missing = !sf.DemandDialRequest; if (!missing) result = sf.DemandDialRequest(pid, arg(0)); break;
    case 3:
      missing = !sf.SetInterfaceReceiveType;
      if (!missing) result = sf.SetInterfaceReceiveType(pid, arg(0), arg(1), arg(2) ? TRUE : FALSE);
      break;
    case 4: missing = !sf.HasMulticastBoundary; if (!missing) result = sf.HasMulticastBoundary(arg(0), arg(1)) ? 1 : 0; break;
    case 5: case 6: case 7: {
      auto fn = m.U32(0) == 5 ? sf.MIBEntryCreate : m.U32(0) == 6 ? sf.MIBEntryDelete : sf.MIBEntrySet;
      missing = !fn;
      if (!missing) result = fn(arg(0), static_cast<DWORD>(input.size()), input.empty() ? nullptr : input.data());
      break;
    }
    case 8: case 9: case 10: {
      auto fn = m.U32(0) == 8 ? sf.MIBEntryGet : m.U32(0) == 9 ? sf.MIBEntryGetFirst : sf.MIBEntryGetNext;
      missing = !fn;
      if (missing) break;
      DWORD size = std::min<DWORD>(m.U32(3), 1u << 20);
      output.assign(size, '\0');
      result = fn(arg(0), static_cast<DWORD>(input.size()), input.empty() ? nullptr : input.data(), &size,
                  output.empty() ? nullptr : output.data());
      output.resize(std::min<size_t>(size, output.size()));
      break;
    }
    default:
      from.Reply(m, ERROR_INVALID_PARAMETER, "unknown support function " + std::to_string(m.U32(0)));
      return;
  }
  if (missing) {
    from.Reply(m, ERROR_NOT_SUPPORTED, "the router manager did not provide this support function");
    return;
  }
  from.Reply(m, NO_ERROR, {}, {Value::Num(result), Value::Bytes(std::move(output))});
}

// ---- for operators ---------------------------------------------------------------------

void Instance::NoteHost(HostEvent what, const std::string& reason) {
  uint32_t generation, pid;
  {
    std::lock_guard<std::mutex> lock(mu_);
    generation = generation_;
    pid = link_ ? link_->pid() : 0;
    if (what != HostEvent::Started && what != HostEvent::Stopped) {
      restartHistory_.push_back({WallNowNs(), generation, pid, what, reason});
      if (restartHistory_.size() > kRestartHistory) restartHistory_.pop_front();
      if (what == HostEvent::PlannedRestart) ++plannedRestarts_;
      else if (what != HostEvent::GaveUp) ++unplannedRestarts_;
    }
  }
  telemetry_.trace.Host(what, generation, pid, reason);
}

void Instance::LogLastRecords(const std::string& why) {
  std::vector<TraceRecord> records = telemetry_.trace.Last(kCrashReportRecords);
  if (records.empty()) return;
  // In the order things happened (a call is recorded when it returns, with its start time).
  std::stable_sort(records.begin(), records.end(),
                   [](const TraceRecord& a, const TraceRecord& b) { return a.timeNs < b.timeNs; });
  std::string text = why + "; the last " + std::to_string(records.size()) +
                     " trace records before it (rras-bridge trace shows more):";
  for (const TraceRecord& r : records) text += "\n  " + TraceText(r, telemetry_.trace);
  log_.Write(LogLevel::Error, text);
}

InstanceStatus Instance::Snapshot() {
  InstanceStatus s;
  std::shared_ptr<HostLink> link;
  std::shared_ptr<RtmClient> rtm;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s.protocolId = config_.protocolId;
    s.name = config_.name;
    s.module = config_.module;
    s.ipv6 = config_.ipv6 != 0;
    static const char* const kStates[] = {"stopped", "starting", "running", "stopping"};
    s.state = gaveUp_ && state_ == State::Running ? "gave-up" : kStates[static_cast<int>(state_)];
    s.startCompleted = startCompleted_;
    s.startedWallNs = state_ == State::Running ? startedWallNs_ : 0;
    s.generation = generation_;
    s.hostStartedWallNs = link_ ? hostStartedWallNs_ : 0;
    s.restarts.assign(restartHistory_.begin(), restartHistory_.end());
    s.unplannedRestarts = unplannedRestarts_;
    s.plannedRestarts = plannedRestarts_;
    s.budgetUsed = budgetUsed_;
    s.restartLimit = config_.restartLimit;
    s.restartWindowMs = config_.restartWindowMs;
    s.gaveUp = gaveUp_;
    s.staleArmed = staleArmed_;
    s.staleDeadlineInMs = staleArmed_ ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                            staleDeadline_ - Clock::now()).count()
                                      : 0;
    s.staleTimeoutMs = config_.staleTimeoutMs;
    for (const auto& [index, f] : interfaces_) s.interfaces.push_back(f);
    link = link_;
    rtm = rtm_;
  }
  // Outside mu_: these take the link's and RTM's own locks (RTM's may be held for a batch).
  if (link) {
    s.hostPid = link->pid();
    s.hostConnected = link->connected();
    s.hostCallsPending = link->pendingCalls();
    s.hostQueuedBytes = link->queuedBytes();
  }
  if (rtm) {
    s.rtmOpen = true;
    s.routesOwn = rtm->routeCount();
    s.routesStale = rtm->staleCount();
  }
  s.eventQueueDepth = events_.size();
  s.callsInFlight = telemetry_.calls.inFlight();
  return s;
}

std::string Instance::RequestRestart(const std::string& reason, uint32_t& generation) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::Running) return "the protocol is not running";
    if (gaveUp_)
      return "the library gave up on the host (restart budget exhausted); restart the protocol "
             "in the router manager";
    if (!link_) return "no host is connected now (it is being restarted)";
    generation = generation_;
  }
  log_(LogLevel::Info, "planned restart requested: %s", reason.c_str());
  NoteHost(HostEvent::PlannedRestart, reason);
  Post(Command::Reload, generation);
  return {};
}

}  // namespace rrasbridge
