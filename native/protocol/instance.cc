// The routprot.h entry points of one protocol id (instance.h): arguments checked, answered
// from the library's own state where it can, otherwise forwarded to the host with a deadline.
// In order: the lifecycle (start, stop, and the hand-out of ROUTER_STOPPED), the configuration
// blocks, interfaces, DoUpdateRoutes, and the calls that pass the protocol's status through.
#include "instance.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "../common/info_block.h"
#include "admin_endpoint.h"

namespace rrasbridge {

using wire::Message;
using wire::MsgType;
using wire::Value;

namespace {

constexpr uint32_t kDemandUpdateRoutes = RF_DEMAND_UPDATE_ROUTES;  // UPDATE_COMPLETE's UpdateType
constexpr uint32_t kMaxInfoBytes = 16u << 20;  // a block RRAS passes; larger is refused
constexpr size_t kMaxNameUnits = 1024;         // UTF-16 units of an interface name kept
constexpr size_t kClientAddressBytes = 4;      // ConnectClient's address: IPv4 assumed [U]

constexpr wire::Field kSetInterfaceIndex = wire::RequestField(MsgType::SetInterfaceInfo, "interfaceIndex");
constexpr wire::Field kDeleteIndex = wire::RequestField(MsgType::DeleteInterface, "interfaceIndex");
constexpr wire::Field kUpdateIndex = wire::RequestField(MsgType::UpdateRoutes, "interfaceIndex");
constexpr wire::Field kMibOp = wire::RequestField(MsgType::Mib, "op");
constexpr wire::Field kMibInput = wire::RequestField(MsgType::Mib, "input");
constexpr wire::Field kMibOutputSize = wire::RequestField(MsgType::Mib, "outputSize");
constexpr wire::Field kMibOutput = wire::ReplyField(MsgType::Mib, "output");
constexpr wire::Field kPowerOp = wire::RequestField(MsgType::Power, "op");
constexpr wire::Field kPowerType = wire::RequestField(MsgType::Power, "powerType");
constexpr wire::Field kClientOp = wire::RequestField(MsgType::Client, "op");
constexpr wire::Field kClientIndex = wire::RequestField(MsgType::Client, "interfaceIndex");
constexpr wire::Field kClientAddress = wire::RequestField(MsgType::Client, "address");

std::u16string WideToU16(LPWSTR s) {
  std::u16string out;
  if (!s) return out;
  for (size_t i = 0; s[i] && i < kMaxNameUnits; ++i) out.push_back(static_cast<char16_t>(s[i]));
  return out;
}

// Statuses the host may give for a call that configures something; anything else is 1003.
DWORD ConfigStatus(const Message& reply) {
  if (reply.status == NO_ERROR || reply.status == ERROR_INVALID_PARAMETER) return reply.status;
  return ERROR_CAN_NOT_COMPLETE;
}

// The host's own errors with a call RRAS was answered for already are only logged.
HostLink::Completion LogFailure(const Logger& log, std::string what) {
  return [&log, what = std::move(what)](const Message* r, const std::string& failure) {
    if (!r || r->status != NO_ERROR)
      log(LogLevel::Warn, "%s: %s", what.c_str(), r ? r->error.c_str() : failure.c_str());
  };
}

}  // namespace

Instance::Instance(ProtocolConfig config)
    : protocolId_(config.protocolId),
      config_(std::move(config)),
      telemetry_(config_.traceRingRecords),
      log_(config_.name, config_.logFile, LogLevelOf(config_.logLevel)),
      rtm_(config_, log_),
      gracefulRestart_(config_, log_, rtm_),
      watchdog_(config_, log_),
      requests_(Parts(),
                [this](uint32_t generation, const std::string& reason) {
                  supervisor_.Post(Supervisor::Command::Reload, generation, reason);
                }),
      supervisor_(Parts(), watchdog_, requests_, [this] { AdminEndpoint::Detach(*this); }) {
  log_.Tap(telemetry_.log);
}

ProtocolParts Instance::Parts() {
  return ProtocolParts{config_, log_, state_, events_, rtm_, gracefulRestart_, telemetry_};
}

Instance::~Instance() {
  // Operators let go first (the endpoint waits for requests about this protocol); the
  // supervisor's destructor ends and joins its thread; a host it left goes here.
  AdminEndpoint::Detach(*this);
  std::shared_ptr<HostLink> link = state_.Link();
  if (link) link->Shutdown(Clock::now());
}

bool Instance::Idle() {
  std::lock_guard<std::mutex> lock(state_.mu);
  return IdleLocked();
}

bool Instance::IdleLocked() {
  return state_.phase == Phase::Stopped && !state_.link && !supervisor_.HasThreadLocked();
}

void Instance::Reconfigure(ProtocolConfig config) {
  // A stop that finished but whose ROUTER_STOPPED is still unread leaves a thread at its end.
  supervisor_.JoinFinishedStop();
  std::lock_guard<std::mutex> lock(state_.mu);
  if (!IdleLocked()) return;  // running: the configuration it started with stays
  config_ = std::move(config);
  log_ = Logger(config_.name, config_.logFile, LogLevelOf(config_.logLevel));
  log_.Tap(telemetry_.log);
  telemetry_.trace.Configure(config_.traceRingRecords);
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
    std::lock_guard<std::mutex> lock(state_.mu);
    if (state_.phase != Phase::Stopped) return ERROR_CAN_NOT_COMPLETE;
    state_.phase = Phase::Starting;
  }
  // The previous run's ROUTER_STOPPED, if the router manager has not read it: it stays first
  // (without signalling the old event, which may be closed by now).
  if (supervisor_.CollectStop()) events_.Push(ROUTER_STOPPED, MESSAGE{}, false);
  events_.SetHandle(event);
  {
    std::lock_guard<std::mutex> lock(state_.mu);
    state_.support = support ? *support : SUPPORT_FUNCTIONS{};
    state_.globalInfo = std::move(info);
    state_.interfaces.clear();
    state_.startCompleted = false;
    state_.gaveUp = false;
  }
  AdminEndpoint::Attach(*this);  // operators see the protocol from its start
  const DWORD code = supervisor_.Start();
  if (code != NO_ERROR) {
    // The router manager may unload the library once this returns.
    AdminEndpoint::Detach(*this);
    return code;
  }
  std::lock_guard<std::mutex> lock(state_.mu);
  state_.startedWallNs = WallNowNs();
  return code;
}

