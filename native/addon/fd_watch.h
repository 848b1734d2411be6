// POSIX: a socket watched for readability on the JS thread's event loop (a libuv uv_poll_t),
// so that the channel's JS thread reads the socket itself (channel.cc) and no other thread
// wakes per message. The handle is closed with uv_close: its memory lives until the close
// callback, which may come after the FdWatch is gone; an async environment cleanup hook
// closes it before the environment's loop goes. Not built on Windows (a named pipe cannot be
// uv_poll'ed; the Peer's I/O thread reads there).
#pragma once
#ifndef _WIN32
#include <node_api.h>

#include <functional>

namespace rrasbridge::addon {

class FdWatch {
 public:
  // onReadable: on the JS thread, from the event loop (no JS scope open), while started.
  // ok() is false when the loop cannot watch fd (the caller reads another way).
  FdWatch(napi_env env, int fd, std::function<void()> onReadable);
  FdWatch(const FdWatch&) = delete;
  FdWatch& operator=(const FdWatch&) = delete;
  ~FdWatch();  // stops watching at once; the handle closes on the loop

  bool ok() const { return handle_ != nullptr; }
  bool Start();  // false: not watching (closed, or libuv refused)
  void Stop();

 private:
  struct Handle;
  Handle* handle_ = nullptr;  // the loop's from uv_poll_init to the close callback; null once let go
};

}  // namespace rrasbridge::addon
#endif
