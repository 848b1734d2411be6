// The host's end of the channel to the protocol library, as a JS class; also the operator
// tools' connection to the library's admin endpoint (connectAdmin), with the same framing.
//
// A native thread connects and performs the handshake, which agrees on the wire version both
// ways of the channel then speak. Then, on POSIX, the JS thread reads the socket itself, from
// its event loop (fd_watch.h: a uv_poll_t), and delivers what it read directly: no other
// thread wakes per message (issue 12). On Windows (selected at compile time: a named pipe
// cannot be uv_poll'ed) the Peer's I/O thread reads, and what it receives reaches JS through
// one ThreadSafeFunction per channel (never blocking the I/O thread on JS); POSIX uses that
// path too while the I/O thread reads (below, and while JS works through a backlog longer
// than kSpillAfter), and for the connect's outcome and the close.
// close() cancels a connect in progress, stops watching the socket, then stops and joins
// both threads; an environment cleanup hook does the same before the environment is torn
// down.
//
// While a debugger holds the JS thread (paused at a breakpoint, stepping), the I/O thread
// reads (POSIX: handed the socket until the pause ends; what it reads meanwhile is queued and
// delivered in order afterwards) and answers the library's heartbeats itself, so the watchdog
// does not restart a host the developer is looking at. lib/host/debugger.ts says when
// (setDebuggerPaused).
#include <napi.h>

#ifndef _WIN32
#include <unistd.h>
#endif

#include <chrono>
#include <deque>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

#include "../common/peer.h"
#include "../common/stream.h"
#include "../common/wire.h"
#include "convert.h"
#include "route_mirror.h"
#ifndef _WIN32
#include "fd_watch.h"
#endif

