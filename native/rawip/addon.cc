// rras_bridge_rawip.node: the raw IPv4 socket of raw_socket.h as a JS class (lib/rawip wraps
// it). Each socket owns one reader thread that waits for datagrams and hands them to JS in
// batches through a ThreadSafeFunction; close() wakes and joins it, and an environment
// cleanup hook does the same before the environment goes. Sends happen on the JS thread
// (non-blocking: a full send buffer is an error, never a stall).
#include <napi.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "raw_socket.h"

namespace rrasbridge::rawip {
namespace {

constexpr size_t kBatch = 256;  // datagrams handed to JS per call, at most

struct Batch {
  std::vector<Datagram> datagrams;
  std::string error;  // the reader stopped because of this
};

uint32_t AddressArg(Napi::Env env, Napi::Value v, const char* what) {
  uint32_t a = 0;
  if (!v.IsString() || !ParseIPv4(v.As<Napi::String>().Utf8Value(), a))
    throw Napi::TypeError::New(env, std::string(what) + " must be a dotted-quad IPv4 address");
  return a;
}

class Socket : public Napi::ObjectWrap<Socket> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "RawIpSocket",
                       {InstanceMethod("send", &Socket::Send), InstanceMethod("join", &Socket::Join),
                        InstanceMethod("leave", &Socket::Leave), InstanceMethod("close", &Socket::Close),
                        InstanceMethod("stats", &Socket::Stats), InstanceAccessor("mtu", &Socket::Mtu, nullptr),
                        InstanceAccessor("interfaceIndex", &Socket::InterfaceIndex, nullptr),
                        InstanceAccessor("deviceName", &Socket::DeviceName, nullptr)});
  }

  // new RawIpSocket({protocol, localAddress, ttl?, tos?, receiveBufferBytes?, onMessages(list), onError(message)})
  explicit Socket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Socket>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject()) throw Napi::TypeError::New(env, "RawIpSocket(options): options must be an object");
    auto o = info[0].As<Napi::Object>();
    Options opts;
    const Napi::Value protocol = o.Get("protocol");
    if (!protocol.IsNumber() || protocol.As<Napi::Number>().Uint32Value() < 1 || protocol.As<Napi::Number>().Uint32Value() > 254)
      throw Napi::TypeError::New(env, "RawIpSocket: protocol must be an IP protocol number 1..254");
    opts.protocol = uint8_t(protocol.As<Napi::Number>().Uint32Value());
    opts.localAddress = AddressArg(env, o.Get("localAddress"), "RawIpSocket: localAddress");
    if (o.Get("ttl").IsNumber()) opts.ttl = uint8_t(o.Get("ttl").As<Napi::Number>().Uint32Value());
    if (o.Get("tos").IsNumber()) opts.tos = uint8_t(o.Get("tos").As<Napi::Number>().Uint32Value());
    if (o.Get("receiveBufferBytes").IsNumber()) opts.receiveBufferBytes = o.Get("receiveBufferBytes").As<Napi::Number>().Uint32Value();
    if (!o.Get("onMessages").IsFunction() || !o.Get("onError").IsFunction())
      throw Napi::TypeError::New(env, "RawIpSocket: onMessages and onError must be functions");
    onError_ = Napi::Persistent(o.Get("onError").As<Napi::Function>());
    std::string err;
    socket_ = RawSocket::Open(opts, err);
    if (!socket_) throw Napi::Error::New(env, err);
    tsfn_ = Napi::ThreadSafeFunction::New(env, o.Get("onMessages").As<Napi::Function>(), "rras-bridge raw IP socket", 0, 1);
    cleanup_ = env.AddCleanupHook(&Socket::Cleanup, this);
    // An open socket keeps its JS object alive (as a dgram socket is): only close() or the
    // environment's teardown ends it, never the GC.
    Ref();
    referenced_ = true;
    reader_ = std::thread([this] { Read(); });
  }

  ~Socket() override {
    *alive_ = false;
    referenced_ = false;  // being finalized: the reference is gone with the object
    Shutdown();
    if (!cleanup_.IsEmpty()) cleanup_.Remove(Env());
  }

 private:
  static void Cleanup(Socket* self) {
    self->cleanup_ = {};
    self->Shutdown();
  }

  void Read() {
    for (;;) {
      std::string err;
      const RawSocket::Wait w = socket_->WaitReadable(err);
      if (stopping_) return;
      if (w == RawSocket::Wait::Woken) continue;
      auto batch = std::make_unique<Batch>();
      if (w == RawSocket::Wait::Failed) {
        batch->error = err;
        Post(std::move(batch));
        return;
      }
      Datagram d;
      while (batch->datagrams.size() < kBatch && socket_->Receive(d, err)) batch->datagrams.push_back(std::move(d));
      if (!err.empty()) batch->error = err;
      const bool failed = !batch->error.empty();
      if (!batch->datagrams.empty() || failed) Post(std::move(batch));
      if (failed) return;
    }
  }

  void Post(std::unique_ptr<Batch> batch) {
    Batch* raw = batch.release();
    // alive_ is checked on the JS thread: batches queued when the object is finalized are dropped.
    const napi_status st = tsfn_.NonBlockingCall(raw, [this, alive = alive_](Napi::Env env, Napi::Function cb, Batch* b) {
      std::unique_ptr<Batch> owned(b);
      if (*alive) Deliver(env, cb, *owned);
    });
    if (st != napi_ok) delete raw;
  }

  void Deliver(Napi::Env env, Napi::Function cb, Batch& b) {
    try {
      if (!b.datagrams.empty()) {
        Napi::Array list = Napi::Array::New(env, b.datagrams.size());
        for (size_t i = 0; i < b.datagrams.size(); i++) {
          const Datagram& d = b.datagrams[i];
          Napi::Object m = Napi::Object::New(env);
          m.Set("data", Napi::Buffer<uint8_t>::Copy(env, d.payload.data(), d.payload.size()));
          m.Set("source", FormatIPv4(d.source));
          m.Set("destination", FormatIPv4(d.destination));
          m.Set("ttl", Napi::Number::New(env, d.ttl));
          list.Set(uint32_t(i), m);
        }
        cb.Call(Value(), {list});
      }
      if (!b.error.empty()) onError_.Call(Value(), {Napi::String::New(env, b.error)});
    } catch (const Napi::Error& err) {
      napi_fatal_exception(env, err.Value());  // a throwing listener is an uncaught exception, not lost
    }
  }

  RawSocket& Live(Napi::Env env) {
    if (closed_) throw Napi::Error::New(env, "the raw IP socket is closed");
    return *socket_;
  }

  // send(buffer, destination): throws with the system's reason when the datagram did not go out.
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsBuffer()) throw Napi::TypeError::New(env, "send(data, destination): data must be a Buffer");
    auto data = info[0].As<Napi::Buffer<uint8_t>>();
    const uint32_t to = AddressArg(env, info[1], "send(): destination");
    std::string err;
    if (!Live(env).Send(data.Data(), data.Length(), to, err)) throw Napi::Error::New(env, err);
    return env.Undefined();
  }

  Napi::Value Join(const Napi::CallbackInfo& info) { return Membership(info, true); }
  Napi::Value Leave(const Napi::CallbackInfo& info) { return Membership(info, false); }
  Napi::Value Membership(const Napi::CallbackInfo& info, bool join) {
    Napi::Env env = info.Env();
    const uint32_t group = AddressArg(env, info[0], join ? "join(group)" : "leave(group)");
    std::string err;
    if (!(join ? Live(env).Join(group, err) : Live(env).Leave(group, err))) throw Napi::Error::New(env, err);
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Shutdown();
    return info.Env().Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const Counters c = socket_->counters();
    Napi::Object o = Napi::Object::New(env);
    o.Set("received", Napi::Number::New(env, double(c.received)));
    o.Set("sent", Napi::Number::New(env, double(c.sent)));
    o.Set("sendErrors", Napi::Number::New(env, double(c.sendErrors)));
    o.Set("malformed", Napi::Number::New(env, double(c.malformed)));
    o.Set("kernelDrops", Napi::Number::New(env, double(c.kernelDrops)));
    return o;
  }

  Napi::Value Mtu(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), socket_->Mtu()); }
  Napi::Value InterfaceIndex(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), socket_->InterfaceIndex()); }
  Napi::Value DeviceName(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), socket_->DeviceName()); }

  // Wakes and joins the reader, then releases the TSFN (the socket closes with the object).
  void Shutdown() {
    if (closed_) return;
    closed_ = true;
    stopping_ = true;
    socket_->Wake();
    if (reader_.joinable()) reader_.join();
    tsfn_.Release();
    if (referenced_) {
      referenced_ = false;
      Unref();
    }
  }

  Napi::Env::CleanupHook<void (*)(Socket*), Socket> cleanup_;
  Napi::FunctionReference onError_;
  Napi::ThreadSafeFunction tsfn_;
  std::unique_ptr<RawSocket> socket_;
  std::thread reader_;
  std::atomic<bool> stopping_{false};
  bool closed_ = false;      // JS thread only
  bool referenced_ = false;  // Ref() taken at open, dropped by Shutdown
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace
}  // namespace rrasbridge::rawip

static Napi::Object InitRawIp(Napi::Env env, Napi::Object exports) {
  exports.Set("RawIpSocket", rrasbridge::rawip::Socket::Init(env));
  return exports;
}
NODE_API_MODULE(rras_bridge_rawip, InitRawIp)
