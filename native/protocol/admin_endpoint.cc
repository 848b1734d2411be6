#include "admin_endpoint.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <list>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#ifndef _WIN32
#include <pthread.h>
#include <unistd.h>
#endif

#include "../common/json_writer.h"
#include "../common/peer.h"
#include "../common/wire.h"
#include "admin_listener.h"
#include "config.h"
#include "instance.h"
#include "log.h"

namespace rrasbridge {
namespace {

using wire::Message;
using wire::MsgType;
using wire::Value;

constexpr size_t kMaxSessions = 16;
constexpr uint32_t kMaxFrameIn = 64u << 10;
constexpr size_t kHighWater = 16u << 20;
constexpr size_t kChunkBytes = 256u << 10;   // records per frame to a client
constexpr int kPumpMs = 20;                  // followed traces and logs are sent this often
constexpr size_t kPumpMaxRecords = 16384;    // per protocol and pump
constexpr uint32_t kRefusalWriteMs = 250;
constexpr int kLastWordsMs = 250;  // at close, for clients to read what was sent to them
constexpr uint32_t kAllLines = 0xFFFFFFFFu;

constexpr wire::Field kHelloMagic = wire::RequestField(MsgType::AdminHello, "magic");
constexpr wire::Field kHelloMin = wire::RequestField(MsgType::AdminHello, "minVersion");
constexpr wire::Field kHelloMax = wire::RequestField(MsgType::AdminHello, "maxVersion");
constexpr wire::Field kHelloVersion = wire::ReplyField(MsgType::AdminHello, "version");
constexpr wire::Field kHelloPid = wire::ReplyField(MsgType::AdminHello, "pid");
constexpr wire::Field kHelloLibrary = wire::ReplyField(MsgType::AdminHello, "library");
constexpr wire::Field kHelloProtocols = wire::ReplyField(MsgType::AdminHello, "protocols");
constexpr wire::Field kStatusProtocol = wire::RequestField(MsgType::AdminStatus, "protocol");
constexpr wire::Field kStatusDocument = wire::ReplyField(MsgType::AdminStatus, "status");
// adminTrace and adminLog take the same fields.
constexpr wire::Field kFollowProtocol = wire::RequestField(MsgType::AdminTrace, "protocol");
constexpr wire::Field kFollowFollow = wire::RequestField(MsgType::AdminTrace, "follow");
constexpr wire::Field kFollowBacklog = wire::RequestField(MsgType::AdminTrace, "backlog");
static_assert(kFollowBacklog.index() == wire::RequestField(MsgType::AdminLog, "backlog").index() &&
                  kFollowFollow.index() == wire::RequestField(MsgType::AdminLog, "follow").index() &&
                  kFollowProtocol.index() == wire::RequestField(MsgType::AdminLog, "protocol").index(),
              "adminTrace and adminLog share their request's fields");
constexpr wire::Field kRecords = wire::RequestField(MsgType::AdminTraceRecords, "records");
constexpr wire::Field kRecordsLost = wire::RequestField(MsgType::AdminTraceRecords, "lost");
constexpr wire::Field kLines = wire::RequestField(MsgType::AdminLogLines, "lines");
constexpr wire::Field kLinesLost = wire::RequestField(MsgType::AdminLogLines, "lost");
constexpr wire::Field kRestartProtocol = wire::RequestField(MsgType::AdminRestart, "protocol");
constexpr wire::Field kRestartReason = wire::RequestField(MsgType::AdminRestart, "reason");
constexpr wire::Field kRestartGeneration = wire::ReplyField(MsgType::AdminRestart, "generation");

uint32_t ProcessId() {
#ifdef _WIN32
  return ::GetCurrentProcessId();
#else
  return static_cast<uint32_t>(::getpid());
#endif
}

// "name", the protocol id in decimal, or in hex with 0x.
bool Matches(Instance& in, const std::string& which) {
  if (which.empty() || which == in.config().name) return true;
  char* end = nullptr;
  const unsigned long long id = std::strtoull(which.c_str(), &end, 0);
  return end && *end == '\0' && end != which.c_str() && id == in.config().protocolId;
}

std::string LogLineJson(const LogLine& l, const std::string& protocol) {
  static const char* const kLevels[] = {"error", "warn", "info", "debug"};
  std::string out;
  json::Writer w(out);
  w.Open()
      .Num("seq", l.seq)
      .Str("time", IsoTime(l.wallNs))
      .Str("protocol", protocol)
      .Str("level", kLevels[l.level & 3])
      .Str("origin", l.origin == "/js" ? "host" : "library")
      .Str("text", l.text)
      .Close();
  return out;
}

class Endpoint {
 public:
  void Attach(Instance& in);
  void Detach(Instance& in);
  bool running() {
    std::lock_guard<std::mutex> lock(mu_);
    return thread_.joinable();
  }