DWORD Instance::StartComplete() {
  std::shared_ptr<HostLink> link;
  {
    std::lock_guard<std::mutex> lock(state_.mu);
    if (state_.phase != Phase::Running) return ERROR_CAN_NOT_COMPLETE;
    state_.startCompleted = true;
    link = state_.link;
  }
  std::string err;
  if (link && !link->CallAsync(MsgType::StartComplete, {}, [](const Message*, const std::string&) {}, err))
    log_(LogLevel::Warn, "StartComplete not forwarded: %s", err.c_str());
  return NO_ERROR;
}

DWORD Instance::StopProtocol() {
  {
    std::lock_guard<std::mutex> lock(state_.mu);
    if (state_.phase != Phase::Running) return ERROR_CAN_NOT_COMPLETE;
    state_.phase = Phase::Stopping;
  }
  supervisor_.Post(Supervisor::Command::Stop);
  return ERROR_PROTOCOL_STOP_PENDING;
}

DWORD Instance::GetEventMessage(ROUTING_PROTOCOL_EVENTS* event, MESSAGE* result) {
  if (!event) return ERROR_INVALID_PARAMETER;
  // Read before popping: nothing is queued once a stop has finished, so if it had, an empty
  // queue means that ROUTER_STOPPED, after every UPDATE_COMPLETE of the stop, is next.
  const bool finished = supervisor_.StopFinished();
  if (events_.Pop(event, result) == NO_ERROR) return NO_ERROR;
  if (!finished || !supervisor_.CollectStop()) return ERROR_NO_MORE_ITEMS;
  // No thread of the library exists any more: the router manager may unload it now.
  telemetry_.trace.Event(true, ROUTER_STOPPED, MESSAGE{});
  *event = ROUTER_STOPPED;
  if (result) *result = MESSAGE{};
  return NO_ERROR;
}

// ---- calls forwarded to the host ------------------------------------------------------