namespace rrasbridge::addon {
namespace {

constexpr uint32_t kConnectTimeoutMs = 10000;  // connect()'s default
#ifdef _WIN32
constexpr bool kJsThreadReads = false;  // the Peer's I/O thread reads the pipe
#else
constexpr bool kJsThreadReads = true;   // the JS thread reads the socket (fd_watch.h)
#endif
constexpr uint32_t kHelloId = 1;
constexpr wire::Field kHelloMagic = wire::RequestField(wire::MsgType::Hello, "magic");
constexpr wire::Field kHelloMinVersion = wire::RequestField(wire::MsgType::Hello, "minVersion");
constexpr wire::Field kHelloMaxVersion = wire::RequestField(wire::MsgType::Hello, "maxVersion");
constexpr wire::Field kHelloToken = wire::RequestField(wire::MsgType::Hello, "token");
constexpr wire::Field kHelloPid = wire::RequestField(wire::MsgType::Hello, "pid");
constexpr wire::Field kReplyVersion = wire::ReplyField(wire::MsgType::Hello, "version");
constexpr wire::Field kAdminMagic = wire::RequestField(wire::MsgType::AdminHello, "magic");
constexpr wire::Field kAdminMinVersion = wire::RequestField(wire::MsgType::AdminHello, "minVersion");
constexpr wire::Field kAdminMaxVersion = wire::RequestField(wire::MsgType::AdminHello, "maxVersion");
constexpr wire::Field kAdminClient = wire::RequestField(wire::MsgType::AdminHello, "client");
constexpr wire::Field kAdminReplyVersion = wire::ReplyField(wire::MsgType::AdminHello, "version");
constexpr wire::Field kBeatSeq = wire::RequestField(wire::MsgType::Heartbeat, "seq");
constexpr wire::Field kBeatReplySeq = wire::ReplyField(wire::MsgType::Heartbeat, "seq");
constexpr wire::Field kBeatReplyRss = wire::ReplyField(wire::MsgType::Heartbeat, "rssBytes");

class Channel;
// Process-wide: whether a debugger holds the JS thread (set by lib/host/debugger.ts), and the
// live channels whose last heartbeat a pause has to answer. gDebuggerMu guards all three.
std::mutex gDebuggerMu;
bool gDebuggerPaused = false;
std::set<Channel*> gChannels;

// Frames JS sends (requests, replies) are encoded at once, so a bad one throws to its caller,
// and written together once the JS thread has handled what the I/O thread delivered so far and
// the microtasks that follow (promise continuations send most replies): by a setImmediate
// callback, which runs in the same turn of the event loop (256 events in flight: one write,
// not 256; and no wake-up of the JS thread by itself, as a second TSFN call would be).
// Past this many bytes held they are written at once: a big frame (a batch of routes) gains
// nothing from waiting, and the library can apply it while JS encodes the next.
constexpr size_t kHeldFlushBytes = 64u << 10;
// Past this many requests held (JS awaits their answers) they are written at once too: the
// library answers the first while JS encodes the rest, where a whole turn's worth (256 saves
// in flight) left each side idle while the other worked (issue 12's events: 320k/s -> 400k/s,
// measured, 64 as good as 128 and better than 32). Replies are not counted: the library's
// callers wait on them one by one, and more writes of them cost more wake-ups there
// (pipelined DoUpdateRoutes was 15% slower so).
constexpr size_t kHeldFlushRequests = 64;

// What is read is queued, and delivered in batches, one onEvent call each: the JS thread
// delivers what it read at once, in a callback scope per batch; what the I/O thread read, one
// TSFN call delivers (issue 12: replies read 256 at a time were 256 TSFN calls). Microtasks
// run after each batch, as after a socket's 'data' event that carries several messages.
// Messages that change the host's state on arrival come alone (Alone).
constexpr size_t kMaxBatch = 256;  // events per call at most (their JS values live until its end)
// JS behind what it read for this long (one delivery still going, more queued): the I/O
// thread reads meanwhile, as on Windows, so the library's queue does not grow while JS
// works through the backlog (the library restarts a host whose queue passes its high-water
// mark); JS takes reading back once it has caught up.
constexpr std::chrono::milliseconds kSpillAfter{20};
struct Event {
  enum class Kind { Connected, Message, Closed } kind;
  wire::Message message;
  std::string text;  // close reason, or connect error
  uint32_t code = 0;  // connect error: the status the library refused with
};

class Channel : public Napi::ObjectWrap<Channel> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Channel",
                       {InstanceMethod("connect", &Channel::Connect),
                        InstanceMethod("connectAdmin", &Channel::ConnectAdmin),
                        InstanceMethod("send", &Channel::Send),
                        InstanceMethod("reply", &Channel::Reply),
                        InstanceMethod("close", &Channel::Close),
                        InstanceMethod("flush", &Channel::FlushMethod),
                        InstanceMethod("stats", &Channel::Stats)});
  }

  explicit Channel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Channel>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject()) throw Napi::TypeError::New(env, "Channel(options): options must be an object");
    auto o = info[0].As<Napi::Object>();
    if (!o.Get("onEvent").IsFunction())
      throw Napi::TypeError::New(env, "Channel(options): options.onEvent must be a function");
    onEvent_ = Napi::Persistent(o.Get("onEvent").As<Napi::Function>());
    if (o.Get("maxFrame").IsNumber()) maxFrame_ = o.Get("maxFrame").As<Napi::Number>().Uint32Value();
    cleanup_ = env.AddCleanupHook(&Channel::Cleanup, this);
    std::lock_guard<std::mutex> lock(gDebuggerMu);
    gChannels.insert(this);
  }

  ~Channel() override {
    {
      std::lock_guard<std::mutex> lock(gDebuggerMu);
      gChannels.erase(this);
    }
    *alive_ = false;
    referenced_ = false;  // being finalized: the reference is gone with the object
    Shutdown("channel collected");
    if (!cleanup_.IsEmpty()) cleanup_.Remove(Env());
  }

 private:
  static void Cleanup(Channel* self) {
    self->cleanup_ = {};
    self->Shutdown("environment teardown");
  }

  // What a connection sends first, the versions it offers, and how it checks who answers.
  struct Handshake {
    wire::Message hello;
    wire::Field replyVersion = kReplyVersion;  // where the hello's reply says the version chosen
    uint32_t helloVersion = wire::kMinVersion;  // the hello's own (frozen) version
    uint32_t minVersion = wire::kMinVersion, maxVersion = wire::kVersion;
    bool admin = false;      // the admin endpoint: the server must run as root or as us
    uint32_t serverPid = 0;  // admin, when known: the process that must serve it
  };

  static uint32_t TimeoutArg(const Napi::Object& o) {
    return o.Get("timeoutMs").IsNumber() ? o.Get("timeoutMs").As<Napi::Number>().Uint32Value() : kConnectTimeoutMs;
  }

  // connect({address, token: Buffer, pid, timeoutMs, maxVersion}) -> Promise<hello reply
  // fields>; maxVersion: the newest wire version offered (default: this build's).
  Napi::Value Connect(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto o = info[0].As<Napi::Object>();
    if (!info[0].IsObject() || !o.Get("address").IsString() || !o.Get("token").IsBuffer())
      throw Napi::TypeError::New(env, "connect({address: string, token: Buffer, pid: number})");
    auto tok = o.Get("token").As<Napi::Buffer<char>>();
    const uint32_t pid = o.Get("pid").IsNumber() ? o.Get("pid").As<Napi::Number>().Uint32Value() : 0;
    Handshake h;
    if (o.Get("maxVersion").IsNumber()) {
      h.maxVersion = o.Get("maxVersion").As<Napi::Number>().Uint32Value();
      if (h.maxVersion < wire::kMinVersion || h.maxVersion > wire::kVersion)
        throw Napi::RangeError::New(env, "connect(): maxVersion must be from " + std::to_string(wire::kMinVersion) +
                                             " to " + std::to_string(wire::kVersion));
    }
    h.hello = wire::Message::Request(wire::MsgType::Hello, kHelloId);
    h.hello.Set(kHelloMagic, wire::Value::Num(wire::kMagic));
    h.hello.Set(kHelloMinVersion, wire::Value::Num(h.minVersion));
    h.hello.Set(kHelloMaxVersion, wire::Value::Num(h.maxVersion));
    h.hello.Set(kHelloToken, wire::Value::Bytes(tok.Data(), tok.Length()));
    h.hello.Set(kHelloPid, wire::Value::Num(pid));
    return Start(env, o.Get("address").As<Napi::String>().Utf8Value(), std::move(h), TimeoutArg(o));
  }

  // connectAdmin({address, client, serverPid?, timeoutMs}) -> Promise<adminHello reply fields>
  Napi::Value ConnectAdmin(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto o = info[0].As<Napi::Object>();
    if (!info[0].IsObject() || !o.Get("address").IsString())
      throw Napi::TypeError::New(env, "connectAdmin({address: string, client?: string, serverPid?: number})");
    const std::string client = o.Get("client").IsString() ? o.Get("client").As<Napi::String>().Utf8Value() : "";
    Handshake h;
    h.admin = true;
    h.serverPid = o.Get("serverPid").IsNumber() ? o.Get("serverPid").As<Napi::Number>().Uint32Value() : 0;
    h.replyVersion = kAdminReplyVersion;
    h.helloVersion = h.minVersion = wire::kAdminMinVersion;
    h.hello = wire::Message::Request(wire::MsgType::AdminHello, kHelloId);
    h.hello.Set(kAdminMagic, wire::Value::Num(wire::kMagic));
    h.hello.Set(kAdminMinVersion, wire::Value::Num(h.minVersion));
    h.hello.Set(kAdminMaxVersion, wire::Value::Num(h.maxVersion));
    h.hello.Set(kAdminClient, wire::Value::Bytes(client));
    return Start(env, o.Get("address").As<Napi::String>().Utf8Value(), std::move(h), TimeoutArg(o));
  }

  Napi::Value Start(Napi::Env env, const std::string& address, Handshake h, uint32_t timeoutMs) {
    if (tsfn_ || closed_) throw Napi::Error::New(env, "connect() may be called once");
    deferred_ = std::make_unique<Napi::Promise::Deferred>(env);
    // An open channel keeps its JS object alive (like a socket): otherwise a host awaiting
    // connect() holds it only through a cycle the GC may collect, closing the channel.
    Ref();
    referenced_ = true;
    tsfn_ = Napi::ThreadSafeFunction::New(env, onEvent_.Value(), "rras-bridge channel", 0, 1);
    connector_ = std::thread([this, address, h = std::move(h), timeoutMs] { DoConnect(address, h, timeoutMs); });
    return deferred_->Promise();
  }

  // An admin endpoint must be served by root or by our own user (POSIX), by the process its
  // name says (Windows): a look-alike somebody else set up gets nothing from us.
  static std::string CheckServer(NativeHandle h, const Handshake& hs) {
    if (!hs.admin) return {};
    uint32_t pid = 0, uid = 0;
    std::string err;
    if (!ServerIdentity(h, pid, uid, err)) return err;
#ifndef _WIN32
    if (uid != 0 && uid != ::geteuid())
      return "the endpoint is served by uid " + std::to_string(uid) + ", neither root nor this user";
#endif
    if (hs.serverPid && pid != hs.serverPid)
      return "the endpoint is served by pid " + std::to_string(pid) + ", not by pid " + std::to_string(hs.serverPid);
    return {};
  }

  void DoConnect(const std::string& address, const Handshake& hs, uint32_t timeoutMs) {
    auto ev = std::make_unique<Event>();
    ev->kind = Event::Kind::Connected;
    const Deadline d = DeadlineIn(timeoutMs);
    Stream s;
    std::string err, frame, refused;
    // The hello and its reply are read before a version is agreed: they are the same in every
    // version (schema.h), so both are coded at the hello's own version.
    wire::FrameDecoder dec(maxFrame_, hs.helloVersion);
    // A library that refuses us answers before it closes; that answer is read even when
    // sending the hello failed because the library had already closed.
    const auto exchange = [&] {
      std::string sendErr;
      if (wire::Encode(hs.hello, frame, err, hs.helloVersion) != wire::EncodeStatus::Ok) return false;
      const bool sent = WriteAll(s.get(), frame, d, sendErr, &cancel_);
      if (ReadMessage(s.get(), dec, ev->message, d, err, &cancel_)) return true;
      if (!sent) err = sendErr;
      return false;
    };
    uint32_t v = 0;
    if (!rrasbridge::Connect(address, d, s, err, &cancel_) || !(refused = CheckServer(s.get(), hs)).empty() ||
        !exchange()) {
      ev->text = cancel_.raised()   ? "closed while connecting"
                 : refused.empty() ? "cannot connect to the protocol library: " + err
                                   : "refused to talk to " + address + ": " + refused;
    } else if (!ev->message.IsReply() || ev->message.type != hs.hello.type) {
      ev->text = "handshake: unexpected answer";
    } else if (ev->message.status != 0) {
      ev->text = "the protocol library refused the handshake: " + ev->message.error;
      ev->code = ev->message.status;
    } else if (v = ev->message.U32(hs.replyVersion); v < hs.minVersion || v > hs.maxVersion) {
      ev->text = "handshake: the protocol library chose wire version " + std::to_string(v) +
                 ", not one of " + std::to_string(hs.minVersion) + ".." + std::to_string(hs.maxVersion);
    } else {
      std::lock_guard<std::mutex> lock(mu_);
      if (!closed_) {
        Peer::Limits limits;
        limits.maxFrame = maxFrame_;
        limits.version = v;
        limits.ownerReads = kJsThreadReads;  // from when JS has the connect's outcome (StartReading)
        peer_ = std::make_unique<Peer>(
            std::move(s),
            Peer::Handlers{[this](wire::Message&& m) {
                             if (m.type == wire::MsgType::Heartbeat && !m.IsReply() &&
                                 HoldHeartbeat(m))
                               return;
                             auto e = std::make_unique<Event>();
                             e->kind = Event::Kind::Message;
                             e->message = std::move(m);
                             Arrived(std::move(e));
                           },
                           [this](const std::string& reason) {
                             auto e = std::make_unique<Event>();
                             e->kind = Event::Kind::Closed;
                             e->text = reason;
                             Post(std::move(e));
                           },
                           {}},
            limits, dec.TakeBuffered());
      } else {
        ev->text = "closed while connecting";
      }
    }
    Post(std::move(ev));
  }

  // The reading thread. While paused: answers the heartbeat (true). Otherwise remembers it as the one
  // JS has to answer (false: it goes on to JS), so that a pause that begins before JS got to
  // it can answer it (the library sends the next one only after this one's answer).
  bool HoldHeartbeat(const wire::Message& m) {
    {
      std::lock_guard<std::mutex> lock(gDebuggerMu);
      if (!gDebuggerPaused) {
        heartbeat_ = m;
        return false;
      }
    }
    AnswerHeartbeat(m);
    return true;
  }

  // The reply JS would give (its seq; no resident memory: 0, unknown); the library ignores a
  // second answer to the same id.
  void AnswerHeartbeat(const wire::Message& m) {
    wire::Message reply = wire::Message::Reply(m, 0);
    reply.Set(kBeatReplySeq, wire::Value::Num(m.U32(kBeatSeq)));
    reply.Set(kBeatReplyRss, wire::Value::Num(0));
    std::lock_guard<std::mutex> lock(mu_);
    std::string err;
    if (peer_ && !peer_->closed()) peer_->Send(reply, err);  // a closed channel needs no answer
  }

 public:
  // gDebuggerMu held, on the thread that set it: a pause began (answer what JS has not, and
  // hand reading to the I/O thread) or ended (JS reads again).
  void OnDebuggerPaused(bool paused) {
    if (paused) {
      if (heartbeat_) AnswerHeartbeat(*heartbeat_);
      heartbeat_.reset();
    }
    // A channel of another thread's environment: its JS thread is not the one paused.
    if (std::this_thread::get_id() == jsThread_) UpdateReader(paused);
  }

 private:
  Peer* CurrentPeer() {
    std::lock_guard<std::mutex> lock(mu_);
    return peer_.get();
  }

  // JS thread, gDebuggerMu held: who reads the socket. JS, from its event loop, unless a
  // debugger holds it (or the loop cannot watch the socket): then the I/O thread, whose reads
  // TSFN calls deliver once JS runs again, before what JS reads afterwards.
  void UpdateReader([[maybe_unused]] bool paused) {
#ifndef _WIN32
    Peer* peer = CurrentPeer();
    if (!peer) return;
    const bool js = !paused && watch_ && watch_->Start();
    if (!js && watch_) watch_->Stop();
    peer->SetOwnerReads(js);
#endif
  }

  // JS thread, once connect() is settled: the socket is read from the event loop.
  void StartReading([[maybe_unused]] Napi::Env env) {
#ifndef _WIN32
    Peer* peer = CurrentPeer();
    if (!peer) return;
    async_ = std::make_shared<Napi::AsyncContext>(env, "rras-bridge channel");
    watch_ = std::make_unique<FdWatch>(env, peer->fd(), [this] { OnReadable(); });
    std::lock_guard<std::mutex> lock(gDebuggerMu);
    UpdateReader(gDebuggerPaused);
#endif
  }

