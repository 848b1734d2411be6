#include "runtime.h"

#include <atomic>
#include <vector>

#include "../common/rtm_api.h"

namespace mockrtm {

namespace {
std::mutex gRuntimeMu;
std::atomic<Runtime*> gRuntime{nullptr};
}  // namespace

Runtime& Runtime::Get() {
  if (Runtime* rt = gRuntime.load(std::memory_order_acquire)) return *rt;
  std::lock_guard<std::mutex> lock(gRuntimeMu);
  if (!gRuntime.load(std::memory_order_relaxed)) gRuntime.store(new Runtime(), std::memory_order_release);
  return *gRuntime.load(std::memory_order_relaxed);
}

void Runtime::ReleaseAtUnload() {
  std::lock_guard<std::mutex> lock(gRuntimeMu);
  Runtime* rt = gRuntime.load(std::memory_order_relaxed);
  if (!rt) return;
  {
    std::lock_guard<std::mutex> table(rt->mu);
    if (rt->table.real_entities() != 0 || rt->running_ || rt->thread_.joinable()) return;  // in use
  }
  gRuntime.store(nullptr, std::memory_order_release);
  delete rt;
}

#ifdef _WIN32
// FreeLibrary (reserved NULL) only: at process termination other threads are gone, possibly
// holding the table's lock, and the memory goes with the process.
extern "C" BOOL WINAPI DllMain(HINSTANCE, DWORD reason, LPVOID reserved) {
  if (reason == DLL_PROCESS_DETACH && reserved == nullptr) Runtime::ReleaseAtUnload();
  return TRUE;
}
#else
// dlclose (and exit) run static destructors.
struct UnloadHook {
  ~UnloadHook() { Runtime::ReleaseAtUnload(); }
} gUnloadHook;
#endif

void Runtime::EnsureDispatcher(std::unique_lock<std::mutex>& lock) {
  if (running_ || table.real_entities() == 0) return;
  // A previous dispatcher that has already decided to exit (running_ is cleared by the
  // thread itself, under the lock, at its exit point) is joined outside the lock.
  std::thread old = std::move(thread_);
  pin_.OpenSelf();  // this thread is inside an entry point: its caller has the library loaded
  try {
    thread_ = std::thread([this] { Loop(); });  // blocks on the lock until we are done
  } catch (...) {
    thread_ = std::move(old);
    throw;
  }
  running_ = true;
  dispatcher_id_ = thread_.get_id();
  if (old.joinable()) {
    lock.unlock();
    old.join();
    lock.lock();
  }
}

void Runtime::AfterDeregister(std::unique_lock<std::mutex>& lock, uint64_t entity,
                              uint64_t notify) {
  cv_.notify_all();
  if (OnDispatcherThread()) return;  // called from inside a callback: nothing to wait for
  cv_.wait(lock, [&] {
    return !in_callback_ || !((entity && cb_entity_ == entity) || (notify && cb_notify_ == notify));
  });
  if (table.real_entities() != 0) return;
  cv_.wait(lock, [&] { return !running_ || table.real_entities() != 0; });
  if (running_) return;  // someone registered again meanwhile
  Reap(lock);
}

void Runtime::Reap(std::unique_lock<std::mutex>& lock) {
  if (running_ || !thread_.joinable() || OnDispatcherThread()) return;
  std::thread t = std::move(thread_);
  lock.unlock();
  t.join();
  lock.lock();
  // The caller is inside an entry point: its own reference keeps the library loaded.
  if (!thread_.joinable()) pin_.Close();
}

void Runtime::Loop() {
  std::unique_lock<std::mutex> lock(mu);
  for (;;) {
    if (table.real_entities() == 0) {
      running_ = false;
      dispatcher_id_ = std::thread::id();
      cv_.notify_all();
      return;
    }
    if (table.HasEvents()) {
      const Event ev = table.PopEvent();
      Deliver(lock, ev);
      continue;
    }
    bool popped = false;
    const uint64_t route = table.PopExpired(Clock::now(), &popped);
    if (popped) {
      if (route) Expire(lock, route);
      continue;
    }
    Clock::time_point when;
    if (table.NextDeadline(&when)) {
      cv_.wait_until(lock, when);
    } else {
      cv_.wait(lock);
    }
  }
}

void Runtime::Deliver(std::unique_lock<std::mutex>& lock, const Event& ev) {
  const Entity* target = table.FindEntity(ev.target);
  if (!target || !target->callback) return;
  const RTM_EVENT_CALLBACK cb = target->callback;
  RTM_EVENT_TYPE type;
  PVOID ctx1;
  PVOID ctx2;
  RTM_ENTITY_INFO peer_info = ev.peer_info;  // valid for the duration of the callback
  if (ev.type == Event::kChange) {
    const Notify* n = table.FindNotify(ev.notify);
    if (!n || !n->signaled) return;  // gone, or drained by the client since the signal
    type = RTM_CHANGE_NOTIFICATION;
    ctx1 = ToHandle(n->id);
    ctx2 = n->context;
  } else {
    type = ev.type == Event::kEntityRegistered ? RTM_ENTITY_REGISTERED : RTM_ENTITY_DEREGISTERED;
    ctx1 = ToHandle(ev.peer);
    ctx2 = &peer_info;
  }
  in_callback_ = true;
  cb_entity_ = ev.target;
  cb_notify_ = ev.notify;
  lock.unlock();
  cb(ToHandle(ev.target), type, ctx1, ctx2);
  lock.lock();
  in_callback_ = false;
  cb_entity_ = cb_notify_ = 0;
  cv_.notify_all();
}

void Runtime::Expire(std::unique_lock<std::mutex>& lock, uint64_t route_id) {
  Route* r = table.FindRoute(route_id);
  if (!r) return;
  const uint64_t owner = r->owner;
  const Entity* e = table.FindEntity(owner);
  DWORD rc = ERROR_NOT_SUPPORTED;  // no callback to ask: the route goes
  const bool ask = e && e->callback;
  if (ask) {
    const RTM_EVENT_CALLBACK cb = e->callback;
    // The route info belongs to RTM for the duration of the callback (the client copies
    // what it keeps); no handle references are handed over.
    std::vector<unsigned char> buf(rrasbridge::RtmRouteInfoSize(kMaxNextHopsInRoute));
    RTM_ROUTE_INFO* info = reinterpret_cast<RTM_ROUTE_INFO*>(buf.data());
    table.FillRouteInfo(*r, info, false);
    table.Pin(route_id);
    in_callback_ = true;
    cb_entity_ = owner;
    cb_notify_ = 0;
    lock.unlock();
    rc = cb(ToHandle(owner), RTM_ROUTE_EXPIRED, ToHandle(route_id), info);
    lock.lock();
    in_callback_ = false;
    cb_entity_ = 0;
    cv_.notify_all();
    r = table.FindRoute(route_id);  // still there (pinned) unless the table was reset
    if (!r) return;
  }
  if (rc == ERROR_NOT_SUPPORTED && r->in_table) {
    bool best_changed;
    table.RemoveRoute(route_id, &best_changed);
  }
  if (ask) table.Unpin(route_id);
}

}  // namespace mockrtm
