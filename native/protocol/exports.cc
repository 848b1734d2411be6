// RegisterProtocol, the library's one export, the per-protocol entry-point tables, and what
// happens when the library is unloaded.
//
// routprot.h entry points carry no protocol id (GetEventMessage, DoUpdateRoutes, ...), yet
// one library may serve several ids. Each registered id gets a slot, and each slot has its
// own set of functions (a template instantiated per slot) that forward to its Instance.
//
// Unloading. A running protocol holds a reference on the library (supervisor.h), so a
// FreeLibrary/dlclose by the router manager reaches the library's teardown only when no
// thread of ours exists: then the instances and log files are freed, without waiting on
// anything (on Windows this runs in DllMain, under the loader lock, where waiting for a
// thread would deadlock). An unload without a stop just drops the router manager's
// reference: the library stays loaded, its protocols keep running until the process ends
// (the host dies with it: job object, PR_SET_PDEATHSIG), and a later load finds them.
// At process termination Windows has already ended the other threads, possibly holding
// our locks: DllMain then touches nothing. POSIX exit() runs the teardown with those
// threads still alive: it frees nothing unless every protocol is idle.
//
// State: the slots are guarded by gRegistryMu (RegisterProtocol fills them, every entry point
// looks its Instance up, the unload frees them); an Instance guards its own.
#include <array>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <utility>

#include "../common/compat.h"
#include "instance.h"
#include "log.h"

#if defined(_WIN32)
#define RRAS_BRIDGE_EXPORT extern "C" __declspec(dllexport)
#else
#define RRAS_BRIDGE_EXPORT extern "C" __attribute__((visibility("default")))
#endif