#ifndef _WIN32
  // JS thread, from the event loop: the socket is readable. What one read brings is delivered
  // now; a closed channel is not watched any more (its close event comes from the I/O thread).
  void OnReadable() {
    Peer* peer = CurrentPeer();
    if (!peer) return;
    if (!peer->ReadAvailable()) watch_->Stop();
    Guarded(Env(), [this] {
      DeliverReady();
      return true;
    });
  }

  // JS thread, outside any JS: delivers the queue, a batch per callback scope (its microtasks
  // run as it closes, before the next batch). A TSFN call still pending finds less, or nothing.
  void DeliverReady() {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Napi::Function cb = onEvent_.Value();
    const std::shared_ptr<Napi::AsyncContext> async = async_;  // a handler may close the channel
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      std::vector<std::unique_ptr<Event>> batch;
      bool backlog;
      {
        std::lock_guard<std::mutex> lock(queueMu_);
        batch = TakeBatch();
        backlog = !queue_.empty();
      }
      if (batch.empty()) return;
      {
        Napi::CallbackScope callback(env, *async);
        if (!DeliverBatch(env, cb, batch)) return;  // the channel is gone
      }
      if (backlog && std::chrono::steady_clock::now() - start >= kSpillAfter) return Spill();
    }
  }

  // JS thread: hands reading to the I/O thread while JS works through a backlog; the rest
  // of the queue goes by TSFN calls, like what the I/O thread reads now (DeliverQueued takes
  // reading back once the queue is empty).
  void Spill() {
    Peer* peer = CurrentPeer();
    if (!peer || !watch_) return;
    watch_->Stop();
    peer->SetOwnerReads(false);
    spilling_ = true;
    {
      std::lock_guard<std::mutex> lock(queueMu_);
      if (queue_.empty() || deliveryPosted_) return;
      deliveryPosted_ = true;
    }
    PostDelivery();
  }
