// rras_bridge_bench: the native half of `npm run bench` (scripts/bench.ts runs it). Each
// command plays the router manager against the protocol library (router.h) hosting the
// benchmark protocol (scripts/bench-protocol.ts), measures one path together with its raw
// baseline in the same run, and prints one JSON object on stdout.
//
//   rras_bridge_bench <command> --library PATH --protocol-id N [options]
//     latency     --updates N --block B [--only bridge|raw]   sequential DoUpdateRoutes vs raw
//                 round trips (--only: one side, to profile or trace it alone)
//     pipelined   --updates N --depth D --senders S   DoUpdateRoutes in flight vs raw echo
//     events      --events N --depth D          events raised in TS vs raw echo
//     cold-start  --rounds N --node PATH        StartProtocol vs `node -e 0`
//     injection   --routes N --batch B          routes added then deleted from TypeScript
//     failover    --routes N --batch B --rtm PATH   host killed under N routes
//     rtm-loop    --routes N --rtm PATH         the native RTM loop (no library needed)
// RRAS_BRIDGE_CONFIG must name the library's configuration for the protocol id; --dir is a
// private directory for the raw echo socket. Linux only (eventfd, /proc).
#include <dlfcn.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../common/json.h"
#include "pipeline.h"
#include "proc_stats.h"
#include "raw_echo.h"
#include "router.h"
#include "rtm_loop.h"

extern char** environ;

namespace rrasbridge::bench {
namespace {

constexpr ULONG kInterface = 1;
constexpr int kSignalTimeoutMs = 30000;
constexpr int kPhaseTimeoutMs = 600000;
constexpr int kStopTimeoutMs = 300000;
constexpr DWORD kUpdateComplete = UPDATE_COMPLETE;

struct Args {
  std::string command;
  std::map<std::string, std::string> opts;
  std::string Str(const std::string& k, const std::string& def = {}) const {
    auto it = opts.find(k);
    return it == opts.end() ? def : it->second;
  }
  size_t Num(const std::string& k, size_t def) const {
    auto it = opts.find(k);
    return it == opts.end() ? def : static_cast<size_t>(std::strtoull(it->second.c_str(), nullptr, 10));
  }
};

// One flat JSON object, written in order.
class JsonOut {
 public:
  JsonOut& Num(const std::string& k, double v) {
    std::ostringstream o;
    o.precision(12);
    o << v;
    return Raw(k, o.str());
  }
  JsonOut& Str(const std::string& k, const std::string& v) {
    std::string q = "\"";
    for (char c : v) {
      if (c == '"' || c == '\\') q += '\\';
      q += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
    }
    return Raw(k, q + "\"");
  }
  JsonOut& Raw(const std::string& k, const std::string& json) {
    text_ += (text_.empty() ? "{" : ",") + ("\"" + k + "\":") + json;
    return *this;
  }
  std::string Done() const { return text_.empty() ? "{}" : text_ + "}"; }

 private:
  std::string text_;
};

double Percentile(std::vector<uint64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * double(v.size())));
  return double(v[i]);
}

double Median(std::vector<uint64_t> v) { return Percentile(std::move(v), 0.5); }

int Fail(const std::string& why) {
  std::printf("%s\n", JsonOut().Str("error", why).Done().c_str());
  return 1;
}

// The benchmark protocol started on one bound interface, and the commands it takes
// (JSON in a MIB Get, answered with JSON).
class Session {
 public:
  bool Open(const Args& a, const std::string& globalInfo, std::string& err) {
    if (!router.Register(a.Str("library"), static_cast<uint32_t>(a.Num("protocol-id", 0)), err))
      return false;
    if (DWORD rc = router.Start(globalInfo); rc != NO_ERROR) {
      err = "StartProtocol returned " + std::to_string(rc);
      return false;
    }
    router.StartComplete();
    if (DWORD rc = router.AddBoundInterface(kInterface); rc != NO_ERROR) {
      err = "AddInterface/InterfaceStatus returned " + std::to_string(rc);
      return false;
    }
    json::Value info;
    if (!Ask("{\"cmd\":\"info\"}", info, err)) return false;
    hostPid = static_cast<pid_t>(info.Get("pid") ? info.Get("pid")->number : 0);
    return hostPid > 0;
  }

  // One command; false when the call failed or the answer names an error.
  bool Ask(const std::string& command, json::Value& answer, std::string& err) {
    std::string text;
    const DWORD rc = router.Command(command, text);
    if (rc != NO_ERROR) {
      err = "MIB command " + command + " returned " + std::to_string(rc);
      return false;
    }
    if (!json::Parse(text, answer, err)) return false;
    if (const json::Value* e = answer.Get("error"); e && e->type == json::Value::Type::String) {
      err = "the benchmark protocol: " + e->string;
      return false;
    }
    return true;
  }

