#include "host_link.h"

#include <algorithm>
#include <cstdint>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>
#ifdef _WIN32
#include "../common/win32.h"
#else
#include <unistd.h>
#endif

#include "../common/compat.h"
#include "event_queue.h"
#include "log.h"

namespace rrasbridge {
namespace {

using wire::MsgType;
using wire::Value;

constexpr wire::Field kHelloMagic = wire::RequestField(MsgType::Hello, "magic");
constexpr wire::Field kHelloMinVersion = wire::RequestField(MsgType::Hello, "minVersion");
constexpr wire::Field kHelloMaxVersion = wire::RequestField(MsgType::Hello, "maxVersion");
constexpr wire::Field kHelloToken = wire::RequestField(MsgType::Hello, "token");
constexpr wire::Field kHelloPid = wire::RequestField(MsgType::Hello, "pid");
constexpr wire::Field kReplyVersion = wire::ReplyField(MsgType::Hello, "version");
constexpr wire::Field kReplyProtocolId = wire::ReplyField(MsgType::Hello, "protocolId");
constexpr wire::Field kReplyName = wire::ReplyField(MsgType::Hello, "name");
constexpr wire::Field kReplyGeneration = wire::ReplyField(MsgType::Hello, "generation");
constexpr wire::Field kReplyHeartbeat = wire::ReplyField(MsgType::Hello, "heartbeatMs");

constexpr size_t kTokenBytes = 32;
constexpr uint32_t kAcceptSliceMs = 100;  // a host that dies at start-up is seen this soon
constexpr size_t kOutputInError = 1024;    // bytes of the host's output in a start error
constexpr std::chrono::milliseconds kQueuePollInterval{1};  // WaitForQueueBelow

bool SameBytes(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;  // constant time: the token is a secret
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

bool FileExists(const std::string& utf8) {
#ifdef _WIN32
  return ::GetFileAttributesW(win::Wide(utf8).c_str()) != INVALID_FILE_ATTRIBUTES;
#else
  return ::access(utf8.c_str(), F_OK) == 0;
#endif
}

std::string FindHostEntry(const ProtocolConfig& c) {
  if (!c.hostEntry.empty()) return c.hostEntry;
  // build/Release/<lib> and prebuilds/<platform>/<lib> both sit two levels below the package.
  std::string dir = LibraryDirectory();
  for (const char* rel : {"/../../dist/lib/host/main.js", "/../dist/lib/host/main.js",
                          "/../../../dist/lib/host/main.js"}) {
    std::string p = dir + rel;
    if (FileExists(p)) return p;
  }
  return dir + "/../../dist/lib/host/main.js";
}

// Node decodes its command line as UTF-8: any other byte would make it open another path.
// Returns the offset of the first byte that is not part of valid UTF-8, or npos.
size_t InvalidUtf8At(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return i;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (d & 0x3F);
    }
    static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += n;
  }
  return std::string::npos;
}

// The string with bytes outside printable ASCII as \xNN, for a log line.
std::string Escaped(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

HostLink::HostLink(const ProtocolConfig& config, Callbacks callbacks, uint32_t generation)
    : config_(config),
      log_(config.name, config.logFile, LogLevelOf(config.logLevel)),
      callbacks_(std::move(callbacks)),
      generation_(generation) {
  log_.Tap(callbacks_.logTap);
}

HostLink::~HostLink() {
  Shutdown(Clock::now());
  // The output's tail has been logged when it mattered; the file goes with its directory.
  if (!outputLog_.empty()) std::remove(outputLog_.c_str());
}

bool HostLink::Launch(Deadline deadline, std::string& err,
                      const std::function<bool(std::string&)>& whileBooting) {
  if (!listener_.Open(err)) return false;
  unsigned char tokenBytes[kTokenBytes];
  if (!RandomBytes(tokenBytes, sizeof tokenBytes)) {
    err = "no random bytes for the token";
    return false;
  }
  const std::string token(reinterpret_cast<char*>(tokenBytes), sizeof tokenBytes);
  std::vector<std::string> argv;
  argv.push_back(config_.nodePath.empty() ? "node" : config_.nodePath);
  for (const auto& a : config_.nodeArgs) argv.push_back(a);
  argv.push_back(FindHostEntry(config_));
  argv.insert(argv.end(), {"--protocol-id", std::to_string(config_.protocolId), "--name",
                           config_.name, "--module", config_.module, "--address",
                           listener_.address(), "--generation", std::to_string(generation_),
                           "--log-level", std::to_string(config_.logLevel)});
  // argv[0] is executed by the OS (bytes are fine); node reads the rest as UTF-8.
  for (size_t i = 1; i < argv.size(); ++i) {
    const size_t bad = InvalidUtf8At(argv[i]);
    if (bad == std::string::npos) continue;
    err = "the host's argument '" + Escaped(argv[i]) + "' is not valid UTF-8 (at byte " +
          std::to_string(bad) + "): Node cannot represent it, so it would load another path";
    return false;
  }
  outputLog_ = listener_.address() + ".out.log";
  if (!process_.Spawn(argv, Hex(tokenBytes, sizeof tokenBytes) + "\n", outputLog_, err))
    return false;
  {
    std::string command;
    for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;
    log_(LogLevel::Info, "host pid %u (generation %u): %s", unsigned(process_.pid()),
         unsigned(generation_), command.c_str());
  }
  if (whileBooting && !whileBooting(err)) return false;

  Stream stream;
  // Other local processes may connect first, at any rate: each is refused, at most one line a
  // second is logged, and the count of the others follows.
  LogThrottle refusals;
  auto reportHeld = [&] {
    if (const uint64_t n = refusals.TakeHeld())
      log_(LogLevel::Warn, "channel: %llu more refused connection(s) not logged", static_cast<unsigned long long>(n));
  };
  for (;;) {
    // Short slices, so a host that dies at start-up is reported at once, not at the deadline.
    std::string why;
    const Deadline slice = std::min(deadline, DeadlineIn(kAcceptSliceMs));
    const AcceptStatus accepted = listener_.Accept(process_.pid(), slice, stream, why);
    if (accepted == AcceptStatus::Admitted) break;
    uint64_t held = 0;
    if (accepted == AcceptStatus::Refused && refusals.Allow(&held))
      log_(LogLevel::Warn, "channel: %s%s", why.c_str(),
           held ? (" (" + std::to_string(held) + " more refused before it, not logged)").c_str() : "");
    std::string exit = process_.WaitExit(0);
    if (exit.empty() && Clock::now() < deadline) continue;
    reportHeld();
    err = "host did not connect (" + (exit.empty() ? why : "it ended with " + exit) +
          "); host output: " + OutputTail(kOutputInError);
    return false;
  }
  reportHeld();
  // The hello and its reply are read before a version is agreed: the same in every version
  // (schema.h), so both are coded as the oldest.
  wire::FrameDecoder dec(config_.maxFrameBytes, wire::kMinVersion);
  wire::Message hello;
  if (!ReadMessage(stream.get(), dec, hello, deadline, err)) {
    err = "handshake: " + err + "; host output: " + OutputTail(kOutputInError);
    return false;
  }
  // The newest version both speak; config wireVersion caps the library's (0: its own).
  const uint32_t ours = config_.wireVersion ? std::min(config_.wireVersion, wire::kVersion) : wire::kVersion;
  const uint32_t hostMin = hello.U32(kHelloMinVersion), hostMax = hello.U32(kHelloMaxVersion);
  std::string refuse;
  if (hello.type != MsgType::Hello || hello.IsReply()) {
    refuse = "expected hello";
  } else if (hello.U32(kHelloMagic) != wire::kMagic) {
    refuse = "bad magic";
  } else if (hostMin > ours || hostMax < wire::kMinVersion || hostMin > hostMax) {
    refuse = "no common wire version (host speaks " + std::to_string(hostMin) + ".." +
             std::to_string(hostMax) + ", library " + std::to_string(wire::kMinVersion) + ".." +
             std::to_string(ours) + ")";
  } else if (!SameBytes(hello.Bytes(kHelloToken), token)) {
    refuse = "wrong token";
  } else if (hello.U32(kHelloPid) != process_.pid()) {
    refuse = "pid in hello does not match the peer";
  }
  std::string frame;
  if (!refuse.empty()) {
    wire::Encode(wire::Message::Reply(hello, ERROR_ACCESS_DENIED, refuse), frame, err, wire::kMinVersion);
    WriteAll(stream.get(), frame, deadline, err);
    err = "handshake refused: " + refuse;
    return false;
  }
  version_ = std::min(hostMax, ours);
  wire::Message reply = wire::Message::Reply(hello, NO_ERROR);
  reply.Set(kReplyVersion, Value::Num(version_));
  reply.Set(kReplyProtocolId, Value::Num(config_.protocolId));
  reply.Set(kReplyName, Value::Bytes(config_.name));
  reply.Set(kReplyGeneration, Value::Num(generation_));
  reply.Set(kReplyHeartbeat, Value::Num(config_.heartbeatMs));
  if (wire::Encode(reply, frame, err, wire::kMinVersion) != wire::EncodeStatus::Ok ||
      !WriteAll(stream.get(), frame, deadline, err))
    return false;
  listener_.StopListening();
  log_(LogLevel::Info, "host pid %u connected (generation %u, wire version %u)", process_.pid(),
       generation_, version_);
  Peer::Limits limits;
  limits.maxFrame = config_.maxFrameBytes;
  limits.highWater = config_.queueHighWaterBytes;
  limits.version = version_;
  peer_ = std::make_unique<Peer>(
      std::move(stream),
      Peer::Handlers{[this](wire::Message&& m) {
                       if (callbacks_.events) callbacks_.events->HoldSignals();
                       OnMessage(std::move(m));
                     },
                     [this](const std::string& r) { OnClose(r); },
                     [this] {
                       if (callbacks_.events) callbacks_.events->ReleaseSignals();
                     }},
      limits, dec.TakeBuffered());
  return true;
}

HostLink::Sent HostLink::Send(wire::MsgType type, std::vector<wire::Value> fields, Pending pending,
                              uint32_t* id, std::string& err) {
  uint32_t n = nextId_++;
  if (n == 0) n = nextId_++;
  // mu_ is held across the send (which only queues) and the bookkeeping, so Shutdown cannot
  // free the peer under us and the reply cannot be handled before the call is recorded.
  std::lock_guard<std::mutex> lock(mu_);
  if (lost_ || !peer_) {
    err = "host not connected" + (lostReason_.empty() ? "" : ": " + lostReason_);
    return {Failure::NotConnected};
  }
  Sent sent = SendLocked(wire::Message::Request(type, n, std::move(fields)), err);
  if (!sent) return sent;
  if (pending.options.timeoutMs)
    pending.expires = Clock::now() + std::chrono::milliseconds(pending.options.timeoutMs);
  pending_.emplace(n, std::move(pending));
  if (id) *id = n;
  return sent;
}

HostLink::Sent HostLink::CallAsync(wire::MsgType type, std::vector<wire::Value> fields,
                                   Completion done, std::string& err, CallOptions options) {
  return Send(type, std::move(fields), Pending{type, std::move(done), std::move(options)}, nullptr, err);
}

HostLink::Sent HostLink::Call(wire::MsgType type, std::vector<wire::Value> fields, uint32_t timeoutMs,
                              wire::Message& reply, std::string& err, CallOptions options) {
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    wire::Message reply;
    std::string failure;
  };
  auto w = std::make_shared<Waiter>();
  options.timeoutMs = 0;  // this thread keeps the deadline
  Pending p{type,
            [w](const wire::Message* r, const std::string& failure) {
              std::lock_guard<std::mutex> lock(w->mu);
              if (r) w->reply = *r;
              w->failure = r ? std::string() : failure;
              w->done = true;
              w->cv.notify_all();
            },
            std::move(options)};
  uint32_t id = 0;
  Sent sent = Send(type, std::move(fields), std::move(p), &id, err);
  if (!sent) return sent;
  std::unique_lock<std::mutex> lock(w->mu);
  if (!w->cv.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return w->done; })) {
    lock.unlock();
    if (Abandon(id)) {
      err = std::string("no answer from the host within ") + std::to_string(timeoutMs) + " ms";
      return {Failure::Timeout};
    }
    // The answer (or the loss) took the call first; its completion is running now.
    lock.lock();
    w->cv.wait(lock, [&] { return w->done; });
  }
  if (!w->failure.empty()) {
    err = w->failure;
    return {Failure::NotConnected};
  }
  reply = std::move(w->reply);
  return sent;
}