#endif

  // The reading thread: the JS thread's reads are delivered by OnReadable once the read is
  // handled, the I/O thread's by a TSFN call.
  void Arrived(std::unique_ptr<Event> ev) {
    if (std::this_thread::get_id() != jsThread_) {
      Post(std::move(ev));
      return;
    }
    std::lock_guard<std::mutex> lock(queueMu_);
    queue_.push_back(std::move(ev));
  }

  // Any thread but JS's: queues the event; false when the function is closing (JS is gone).
  bool Post(std::unique_ptr<Event> ev) {
    {
      std::lock_guard<std::mutex> lock(queueMu_);
      queue_.push_back(std::move(ev));
      if (deliveryPosted_) return true;  // the call queued will deliver this one too
      deliveryPosted_ = true;
    }
    return PostDelivery();
  }

  // One TSFN call to DeliverQueued (deliveryPosted_ set by the caller).
  bool PostDelivery() {
    // alive_ is checked on the JS thread: events still queued when the object is finalized
    // are dropped instead of touching a destroyed Channel.
    const napi_status st = tsfn_.NonBlockingCall([this, alive = alive_](Napi::Env env, Napi::Function cb) {
      if (*alive) DeliverQueued(env, cb);
    });
    if (st == napi_ok) return true;
    std::lock_guard<std::mutex> lock(queueMu_);  // closing: JS is gone, and so is what waits
    queue_.clear();
    return false;
  }

  // Whether `e` is delivered alone, after the microtasks of what came before it and before
  // what follows: the host applies some state when a message arrives and runs handlers on
  // promise chains (runtime.ts: interfaceStatus, route changes), so each must see the state,
  // and be invoked, as when every message was its own call. Replies only settle promises;
  // DoUpdateRoutes and heartbeats run concurrently anyway and change nothing on arrival: any
  // number of those share one call (pipelined DoUpdateRoutes, 1000 in flight).
  static bool Alone(const Event& e) {
    if (e.kind != Event::Kind::Message) return true;  // connected, closed
    if (e.message.IsReply()) return false;
    return e.message.type != wire::MsgType::UpdateRoutes && e.message.type != wire::MsgType::Heartbeat;
  }

  // queueMu_ held: takes the events queued up to the first one that is delivered Alone (or
  // that one alone); the rest come in the next batch, after this one's microtasks.
  std::vector<std::unique_ptr<Event>> TakeBatch() {
    auto end = queue_.begin();
    if (end != queue_.end() && Alone(**end)) {
      ++end;
    } else {
      while (end != queue_.end() && !Alone(**end) && size_t(end - queue_.begin()) < kMaxBatch) ++end;
    }
    std::vector<std::unique_ptr<Event>> batch(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
    queue_.erase(queue_.begin(), end);
    return batch;
  }

  // JS thread (a TSFN call): delivers a batch, and posts another call for the rest.
  void DeliverQueued(Napi::Env env, Napi::Function cb) {
    std::vector<std::unique_ptr<Event>> batch;
    bool more;
    {
      std::lock_guard<std::mutex> lock(queueMu_);
      batch = TakeBatch();
      more = deliveryPosted_ = !queue_.empty();
    }
    if (more) PostDelivery();
    Napi::HandleScope scope(env);
    if (!Guarded(env, [&] { return DeliverBatch(env, cb, batch); })) return;
#ifndef _WIN32
    if (!more && spilling_) {  // caught up: JS reads again (unless a debugger holds it)
      spilling_ = false;
      std::lock_guard<std::mutex> lock(gDebuggerMu);
      UpdateReader(gDebuggerPaused);
    }
#endif
  }

  // JS thread, from a callback of the event loop's (a TSFN call, the socket's poll): runs
  // `deliver`, whose result it returns. An exception must not leave: nothing above would catch
  // it (a TSFN call would hand it to JS as a throw, which an environment that is ending, a
  // worker terminated, cannot take, and the process would end). A Node-API failure is reported
  // as an uncaught exception, as a handler's; where no JS can run any more, delivery ends.
  template <typename Fn>
  bool Guarded(Napi::Env env, Fn&& deliver) {
    try {
      return deliver();
    } catch (const Napi::Error& err) {
      napi_fatal_exception(env, err.Value());
    } catch (const JsUnavailable&) {
      jsGone_ = true;
    }
    return false;
  }

  // JS thread: one onEvent call per event. One that throws is reported as an uncaught
  // exception (the host's handler logs it and exits), and the rest are still delivered: a
  // message already read is never dropped. False: the channel was collected by a handler's
  // doing (nothing of it may be touched), or the environment runs no more JS (a worker that
  // a handler ended: the rest would fail on their first Node-API call).
  bool DeliverBatch(Napi::Env env, Napi::Function cb, const std::vector<std::unique_ptr<Event>>& batch) {
    if (jsGone_) return false;
    const std::shared_ptr<bool> alive = alive_;
    // One set of names for the batch (at most kMaxBatch events), fetched once.
    PropertyNames::Batch names(env);
    for (const auto& e : batch) {
      if (!Deliver(env, cb, *e)) {
        jsGone_ = true;
        return false;
      }
      if (!*alive) return false;
    }
    return true;
  }

  // False: the environment runs no more JS.
  bool Deliver(Napi::Env env, Napi::Function cb, Event& e) {
    if (e.kind == Event::Kind::Connected) {
      if (!deferred_) return true;
      if (e.text.empty()) {
        deferred_->Resolve(ToJs(env, e.message).Get("fields"));
        StartReading(env);
      } else {
        Napi::Error error = Napi::Error::New(env, e.text);
        if (e.code) error.Set("code", Napi::Number::New(env, e.code));
        deferred_->Reject(error.Value());
      }
      deferred_.reset();
      return true;
    }
    // A JS exception from the dispatcher is surfaced as an uncaught exception, not swallowed.
    try {
      if (e.kind == Event::Kind::Message) {
        CallWithMessage(env, cb, Value(), e.message);
        return true;
      }
      ObjectBuilder b(env);
      b.Add("event", PropertyNames::Of(env)(env, "close")).Add("reason", Napi::String::New(env, e.text));
      napi_value o = b.Build();
      PropertyNames::Outside js(env);
      CallJs(env, cb, Value(), 1, &o);
    } catch (const Napi::Error& err) {
      napi_fatal_exception(env, err.Value());
    } catch (const JsUnavailable&) {
      return false;  // the environment is ending (its cleanup closes the channel): no JS to tell
    }
    return true;
  }

  Peer* LivePeer(Napi::Env env) {
    if (!peer_ || peer_->closed()) throw Napi::Error::New(env, "the channel is not connected");
    return peer_.get();
  }

  // send(type, id, fields): a request (id > 0) or a notification (id 0).
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const wire::MessageSpec* spec = SpecArg(env, info[0]);
    wire::Message m = wire::Message::Request(spec->type, IdArg(env, info[1]),
                                             FieldsFromJs(env, spec->request, info[2], spec->name, Version(env)));
    Transmit(env, m);
    return env.Undefined();
  }

  // reply(type, id, status, error, fields)
  Napi::Value Reply(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const wire::MessageSpec* spec = SpecArg(env, info[0]);
    wire::Message req;
    req.type = spec->type;
    req.id = IdArg(env, info[1]);
    if (!info[2].IsNumber()) throw Napi::TypeError::New(env, "reply(): status must be a number");
    const uint32_t status = info[2].As<Napi::Number>().Uint32Value();
    const std::string error = info[3].IsString() ? info[3].As<Napi::String>().Utf8Value() : "";
    std::vector<wire::Value> fields;
    if (status == 0)
      fields = FieldsFromJs(env, spec->reply, info[4], std::string(spec->name) + " reply", Version(env));
    Transmit(env, wire::Message::Reply(req, status, error, std::move(fields)));
    return env.Undefined();
  }

  // The wire version agreed in the handshake (the peer's, fixed for its life).
  uint32_t Version(Napi::Env env) {
    std::lock_guard<std::mutex> lock(mu_);
    return LivePeer(env)->version();
  }

  void Transmit(Napi::Env env, const wire::Message& m) {
    bool schedule = false, now = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::string err;
      if (wire::Encode(m, held_, err, LivePeer(env)->version(), maxFrame_) != wire::EncodeStatus::Ok)
        throw Napi::Error::New(env, err);
      ++heldFrames_;
      if (m.id != 0 && !m.IsReply()) ++heldRequests_;
      now = held_.size() >= kHeldFlushBytes || heldRequests_ >= kHeldFlushRequests;
      schedule = !now && !flushScheduled_;
      flushScheduled_ = flushScheduled_ || schedule;
    }
    if (now) {
      Flush();
    } else if (schedule) {
      ScheduleFlush(env);
    }
  }

  // setImmediate(flush): after this turn's I/O callbacks and their microtasks.
  void ScheduleFlush(Napi::Env env) {
    if (flushCallback_.IsEmpty()) {
      flushCallback_ = Napi::Persistent(Napi::Function::New(env, [this, alive = alive_](const Napi::CallbackInfo&) {
        if (*alive) Flush();
      }));
    }
    try {
      SetImmediate(env).Call({flushCallback_.Value()});
    } catch (const Napi::Error&) {
      Flush();  // no event loop to come back to (the environment is ending): write now
    }
  }

  // JS thread: writes the frames held. A library that stopped reading (its queue over the
  // high-water mark) is closed as Peer would: the close fails what waited for answers.
  void Flush() {
    std::lock_guard<std::mutex> lock(mu_);
    flushScheduled_ = false;
    if (held_.empty()) return;
    std::string err;
    if (peer_ && peer_->SendFrame(held_, err, heldFrames_) == SendResult::NotReading)
      peer_->Close("the protocol library stopped reading: " + err);
    held_.clear();
    heldFrames_ = 0;
    heldRequests_ = 0;
  }

  Napi::Value FlushMethod(const Napi::CallbackInfo& info) {
    Flush();
    return info.Env().Undefined();
  }

  static const wire::MessageSpec* SpecArg(Napi::Env env, Napi::Value v) {
    const wire::MessageSpec* spec = SpecNamed(env, v);
    if (!spec) throw Napi::TypeError::New(env, "unknown message type");
    return spec;
  }
  static uint32_t IdArg(Napi::Env env, Napi::Value v) {
    if (!v.IsNumber()) throw Napi::TypeError::New(env, "message id must be a number");
    return v.As<Napi::Number>().Uint32Value();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Shutdown("closed by the host");
    return info.Env().Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    std::lock_guard<std::mutex> lock(mu_);
    PeerStats s = peer_ ? peer_->stats() : PeerStats{};
    o.Set("framesIn", Napi::Number::New(env, double(s.framesIn)));
    o.Set("framesOut", Napi::Number::New(env, double(s.framesOut)));
    o.Set("bytesIn", Napi::Number::New(env, double(s.bytesIn)));
    o.Set("bytesOut", Napi::Number::New(env, double(s.bytesOut)));
    o.Set("queuedBytes", Napi::Number::New(env, double(peer_ ? peer_->queuedBytes() : 0)));
    return o;
  }

  // Cancels a connect in progress, stops watching the socket, stops the connector and I/O
  // threads, joins them, then releases the TSFN. Runs on the JS thread (close(), cleanup hook,
  // finalizer), which the join holds only until the connector sees the cancel.
  void Shutdown(const std::string& reason) {
    Flush();  // what JS sent before closing goes first
    std::unique_ptr<Peer> peer;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return;
      closed_ = true;
    }
    cancel_.Raise();
    if (connector_.joinable()) connector_.join();