  // Polls `info` until the protocol reports `phase` (a host that is down is waited for).
  bool WaitPhase(const std::string& phase, json::Value& info, std::string& err,
                 int pollMs = 20) {
    const uint64_t until = MonotonicNs() + uint64_t(kPhaseTimeoutMs) * 1000000;
    while (MonotonicNs() < until) {
      std::string why;
      if (Ask("{\"cmd\":\"info\"}", info, why)) {
        const json::Value* p = info.Get("phase");
        if (p && p->string == phase) return true;
        if (p && p->string == "failed") {
          err = "the benchmark protocol failed: " +
                (info.Get("failure") ? info.Get("failure")->string : std::string("?"));
          return false;
        }
      } else if (why.find("benchmark protocol") != std::string::npos) {
        err = why;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(pollMs));
    }
    err = "timed out waiting for phase " + phase;
    return false;
  }

  // Blocks until UPDATE_COMPLETEs (or events of `type`) arrive; returns how many, 0 on timeout.
  size_t Reap(ROUTING_PROTOCOL_EVENTS type, std::atomic<bool>* bad = nullptr) {
    for (;;) {
      if (!router.WaitSignal(kSignalTimeoutMs)) return 0;
      size_t n = 0;
      router.Drain([&](ROUTING_PROTOCOL_EVENTS e, const MESSAGE& m) {
        if (e != type) return;
        ++n;
        if (bad && e == kUpdateComplete && m.UpdateCompleteMessage.UpdateStatus != NO_ERROR) *bad = true;
      });
      if (n) return n;
    }
  }

  // The raw-echo baseline's server, on the host's JS thread.
  bool OpenEcho(const Args& a, RawEcho& echo, std::string& err) {
    const std::string path = a.Str("dir", "/tmp") + "/echo-" + std::to_string(::getpid()) + ".sock";
    json::Value ok;
    return Ask("{\"cmd\":\"echo\",\"path\":\"" + path + "\"}", ok, err) && echo.Connect(path, err);
  }

  NativeRouter router;
  pid_t hostPid = 0;
};

uint64_t Wakeups(pid_t host) { return ContextSwitches(0).voluntary + ContextSwitches(host).voluntary; }
uint64_t Preemptions(pid_t host) {
  return ContextSwitches(0).involuntary + ContextSwitches(host).involuntary;
}

// One sequential DoUpdateRoutes, to its UPDATE_COMPLETE drained with GetEventMessage.
uint64_t TimedUpdate(Session& s) {
  const uint64_t t0 = MonotonicNs();
  if (s.router.DoUpdateRoutes(kInterface) != NO_ERROR) return 0;
  std::atomic<bool> bad{false};
  if (s.Reap(UPDATE_COMPLETE, &bad) != 1 || bad) return 0;
  return MonotonicNs() - t0;
}

std::string Distribution(const std::vector<uint64_t>& ns, double wakeups, double preemptions) {
  double sum = 0;
  for (uint64_t v : ns) sum += double(v);
  return JsonOut()
      .Num("p50Us", Percentile(ns, 0.50) / 1e3)
      .Num("p99Us", Percentile(ns, 0.99) / 1e3)
      .Num("meanUs", ns.empty() ? 0 : sum / double(ns.size()) / 1e3)
      .Num("wakeupsPerCall", wakeups)
      .Num("preemptionsPerCall", preemptions)
      .Done();
}