namespace rrasbridge {
namespace {

constexpr size_t kSlots = 16;

// The routprot.h version this library implements, and so answers in dwVersion: MPR50's, whose
// table is the 224-byte MPR50_ROUTING_CHARACTERISTICS. A router manager may offer a later one
// (the SDK's MPR60: 0x600, 264 bytes); it gets this answer, the MPR50 part filled, and every
// byte past it left as it was (reference §3.3). SUPPORT_FUNCTIONS is read up to MPR50's part.
constexpr DWORD kRouterVersion = 0x500;
static_assert(MS_ROUTER_VERSION == kRouterVersion && sizeof(MPR_ROUTING_CHARACTERISTICS) == 224 &&
                  sizeof(SUPPORT_FUNCTIONS) == 96,
              "built against MPR50's routprot.h (MPR50=1, not MPR60)");

using SlotArray = std::array<std::unique_ptr<Instance>, kSlots>;
std::mutex gRegistryMu;
// Freed only by ReleaseAtUnload, never by a static destructor: at process exit instances may
// still have threads (and other libraries' statics, RTM's, may be gone).
SlotArray* gSlots = nullptr;

Instance* Find(size_t slot) {
  std::lock_guard<std::mutex> lock(gRegistryMu);
  return gSlots ? (*gSlots)[slot].get() : nullptr;
}

// No C++ exception may reach the router manager.
template <typename F>
DWORD Guard(size_t slot, const char* what, F&& f) {
  try {
    Instance* in = Find(slot);
    if (!in) return ERROR_CAN_NOT_COMPLETE;
    return f(*in);
  } catch (const std::exception& e) {
    Logger()(LogLevel::Error, "%s: %s", what, e.what());
  } catch (...) {
    Logger()(LogLevel::Error, "%s: unknown exception", what);
  }
  return ERROR_CAN_NOT_COMPLETE;
}

using wire::ClientOperation;
using wire::MibOperation;
using wire::PowerOperation;

template <size_t N>
struct Slot {
  static DWORD WINAPI StartProtocol(HANDLE ev, PSUPPORT_FUNCTIONS sf, LPVOID gi, ULONG v, ULONG s,
                                    ULONG c) {
    return Guard(N, "StartProtocol", [&](Instance& i) { return i.StartProtocol(ev, sf, gi, v, s, c); });
  }
  static DWORD WINAPI StartComplete() {
    return Guard(N, "StartComplete", [](Instance& i) { return i.StartComplete(); });
  }
  static DWORD WINAPI StopProtocol() {
    return Guard(N, "StopProtocol", [](Instance& i) { return i.StopProtocol(); });
  }
  static DWORD WINAPI GetGlobalInfo(PVOID gi, PULONG b, PULONG v, PULONG s, PULONG c) {
    return Guard(N, "GetGlobalInfo", [&](Instance& i) { return i.GetGlobalInfo(gi, b, v, s, c); });
  }
  static DWORD WINAPI SetGlobalInfo(PVOID gi, ULONG v, ULONG s, ULONG c) {
    return Guard(N, "SetGlobalInfo", [&](Instance& i) { return i.SetGlobalInfo(gi, v, s, c); });
  }
  static DWORD WINAPI AddInterface(LPWSTR name, ULONG idx, NET_INTERFACE_TYPE t, DWORD media,
                                   WORD access, WORD conn, PVOID info, ULONG v, ULONG s, ULONG c) {
    // The router manager's value may be outside the enum (e.g. 99): its bits are read as an
    // integer, never loaded as a NET_INTERFACE_TYPE, and the Instance refuses it.
    static_assert(sizeof t == sizeof(uint32_t), "NET_INTERFACE_TYPE is 32 bits");
    uint32_t type;
    std::memcpy(&type, &t, sizeof type);
    return Guard(N, "AddInterface", [&](Instance& i) {
      return i.AddInterface(name, idx, type, media, access, conn, info, v, s, c);
    });
  }
  static DWORD WINAPI DeleteInterface(ULONG idx) {
    return Guard(N, "DeleteInterface", [&](Instance& i) { return i.DeleteInterface(idx); });
  }
  static DWORD WINAPI InterfaceStatus(ULONG idx, BOOL active, DWORD type, PVOID info) {
    return Guard(N, "InterfaceStatus",
                 [&](Instance& i) { return i.InterfaceStatus(idx, active, type, info); });
  }
  static DWORD WINAPI GetInterfaceInfo(ULONG idx, PVOID info, PULONG b, PULONG v, PULONG s,
                                       PULONG c) {
    return Guard(N, "GetInterfaceInfo",
                 [&](Instance& i) { return i.GetInterfaceInfo(idx, info, b, v, s, c); });
  }
  static DWORD WINAPI SetInterfaceInfo(ULONG idx, PVOID info, ULONG v, ULONG s, ULONG c) {
    return Guard(N, "SetInterfaceInfo",
                 [&](Instance& i) { return i.SetInterfaceInfo(idx, info, v, s, c); });
  }
  static DWORD WINAPI GetEventMessage(ROUTING_PROTOCOL_EVENTS* ev, MESSAGE* msg) {
    return Guard(N, "GetEventMessage", [&](Instance& i) { return i.GetEventMessage(ev, msg); });
  }
  static DWORD WINAPI DoUpdateRoutes(ULONG idx) {
    return Guard(N, "DoUpdateRoutes", [&](Instance& i) { return i.DoUpdateRoutes(idx); });
  }
  template <MibOperation Op>
  static DWORD WINAPI MibIn(ULONG inSize, PVOID in) {
    return Guard(N, "Mib", [&](Instance& i) { return i.Mib(Op, inSize, in, nullptr, nullptr); });
  }
  template <MibOperation Op>
  static DWORD WINAPI MibInOut(ULONG inSize, PVOID in, PULONG outSize, PVOID out) {
    return Guard(N, "Mib", [&](Instance& i) { return i.Mib(Op, inSize, in, outSize, out); });
  }
  static DWORD WINAPI MibSetTrapInfo(HANDLE ev, ULONG inSize, PVOID in, PULONG outSize, PVOID out) {
    return Guard(N, "MibSetTrapInfo",
                 [&](Instance& i) { return i.MibSetTrapInfo(ev, inSize, in, outSize, out); });
  }

