// A minimal native router manager for the benchmarks: loads the protocol library by path
// and drives it through routprot.h as RRAS does (RegisterProtocol, StartProtocol with a
// notification event, interfaces added then bound and enabled, DoUpdateRoutes, MIB calls,
// GetEventMessage drained after each signal, StopProtocol until ROUTER_STOPPED), timed with
// no JS or FFI in between. POSIX only: the notification event is an eventfd, as under
// MockRouter.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "../common/compat.h"

namespace rrasbridge::bench {

class NativeRouter {
 public:
  NativeRouter() = default;
  NativeRouter(const NativeRouter&) = delete;
  NativeRouter& operator=(const NativeRouter&) = delete;
  ~NativeRouter();

  // dlopen + RegisterProtocol for protocolId (RRAS_BRIDGE_CONFIG names the configuration).
  bool Register(const std::string& library, uint32_t protocolId, std::string& err);
  // StartProtocol with a fresh notification event and `globalInfo` as the global info block.
  DWORD Start(const std::string& globalInfo);
  DWORD StartComplete() { return rc_.pfnStartComplete(); }
  // AddInterface, then InterfaceStatus ADDRESS_CHANGE (192.0.2.1/24) and ENABLED: RRAS's order.
  DWORD AddBoundInterface(ULONG index);
  DWORD DoUpdateRoutes(ULONG index) { return rc_.pfnUpdateRoutes(index); }
  // Waits up to timeoutMs for the notification event (and consumes the signal).
  bool WaitSignal(int timeoutMs);
  // GetEventMessage until ERROR_NO_MORE_ITEMS; fn sees each event. Returns how many.
  size_t Drain(const std::function<void(ROUTING_PROTOCOL_EVENTS, const MESSAGE&)>& fn);
  // A MIB Get whose input is a command for the benchmark protocol and whose output is its
  // JSON answer. Returns the entry point's code.
  DWORD Command(const std::string& input, std::string& answer);
  // StopProtocol, then drains until ROUTER_STOPPED (up to timeoutMs). The code of
  // StopProtocol, or ERROR_TIMEOUT-like 1460 when ROUTER_STOPPED did not come.
  DWORD Stop(int timeoutMs);

 private:
  void* lib_ = nullptr;
  MPR_ROUTING_CHARACTERISTICS rc_{};
  MPR_SERVICE_CHARACTERISTICS sc_{};
  SUPPORT_FUNCTIONS support_{};
  int eventFd_ = -1;
};

}  // namespace rrasbridge::bench
