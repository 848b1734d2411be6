// The trace of one protocol: a bounded ring of fixed-size records of what happened to it, in
// order (every routprot.h call with its arguments, result, duration and thread; every message
// to and from the host; every event queued and drained; the host's starts, losses and
// restarts). Always on, so that a crash report can show what led to it (the last records go
// into the log when a host dies or the watchdog kills it); read by `rras-bridge trace`.
//
// Cost: a record is 128 bytes copied under a mutex, no allocation and no formatting; records
// are turned into text only when somebody reads them (trace_format.h). With traceRingRecords 0
// nothing is recorded unless a trace is being followed.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <vector>

#include "../common/compat.h"
#include "../common/wire.h"

namespace rrasbridge {

enum class TraceKind : uint8_t {
  Call = 1,       // code: EntryPoint; args: the call's arguments; result; durationNs
  MessageOut,     // to the host. code: wire::MsgType; id; result: reply status; args: fields
  MessageIn,      // from the host
  EventQueued,    // code: ROUTING_PROTOCOL_EVENTS; args: the MESSAGE's three DWORDs
  EventDrained,   // handed to the router manager by GetEventMessage
  Host,           // code: HostEvent; id: generation; result: pid; text: why
};

// The host's life, as the supervisor sees it.
enum class HostEvent : uint16_t {
  Started = 1,     // connected and started (id: generation, result: pid)
  Lost,            // the channel closed or the process ended (text: why)
  WatchdogKill,    // missed heartbeats: killed
  PlannedRestart,  // ctx.requestRestart, SIGHUP or `rras-bridge restart` (text: reason)
  GaveUp,          // restart budget exhausted
  Stopped,         // StopProtocol finished
};

// The routprot.h entry points, in MPR_ROUTING_CHARACTERISTICS order (trace_format.cc names
// them and their arguments as the header does).
enum class EntryPoint : uint16_t {
  StartProtocol = 1, StartComplete, StopProtocol, GetGlobalInfo, SetGlobalInfo, QueryPower,
  SetPower, AddInterface, DeleteInterface, InterfaceStatus, GetInterfaceInfo, SetInterfaceInfo,
  GetEventMessage, DoUpdateRoutes, ConnectClient, DisconnectClient, MibCreateEntry,
  MibDeleteEntry, MibGetEntry, MibSetEntry, MibGetFirstEntry, MibGetNextEntry, MibSetTrapInfo,
  MibGetTrapInfo,
};
constexpr size_t kEntryPointCount = static_cast<size_t>(EntryPoint::MibGetTrapInfo) + 1;

constexpr size_t kTraceArgs = 6;
constexpr size_t kTraceText = 40;

struct TraceRecord {
  uint64_t seq = 0;         // 1, 2, ... per ring; a gap means records were overwritten
  int64_t timeNs = 0;       // steady clock
  int64_t durationNs = 0;   // calls only
  uint32_t thread = 0;      // OS thread id
  uint32_t result = 0;
  uint32_t id = 0;
  uint16_t code = 0;
  TraceKind kind = TraceKind::Call;
  uint8_t flags = 0;        // messages: wire flags (reply); args: bit i set when args[i] is a pointer
  uint64_t args[kTraceArgs] = {};
  char text[kTraceText] = {};  // NUL-terminated, truncated

  void SetText(const char* s, size_t n) {
    n = n < kTraceText - 1 ? n : kTraceText - 1;
    std::memcpy(text, s, n);
    text[n] = '\0';
  }
};
static_assert(sizeof(TraceRecord) == 128, "one record is two cache lines");

// A call's arguments as the trace keeps them: values in the order trace_format.cc names them
// for the entry point, pointers marked (shown as NULL or an address), and one text (an
// interface name, a binding's first address).
struct CallArgs {
  uint64_t v[kTraceArgs] = {};
  uint8_t pointers = 0;  // bit i: v[i] is a pointer
  char text[kTraceText] = {};
};

int64_t SteadyNowNs();
int64_t WallNowNs();  // since the Unix epoch
uint32_t CurrentThreadId();

class TraceRing {
 public:
  // capacity 0: records only while a trace is followed (then kFollowCapacity).
  explicit TraceRing(size_t capacity);
  TraceRing(const TraceRing&) = delete;
  TraceRing& operator=(const TraceRing&) = delete;

  static constexpr size_t kFollowCapacity = 8192;

  // Whether records are kept now; hooks check it before building a record.
  bool recording() const { return recording_.load(std::memory_order_relaxed); }
  size_t capacity() const;

  // The hooks. Each is a no-op while not recording.
  void Call(EntryPoint ep, int64_t startNs, int64_t endNs, uint32_t result, const CallArgs& args);
  void Message(bool out, const wire::Message& m);
  void Event(bool drained, ROUTING_PROTOCOL_EVENTS e, const MESSAGE& m);
  void Host(HostEvent what, uint32_t generation, uint32_t pid, const std::string& why = {});

  // Copies the records after sequence number `after` (at most max, oldest first) into out.
  // Returns how many records after `after` were overwritten before they could be read.
  uint64_t Read(uint64_t after, size_t max, std::vector<TraceRecord>& out) const;
  // The newest `n` records.
  std::vector<TraceRecord> Last(size_t n) const;
  uint64_t lastSeq() const;

  // A trace is being followed: records are kept even with capacity 0.
  void AddFollower();
  void RemoveFollower();
  // A new capacity (RegisterProtocol, while stopped): the records so far are dropped.
  void Configure(size_t capacity);

  // Wall-clock time of a steady timestamp (ns since the Unix epoch).
  int64_t WallNs(int64_t steadyNs) const { return steadyNs - steadyAnchorNs_ + wallAnchorNs_; }

 private:
  void Push(TraceRecord& r);
  void ResizeLocked(size_t capacity);

  mutable std::mutex mu_;
  std::vector<TraceRecord> buf_;  // guarded by mu_
  uint64_t seq_ = 0;              // guarded by mu_: the last record's
  uint64_t firstKept_ = 1;        // guarded by mu_: no record before it is in buf_
  size_t configured_;
  int followers_ = 0;             // guarded by mu_
  std::atomic<bool> recording_{false};
  int64_t steadyAnchorNs_, wallAnchorNs_;
};

}  // namespace rrasbridge