 private:
  struct Follow {
    Instance* instance;
    bool log;       // the log's lines, else the trace's records
    uint64_t seq;   // the last one sent
  };
  struct Session {
    AdminClient who;
    std::unique_ptr<Peer> peer;  // set under mu_ right after construction
    bool greeted = false;
    bool closed = false;
    std::vector<Follow> follows;
  };
  struct Attached {
    Instance* instance;
    int users = 0;  // requests working on it (Lease)
  };

  // The instances a request works on; they stay attached until the lease ends.
  class Lease {
   public:
    Lease(Endpoint& e, std::vector<Instance*> list) : e_(e), list_(std::move(list)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { e_.Return(list_); }
    const std::vector<Instance*>& get() const { return list_; }

   private:
    Endpoint& e_;
    std::vector<Instance*> list_;
  };

  std::unique_ptr<Lease> Borrow(const std::string& which, std::string& err);
  void Return(const std::vector<Instance*>& list);
  std::string Served();  // "a, b" (mu_ held)

  void Run();
  void Admit(Stream stream, const AdminClient& who);
  void Refuse(Stream stream, const std::string& why, uint32_t pid);
  void Reap();
  void Pump();
  void OnMessage(Session& s, Message&& m);
  void OnClose(Session& s);
  bool Send(Peer& peer, const Message& m);
  void Answer(Peer& peer, const Message& request, uint32_t status, std::string error,
              std::vector<Value> fields = {});
  bool SendLines(Peer& peer, MsgType type, const std::vector<std::string>& lines, uint64_t lost);
  // The records (trace) or lines (log) after `seq` of one protocol, as JSON lines; seq moves on.
  void Collect(Instance& in, bool log, uint64_t& seq, size_t max, std::vector<std::pair<int64_t, std::string>>& out,
               uint64_t& lost);

  void HandleHello(Session& s, Peer& peer, const Message& m);
  void HandleStatus(Peer& peer, const Message& m);
  void HandleFollow(Session& s, Peer& peer, const Message& m, bool log);
  void HandleRestart(const Session& s, Peer& peer, const Message& m);