DWORD Instance::ForwardCall(Message request, Message& reply, const std::string& what,
                            HostLink::Completion late) {
  std::shared_ptr<HostLink> link;
  std::string err;
  {
    std::lock_guard<std::mutex> lock(state_.mu);
    if (state_.phase != Phase::Running) err = "the protocol is not running";
    else if (state_.gaveUp) err = "the host was given up on (its restart budget is exhausted)";
    else if (!state_.link) err = "the host is restarting";
    else link = state_.link;
  }
  if (link) {
    CallOptions options;
    options.late = std::move(late);
    const HostLink::Sent sent = link->Call(request.type, std::move(request.fields),
                                           config_.callTimeoutMs, reply, err, std::move(options));
    if (sent) {
      // A MIB walk ends with ERROR_NO_MORE_ITEMS: an answer, not a refusal worth a warning.
      const bool endOfTable = request.type == MsgType::Mib && reply.status == ERROR_NO_MORE_ITEMS;
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

// ---- configuration blocks -------------------------------------------------------------

DWORD Instance::GetGlobalInfo(PVOID info, PULONG bufferSize, PULONG version, PULONG size,
                              PULONG count) {
  std::lock_guard<std::mutex> lock(state_.mu);
  if (state_.phase != Phase::Running) return ERROR_CAN_NOT_COMPLETE;
  return AnswerInfo(state_.globalInfo, info, bufferSize, version, size, count);
}

DWORD Instance::SetGlobalInfo(PVOID info, ULONG version, ULONG size, ULONG count) {
  InfoBlob blob;
  if (!CopyInfo(info, version, size, count, blob, "SetGlobalInfo")) return ERROR_INVALID_PARAMETER;
  Message request = Message::Request(MsgType::SetGlobalInfo, 0);
  PutInfo<MsgType::SetGlobalInfo>(request.fields, blob);
  Message reply;
  DWORD code = ForwardCall(std::move(request), reply, "SetGlobalInfo",
                           LateConfig(true, 0, blob, "SetGlobalInfo"));
  if (code == NO_ERROR) code = ConfigStatus(reply);
  if (code != NO_ERROR) return code;  // the block in force (and a restarted host's) stays
  std::lock_guard<std::mutex> lock(state_.mu);
  state_.globalInfo = std::move(blob);
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
    if (state_.Adopt(global, interfaceIndex, std::move(blob), events_))
      log_(LogLevel::Warn,
           "%s: the protocol applied the block after callTimeoutMs; the library keeps it and "
           "queues SAVE_%s_CONFIG_INFO so RRAS saves it",
           what.c_str(), global ? "GLOBAL" : "INTERFACE");
  };
}

DWORD Instance::GetInterfaceInfo(ULONG index, PVOID info, PULONG bufferSize, PULONG version,
                                 PULONG size, PULONG count) {
  std::lock_guard<std::mutex> lock(state_.mu);
  if (state_.phase != Phase::Running) return ERROR_CAN_NOT_COMPLETE;
  auto it = state_.interfaces.find(index);
  if (it == state_.interfaces.end()) return ERROR_INVALID_PARAMETER;
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
    std::lock_guard<std::mutex> lock(state_.mu);
    if (state_.phase != Phase::Running) return ERROR_CAN_NOT_COMPLETE;
    if (!state_.interfaces.count(index)) return ERROR_INVALID_PARAMETER;
  }
  Message request = Message::Request(MsgType::SetInterfaceInfo, 0);
  request.Set(kSetInterfaceIndex, Value::Num(index));
  PutInfo<MsgType::SetInterfaceInfo>(request.fields, blob);
  Message reply;
  DWORD code = ForwardCall(std::move(request), reply, what, LateConfig(false, index, blob, what));
  if (code == NO_ERROR) code = ConfigStatus(reply);
  if (code != NO_ERROR) return code;  // the block in force (and a restarted host's) stays
  std::lock_guard<std::mutex> lock(state_.mu);
  auto it = state_.interfaces.find(index);
  if (it == state_.interfaces.end()) return ERROR_INVALID_PARAMETER;  // deleted meanwhile
  it->second.info = std::move(blob);
  ++state_.tableVersion;
  return NO_ERROR;
}

// ---- interfaces -------------------------------------------------------------------------

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
    std::lock_guard<std::mutex> lock(state_.mu);
    if (state_.phase != Phase::Running) return ERROR_CAN_NOT_COMPLETE;
    if (state_.interfaces.count(index)) return ERROR_INVALID_PARAMETER;
  }
  Message reply;
  DWORD code = ForwardCall(AddInterfaceRequest(s), reply, what,
                           [this, index, what](const Message* r, const std::string&) {
                             if (!r || r->status != NO_ERROR) return;
                             // RRAS was told it failed: the host must not keep the interface.
                             log_(LogLevel::Warn, "%s: the protocol added it after callTimeoutMs; it is deleted again", what.c_str());
                             Message del = Message::Request(MsgType::DeleteInterface, 0);
                             del.Set(kDeleteIndex, Value::Num(index));
                             std::string e;
                             if (std::shared_ptr<HostLink> link = state_.Link())
                               link->CallAsync(del.type, std::move(del.fields),
                                               [](const Message*, const std::string&) {}, e);
                           });
  if (code == NO_ERROR) code = ConfigStatus(reply);
  if (code != NO_ERROR) return code;
  std::lock_guard<std::mutex> lock(state_.mu);
  if (!state_.interfaces.emplace(index, std::move(s)).second) return ERROR_INVALID_PARAMETER;
  ++state_.tableVersion;
  return NO_ERROR;
}