int Latency(const Args& a) {
  Session s;
  RawEcho echo;
  std::string err;
  if (!s.Open(a, {}, err) || !s.OpenEcho(a, echo, err)) return Fail(err);
  const size_t total = a.Num("updates", 20000), block = std::max<size_t>(1, a.Num("block", 500));
  for (int i = 0; i < 200; ++i) {  // warm-up: JIT, caches, socket buffers
    if (!TimedUpdate(s) || !echo.RoundTrip()) return Fail("warm-up failed");
  }
  // Interleaved blocks, so a change of load on the machine hits both alike.
  const std::string only = a.Str("only");
  std::vector<uint64_t> bridge, raw;
  uint64_t bridgeWake = 0, rawWake = 0, bridgePre = 0, rawPre = 0;
  for (size_t done = 0; done < total;) {
    const size_t n = std::min(block, total - done);
    done += n;
    uint64_t w0 = Wakeups(s.hostPid), p0 = Preemptions(s.hostPid);
    for (size_t i = 0; i < n && only != "raw"; ++i) {
      const uint64_t t = TimedUpdate(s);
      if (!t) return Fail("DoUpdateRoutes did not complete with NO_ERROR");
      bridge.push_back(t);
    }
    uint64_t w1 = Wakeups(s.hostPid), p1 = Preemptions(s.hostPid);
    bridgeWake += w1 - w0;
    bridgePre += p1 - p0;
    for (size_t i = 0; i < n && only != "bridge"; ++i) {
      const uint64_t t = echo.RoundTrip();
      if (!t) return Fail("raw round trip failed");
      raw.push_back(t);
    }
    rawWake += Wakeups(s.hostPid) - w1;
    rawPre += Preemptions(s.hostPid) - p1;
  }
  s.router.Stop(kStopTimeoutMs);
  const double n = double(total);
  std::printf("%s\n", JsonOut()
                          .Num("updates", n)
                          .Raw("bridge", Distribution(bridge, bridgeWake / n, bridgePre / n))
                          .Raw("raw", Distribution(raw, rawWake / n, rawPre / n))
                          .Done().c_str());
  return 0;
}

// The throughput benchmarks alternate bridge and baseline in this many rounds.
constexpr size_t kRounds = 4;

void Accumulate(PipelineResult& total, const PipelineResult& part) {
  total.completed += part.completed;
  total.elapsedNs += part.elapsedNs;
}

std::string Rate(const PipelineResult& r) {
  return JsonOut()
      .Num("perSecond", r.elapsedNs ? double(r.completed) * 1e9 / double(r.elapsedNs) : 0)
      .Num("completed", double(r.completed))
      .Num("elapsedMs", double(r.elapsedNs) / 1e6)
      .Done();
}

int Pipelined(const Args& a) {
  Session s;
  RawEcho echo;
  std::string err;
  if (!s.Open(a, {}, err) || !s.OpenEcho(a, echo, err)) return Fail(err);
  const size_t count = a.Num("updates", 100000), depth = a.Num("depth", 1000);
  const int senders = static_cast<int>(a.Num("senders", 4));
  std::atomic<bool> bad{false};
  PipelineResult bridge, raw;
  for (size_t round = 0; round < kRounds; ++round) {  // alternating, so both see the same load
    const size_t n = count / kRounds + (round < count % kRounds ? 1 : 0);
    const PipelineResult b = RunPipelined(
        n, depth, senders, [&] { return s.router.DoUpdateRoutes(kInterface) == NO_ERROR; },
        [&] { return s.Reap(UPDATE_COMPLETE, &bad); });
    if (!b.ok || bad) return Fail("pipelined DoUpdateRoutes: not every update completed with NO_ERROR");
    const PipelineResult r = echo.Pipelined(n, depth, senders);
    if (!r.ok) return Fail("pipelined raw echo failed");
    Accumulate(bridge, b);
    Accumulate(raw, r);
  }
  s.router.Stop(kStopTimeoutMs);
  std::printf("%s\n", JsonOut()
                          .Num("updates", double(count))
                          .Num("depth", double(depth))
                          .Num("senders", senders)
                          .Raw("bridge", Rate(bridge))
                          .Raw("raw", Rate(raw))
                          .Done().c_str());
  return 0;
}

int Events(const Args& a) {
  Session s;
  RawEcho echo;
  std::string err;
  if (!s.Open(a, {}, err) || !s.OpenEcho(a, echo, err)) return Fail(err);
  const size_t count = a.Num("events", 200000), depth = a.Num("depth", 256);
  // The protocol raises `count` SAVE_INTERFACE_CONFIG_INFO events with `depth` in flight;
  // this thread drains them as RRAS does, after each signal, until the last one.
  PipelineResult bridge, raw;
  for (size_t round = 0; round < kRounds; ++round) {  // alternating, so both see the same load
    const size_t n = count / kRounds + (round < count % kRounds ? 1 : 0);
    PipelineResult b;
    const uint64_t t0 = MonotonicNs();
    json::Value answer;
    if (!s.Ask("{\"cmd\":\"raise\",\"count\":" + std::to_string(n) + ",\"inFlight\":" +
                   std::to_string(depth) + "}",
               answer, err))
      return Fail(err);
    while (b.completed < n) {
      const size_t got = s.Reap(SAVE_INTERFACE_CONFIG_INFO);
      if (!got) return Fail("events stopped after " + std::to_string(bridge.completed + b.completed));
      b.completed += got;
    }
    b.elapsedNs = MonotonicNs() - t0;
    const PipelineResult r = echo.Pipelined(n, depth, 1);
    if (!r.ok) return Fail("pipelined raw echo failed");
    Accumulate(bridge, b);
    Accumulate(raw, r);
  }
  s.router.Stop(kStopTimeoutMs);
  std::printf("%s\n", JsonOut()
                          .Num("events", double(count))
                          .Num("depth", double(depth))
                          .Raw("bridge", Rate(bridge))
                          .Raw("raw", Rate(raw))
                          .Done().c_str());
  return 0;
}