  static DWORD WINAPI QueryPower(DWORD type) {
    return Guard(N, "QueryPower", [&](Instance& i) { return i.Power(PowerOperation::Query, type); });
  }
  static DWORD WINAPI SetPower(DWORD type) {
    return Guard(N, "SetPower", [&](Instance& i) { return i.Power(PowerOperation::Set, type); });
  }
  static DWORD WINAPI ConnectClient(ULONG idx, PVOID address) {
    return Guard(N, "ConnectClient", [&](Instance& i) { return i.Client(ClientOperation::Connect, idx, address); });
  }
  static DWORD WINAPI DisconnectClient(ULONG idx, PVOID address) {
    return Guard(N, "DisconnectClient", [&](Instance& i) { return i.Client(ClientOperation::Disconnect, idx, address); });
  }

  // Optional entry points stay NULL unless the protocol declares them (and their RF_ flag).
  static void Fill(MPR_ROUTING_CHARACTERISTICS& t, bool power, bool clients) {
    // Assigning to the real function-pointer types makes any signature mismatch a build
    // error against the SDK headers.
    t.pfnStartProtocol = &StartProtocol;
    t.pfnStartComplete = &StartComplete;
    t.pfnStopProtocol = &StopProtocol;
    t.pfnGetGlobalInfo = &GetGlobalInfo;
    t.pfnSetGlobalInfo = &SetGlobalInfo;
    t.pfnQueryPower = power ? &QueryPower : nullptr;
    t.pfnSetPower = power ? &SetPower : nullptr;
    t.pfnAddInterface = &AddInterface;
    t.pfnDeleteInterface = &DeleteInterface;
    t.pfnInterfaceStatus = &InterfaceStatus;
    t.pfnGetInterfaceInfo = &GetInterfaceInfo;
    t.pfnSetInterfaceInfo = &SetInterfaceInfo;
    t.pfnGetEventMessage = &GetEventMessage;
    t.pfnUpdateRoutes = &DoUpdateRoutes;
    t.pfnConnectClient = clients ? &ConnectClient : nullptr;
    t.pfnDisconnectClient = clients ? &DisconnectClient : nullptr;
    t.pfnGetNeighbors = nullptr;
    t.pfnGetMfeStatus = nullptr;
    t.pfnMibCreateEntry = &MibIn<MibOperation::Create>;
    t.pfnMibDeleteEntry = &MibIn<MibOperation::Delete>;
    t.pfnMibGetEntry = &MibInOut<MibOperation::Get>;
    t.pfnMibSetEntry = &MibIn<MibOperation::Set>;
    t.pfnMibGetFirstEntry = &MibInOut<MibOperation::GetFirst>;
    t.pfnMibGetNextEntry = &MibInOut<MibOperation::GetNext>;
    t.pfnMibSetTrapInfo = &MibSetTrapInfo;
    t.pfnMibGetTrapInfo = &MibInOut<MibOperation::GetTrapInfo>;
  }
};

template <size_t... I>
constexpr std::array<void (*)(MPR_ROUTING_CHARACTERISTICS&, bool, bool), kSlots> MakeFillers(
    std::index_sequence<I...>) {
  return {&Slot<I>::Fill...};
}
constexpr auto kFillers = MakeFillers(std::make_index_sequence<kSlots>{});

DWORD Register(PMPR_ROUTING_CHARACTERISTICS rc, PMPR_SERVICE_CHARACTERISTICS sc) {
  if (!rc) return ERROR_INVALID_PARAMETER;
  const DWORD id = rc->dwProtocolId;
  ProtocolConfig config;
  bool found = false;
  std::string err;
  if (!LoadProtocolConfig(id, config, &found, err)) {
    Logger()(LogLevel::Error, "RegisterProtocol(0x%08X (%u)): configuration: %s", unsigned(id), unsigned(id), err.c_str());
    return ERROR_NOT_SUPPORTED;
  }
  if (!found) {
    Logger()(LogLevel::Info, "RegisterProtocol(0x%08X (%u)): not a protocol this library serves", unsigned(id), unsigned(id));
    return ERROR_NOT_SUPPORTED;
  }
  std::lock_guard<std::mutex> lock(gRegistryMu);
  if (!gSlots) gSlots = std::make_unique<SlotArray>().release();
  auto& slots = *gSlots;
  size_t slot = kSlots;
  for (size_t i = 0; i < kSlots; ++i)
    if (slots[i] && slots[i]->protocolId() == id) slot = i;
  if (slot == kSlots) {
    for (size_t i = 0; i < kSlots && slot == kSlots; ++i)
      if (!slots[i]) slot = i;
    if (slot == kSlots) {
      Logger(config.name, config.logFile)(LogLevel::Error, "RegisterProtocol(0x%08X (%u)): all %u slots are in use", unsigned(id), unsigned(id), unsigned(kSlots));
      return ERROR_CAN_NOT_COMPLETE;
    }
    slots[slot] = std::make_unique<Instance>(config);
  } else {
    slots[slot]->Reconfigure(config);
  }
  // Claim only what both sides support; the router manager offers its set in the struct.
  const DWORD offered = rc->fSupportedFunctionality;
  // Multicast entry points are not bridged: RF_MULTICAST is never claimed.
  DWORD wanted = config.supportedFunctionality;
  if (config.ipv6 && (wanted & RF_ROUTING)) wanted = (wanted & ~RF_ROUTING) | RF_ROUTINGV6;
  const DWORD ours = wanted & (RF_ROUTING | RF_ROUTINGV6 | RF_DEMAND_UPDATE_ROUTES |
                               RF_ADD_ALL_INTERFACES | RF_POWER);
  const DWORD offeredVersion = rc->dwVersion;
  rc->dwVersion = kRouterVersion;
  rc->fSupportedFunctionality = offered & ours;
  kFillers[slot](*rc, (rc->fSupportedFunctionality & RF_POWER) != 0, config.clientCalls != 0);
  if (sc) sc->mscMpr40ServiceChars.fSupportedFunctionality = 0;  // no IPX service table
  Logger(config.name, config.logFile)(LogLevel::Info,
                                     "registered protocol 0x%08X (%u) (slot %u, router version 0x%x offered, 0x%x answered, functionality 0x%x)",
                                     unsigned(id), unsigned(id), unsigned(slot), unsigned(offeredVersion), unsigned(kRouterVersion),
                                     unsigned(rc->fSupportedFunctionality));
  return NO_ERROR;
}

// The library is being unloaded (see the top of this file): frees everything if no protocol
// has a thread, else leaves it all alone.
void ReleaseAtUnload() {
  std::lock_guard<std::mutex> lock(gRegistryMu);
  if (!gSlots) return;
  for (auto& in : *gSlots)
    if (in && !in->Idle()) return;
  delete gSlots;
  gSlots = nullptr;
  CloseLogSinks();
  ReleaseRtmClients();
}

#if !defined(_WIN32)
// dlclose (and exit()) run static destructors.
struct UnloadHook {
  ~UnloadHook() { ReleaseAtUnload(); }
} gUnloadHook;
#endif

}  // namespace
}  // namespace rrasbridge

#if defined(_WIN32)
// FreeLibrary: reserved is NULL. Process termination: reserved is not NULL, touch nothing.
extern "C" BOOL WINAPI DllMain(HINSTANCE, DWORD reason, LPVOID reserved) {
  if (reason == DLL_PROCESS_DETACH && reserved == nullptr) rrasbridge::ReleaseAtUnload();
  return TRUE;
}
#endif

RRAS_BRIDGE_EXPORT DWORD WINAPI RegisterProtocol(PMPR_ROUTING_CHARACTERISTICS pRoutingChar,
                                                 PMPR_SERVICE_CHARACTERISTICS pServiceChar) {
  try {
    return rrasbridge::Register(pRoutingChar, pServiceChar);
  } catch (...) {
    return ERROR_CAN_NOT_COMPLETE;
  }
}
