#include "status.h"

#include <chrono>
#include <cstdio>

#include "../common/info_block.h"
#include "../common/json_writer.h"

namespace rrasbridge {
namespace {

constexpr size_t kMaxInterfacesShown = 4096;  // keeps the document under the frame cap

void Since(json::Writer& w, const char* key, int64_t wallNs, int64_t now) {
  if (!wallNs) return;
  w.Str(key, IsoTime(wallNs)).Int("uptimeMs", (now - wallNs) / 1000000);
}

const char* LevelName(unsigned level) {
  static const char* const kLevels[] = {"error", "warn", "info", "debug"};
  return kLevels[level & 3];
}

}  // namespace

std::string StatusJson(const InstanceStatus& s, const Telemetry& t) {
  const int64_t now = WallNowNs();
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08x", unsigned(s.protocolId));
  std::string out;
  json::Writer w(out);
  w.Open().Str("time", IsoTime(now));
  w.Object("protocol").Num("id", s.protocolId).Str("idHex", hex).Str("name", s.name).Str("module", s.module);
  w.Str("family", s.ipv6 ? "ipv6" : "ipv4").Close();
  w.Str("state", s.state).Bool("startCompleted", s.startCompleted);
  Since(w, "since", s.startedWallNs, now);

  w.Object("host").Num("pid", s.hostPid).Num("generation", s.generation).Bool("connected", s.hostConnected);
  Since(w, "since", s.hostStartedWallNs, now);
  w.Num("callsPending", s.hostCallsPending).Num("queuedBytes", s.hostQueuedBytes).Close();

  w.Object("restarts")
      .Num("unplanned", s.unplannedRestarts)
      .Num("planned", s.plannedRestarts)
      .Object("budget")
      .Num("used", s.budgetUsed)
      .Num("limit", s.restartLimit)
      .Num("windowMs", s.restartWindowMs)
      .Close()
      .Bool("gaveUp", s.gaveUp)
      .Array("recent");
  for (const RestartRecord& r : s.restarts)
    w.Open()
        .Str("time", IsoTime(r.wallNs))
        .Str("what", HostEventName(r.what))
        .Num("generation", r.generation)
        .Num("pid", r.pid)
        .Str("reason", r.reason)
        .Close();
  w.CloseArray().Close();

  w.Object("gracefulRestart").Bool("active", s.staleArmed).Num("staleRoutes", s.routesStale);
  if (s.staleArmed) w.Int("deadlineInMs", s.staleDeadlineInMs);
  w.Num("staleTimeoutMs", s.staleTimeoutMs).Close();
  w.Object("routes").Bool("rtm", s.rtmOpen).Num("own", s.routesOwn).Num("stale", s.routesStale).Close();

  w.Array("interfaces");
  for (size_t i = 0; i < s.interfaces.size() && i < kMaxInterfacesShown; ++i) {
    const InterfaceState& f = s.interfaces[i];
    w.Open()
        .Num("index", f.index)
        .Str("name", json::Utf16ToUtf8(f.name))
        .Str("type", InterfaceTypeName(f.type))
        .Bool("enabled", f.enabled)
        .Bool("bound", f.bound)
        .Bool("active", f.active)
        .Bool("mediaPresent", f.mediaPresent)
        .Array("addresses");
    for (const std::string& a : infoblock::BindingAddressTexts(f.binding.data(), f.binding.size(), s.ipv6))
      w.Str(a);
    w.CloseArray().Num("configBytes", f.info.data.size()).Close();
  }
  w.CloseArray();
  if (s.interfaces.size() > kMaxInterfacesShown) w.Num("interfacesOmitted", s.interfaces.size() - kMaxInterfacesShown);

  w.Object("eventQueue").Num("depth", s.eventQueueDepth).Close();
  w.Int("callsInFlight", s.callsInFlight);

  w.Array("entryPoints");
  for (const CallStats::Summary& e : t.calls.Summaries()) {
    w.Open().Str("name", EntryPointName(e.entryPoint)).Num("count", e.count).Num("failed", e.failed);
    w.Str("lastResult", DescribeCode(e.lastResult));
    w.Real("p50Us", e.p50Ns / 1000.0, 1).Real("p99Us", e.p99Ns / 1000.0, 1).Real("maxUs", e.maxNs / 1000.0, 1);
    w.Real("meanUs", e.count ? static_cast<double>(e.totalNs) / e.count / 1000.0 : 0.0, 1).Close();
  }
  w.CloseArray();

  w.Object("trace").Num("ringRecords", t.trace.capacity()).Num("recorded", t.trace.lastSeq()).Close();
  w.Array("lastErrors");
  for (const LogLine& l : t.log->LastErrors())
    w.Open()
        .Str("time", IsoTime(l.wallNs))
        .Str("level", LevelName(l.level))
        .Str("origin", l.origin == "/js" ? "host" : "library")
        .Str("text", l.text)
        .Close();
  w.CloseArray();
  w.Close();
  return out;
}

}  // namespace rrasbridge
