#include "host_link.h"

#include <algorithm>
#include <cstring>
#ifdef _WIN32
#include "../common/win32.h"
#else
#include <unistd.h>
#endif

#include "log.h"

namespace rrasbridge {
namespace {

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

}  // namespace

HostLink::HostLink(const ProtocolConfig& config, Callbacks callbacks, uint32_t generation)
    : config_(config),
      log_(config.name, config.logFile),
      callbacks_(std::move(callbacks)),
      generation_(generation) {}

HostLink::~HostLink() {
  Shutdown(0);
  // The output's tail has been logged when it mattered; the file goes with its directory.
  if (!outputLog_.empty()) std::remove(outputLog_.c_str());
}

bool HostLink::Launch(std::string& err) {
  const Deadline deadline = DeadlineIn(config_.startTimeoutMs);
  if (!listener_.Open(err)) return false;
  unsigned char tokenBytes[32];
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
                           listener_.address(), "--generation", std::to_string(generation_)});
  outputLog_ = listener_.address() + ".out.log";
  if (!process_.Spawn(argv, Hex(tokenBytes, sizeof tokenBytes) + "\n", outputLog_, err))
    return false;
  {
    std::string command;
    for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;
    log_(LogLevel::Info, "host pid %u (generation %u): %s", unsigned(process_.pid()),
         unsigned(generation_), command.c_str());
  }

  Stream stream;
  for (;;) {
    // Short slices, so a host that dies at start-up is reported at once, not at the deadline.
    std::string why;
    const Deadline slice = std::min(deadline, DeadlineIn(100));
    if (listener_.Accept(process_.pid(), slice, stream, why)) break;
    if (why.rfind("refused", 0) == 0) {
      log_(LogLevel::Warn, "channel: %s", why.c_str());
      continue;
    }
    std::string exit = process_.WaitExit(0);
    if (exit.empty() && Clock::now() < deadline) continue;
    err = "host did not connect (" + (exit.empty() ? why : "it ended with " + exit) +
          "); host output: " + OutputTail(1024);
    return false;
  }
  wire::FrameDecoder dec(config_.maxFrameBytes);
  wire::Message hello;
  if (!ReadMessage(stream.get(), dec, hello, deadline, err)) {
    err = "handshake: " + err + "; host output: " + OutputTail(1024);
    return false;
  }
  std::string refuse;
  if (hello.type != wire::MsgType::Hello || hello.IsReply()) {
    refuse = "expected hello";
  } else if (hello.U32(0) != wire::kMagic) {
    refuse = "bad magic";
  } else if (hello.U32(1) > wire::kVersion || hello.U32(2) < wire::kMinVersion) {
    refuse = "no common wire version (host speaks " + std::to_string(hello.U32(1)) + ".." +
             std::to_string(hello.U32(2)) + ", library " + std::to_string(wire::kMinVersion) +
             ".." + std::to_string(wire::kVersion) + ")";
  } else if (!SameBytes(hello.Bytes(3), token)) {
    refuse = "wrong token";
  } else if (hello.U32(4) != process_.pid()) {
    refuse = "pid in hello does not match the peer";
  }
  std::string frame;
  if (!refuse.empty()) {
    wire::Encode(wire::Message::Reply(hello, 5 /*ERROR_ACCESS_DENIED*/, refuse), frame, err);
    WriteAll(stream.get(), frame, deadline, err);
    err = "handshake refused: " + refuse;
    return false;
  }
  const uint32_t version = std::min(hello.U32(2), wire::kVersion);
  wire::Encode(wire::Message::Reply(hello, 0, {},
                                    {wire::Value::Num(version),
                                     wire::Value::Num(config_.protocolId),
                                     wire::Value::Bytes(config_.name),
                                     wire::Value::Num(generation_),
                                     wire::Value::Num(config_.heartbeatMs)}),
               frame, err);
  if (!WriteAll(stream.get(), frame, deadline, err)) return false;
  listener_.StopListening();
  Peer::Limits limits;
  limits.maxFrame = config_.maxFrameBytes;
  limits.highWater = config_.queueHighWaterBytes;
  peer_ = std::make_unique<Peer>(
      std::move(stream),
      Peer::Handlers{[this](wire::Message&& m) { OnMessage(std::move(m)); },
                     [this](const std::string& r) { OnClose(r); }},
      limits, dec.TakeBuffered());
  return true;
}