void HostLink::AbandonLocked(uint32_t id, Pending& p) {
  if (abandoned_.size() >= kMaxAbandoned) abandoned_.erase(abandoned_.begin());
  abandoned_[id] = Abandoned{p.type, std::move(p.options.late)};
}

bool HostLink::Abandon(uint32_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(id);
  if (it == pending_.end()) return false;
  AbandonLocked(id, it->second);
  pending_.erase(it);
  return true;
}

Clock::time_point HostLink::ExpireCalls(Clock::time_point now) {
  std::vector<std::pair<Completion, std::string>> expired;
  Clock::time_point next = Clock::time_point::max();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.expires > now) {
        next = std::min(next, it->second.expires);
        ++it;
        continue;
      }
      const CallOptions& o = it->second.options;
      expired.emplace_back(std::move(it->second.done),
                           "no answer from the host within " +
                               (o.deadlineName ? std::string(o.deadlineName) + " (" : std::string()) +
                               std::to_string(o.timeoutMs) + " ms" + (o.deadlineName ? ")" : ""));
      AbandonLocked(it->first, it->second);
      it = pending_.erase(it);
    }
  }
  for (auto& [done, why] : expired) done(nullptr, why);
  return next;
}

bool HostLink::Notify(wire::MsgType type, std::vector<wire::Value> fields, std::string& err) {
  std::lock_guard<std::mutex> lock(mu_);
  if (lost_ || !peer_) {
    err = "host not connected";
    return false;
  }
  return static_cast<bool>(SendLocked(wire::Message::Request(type, 0, std::move(fields)), err));
}

