// The handlers of host requests (host_requests.h), and the table that dispatches to them.
#include "host_requests.h"

#include <algorithm>
#include <string>

namespace rrasbridge {
namespace {

using wire::MsgType;
using wire::SupportFunction;
using wire::Value;
namespace schema = wire::schema;

constexpr wire::Field kLogLevel = wire::RequestField(MsgType::Log, "level");
constexpr wire::Field kLogText = wire::RequestField(MsgType::Log, "text");
constexpr wire::Field kResults = wire::ReplyField(MsgType::Routes, "results");
constexpr wire::Field kResults6 = wire::ReplyField(MsgType::Routes6, "results");
constexpr wire::Field kSaveScope = wire::RequestField(MsgType::SaveConfig, "scope");
constexpr wire::Field kSaveIndex = wire::RequestField(MsgType::SaveConfig, "interfaceIndex");
constexpr wire::Field kSupportFn = wire::RequestField(MsgType::Support, "fn");
constexpr wire::Field kSupportArgs = wire::RequestField(MsgType::Support, "args");
constexpr wire::Field kSupportInput = wire::RequestField(MsgType::Support, "input");
constexpr wire::Field kSupportOutputSize = wire::RequestField(MsgType::Support, "outputSize");
constexpr wire::Field kSupportResult = wire::ReplyField(MsgType::Support, "result");
constexpr wire::Field kSupportOutput = wire::ReplyField(MsgType::Support, "output");
constexpr size_t kArgValue = wire::PackedSlot(schema::kValueRecordList, "value");
constexpr wire::Field kRestartReason = wire::RequestField(MsgType::Restart, "reason");
static_assert(kResults.index() == kResults6.index(), "routes and routes6 answer alike");

constexpr uint32_t kMaxSupportOutput = 1u << 20;  // a support call's output buffer, at most

static_assert(uint32_t(wire::LogLevel::Error) == uint32_t(LogLevel::Error) &&
                  uint32_t(wire::LogLevel::Debug) == uint32_t(LogLevel::Debug),
              "the wire's log levels are the library's");

// A support call's args are the function's own arguments after ProtocolId, in
// SUPPORT_FUNCTIONS' order (services.ts sends them so).
enum Arg : size_t {
  kInterfaceIndex = 0,  // DemandDialRequest, SetInterfaceReceiveType, HasMulticastBoundary
  kReceiveType = 1,     // SetInterfaceReceiveType
  kActivate = 2,        // SetInterfaceReceiveType
  kGroupAddress = 1,    // HasMulticastBoundary
  kRoutingPid = 0,      // the MIBEntry functions
};

// One support call of the host: the arguments it gave, the router manager's function.
struct SupportCall {
  DWORD protocolId;
  const wire::PackedRecords& args;
  const std::string& input;
  uint32_t outputSize;