bool HostLink::CallAsync(wire::MsgType type, std::vector<wire::Value> fields, Completion done,
                         std::string& err) {
  uint32_t id = nextId_++;
  if (id == 0) id = nextId_++;
  // mu_ is held across Send (which only queues) so Shutdown cannot free the peer under us.
  std::lock_guard<std::mutex> lock(mu_);
  if (lost_ || !peer_) {
    err = "host not connected" + (lostReason_.empty() ? "" : ": " + lostReason_);
    return false;
  }
  if (!SendLocked(wire::Message::Request(type, id, std::move(fields)), err)) return false;
  pending_.emplace(id, std::move(done));
  return true;
}

bool HostLink::Call(wire::MsgType type, std::vector<wire::Value> fields, uint32_t timeoutMs,
                    wire::Message& reply, std::string& err) {
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    wire::Message reply;
    std::string failure;
  };
  auto w = std::make_shared<Waiter>();
  bool sent = CallAsync(
      type, std::move(fields),
      [w](const wire::Message* r, const std::string& failure) {
        std::lock_guard<std::mutex> lock(w->mu);
        if (r) w->reply = *r;
        w->failure = r ? std::string() : failure;
        w->done = true;
        w->cv.notify_all();
      },
      err);
  if (!sent) return false;
  std::unique_lock<std::mutex> lock(w->mu);
  if (!w->cv.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return w->done; })) {
    // The late reply (if any) lands in the shared waiter and is dropped.
    err = std::string("no answer from the host within ") + std::to_string(timeoutMs) + " ms";
    return false;
  }
  if (!w->failure.empty()) {
    err = w->failure;
    return false;
  }
  reply = std::move(w->reply);
  return true;
}

bool HostLink::Notify(wire::MsgType type, std::vector<wire::Value> fields, std::string& err) {
  std::lock_guard<std::mutex> lock(mu_);
  if (lost_ || !peer_) {
    err = "host not connected";
    return false;
  }
  return SendLocked(wire::Message::Request(type, 0, std::move(fields)), err);
}

bool HostLink::SendLocked(const wire::Message& m, std::string& err) {
  if (peer_->Send(m, err)) return true;
  // A host that stops reading is restarted, not waited for: closing the peer reports the
  // loss through OnClose on the I/O thread.
  if (err.rfind("peer is not reading", 0) == 0) peer_->Close("the host stopped reading: " + err);
  return false;
}

bool HostLink::Reply(const wire::Message& request, uint32_t status, std::string error,
                     std::vector<wire::Value> fields) {
  if (request.id == 0) return true;  // a notification
  std::string err;
  std::lock_guard<std::mutex> lock(mu_);
  if (!peer_ || !SendLocked(wire::Message::Reply(request, status, std::move(error), std::move(fields)),
                            err)) {
    log_(LogLevel::Warn, "cannot reply to the host: %s", err.c_str());
    return false;
  }
  return true;
}

void HostLink::OnMessage(wire::Message&& m) {
  if (!m.IsReply()) {
    const wire::MessageSpec* spec = wire::FindSpec(m.type);
    if (spec->direction != wire::Direction::HostToDll) {
      Reply(m, 1 /*ERROR_INVALID_FUNCTION*/, std::string("'") + spec->name +
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
    if (it == pending_.end()) return;  // answered after its caller gave up
    done = std::move(it->second);
    pending_.erase(it);
  }
  done(&m, {});
}

void HostLink::FailAll(const std::string& reason) {
  std::map<uint32_t, Completion> failed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    lost_ = true;
    if (lostReason_.empty()) lostReason_ = reason;
    failed.swap(pending_);
  }
  for (auto& [id, done] : failed) done(nullptr, "host lost: " + reason);
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

std::string HostLink::Shutdown(uint32_t graceMs) {
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
  // A host whose channel closed exits by itself; give it that chance before signalling it.
  if (graceMs > 0) {
    std::string ended = process_.WaitExit(std::min<uint32_t>(graceMs, 2000));
    if (!ended.empty()) return ended;
  }
  return process_.Terminate(graceMs);
}

}  // namespace rrasbridge