bool HostLink::WaitForQueueBelow(size_t bytes, Deadline until, std::string& err) const {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (lost_ || !peer_ || peer_->closed()) {
        err = "host not connected";
        return false;
      }
      if (peer_->queuedBytes() < bytes) return true;
    }
    if (Clock::now() >= until) {
      err = "the host did not read them in time";
      return false;
    }
    std::this_thread::sleep_for(kQueuePollInterval);
  }
}

HostLink::Sent HostLink::SendLocked(const wire::Message& m, std::string& err) {
  switch (peer_->Send(m, err)) {
    case SendResult::Sent:
      if (callbacks_.trace) callbacks_.trace->Message(true, m);
      return {};
    case SendResult::TooBig: return {Failure::Oversize};
    case SendResult::Unsupported: return {Failure::Unsupported};
    case SendResult::NotReading:
      // A host that stops reading is restarted, not waited for: closing the peer reports the
      // loss through OnClose on the I/O thread.
      peer_->Close("the host stopped reading: " + err);
      return {Failure::NotConnected};
    case SendResult::Closed:
    case SendResult::Invalid:  // the schema is ours: a mismatch is a bug, reported as is
      break;
  }
  return {Failure::NotConnected};
}

bool HostLink::Reply(const wire::Message& request, uint32_t status, std::string error,
                     std::vector<wire::Value> fields) {
  if (request.id == 0) return true;  // a notification
  std::string err;
  std::lock_guard<std::mutex> lock(mu_);
  if (!peer_ || !SendLocked(wire::Message::Reply(request, status, std::move(error), std::move(fields)), err)) {
    log_(LogLevel::Warn, "cannot reply to the host: %s", err.c_str());
    return false;
  }
  return true;
}