DWORD Instance::DeleteInterface(ULONG index) {
  std::shared_ptr<HostLink> link;
  {
    std::lock_guard<std::mutex> lock(state_.mu);
    if (state_.phase != Phase::Running) return ERROR_CAN_NOT_COMPLETE;
    if (!state_.interfaces.erase(index)) return ERROR_INVALID_PARAMETER;
    ++state_.tableVersion;
    link = state_.link;
  }
  // RRAS has forgotten the interface whatever the host says; a restarted host never sees it.
  if (link) {
    Message request = Message::Request(MsgType::DeleteInterface, 0);
    request.Set(kDeleteIndex, Value::Num(index));
    std::string err;
    link->CallAsync(request.type, std::move(request.fields),
                    LogFailure(log_, "DeleteInterface(" + std::to_string(index) + ")"), err);
  }
  return NO_ERROR;
}

DWORD Instance::InterfaceStatus(ULONG index, BOOL active, DWORD statusType, PVOID statusInfo) {
  std::string binding;
  if (statusType == RIS_INTERFACE_ADDRESS_CHANGE) {
    // RRAS passes no size: the address count is trusted up to the validator's cap.
    size_t bytes = 0;
    std::string err;
    const bool ok = rtm_.family() == kFamilyIpv6
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
    std::lock_guard<std::mutex> lock(state_.mu);
    if (state_.phase != Phase::Running) return ERROR_CAN_NOT_COMPLETE;
    auto it = state_.interfaces.find(index);
    if (it == state_.interfaces.end()) return ERROR_INVALID_PARAMETER;
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
    ++state_.tableVersion;
    link = state_.link;
  }
  // The new state is recorded (and replayed to a restarted host), so RRAS gets NO_ERROR
  // even while the host is down; the protocol's own errors are logged.
  if (link) {
    Message request = InterfaceStatusRequest(index, active != 0, statusType, binding);
    std::string err;
    link->CallAsync(request.type, std::move(request.fields),
                    LogFailure(log_, "InterfaceStatus(" + std::to_string(index) + ")"), err);
  }
  return NO_ERROR;
}

// ---- DoUpdateRoutes ---------------------------------------------------------------------

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
    std::lock_guard<std::mutex> lock(state_.mu);
    if (!state_.interfaces.count(index)) return ERROR_INVALID_PARAMETER;
    if (state_.phase != Phase::Running || state_.gaveUp || !state_.link) return ERROR_CAN_NOT_COMPLETE;
    link = state_.link;
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
  Message request = Message::Request(MsgType::UpdateRoutes, 0);
  request.Set(kUpdateIndex, Value::Num(index));
  if (!link->CallAsync(request.type, std::move(request.fields),
                       [this, index](const Message* r, const std::string& failure) {
                         QueueUpdateComplete(index, r, failure);
                       },
                       err, std::move(options))) {
    log_(LogLevel::Error, "DoUpdateRoutes(%u): %s", unsigned(index), err.c_str());
    return ERROR_CAN_NOT_COMPLETE;
  }
  if (config_.updateTimeoutMs) supervisor_.CallDeadline(deadline);
  return NO_ERROR;
}

// ---- MIB, power, clients: the protocol's status passes through -----------------------------

DWORD Instance::Mib(wire::MibOperation op, ULONG inSize, PVOID in, PULONG outSize, PVOID out) {
  if (inSize > 0 && !in) return ERROR_INVALID_PARAMETER;
  const bool wantsOutput = outSize != nullptr;
  Message request = Message::Request(MsgType::Mib, 0);
  request.Set(kMibOp, Value::Num(uint32_t(op)));
  request.Set(kMibInput, Value::Bytes(in, inSize));
  request.Set(kMibOutputSize, Value::Num(wantsOutput ? *outSize : 0));
  Message reply;
  DWORD code = ForwardCall(std::move(request), reply, "MIB call");
  if (code != NO_ERROR) return code;
  if (reply.status != NO_ERROR) return reply.status;  // the protocol's code passes through
  if (!wantsOutput) return NO_ERROR;
  const std::string& data = reply.Bytes(kMibOutput);
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
  return Mib(wire::MibOperation::SetTrapInfo, inSize, in, outSize, out);
}

