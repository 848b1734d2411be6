// FdWatch (fd_watch.h): a uv_poll_t on the JS thread's loop, closed by its owner or by the
// environment's teardown, whichever comes first, and freed by the close callback.
#ifndef _WIN32
#include "fd_watch.h"

#include <uv.h>

#include <memory>
#include <utility>

namespace rrasbridge::addon {

struct FdWatch::Handle {
  uv_poll_t poll{};
  std::function<void()> onReadable;  // here, not in FdWatch: it may be destroyed from inside
  FdWatch* owner = nullptr;          // null once let go (FdWatch gone, or the environment ends)
  napi_async_cleanup_hook_handle hook = nullptr;
  bool closing = false;

  static Handle* Of(uv_poll_t* p) { return static_cast<Handle*>(p->data); }

  static void OnPoll(uv_poll_t* p, int /*status*/, int /*events*/) {
    // An error on the socket (status < 0) is for the reader to find: it reads and fails.
    Handle* h = Of(p);
    if (!h->closing) h->onReadable();
  }

  // The loop is done with the handle: its memory goes, and so does the cleanup hook (which,
  // during the environment's teardown, says that this one is finished).
  static void OnClosed(uv_handle_t* p) {
    std::unique_ptr<Handle> h(static_cast<Handle*>(p->data));
    if (h->hook) napi_remove_async_cleanup_hook(h->hook);
  }

  static void OnEnvironmentCleanup(napi_async_cleanup_hook_handle, void* arg) {
    Handle* h = static_cast<Handle*>(arg);
    if (h->owner) h->owner->handle_ = nullptr;
    h->owner = nullptr;
    h->Close();
  }

  void Close() {
    if (closing) return;
    closing = true;
    uv_poll_stop(&poll);  // the descriptor may be closed from now on
    uv_close(reinterpret_cast<uv_handle_t*>(&poll), &Handle::OnClosed);
  }
};

FdWatch::FdWatch(napi_env env, int fd, std::function<void()> onReadable) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || !loop) return;
  auto h = std::make_unique<Handle>();
  h->onReadable = std::move(onReadable);
  if (uv_poll_init(loop, &h->poll, fd) != 0) return;  // not initialized: nothing to close
  h->poll.data = h.get();
  h->owner = this;
  if (napi_add_async_cleanup_hook(env, &Handle::OnEnvironmentCleanup, h.get(), &h->hook) != napi_ok)
    h->hook = nullptr;  // then the owner alone closes it, as it always does before teardown ends
  handle_ = h.release();  // owned by the loop until OnClosed
}

FdWatch::~FdWatch() {
  if (!handle_) return;
  handle_->owner = nullptr;
  handle_->Close();
}

bool FdWatch::Start() {
  return handle_ && uv_poll_start(&handle_->poll, UV_READABLE, &Handle::OnPoll) == 0;
}

void FdWatch::Stop() {
  if (handle_) uv_poll_stop(&handle_->poll);
}

}  // namespace rrasbridge::addon
#endif
