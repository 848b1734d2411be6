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
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "table.h"

namespace mockrtm {

class Runtime {
 public:
  // Never destroyed (a static destructor joining threads would deadlock under the Windows
  // loader lock); state is dropped with MockRtmReset.
  static Runtime& Get();

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

 private:
  Runtime() = default;
  void Loop();
  void Deliver(std::unique_lock<std::mutex>& lock, const Event& ev);
  void Expire(std::unique_lock<std::mutex>& lock, uint64_t route);

  std::condition_variable cv_;
  std::thread thread_;
  std::thread::id dispatcher_id_;
  bool running_ = false;
  // The callback being run by the dispatcher, if any.
  bool in_callback_ = false;
  uint64_t cb_entity_ = 0;
  uint64_t cb_notify_ = 0;
};

}  // namespace mockrtm