DWORD Instance::Power(wire::PowerOperation op, DWORD powerType) {
  Message request = Message::Request(MsgType::Power, 0);
  request.Set(kPowerOp, Value::Num(uint32_t(op)));
  request.Set(kPowerType, Value::Num(powerType));
  Message reply;
  const DWORD code = ForwardCall(std::move(request), reply,
                                 op == wire::PowerOperation::Query ? "QueryPower" : "SetPower");
  return code != NO_ERROR ? code : reply.status;
}

DWORD Instance::Client(wire::ClientOperation op, ULONG index, PVOID clientAddress) {
  {
    std::lock_guard<std::mutex> lock(state_.mu);
    if (!state_.interfaces.count(index)) return ERROR_INVALID_PARAMETER;
  }
  // The address's type is not documented for IP [U]; an IPv4 address is assumed.
  Message request = Message::Request(MsgType::Client, 0);
  request.Set(kClientOp, Value::Num(uint32_t(op)));
  request.Set(kClientIndex, Value::Num(index));
  request.Set(kClientAddress, clientAddress ? Value::Bytes(clientAddress, kClientAddressBytes)
                                            : Value::Bytes(std::string()));
  Message reply;
  const DWORD code = ForwardCall(std::move(request), reply,
                                 op == wire::ClientOperation::Connect ? "ConnectClient" : "DisconnectClient");
  return code != NO_ERROR ? code : reply.status;
}

// ---- for operators ---------------------------------------------------------------------

InstanceStatus Instance::Snapshot() {
  InstanceStatus s;
  s.protocolId = config_.protocolId;
  s.name = config_.name;
  s.module = config_.module;
  s.ipv6 = config_.ipv6 != 0;
  s.restartLimit = config_.restartLimit;
  s.restartWindowMs = config_.restartWindowMs;
  s.staleTimeoutMs = config_.staleTimeoutMs;
  std::shared_ptr<HostLink> link;
  {
    std::lock_guard<std::mutex> lock(state_.mu);
    static const char* const kPhases[] = {"stopped", "starting", "running", "stopping"};
    s.state = state_.gaveUp && state_.phase == Phase::Running ? "gave-up" : kPhases[static_cast<int>(state_.phase)];
    s.startCompleted = state_.startCompleted;
    s.startedWallNs = state_.phase == Phase::Running ? state_.startedWallNs : 0;
    s.generation = state_.generation;
    s.gaveUp = state_.gaveUp;
    for (const auto& entry : state_.interfaces) s.interfaces.push_back(entry.second);
    supervisor_.HistoryLocked(s);  // guarded by the same mutex
    link = state_.link;
  }
  // Outside the state's mutex: the parts' own locks (RTM's may be held for a batch).
  if (link) {
    s.hostPid = link->pid();
    s.hostConnected = link->connected();
    s.hostCallsPending = link->pendingCalls();
    s.hostQueuedBytes = link->queuedBytes();
  }
  if (std::shared_ptr<RtmClient> rtm = rtm_.client()) {
    s.rtmOpen = true;
    s.routesOwn = rtm->routeCount();
    s.routesStale = rtm->staleCount();
  }
  Clock::time_point staleDeadline;
  s.staleArmed = gracefulRestart_.Armed(staleDeadline);
  if (s.staleArmed)
    s.staleDeadlineInMs = std::chrono::duration_cast<std::chrono::milliseconds>(staleDeadline - Clock::now()).count();
  s.eventQueueDepth = events_.size();
  s.callsInFlight = telemetry_.calls.inFlight();
  return s;
}

std::string Instance::RequestRestart(const std::string& reason, uint32_t& generation) {
  {
    std::lock_guard<std::mutex> lock(state_.mu);
    if (state_.phase != Phase::Running) return "the protocol is not running";
    if (state_.gaveUp)
      return "the library gave up on the host (restart budget exhausted); restart the protocol "
             "in the router manager";
    if (!state_.link) return "no host is connected now (it is being restarted)";
    generation = state_.link->generation();
  }
  log_(LogLevel::Info, "planned restart requested: %s", reason.c_str());
  supervisor_.Post(Supervisor::Command::Reload, generation, reason);
  return {};
}

}  // namespace rrasbridge