  std::mutex lifecycleMu_;  // Attach and Detach, one at a time (taken before mu_)
  std::mutex mu_;
  std::condition_variable idle_;
  std::list<Attached> attached_;
  std::vector<std::shared_ptr<Session>> sessions_;
  // Set and reset under lifecycleMu_, while no thread of the endpoint runs.
  std::unique_ptr<AdminListener> listener_;
  std::thread thread_;
  bool stopping_ = false;
  Logger log_;  // the first protocol's log
  std::string directory_;
  LogThrottle refusals_;  // one line a second: a local process hammering us cannot flood the log
};

// ---- attach and detach ---------------------------------------------------------------------

void Endpoint::Attach(Instance& in) {
  std::lock_guard<std::mutex> outer(lifecycleMu_);
  std::lock_guard<std::mutex> lock(mu_);
  for (const Attached& a : attached_)
    if (a.instance == &in) return;
  attached_.push_back({&in});
  const ProtocolConfig& c = in.config();
  const std::string dir = c.adminDirectory.empty() ? DefaultAdminDirectory() : c.adminDirectory;
  Logger log(c.name, c.logFile, LogLevelOf(c.logLevel));
  log.Tap(in.telemetry().log);
  if (thread_.joinable()) {
#ifndef _WIN32
    if (dir != directory_)
      log(LogLevel::Warn, "admin endpoint: already open in %s; adminDirectory %s is not used",
          directory_.c_str(), dir.c_str());
#endif
    return;
  }
  auto listener = std::make_unique<AdminListener>();
  std::string err;
  if (!listener->Open(dir, err)) {
    log(LogLevel::Warn, "admin endpoint not opened (rras-bridge status cannot reach this library): %s",
        err.c_str());
    return;
  }
  if (!err.empty()) log(LogLevel::Warn, "admin endpoint: %s", err.c_str());
  log(LogLevel::Info, "admin endpoint: %s", listener->address().c_str());
  listener_ = std::move(listener);
  directory_ = dir;
  log_ = log;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void Endpoint::Detach(Instance& in) {
  std::lock_guard<std::mutex> outer(lifecycleMu_);
  std::thread thread;
  {
    std::unique_lock<std::mutex> lock(mu_);
    auto it = std::find_if(attached_.begin(), attached_.end(), [&](const Attached& a) { return a.instance == &in; });
    if (it == attached_.end()) return;
    idle_.wait(lock, [&] { return it->users == 0; });  // list iterators stay valid
    attached_.erase(it);
    for (auto& s : sessions_) {
      auto& f = s->follows;
      const bool followed = !f.empty();
      for (auto fi = f.begin(); fi != f.end();) {
        if (fi->instance != &in) {
          ++fi;
          continue;
        }
        // What the pump has not sent yet (the stop's own records) goes first.
        std::vector<std::pair<int64_t, std::string>> items;
        uint64_t lost = 0;
        Collect(in, fi->log, fi->seq, kPumpMaxRecords, items, lost);
        std::vector<std::string> lines;
        for (auto& i : items) lines.push_back(std::move(i.second));
        if (!s->closed && (!lines.empty() || lost))
          SendLines(*s->peer, fi->log ? MsgType::AdminLogLines : MsgType::AdminTraceRecords, lines, lost);
        if (!fi->log) in.telemetry().trace.RemoveFollower();
        fi = f.erase(fi);
      }
      // A client that followed only this protocol has nothing left to wait for.
      if (followed && f.empty()) s->peer->CloseWhenSent("the protocol stopped");
    }
    if (!attached_.empty() || !thread_.joinable()) return;
    stopping_ = true;
    thread = std::move(thread_);
  }
  listener_->Wake();
  thread.join();
  listener_.reset();  // removes the socket
}

std::unique_ptr<Endpoint::Lease> Endpoint::Borrow(const std::string& which, std::string& err) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Instance*> list;
  for (Attached& a : attached_)
    if (Matches(*a.instance, which)) {
      ++a.users;
      list.push_back(a.instance);
    }
  if (list.empty())
    err = attached_.empty() ? "no protocol is running" : "no protocol named '" + which + "' (running: " + Served() + ")";
  return std::make_unique<Lease>(*this, std::move(list));
}

void Endpoint::Return(const std::vector<Instance*>& list) {
  if (list.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (Attached& a : attached_)
    if (std::find(list.begin(), list.end(), a.instance) != list.end()) --a.users;
  idle_.notify_all();
}

std::string Endpoint::Served() {
  std::string names;
  for (const Attached& a : attached_) names += (names.empty() ? "" : ", ") + a.instance->config().name;
  return names;
}

// ---- the endpoint's thread -----------------------------------------------------------------

void Endpoint::Run() {
#ifdef __linux__
  pthread_setname_np(pthread_self(), "rras-admin");  // for people (top -H) and tests
#endif
  for (;;) {
    bool following;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
      following = std::any_of(sessions_.begin(), sessions_.end(), [](const auto& s) { return !s->follows.empty(); });
    }
    Stream stream;
    AdminClient who;
    std::string err;
    const AdminListener::Event e = listener_->Next(following ? kPumpMs : -1, stream, who, err);
    if (e == AdminListener::Event::Failed) {
      log_(LogLevel::Error, "admin endpoint: %s; it stops answering", err.c_str());
      break;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    if (e == AdminListener::Event::Accepted) {
      if (who.admitted) Admit(std::move(stream), who);
      else Refuse(std::move(stream), who.refusal, who.pid);
    }
    Reap();
    if (following) Pump();
  }
  std::vector<std::shared_ptr<Session>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.swap(sessions_);
  }
  // What was sent is delivered, within a bound: a client that does not read is not waited for.
  for (auto& s : all) s->peer->CloseWhenSent("the library closes its admin endpoint");
  const Deadline last = DeadlineIn(kLastWordsMs);
  while (Clock::now() < last && std::any_of(all.begin(), all.end(), [](const auto& s) { return !s->peer->closed(); }))
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  for (auto& s : all) s->peer.reset();  // closes and joins each client's I/O thread
}

void Endpoint::Refuse(Stream stream, const std::string& why, uint32_t pid) {
  Message hello;
  hello.type = MsgType::AdminHello;
  std::string frame, err;
  if (wire::Encode(Message::Reply(hello, ERROR_ACCESS_DENIED, why), frame, err) == wire::EncodeStatus::Ok)
    WriteAll(stream.get(), frame, DeadlineIn(kRefusalWriteMs), err);
  uint64_t held = 0;
  if (refusals_.Allow(&held))
    log_(LogLevel::Warn, "admin endpoint: refused a connection from pid %u: %s%s", unsigned(pid), why.c_str(),
         held ? (" (" + std::to_string(held) + " more refused before it, not logged)").c_str() : "");
}

void Endpoint::Admit(Stream stream, const AdminClient& who) {
  std::lock_guard<std::mutex> lock(mu_);
  if (sessions_.size() >= kMaxSessions) {
    Message hello;
    hello.type = MsgType::AdminHello;
    std::string frame, err;
    if (wire::Encode(Message::Reply(hello, ERROR_CAN_NOT_COMPLETE,
                                    "too many admin connections (" + std::to_string(kMaxSessions) + ")"),
                     frame, err) == wire::EncodeStatus::Ok)
      WriteAll(stream.get(), frame, DeadlineIn(kRefusalWriteMs), err);
    return;
  }
  auto s = std::make_shared<Session>();
  s->who = who;
  Session* raw = s.get();
  Peer::Limits limits;
  limits.maxFrame = wire::kDefaultMaxFrame;
  limits.maxFrameIn = kMaxFrameIn;
  limits.highWater = kHighWater;
  limits.version = wire::kAdminMinVersion;  // the hello's, until it agrees on one
  // The I/O thread may call in at once: it waits for mu_, so s->peer is set by then.
  s->peer = std::make_unique<Peer>(std::move(stream),
                                   Peer::Handlers{[this, raw](Message&& m) { OnMessage(*raw, std::move(m)); },
                                                  [this, raw](const std::string&) { OnClose(*raw); },
                                                  {}},
                                   limits);
  sessions_.push_back(std::move(s));
}

void Endpoint::OnClose(Session& s) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    s.closed = true;
  }
  listener_->Wake();  // the endpoint's thread reaps it
}

void Endpoint::Reap() {
  std::vector<std::shared_ptr<Session>> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (!(*it)->closed) {
        ++it;
        continue;
      }
      for (const Follow& f : (*it)->follows)
        if (!f.log) f.instance->telemetry().trace.RemoveFollower();
      (*it)->follows.clear();
      done.push_back(std::move(*it));
      it = sessions_.erase(it);
    }
  }
  for (auto& s : done) s->peer.reset();  // its I/O thread has ended: this joins it
}

