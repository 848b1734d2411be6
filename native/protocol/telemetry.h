// What the library records about one protocol for its operators: the trace ring, the call
// statistics and the recent log lines (read through the admin endpoint), and the hook that
// exports.cc's Guard wraps around every routprot.h call.
#pragma once

#include <memory>

#include "call_stats.h"
#include "log_ring.h"
#include "trace_format.h"
#include "trace_ring.h"

namespace rrasbridge {

struct Telemetry {
  explicit Telemetry(size_t traceRecords) : trace(traceRecords) {}
  TraceRing trace;
  CallStats calls;
  std::shared_ptr<LogRing> log = std::make_shared<LogRing>();
};

// One routprot.h call: in flight from construction to End, which counts, times and (when the
// ring records) traces it. makeArgs(result) builds the traced arguments, after the call (so
// an in/out size shows what the call answered); it runs only while tracing.
class CallScope {
 public:
  CallScope(Telemetry& t, EntryPoint ep) : t_(t), ep_(ep), startNs_(SteadyNowNs()) { t_.calls.Begin(); }
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

  template <typename MakeArgs>
  void End(uint32_t result, MakeArgs&& makeArgs) {
    const int64_t endNs = SteadyNowNs();
    t_.calls.End(ep_, static_cast<uint64_t>(endNs - startNs_), result, IsFailure(ep_, result));
    if (t_.trace.recording()) t_.trace.Call(ep_, startNs_, endNs, result, makeArgs(result));
  }

 private:
  Telemetry& t_;
  EntryPoint ep_;
  int64_t startNs_;
};

}  // namespace rrasbridge
