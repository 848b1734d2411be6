// The process-wide mock RTM: one mutex over the Table, and the dispatcher thread that runs
// every entity callback (entity events, change notifications, route expiry) with the mutex
// released, so callbacks may call back into RTM.
//
// The dispatcher runs while at least one entity registered through RtmRegisterEntity exists
// (synthetic entities of the inspection API have no callback and need none). It is joined
// when the last such entity deregisters, so a client that deregisters everything before
// unloading the library leaves no thread behind. RtmDeregisterEntity and
// RtmDeregisterFromChangeNotification wait for a callback in flight to that entity /
// registration to return (unless called from inside it), so after they return the client's
// callback and context are never used again.
//
// Unloading: while the dispatcher thread exists, the library holds a reference on itself
// (DynamicLibrary::OpenSelf), closed by whoever joins the thread; so a dlclose/FreeLibrary never unmaps
// code the dispatcher still runs. A dispatcher that ended by itself (the last entity
// deregistered from inside a callback) is joined by the next call that deregisters,
// registers or resets; until then the library stays loaded.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "../common/dynlib.h"
#include "table.h"

namespace mockrtm {

class Runtime {
 public:
  // Created on first use, never by a static destructor (joining threads there would deadlock
  // under the Windows loader lock); state is dropped with MockRtmReset. Freed at library
  // unload (ReleaseAtUnload) when no real entity and no dispatcher are left.
  static Runtime& Get();
  static void ReleaseAtUnload();

  std::mutex mu;
  Table table;

  // After a mutation (lock held): wake the dispatcher for new events or deadlines.
  void Wake() { cv_.notify_all(); }
  // After registering a real entity (lock held): make sure the dispatcher runs.
  void EnsureDispatcher(std::unique_lock<std::mutex>& lock);
  // After a deregistration (lock held): wait for callbacks in flight to `entity` or
  // `notify`, then stop the dispatcher if no real entity is left.
  void AfterDeregister(std::unique_lock<std::mutex>& lock, uint64_t entity, uint64_t notify);
  bool OnDispatcherThread() const { return std::this_thread::get_id() == dispatcher_id_; }
  // (lock held, not on the dispatcher) Joins a dispatcher that has ended by itself.
  void Reap(std::unique_lock<std::mutex>& lock);

 private:
  Runtime() = default;
  void Loop();
  void Deliver(std::unique_lock<std::mutex>& lock, const Event& ev);
  void Expire(std::unique_lock<std::mutex>& lock, uint64_t route);

  std::condition_variable cv_;
  std::thread thread_;
  std::thread::id dispatcher_id_;
  rrasbridge::DynamicLibrary pin_;  // OpenSelf while thread_ is joinable
  bool running_ = false;
  // The callback being run by the dispatcher, if any.
  bool in_callback_ = false;
  uint64_t cb_entity_ = 0;
  uint64_t cb_notify_ = 0;
};

}  // namespace mockrtm