// posix_spawn + waitpid of `node -e 0`, in nanoseconds (0 on failure).
uint64_t NodeNoop(const std::string& node) {
  std::vector<std::string> args = {node, "-e", "0"};
  std::vector<char*> argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  const uint64_t t0 = MonotonicNs();
  pid_t pid;
  if (::posix_spawn(&pid, node.c_str(), nullptr, nullptr, argv.data(), environ) != 0) return 0;
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 0;
  return MonotonicNs() - t0;
}

int ColdStart(const Args& a) {
  NativeRouter router;
  std::string err;
  if (!router.Register(a.Str("library"), static_cast<uint32_t>(a.Num("protocol-id", 0)), err))
    return Fail(err);
  const std::string node = a.Str("node", "node");
  const size_t rounds = a.Num("rounds", 10);
  std::vector<uint64_t> start, noop;
  for (size_t i = 0; i <= rounds; ++i) {  // round 0 warms the page cache, not counted
    const uint64_t n = NodeNoop(node);
    if (!n) return Fail("node -e 0 failed (" + node + ")");
    const uint64_t t0 = MonotonicNs();
    if (DWORD rc = router.Start({}); rc != NO_ERROR) return Fail("StartProtocol returned " + std::to_string(rc));
    const uint64_t t = MonotonicNs() - t0;
    router.StartComplete();
    if (router.Stop(kStopTimeoutMs) == 1460) return Fail("no ROUTER_STOPPED after StopProtocol");
    if (i == 0) continue;
    noop.push_back(n);
    start.push_back(t);
  }
  auto list = [](const std::vector<uint64_t>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(double(v[i]) / 1e6);
    return s + "]";
  };
  std::printf("%s\n", JsonOut()
                          .Num("rounds", double(rounds))
                          .Num("startMedianMs", Median(start) / 1e6)
                          .Num("nodeMedianMs", Median(noop) / 1e6)
                          .Raw("startMs", list(start))
                          .Raw("nodeMs", list(noop))
                          .Done().c_str());
  return 0;
}

double Field(const json::Value& v, const char* k) {
  const json::Value* f = v.Get(k);
  return f && f->type == json::Value::Type::Number ? f->number : 0;
}

int Injection(const Args& a) {
  Session s;
  std::string err;
  if (!s.Open(a, {}, err)) return Fail(err);
  const size_t routes = a.Num("routes", 1000000), batch = a.Num("batch", 16384);
  json::Value info;
  const uint64_t libraryBefore = ResidentBytes(0);
  if (!s.Ask("{\"cmd\":\"inject\",\"count\":" + std::to_string(routes) + ",\"batch\":" +
                 std::to_string(batch) + "}",
             info, err) ||
      !s.WaitPhase("added", info, err))
    return Fail(err);
  const uint64_t libraryAdded = ResidentBytes(0);
  if (!s.Ask("{\"cmd\":\"withdraw\"}", info, err) || !s.WaitPhase("withdrawn", info, err))
    return Fail(err);
  s.router.Stop(kStopTimeoutMs);
  JsonOut out;
  out.Num("routes", double(routes)).Num("batch", double(batch));
  for (const char* k : {"addNs", "withdrawNs", "addCpuNs", "withdrawCpuNs", "hostResidentBefore",
                        "hostResidentAdded", "hostPeakResident"})
    out.Num(k, Field(info, k));
  out.Num("libraryResidentBefore", double(libraryBefore)).Num("libraryResidentAdded", double(libraryAdded));
  std::printf("%s\n", out.Done().c_str());
  return 0;
}

int RtmLoop(const Args& a) {
  const RtmLoopResult r = RunRtmLoop(a.Str("rtm"), a.Num("routes", 1000000));
  if (!r.ok) return Fail(r.error);
  std::printf("%s\n", JsonOut()
                          .Num("routes", double(r.routes))
                          .Num("addNs", double(r.addNs))
                          .Num("deleteNs", double(r.deleteNs))
                          .Num("addCpuNs", double(r.addCpuNs))
                          .Num("deleteCpuNs", double(r.deleteCpuNs))
                          .Num("residentBefore", double(r.residentBefore))
                          .Num("residentAdded", double(r.residentAdded))
                          .Done().c_str());
  return 0;
}

