// A router manager of our own, written against routprot.h only (issue 9 §1): it loads the
// protocol library with dlopen, runs a protocol as RRAS does, with DoUpdateRoutes in flight at
// every stop, and unloads the library (dlclose) the moment GetEventMessage has returned
// ROUTER_STOPPED, then loads it again; every tenth cycle it also unloads right after a
// RegisterProtocol that failed. A thread of the library still running its code after an
// unload crashes this process; a thread left behind shows in /proc/self/task, and under
// ThreadSanitizer (scripts/native-tests.sh with TSAN=1) as a leaked thread. Every other cycle
// an operator follows the trace over the admin endpoint through the stop: the endpoint's
// threads too must be gone when ROUTER_STOPPED is read, its last records sent, and the
// connection closed by the library.
//
//   unload_test <protocol library> <mock RTM library> <module.js> <host entry> <work dir> [cycles]
//
// The host is the real one (node from PATH, the host entry given): build the TypeScript first.
#include <dirent.h>
#include <dlfcn.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "../common/compat.h"
#include "../common/event_handle.h"
#include "../common/wire.h"
#include "check.h"

namespace {

constexpr DWORD kProtocolId = 0x7a600001;
constexpr DWORD kStranger = 0x7a600002;  // not in the configuration
constexpr ULONG kInterfaces[] = {1, 2};

struct Paths {
  std::string library, rtm, module, hostEntry, dir;
};

std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void WriteConfig(const Paths& p, const std::string& module) {
  std::ofstream f(p.dir + "/rras-bridge.json", std::ios::trunc);
  f << "{\"protocols\": [{\"protocolId\": " << kProtocolId << ", \"name\": \"unload-test\", \"module\": "
    << Quoted(module) << ", \"hostEntry\": " << Quoted(p.hostEntry) << ", \"rtmLibrary\": " << Quoted(p.rtm)
    << ", \"logFile\": " << Quoted(p.dir + "/protocol.log") << ", \"heartbeatMs\": 100, \"adminDirectory\": "
    << Quoted(p.dir + "/run") << "}]}\n";
}

// An operator's connection to the admin endpoint following the trace (adminHello, then
// adminTrace with follow), once the library has taken the request; -1 when it could not.
int FollowTrace(const Paths& p) {
  using rrasbridge::wire::Message;
  using rrasbridge::wire::MsgType;
  using rrasbridge::wire::Value;
  namespace wire = rrasbridge::wire;
  const int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s/run/%d.sock", p.dir.c_str(), int(::getpid()));
  const timeval limit{10, 0};
  ::setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  std::string frames, err;
  Message hello = Message::Request(MsgType::AdminHello, 1);
  hello.Set(wire::RequestField(MsgType::AdminHello, "magic"), Value::Num(wire::kMagic));
  hello.Set(wire::RequestField(MsgType::AdminHello, "minVersion"), Value::Num(wire::kAdminMinVersion));
  hello.Set(wire::RequestField(MsgType::AdminHello, "maxVersion"), Value::Num(wire::kVersion));
  hello.Set(wire::RequestField(MsgType::AdminHello, "client"), Value::Bytes("unload_test"));
  Message trace = Message::Request(MsgType::AdminTrace, 2);
  trace.Set(wire::RequestField(MsgType::AdminTrace, "protocol"), Value::Bytes(""));
  trace.Set(wire::RequestField(MsgType::AdminTrace, "follow"), Value::Num(1));
  trace.Set(wire::RequestField(MsgType::AdminTrace, "backlog"), Value::Num(1));
  const bool encoded = wire::Encode(hello, frames, err) == wire::EncodeStatus::Ok &&
                       wire::Encode(trace, frames, err) == wire::EncodeStatus::Ok;
  if (!encoded || ::connect(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      ::send(s, frames.data(), frames.size(), MSG_NOSIGNAL) != ssize_t(frames.size())) {
    ::close(s);
    return -1;
  }
  wire::FrameDecoder dec;
  char buf[65536];
  for (;;) {
    Message m;
    switch (dec.Next(m, err)) {
      case wire::DecodeStatus::Ok:
        if (m.IsReply() && m.id == 2) return m.status == 0 ? s : (::close(s), -1);
        continue;
      case wire::DecodeStatus::Error: ::close(s); return -1;
      case wire::DecodeStatus::NeedMore: break;
    }
    const ssize_t n = ::recv(s, buf, sizeof buf, 0);
    if (n <= 0) {
      ::close(s);
      return -1;
    }
    dec.Feed(buf, size_t(n));
  }
}

// What the follower got until the library closed the connection: whether that happened, and
// whether the stop's own record came first.
bool FollowedToTheEnd(int s, bool* sawStop) {
  namespace wire = rrasbridge::wire;
  constexpr wire::Field kRecords = wire::RequestField(wire::MsgType::AdminTraceRecords, "records");
  wire::FrameDecoder dec;
  char buf[65536];
  std::string err;
  *sawStop = false;
  for (;;) {
    const ssize_t n = ::recv(s, buf, sizeof buf, 0);
    if (n == 0) break;  // closed by the library
    if (n < 0) {
      ::close(s);
      return false;  // timed out: still open
    }
    dec.Feed(buf, size_t(n));
    wire::Message m;
    while (dec.Next(m, err) == wire::DecodeStatus::Ok)
      if (m.type == wire::MsgType::AdminTraceRecords && m.Bytes(kRecords).find("\"kind\":\"host\",\"event\":\"stopped\"") != std::string::npos)
        *sawStop = true;
  }
  ::close(s);
  return true;
}

// SUPPORT_FUNCTIONS, as a router manager provides them.
DWORD WINAPI ValidateRoute(DWORD, PVOID, PVOID) { return NO_ERROR; }
DWORD WINAPI GetRouterId() { return 0x0100000a; }

// The threads of this process, by name ("comm").
std::string Threads(size_t* count) {
  std::string names;
  *count = 0;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;
      std::ifstream f(std::string("/proc/self/task/") + e->d_name + "/comm");
      std::string name;
      std::getline(f, name);
      names += (names.empty() ? "" : ", ") + name;
      ++*count;
    }
    ::closedir(d);
  }
  return names;
}