void HostLink::OnMessage(wire::Message&& m) {
  if (callbacks_.trace) callbacks_.trace->Message(false, m);
  if (m.unknownBytes && !warnedUnknown_.exchange(true)) {
    const wire::MessageSpec* spec = wire::FindSpec(m.type);
    log_(LogLevel::Warn,
         "the host sent %u byte(s) of fields that wire version %u does not have in '%s' (they are "
         "skipped; said once): it speaks a later version than it agreed to",
         m.unknownBytes, version_, spec ? spec->name : "?");
  }
  if (!m.IsReply()) {
    const wire::MessageSpec* spec = wire::FindSpec(m.type);
    if (spec->direction != wire::Direction::HostToDll) {
      Reply(m, ERROR_INVALID_FUNCTION, std::string("'") + spec->name +
                                           "' is not a request the host may send");
      return;
    }
    callbacks_.onRequest(*this, std::move(m));
    return;
  }
  Completion done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(m.id);
    if (it != pending_.end()) {
      done = std::move(it->second.done);
      pending_.erase(it);
    } else {
      auto late = abandoned_.find(m.id);
      if (late == abandoned_.end()) return;  // not a call of ours (or long forgotten)
      done = std::move(late->second.late);
      if (!done) {
        const wire::MessageSpec* spec = wire::FindSpec(late->second.type);
        log_(LogLevel::Warn, "'%s' answered after its deadline (status %u%s%s); the answer is dropped",
             spec ? spec->name : "?", m.status, m.error.empty() ? "" : ": ", m.error.c_str());
      }
      abandoned_.erase(late);
    }
  }
  if (done) done(&m, {});
}

void HostLink::FailAll(const std::string& reason) {
  std::map<uint32_t, Pending> failed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    lost_ = true;
    if (lostReason_.empty()) lostReason_ = reason;
    failed.swap(pending_);
    abandoned_.clear();  // no late answer can come any more
  }
  for (auto& [id, p] : failed) p.done(nullptr, "host lost: " + reason);
}

void HostLink::OnClose(const std::string& reason) {
  bool planned;
  {
    std::lock_guard<std::mutex> lock(mu_);
    planned = planned_;
  }
  FailAll(reason);
  if (callbacks_.onLost && !planned) callbacks_.onLost(reason);
}

size_t HostLink::pendingCalls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.size();
}

size_t HostLink::queuedBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peer_ ? peer_->queuedBytes() : 0;
}

std::string HostLink::Shutdown(Deadline exitBy) {
  std::unique_ptr<Peer> peer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    lost_ = true;
    planned_ = true;
    if (lostReason_.empty()) lostReason_ = "shut down by the library";
    peer = std::move(peer_);
  }
  peer.reset();  // closes and joins the I/O thread; OnClose has run
  FailAll("shut down by the library");
  // A host whose channel closed exits by itself: it has until the deadline, then it is killed.
  return process_.Terminate(static_cast<uint32_t>(MsLeft(exitBy)));
}

}  // namespace rrasbridge