  DWORD Arg(Arg i) const { return i < args.size() ? args[i][kArgValue] : 0; }
  PVOID In() const { return input.empty() ? nullptr : const_cast<char*>(input.data()); }
  DWORD InSize() const { return static_cast<DWORD>(input.size()); }
};

// A support function: false when the router manager did not provide it.
using SupportFn = bool (*)(const SUPPORT_FUNCTIONS& sf, const SupportCall& c, DWORD& result,
                           std::string& output);

// The MIBEntry functions that write into an output buffer (get, getFirst, getNext).
// Fn: the SUPPORT_FUNCTIONS member.
template <auto Fn>
bool MibRead(const SUPPORT_FUNCTIONS& sf, const SupportCall& c, DWORD& result, std::string& output) {
  if (!(sf.*Fn)) return false;
  DWORD size = std::min<DWORD>(c.outputSize, kMaxSupportOutput);
  output.assign(size, '\0');
  result = (sf.*Fn)(c.Arg(kRoutingPid), c.InSize(), c.In(), &size, output.empty() ? nullptr : output.data());
  output.resize(std::min<size_t>(size, output.size()));
  return true;
}
// The MIBEntry functions that only take input (create, delete, set).
template <auto Fn>
bool MibWrite(const SUPPORT_FUNCTIONS& sf, const SupportCall& c, DWORD& result, std::string&) {
  if (!(sf.*Fn)) return false;
  result = (sf.*Fn)(c.Arg(kRoutingPid), c.InSize(), c.In());
  return true;
}

bool GetRouterId(const SUPPORT_FUNCTIONS& sf, const SupportCall&, DWORD& result, std::string&) {
  if (!sf.GetRouterId) return false;
  result = sf.GetRouterId();
  return true;
}
bool DemandDialRequest(const SUPPORT_FUNCTIONS& sf, const SupportCall& c, DWORD& result, std::string&) {
  if (!sf.DemandDialRequest) return false;
  result = sf.DemandDialRequest(c.protocolId, c.Arg(kInterfaceIndex));
  return true;
}
bool SetInterfaceReceiveType(const SUPPORT_FUNCTIONS& sf, const SupportCall& c, DWORD& result,
                             std::string&) {
  if (!sf.SetInterfaceReceiveType) return false;
  result = sf.SetInterfaceReceiveType(c.protocolId, c.Arg(kInterfaceIndex), c.Arg(kReceiveType),
                                      c.Arg(kActivate) ? TRUE : FALSE);
  return true;
}
bool HasMulticastBoundary(const SUPPORT_FUNCTIONS& sf, const SupportCall& c, DWORD& result,
                          std::string&) {
  if (!sf.HasMulticastBoundary) return false;
  result = sf.HasMulticastBoundary(c.Arg(kInterfaceIndex), c.Arg(kGroupAddress)) ? 1 : 0;
  return true;
}

constexpr size_t kSupportFunctions = 11;  // one past the largest SupportFunction
using SupportTable = std::array<SupportFn, kSupportFunctions>;

constexpr SupportTable MakeSupportTable() {
  SupportTable t{};
  auto at = [&t](SupportFunction f, SupportFn fn) { t[static_cast<size_t>(f)] = fn; };
  at(SupportFunction::GetRouterId, &GetRouterId);
  at(SupportFunction::DemandDialRequest, &DemandDialRequest);
  at(SupportFunction::SetInterfaceReceiveType, &SetInterfaceReceiveType);
  at(SupportFunction::HasMulticastBoundary, &HasMulticastBoundary);
  at(SupportFunction::MIBEntryCreate, &MibWrite<&SUPPORT_FUNCTIONS::MIBEntryCreate>);
  at(SupportFunction::MIBEntryDelete, &MibWrite<&SUPPORT_FUNCTIONS::MIBEntryDelete>);
  at(SupportFunction::MIBEntrySet, &MibWrite<&SUPPORT_FUNCTIONS::MIBEntrySet>);
  at(SupportFunction::MIBEntryGet, &MibRead<&SUPPORT_FUNCTIONS::MIBEntryGet>);
  at(SupportFunction::MIBEntryGetFirst, &MibRead<&SUPPORT_FUNCTIONS::MIBEntryGetFirst>);
  at(SupportFunction::MIBEntryGetNext, &MibRead<&SUPPORT_FUNCTIONS::MIBEntryGetNext>);
  return t;
}
constexpr SupportTable kSupport = MakeSupportTable();

}  // namespace

const std::array<HostRequests::Handler, HostRequests::kTypes> HostRequests::kHandlers = [] {
  std::array<Handler, kTypes> t{};
  auto at = [&t](MsgType type, Handler h) { t[static_cast<size_t>(type)] = h; };
  at(MsgType::Log, &HostRequests::Log);
  at(MsgType::Routes, &HostRequests::Routes);
  at(MsgType::Routes6, &HostRequests::Routes);
  at(MsgType::SaveConfig, &HostRequests::SaveConfig);
  at(MsgType::Support, &HostRequests::Support);
  at(MsgType::Synced, &HostRequests::Synced);
  at(MsgType::Restart, &HostRequests::Restart);
  return t;
}();

void HostRequests::Handle(HostLink& from, wire::Message&& m) {
  const size_t type = static_cast<size_t>(m.type);
  const Handler h = type < kTypes ? kHandlers[type] : nullptr;
  if (h) {
    (this->*h)(from, m);
    return;
  }
  const wire::MessageSpec* spec = wire::FindSpec(m.type);
  from.Reply(m, ERROR_NOT_SUPPORTED,
             std::string("'") + (spec ? spec->name : "?") + "' is not supported by this library");
}

void HostRequests::Log(HostLink& from, const wire::Message& m) {
  const uint32_t level = std::min<uint32_t>(m.U32(kLogLevel), uint32_t(LogLevel::Debug));
  p_.log.Write(static_cast<LogLevel>(level), m.Bytes(kLogText), "/js");
  from.Reply(m, NO_ERROR);
}

void HostRequests::Routes(HostLink& from, const wire::Message& m) {
  p_.events.ReleaseSignals();  // events queued before a long apply are signalled before it
  wire::PackedRecords results;
  std::string error, firstError;
  const DWORD status = p_.rtm.Apply(m, results, error, firstError);
  if (status != NO_ERROR) {
    from.Reply(m, status, error);
    return;
  }
  wire::Message reply = wire::Message::Reply(m, NO_ERROR);
  reply.Set(kResults, Value::Packed(std::move(results)));
  from.Reply(m, NO_ERROR, {}, std::move(reply.fields));
  if (!firstError.empty()) p_.log(LogLevel::Warn, "routes: %s", firstError.c_str());
}

void HostRequests::SaveConfig(HostLink& from, const wire::Message& m) {
  const uint32_t scope = m.U32(kSaveScope);
  const bool global = scope == uint32_t(wire::ConfigScope::Global);
  if (!global && scope != uint32_t(wire::ConfigScope::Interface)) {
    from.Reply(m, ERROR_INVALID_PARAMETER, "unknown scope " + std::to_string(scope));
    return;
  }
  if (!p_.state.Adopt(global, m.U32(kSaveIndex), GetInfo<MsgType::SaveConfig>(m), p_.events)) {
    from.Reply(m, ERROR_INVALID_PARAMETER, "unknown interface index");
    return;
  }
  from.Reply(m, NO_ERROR);
}

void HostRequests::Support(HostLink& from, const wire::Message& m) {
  SUPPORT_FUNCTIONS sf;
  {
    std::lock_guard<std::mutex> lock(p_.state.mu);
    sf = p_.state.support;
  }
  const uint32_t fn = m.U32(kSupportFn);
  const SupportFn call = fn < kSupport.size() ? kSupport[fn] : nullptr;
  if (!call) {
    from.Reply(m, ERROR_INVALID_PARAMETER, "unknown support function " + std::to_string(fn));
    return;
  }
  const SupportCall c{p_.config.protocolId, m.Packed(kSupportArgs), m.Bytes(kSupportInput),
                      m.U32(kSupportOutputSize)};
  DWORD result = 0;
  std::string output;
  if (!call(sf, c, result, output)) {
    from.Reply(m, ERROR_NOT_SUPPORTED, "the router manager did not provide this support function");
    return;
  }
  wire::Message reply = wire::Message::Reply(m, NO_ERROR);
  reply.Set(kSupportResult, Value::Num(result));
  reply.Set(kSupportOutput, Value::Bytes(std::move(output)));
  from.Reply(m, NO_ERROR, {}, std::move(reply.fields));
}

void HostRequests::Synced(HostLink& from, const wire::Message& m) {
  p_.gracefulRestart.Synced();
  from.Reply(m, NO_ERROR);
}

void HostRequests::Restart(HostLink& from, const wire::Message& m) {
  p_.log(LogLevel::Info, "the host asks to be restarted: %s", m.Bytes(kRestartReason).c_str());
  from.Reply(m, NO_ERROR);
  reload_(from.generation(), "the host asked: " + m.Bytes(kRestartReason));
}

}  // namespace rrasbridge