bool Loaded(const std::string& library) {
  void* h = ::dlopen(library.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (h) ::dlclose(h);
  return h != nullptr;
}

std::string Tail(const std::string& file) {
  std::ifstream f(file);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string s = ss.str();
  return s.size() > 3000 ? s.substr(s.size() - 3000) : s;
}

class Library {
 public:
  explicit Library(const std::string& path) : h_(::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    if (!h_) std::fprintf(stderr, "dlopen: %s\n", ::dlerror());
  }
  ~Library() { Unload(); }
  void Unload() {
    if (h_) ::dlclose(h_);
    h_ = nullptr;
  }
  DWORD Register(DWORD id, MPR_ROUTING_CHARACTERISTICS& rc) {
    auto reg = reinterpret_cast<DWORD(WINAPI*)(PMPR_ROUTING_CHARACTERISTICS, PMPR_SERVICE_CHARACTERISTICS)>(
        ::dlsym(h_, "RegisterProtocol"));
    if (!reg) return ERROR_CAN_NOT_COMPLETE;
    MPR_SERVICE_CHARACTERISTICS sc{};
    rc = MPR_ROUTING_CHARACTERISTICS{};
    rc.dwVersion = MS_ROUTER_VERSION;
    rc.dwProtocolId = id;
    rc.fSupportedFunctionality = RF_ROUTING | RF_DEMAND_UPDATE_ROUTES;
    return reg(&rc, &sc);
  }
  bool ok() const { return h_ != nullptr; }

 private:
  void* h_;
};

// One cycle: load, register, start, interfaces, updates in flight, stop, drain until
// ROUTER_STOPPED, unload at once. Returns false when the cycle could not run.
bool Cycle(const Paths& p, int cycle, bool strangerFirst) {
  if (strangerFirst) {
    Library lib(p.library);
    MPR_ROUTING_CHARACTERISTICS rc;
    CHECK(lib.ok() && lib.Register(kStranger, rc) == ERROR_NOT_SUPPORTED);
  }  // unloaded right after the failed RegisterProtocol
  Library lib(p.library);
  MPR_ROUTING_CHARACTERISTICS rc;
  if (!CHECK(lib.ok() && lib.Register(kProtocolId, rc) == NO_ERROR)) return false;
  const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  SUPPORT_FUNCTIONS sf{};
  sf.ValidateRoute = &ValidateRoute;
  sf.GetRouterId = &GetRouterId;
  std::string script = "{\"updateDelayMs\": {\"1\": 10000, \"2\": 10000}}";
  const DWORD started = rc.pfnStartProtocol(EventHandleFromFd(fd), &sf, script.data(), 1,
                                            static_cast<ULONG>(script.size()), 1);
  if (!CHECK(started == NO_ERROR)) {
    std::fprintf(stderr, "cycle %d: StartProtocol %u; log:\n%s\n", cycle, unsigned(started), Tail(p.dir + "/protocol.log").c_str());
    ::close(fd);
    return false;
  }
  for (ULONG i : kInterfaces) {
    WCHAR name[] = {'i', 'f', static_cast<WCHAR>('0' + i), 0};
    CHECK(rc.pfnAddInterface(name, i, PERMANENT, 0, 0, 0, nullptr, 1, 0, 0) == NO_ERROR);
    CHECK(rc.pfnInterfaceStatus(i, TRUE, RIS_INTERFACE_ENABLED, nullptr) == NO_ERROR);
  }
  CHECK(rc.pfnStartComplete() == NO_ERROR);
  const int admin = cycle % 2 ? FollowTrace(p) : -1;
  if (cycle % 2) CHECK_MSG(admin >= 0, "cycle " + std::to_string(cycle) + ": no admin connection; log:\n" + Tail(p.dir + "/protocol.log"));
  for (ULONG i : kInterfaces) CHECK(rc.pfnUpdateRoutes(i) == NO_ERROR);  // in flight: 10 s handlers
  CHECK(rc.pfnStopProtocol() == ERROR_PROTOCOL_STOP_PENDING);
  int completes = 0;
  bool stopped = false;
  const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!stopped && std::chrono::steady_clock::now() < giveUp) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 1000) <= 0) continue;
    uint64_t n;
    if (::read(fd, &n, sizeof n) < 0) continue;
    ROUTING_PROTOCOL_EVENTS ev;
    MESSAGE msg;
    while (!stopped && rc.pfnGetEventMessage(&ev, &msg) == NO_ERROR) {
      if (ev == UPDATE_COMPLETE) {
        CHECK(msg.UpdateCompleteMessage.UpdateStatus == ERROR_CAN_NOT_COMPLETE);
        ++completes;
      }
      if (ev == ROUTER_STOPPED) {
        stopped = true;
        lib.Unload();  // at once, as a router manager may
      }
    }
  }
  ::close(fd);
  CHECK(stopped);
  CHECK(completes == 2);  // exactly one per update in flight, before ROUTER_STOPPED
  CHECK(!Loaded(p.library));
  if (admin >= 0) {
    bool sawStop = false;
    CHECK(FollowedToTheEnd(admin, &sawStop));
    CHECK(sawStop);
  }
  return stopped;
}