void Endpoint::Collect(Instance& in, bool log, uint64_t& seq, size_t max,
                       std::vector<std::pair<int64_t, std::string>>& out, uint64_t& lost) {
  const std::string& name = in.config().name;
  if (log) {
    std::vector<LogLine> lines;
    lost += in.telemetry().log->Read(seq, max, lines);
    for (const LogLine& l : lines) {
      seq = l.seq;
      out.emplace_back(l.wallNs, LogLineJson(l, name));
    }
    return;
  }
  const TraceRing& ring = in.telemetry().trace;
  std::vector<TraceRecord> records;
  lost += ring.Read(seq, max, records);
  for (const TraceRecord& r : records) {
    seq = r.seq;
    std::string line;
    AppendTraceJson(line, r, ring, name);
    out.emplace_back(ring.WallNs(r.timeNs), std::move(line));
  }
}

void Endpoint::Pump() {
  struct Work {
    std::shared_ptr<Session> session;
    std::vector<Follow> follows;
  };
  std::vector<Work> work;
  std::vector<Instance*> used;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& s : sessions_) {
      if (s->closed || s->follows.empty()) continue;
      work.push_back({s, s->follows});
      for (const Follow& f : s->follows) {
        for (Attached& a : attached_)
          if (a.instance == f.instance) ++a.users;
        used.push_back(f.instance);
      }
    }
  }
  Lease lease(*this, used);  // the follows' protocols stay attached while we read them
  for (Work& w : work) {
    std::vector<std::pair<int64_t, std::string>> items;
    uint64_t lost = 0;
    for (Follow& f : w.follows) Collect(*f.instance, f.log, f.seq, kPumpMaxRecords, items, lost);
    if (items.empty() && !lost) continue;
    std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> lines;
    lines.reserve(items.size());
    for (auto& i : items) lines.push_back(std::move(i.second));
    const bool log = w.follows.front().log;
    if (!SendLines(*w.session->peer, log ? MsgType::AdminLogLines : MsgType::AdminTraceRecords, lines, lost)) continue;
    std::lock_guard<std::mutex> lock(mu_);
    for (Follow& mine : w.session->follows)
      for (const Follow& done : w.follows)
        if (mine.instance == done.instance && mine.log == done.log) mine.seq = done.seq;
  }
}

