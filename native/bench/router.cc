// The benchmarks' native router manager (see router.h).
#include "router.h"

#include <dlfcn.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "../common/event_handle.h"
#include "proc_stats.h"

namespace rrasbridge::bench {
namespace {

constexpr DWORD kNoMoreItems = 259;    // ERROR_NO_MORE_ITEMS
constexpr DWORD kTimeout = 1460;       // ERROR_TIMEOUT
constexpr DWORD kStopPending = 907;    // ERROR_PROTOCOL_STOP_PENDING
constexpr size_t kAnswerBytes = 1u << 16;

}  // namespace

NativeRouter::~NativeRouter() {
  if (eventFd_ >= 0) ::close(eventFd_);
  // The library stays loaded: RRAS unloads it only after every protocol stopped, and its
  // threads may still be winding down here.
}

bool NativeRouter::Register(const std::string& library, uint32_t protocolId, std::string& err) {
  lib_ = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib_) {
    err = std::string("dlopen: ") + ::dlerror();
    return false;
  }
  auto reg = reinterpret_cast<PREGISTER_PROTOCOL>(::dlsym(lib_, REGISTER_PROTOCOL_ENTRY_POINT_STRING));
  if (!reg) {
    err = library + " has no RegisterProtocol";
    return false;
  }
  rc_.dwVersion = MS_ROUTER_VERSION;
  rc_.dwProtocolId = protocolId;
  rc_.fSupportedFunctionality = RF_ROUTING | RF_DEMAND_UPDATE_ROUTES;
  const DWORD rc = reg(&rc_, &sc_);
  if (rc != NO_ERROR) {
    err = "RegisterProtocol returned " + std::to_string(rc);
    return false;
  }
  return true;
}

DWORD NativeRouter::Start(const std::string& globalInfo) {
  if (eventFd_ < 0) eventFd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  support_.dwVersion = MS_ROUTER_VERSION;
  std::vector<char> info(globalInfo.begin(), globalInfo.end());
  return rc_.pfnStartProtocol(EventHandleFromFd(eventFd_), &support_,
                              info.empty() ? nullptr : info.data(), 1,
                              static_cast<ULONG>(info.size()), info.empty() ? 0 : 1);
}

DWORD NativeRouter::AddBoundInterface(ULONG index) {
  std::u16string name = u"bench-if";
  DWORD rc = rc_.pfnAddInterface(name.data(), index, PERMANENT, 0, 0, 0, nullptr, 1, 0, 0);
  if (rc != NO_ERROR) return rc;
  std::vector<unsigned char> buf(SIZEOF_IP_BINDING(1));
  auto* b = reinterpret_cast<IP_ADAPTER_BINDING_INFO*>(buf.data());
  b->AddressCount = 1;
  const unsigned char address[4] = {192, 0, 2, 1}, mask[4] = {255, 255, 255, 0};
  std::memcpy(&b->Address[0].Address, address, 4);  // network order, as RRAS passes it
  std::memcpy(&b->Address[0].Mask, mask, 4);
  rc = rc_.pfnInterfaceStatus(index, TRUE, RIS_INTERFACE_ADDRESS_CHANGE, b);
  if (rc != NO_ERROR) return rc;
  return rc_.pfnInterfaceStatus(index, TRUE, RIS_INTERFACE_ENABLED, nullptr);
}

bool NativeRouter::WaitSignal(int timeoutMs) {
  pollfd p{eventFd_, POLLIN, 0};
  if (::poll(&p, 1, timeoutMs) <= 0) return false;
  uint64_t count;
  return ::read(eventFd_, &count, sizeof count) == static_cast<ssize_t>(sizeof count);
}

size_t NativeRouter::Drain(const std::function<void(ROUTING_PROTOCOL_EVENTS, const MESSAGE&)>& fn) {
  size_t n = 0;
  for (;;) {
    ROUTING_PROTOCOL_EVENTS e;
    MESSAGE m{};
    if (rc_.pfnGetEventMessage(&e, &m) == kNoMoreItems) return n;
    ++n;
    fn(e, m);
  }
}

DWORD NativeRouter::Command(const std::string& input, std::string& answer) {
  std::vector<char> in(input.begin(), input.end());
  std::vector<char> out(kAnswerBytes);
  ULONG size = static_cast<ULONG>(out.size());
  const DWORD rc = rc_.pfnMibGetEntry(static_cast<ULONG>(in.size()), in.data(), &size, out.data());
  answer.assign(out.data(), rc == NO_ERROR ? size : 0);
  return rc;
}

DWORD NativeRouter::Stop(int timeoutMs) {
  const DWORD rc = rc_.pfnStopProtocol();
  if (rc != kStopPending && rc != NO_ERROR) return rc;
  const uint64_t until = MonotonicNs() + uint64_t(timeoutMs) * 1000000;
  bool stopped = false;
  while (!stopped && MonotonicNs() < until) {
    WaitSignal(100);
    Drain([&](ROUTING_PROTOCOL_EVENTS e, const MESSAGE&) { stopped |= e == ROUTER_STOPPED; });
  }
  return stopped ? rc : kTimeout;
}

}  // namespace rrasbridge::bench