// Node decodes its arguments as UTF-8: a module path that is not is refused, naming it.
void NotUtf8(const Paths& p) {
  WriteConfig(p, p.dir + "/not-utf8-\xff.js");
  {
    Library lib(p.library);
    MPR_ROUTING_CHARACTERISTICS rc;
    CHECK(lib.ok() && lib.Register(kProtocolId, rc) == NO_ERROR);
    const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    SUPPORT_FUNCTIONS sf{};
    CHECK(rc.pfnStartProtocol(EventHandleFromFd(fd), &sf, nullptr, 1, 0, 0) == ERROR_CAN_NOT_COMPLETE);
    ::close(fd);
  }
  CHECK_MSG(Tail(p.dir + "/protocol.log").find("/not-utf8-\\xff.js' is not valid UTF-8") != std::string::npos,
            Tail(p.dir + "/protocol.log"));
  WriteConfig(p, p.module);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s <protocol library> <mock RTM library> <module.js> <host entry> <work dir> [cycles]\n", argv[0]);
    return 2;
  }
  const Paths p{argv[1], argv[2], argv[3], argv[4], argv[5]};
  const int cycles = argc > 6 ? std::atoi(argv[6]) : 100;
  WriteConfig(p, p.module);
  ::setenv("RRAS_BRIDGE_CONFIG", (p.dir + "/rras-bridge.json").c_str(), 1);
  // A sanitizer starts its own helper thread with the first thread; count from after that.
  std::thread([] {}).join();
  size_t threads = 0;
  Threads(&threads);
  const auto t0 = std::chrono::steady_clock::now();
  int done = 0;
  for (int i = 0; i < cycles && Cycle(p, i, i % 10 == 0); ++i) ++done;
  NotUtf8(p);
  size_t now = 0;
  const std::string names = Threads(&now);
  const size_t left = now - threads;
  CHECK_MSG(left == 0, "threads now: " + names);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  std::printf("unload_test: %d of %d cycles (unload right after ROUTER_STOPPED; %d after a failed RegisterProtocol) in %lld ms; %zu thread(s) left\n",
              done, cycles, (cycles + 9) / 10, static_cast<long long>(ms), left);
  return rrasbridge::test::Finish();
}