// ---- requests, on the client's I/O thread --------------------------------------------------

bool Endpoint::Send(Peer& peer, const Message& m) {
  std::string err;
  if (peer.Send(m, err) == SendResult::Sent) return true;
  peer.Close("admin client: " + err);  // not reading, or gone
  return false;
}

void Endpoint::Answer(Peer& peer, const Message& request, uint32_t status, std::string error,
                      std::vector<Value> fields) {
  Send(peer, Message::Reply(request, status, std::move(error), std::move(fields)));
}

bool Endpoint::SendLines(Peer& peer, MsgType type, const std::vector<std::string>& lines, uint64_t lost) {
  std::string chunk;
  auto flush = [&] {
    const bool traced = type == MsgType::AdminTraceRecords;
    Message m = Message::Request(type, 0);
    m.Set(traced ? kRecords : kLines, Value::Bytes(std::move(chunk)));
    m.Set(traced ? kRecordsLost : kLinesLost, Value::Num(std::min<uint64_t>(lost, 0xFFFFFFFFu)));
    const bool ok = Send(peer, m);
    chunk.clear();
    lost = 0;
    return ok;
  };
  for (const std::string& l : lines) {
    if (!chunk.empty() && chunk.size() + l.size() + 1 > kChunkBytes && !flush()) return false;
    chunk += l;
    chunk += '\n';
  }
  return (chunk.empty() && !lost) || flush();
}