#ifndef _WIN32
    watch_.reset();  // before the Peer (and its descriptor) goes
#endif
    {
      std::lock_guard<std::mutex> lock(mu_);
      peer = std::move(peer_);
    }
    if (peer) peer->Close(reason);
    peer.reset();  // joins the I/O thread
    if (tsfn_) tsfn_.Release();
    if (referenced_) {
      referenced_ = false;
      Unref();
    }
  }

  Napi::Env::CleanupHook<void (*)(Channel*), Channel> cleanup_;
  Napi::FunctionReference onEvent_;
  Napi::ThreadSafeFunction tsfn_;
  std::unique_ptr<Napi::Promise::Deferred> deferred_;
  std::thread connector_;
  Cancel cancel_;  // raised by Shutdown: ends the connector's waits
  std::mutex mu_;
  std::unique_ptr<Peer> peer_;
  std::string held_;        // guarded by mu_ (the JS thread's): frames encoded, not yet written
  size_t heldFrames_ = 0;   // guarded by mu_
  size_t heldRequests_ = 0;  // guarded by mu_: of heldFrames_, the requests (kHeldFlushRequests)
  bool flushScheduled_ = false;  // guarded by mu_: a setImmediate will flush
  Napi::FunctionReference flushCallback_;  // ScheduleFlush's, made once
  std::mutex queueMu_;
  std::deque<std::unique_ptr<Event>> queue_;  // guarded by queueMu_: not yet taken by JS
  bool deliveryPosted_ = false;  // guarded by queueMu_: a TSFN call will deliver the queue
  bool closed_ = false;
  bool referenced_ = false;  // Ref() taken by connect(), dropped by Shutdown
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  uint32_t maxFrame_ = wire::kDefaultMaxFrame;
  bool jsGone_ = false;  // JS thread: a delivery found the environment running no more JS
  std::optional<wire::Message> heartbeat_;  // the last one forwarded to JS (gDebuggerMu)
  const std::thread::id jsThread_ = std::this_thread::get_id();  // the environment's
#ifndef _WIN32
  std::unique_ptr<FdWatch> watch_;                // the socket on the event loop, once connected
  std::shared_ptr<Napi::AsyncContext> async_;     // what each batch read by JS runs in
  bool spilling_ = false;  // JS thread's: the I/O thread reads while JS works through a backlog
#endif
};

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  KeepTimers(env);
  exports.Set("Channel", Channel::Init(env));
  exports.Set("RouteMirror", RouteMirrorClass(env));
  exports.Set("wireVersion", Napi::Number::New(env, wire::kVersion));
  exports.Set("schema", SchemaToJs(env));
  exports.Set("setDebuggerPaused", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    std::lock_guard<std::mutex> lock(gDebuggerMu);
    gDebuggerPaused = info[0].ToBoolean().Value();
    for (Channel* c : gChannels) c->OnDebuggerPaused(gDebuggerPaused);
  }));
  return exports;
}

}  // namespace rrasbridge::addon

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  return rrasbridge::addon::Init(env, exports);
}
NODE_API_MODULE(rras_bridge, InitAddon)