// The mock RTM the library loaded (same path: dlopen hands back the same image).
struct MockRtmProbe {
  uint32_t (*count)() = nullptr;
  uint32_t (*counters)(char*, uint32_t) = nullptr;
  bool Open(const std::string& path) {
    void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
    if (!h) return false;
    count = reinterpret_cast<uint32_t (*)()>(::dlsym(h, "MockRtmRouteCount"));
    counters = reinterpret_cast<uint32_t (*)(char*, uint32_t)>(::dlsym(h, "MockRtmCountersJson"));
    return count && counters;
  }
  double Counter(const char* key) const {
    char buf[512];
    counters(buf, sizeof buf);
    json::Value v;
    std::string err;
    return json::Parse(buf, v, err) ? Field(v, key) : -1;
  }
};

int Failover(const Args& a) {
  Session s;
  std::string err;
  const size_t routes = a.Num("routes", 100000), batch = a.Num("batch", 16384);
  // The global info tells a restarted host how many routes to re-announce.
  const std::string global = "{\"routes\":" + std::to_string(routes) + ",\"batch\":" + std::to_string(batch) + "}";
  if (!s.Open(a, global, err)) return Fail(err);
  MockRtmProbe rtm;
  if (!rtm.Open(a.Str("rtm"))) return Fail("the mock RTM " + a.Str("rtm") + " is not loaded, or has no MockRtmCountersJson");
  json::Value info;
  if (!s.Ask("{\"cmd\":\"inject\",\"count\":" + std::to_string(routes) + ",\"batch\":" +
                 std::to_string(batch) + "}",
             info, err) ||
      !s.WaitPhase("added", info, err))
    return Fail(err);
  const double deletedBefore = rtm.Counter("deleted");
  // Samples the table while the host is down and back: the count must never drop.
  std::atomic<bool> sampling{true};
  std::atomic<uint32_t> least{rtm.count()};
  std::thread sampler([&] {
    while (sampling) {
      least = std::min<uint32_t>(least, rtm.count());
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  const pid_t old = s.hostPid;
  const uint64_t killedAt = MonotonicNs();
  ::kill(old, SIGKILL);
  bool ok = false;
  const uint64_t until = killedAt + uint64_t(kPhaseTimeoutMs) * 1000000;
  while (!ok && MonotonicNs() < until) {
    std::string why;
    if (s.Ask("{\"cmd\":\"info\"}", info, why) && Field(info, "pid") != double(old)) {
      const json::Value* p = info.Get("phase");
      if (p && p->string == "failed") break;
      ok = p && p->string == "synced";
    }
    if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  sampling = false;
  sampler.join();
  if (!ok) {
    const json::Value* f = info.Get("failure");
    return Fail("the restarted host did not re-announce and sync" + (f ? ": " + f->string : std::string()));
  }
  const double withdrawn = rtm.Counter("deleted") - deletedBefore;
  const double after = rtm.Counter("routes");
  s.hostPid = static_cast<pid_t>(Field(info, "pid"));
  s.router.Stop(kStopTimeoutMs);
  const double killed = double(killedAt);
  std::printf("%s\n", JsonOut()
                          .Num("routes", double(routes))
                          .Num("killToStartMs", (Field(info, "startedAt") - killed) / 1e6)
                          .Num("killToSyncedMs", (Field(info, "syncedAt") - killed) / 1e6)
                          .Num("reannounceMs", Field(info, "reannounceNs") / 1e6)
                          .Num("withdrawn", withdrawn)
                          .Num("leastRoutes", double(least.load()))
                          .Num("routesAfter", after)
                          .Done().c_str());
  return 0;
}

}  // namespace
}  // namespace rrasbridge::bench

int main(int argc, char** argv) {
  using namespace rrasbridge::bench;  // NOLINT
  Args a;
  if (argc < 2) return Fail("usage: rras_bridge_bench <command> [--option value]...");
  a.command = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0) return Fail("expected an option, got " + k);
    a.opts[k.substr(2)] = argv[i + 1];
  }
  ::signal(SIGPIPE, SIG_IGN);
  if (a.command == "latency") return Latency(a);
  if (a.command == "pipelined") return Pipelined(a);
  if (a.command == "events") return Events(a);
  if (a.command == "cold-start") return ColdStart(a);
  if (a.command == "injection") return Injection(a);
  if (a.command == "failover") return Failover(a);
  if (a.command == "rtm-loop") return RtmLoop(a);
  return Fail("unknown command " + a.command);
}