void Endpoint::OnMessage(Session& s, Message&& m) {
  Peer* peer;
  bool greeted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    peer = s.peer.get();
    greeted = s.greeted;
  }
  const wire::MessageSpec* spec = wire::FindSpec(m.type);
  if (m.IsReply() || spec->direction != wire::Direction::AdminToDll) {
    Answer(*peer, m, ERROR_INVALID_FUNCTION, std::string("'") + spec->name + "' is not an admin request");
    peer->CloseWhenSent("not an admin request");
    return;
  }
  if (!greeted && m.type != MsgType::AdminHello) {
    Answer(*peer, m, ERROR_ACCESS_DENIED, "the first message must be adminHello");
    peer->CloseWhenSent("no adminHello");
    return;
  }
  switch (m.type) {
    case MsgType::AdminHello: return HandleHello(s, *peer, m);
    case MsgType::AdminStatus: return HandleStatus(*peer, m);
    case MsgType::AdminTrace: return HandleFollow(s, *peer, m, false);
    case MsgType::AdminLog: return HandleFollow(s, *peer, m, true);
    case MsgType::AdminRestart: return HandleRestart(s, *peer, m);
    default: Answer(*peer, m, ERROR_NOT_SUPPORTED, std::string("'") + spec->name + "' is not supported");
  }
}

void Endpoint::HandleHello(Session& s, Peer& peer, const Message& m) {
  // The newest version both speak, from the first with the admin messages.
  const uint32_t lo = m.U32(kHelloMin), hi = m.U32(kHelloMax);
  if (m.U32(kHelloMagic) != wire::kMagic || lo > wire::kVersion || hi < wire::kAdminMinVersion || lo > hi) {
    Answer(peer, m, ERROR_NOT_SUPPORTED,
           "no common version (the client speaks " + std::to_string(lo) + ".." + std::to_string(hi) +
               ", this library's admin endpoint " + std::to_string(wire::kAdminMinVersion) + ".." +
               std::to_string(wire::kVersion) + ")");
    peer.CloseWhenSent("no common version");
    return;
  }
  std::string err, list;
  auto lease = Borrow("", err);
  json::Writer w(list);
  w.OpenArray();
  for (Instance* in : lease->get()) {
    const InstanceStatus st = in->Snapshot();
    w.Open().Num("protocolId", st.protocolId).Str("name", st.name).Str("state", st.state).Close();
  }
  w.CloseArray();
  {
    std::lock_guard<std::mutex> lock(mu_);
    s.greeted = true;
  }
  const uint32_t agreed = std::min(hi, wire::kVersion);
  peer.SetVersion(agreed);  // the hello's reply is the same in every version
  Message reply = Message::Reply(m, NO_ERROR);
  reply.Set(kHelloVersion, Value::Num(agreed));
  reply.Set(kHelloPid, Value::Num(ProcessId()));
  reply.Set(kHelloLibrary, Value::Bytes(LibraryDirectory()));
  reply.Set(kHelloProtocols, Value::Bytes(list));
  Send(peer, reply);
}

void Endpoint::HandleStatus(Peer& peer, const Message& m) {
  std::string err;
  auto lease = Borrow(m.Bytes(kStatusProtocol), err);
  if (lease->get().empty()) return Answer(peer, m, ERROR_NOT_FOUND, err);
  std::string library;
  json::Writer(library).Open().Num("pid", ProcessId()).Str("directory", LibraryDirectory()).Close();
  // {"library": {...}, "protocols": [each protocol's StatusJson]}
  std::string doc = "{\"library\":" + library + ",\"protocols\":[";
  for (size_t i = 0; i < lease->get().size(); ++i) {
    Instance* in = lease->get()[i];
    if (i) doc += ',';
    doc += StatusJson(in->Snapshot(), in->telemetry());
  }
  doc += "]}";
  Message reply = Message::Reply(m, NO_ERROR);
  reply.Set(kStatusDocument, Value::Bytes(std::move(doc)));
  Send(peer, reply);
}

void Endpoint::HandleFollow(Session& s, Peer& peer, const Message& m, bool log) {
  std::string err;
  auto lease = Borrow(m.Bytes(kFollowProtocol), err);
  if (lease->get().empty()) return Answer(peer, m, ERROR_NOT_FOUND, err);
  const bool follow = m.U32(kFollowFollow) != 0;
  const uint32_t backlog = m.U32(kFollowBacklog);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (std::any_of(s.follows.begin(), s.follows.end(), [&](const Follow& f) { return f.log != log; }))
      return Answer(peer, m, ERROR_INVALID_PARAMETER, "one connection follows a trace or a log, not both");
  }
  std::vector<std::pair<int64_t, std::string>> items;
  std::vector<Follow> follows;
  for (Instance* in : lease->get()) {
    uint64_t seq = log ? in->telemetry().log->lastSeq() : in->telemetry().trace.lastSeq();
    if (backlog) {
      // The trace: the whole ring; the log: the last `backlog` lines.
      uint64_t from = 0;
      if (log && backlog != kAllLines) from = seq > backlog ? seq - backlog : 0;
      uint64_t ignored = 0;  // lines older than those kept are not "lost" to this reader
      Collect(*in, log, from, log ? LogRing::kMaxLines : ~size_t(0), items, ignored);
      seq = std::max(seq, from);
    }
    if (follow) {
      if (!log) in->telemetry().trace.AddFollower();
      follows.push_back({in, log, seq});
    }
  }
  std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> lines;
  lines.reserve(items.size());
  for (auto& i : items) lines.push_back(std::move(i.second));
  if (!lines.empty() && !SendLines(peer, log ? MsgType::AdminLogLines : MsgType::AdminTraceRecords, lines, 0)) {
    for (const Follow& f : follows)
      if (!f.log) f.instance->telemetry().trace.RemoveFollower();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    s.follows.insert(s.follows.end(), follows.begin(), follows.end());
  }
  Answer(peer, m, NO_ERROR, {});
  if (follow) listener_->Wake();  // the pump starts
}

void Endpoint::HandleRestart(const Session& s, Peer& peer, const Message& m) {
  std::string err;
  auto lease = Borrow(m.Bytes(kRestartProtocol), err);
  if (lease->get().empty()) return Answer(peer, m, ERROR_NOT_FOUND, err);
  if (lease->get().size() > 1) {
    std::string names;
    for (Instance* in : lease->get()) names += (names.empty() ? "" : ", ") + in->config().name;
    return Answer(peer, m, ERROR_INVALID_PARAMETER, "name the protocol to restart: " + names);
  }
  const std::string& asked = m.Bytes(kRestartReason);
  const std::string reason = (asked.empty() ? std::string("rras-bridge restart") : asked) +
                             " (requested by pid " + std::to_string(s.who.pid) +
#ifndef _WIN32
                             ", uid " + std::to_string(s.who.uid) +
#endif
                             ")";
  uint32_t generation = 0;
  const std::string refused = lease->get().front()->RequestRestart(reason, generation);
  if (!refused.empty()) return Answer(peer, m, ERROR_CAN_NOT_COMPLETE, refused);
  Message reply = Message::Reply(m, NO_ERROR);
  reply.Set(kRestartGeneration, Value::Num(generation));
  Send(peer, reply);
}

// Made by the first Attach; freed by ReleaseAtUnload, never by a static destructor (at exit,
// the endpoint's thread may still run).
std::mutex gEndpointMu;
Endpoint* gEndpoint = nullptr;

Endpoint& TheEndpoint() {
  std::lock_guard<std::mutex> lock(gEndpointMu);
  if (!gEndpoint) gEndpoint = std::make_unique<Endpoint>().release();
  return *gEndpoint;
}

}  // namespace

void AdminEndpoint::Attach(Instance& instance) { TheEndpoint().Attach(instance); }

void AdminEndpoint::Detach(Instance& instance) {
  {
    std::lock_guard<std::mutex> lock(gEndpointMu);
    if (!gEndpoint) return;
  }
  TheEndpoint().Detach(instance);
}

void AdminEndpoint::ReleaseAtUnload() {
  std::lock_guard<std::mutex> lock(gEndpointMu);
  if (!gEndpoint || gEndpoint->running()) return;  // every protocol is idle: it has no thread
  delete gEndpoint;
  gEndpoint = nullptr;
}

}  // namespace rrasbridge
