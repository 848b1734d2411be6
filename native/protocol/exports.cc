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
#include <algorithm>
#include <array>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <utility>

#include "../common/compat.h"
#include "../common/info_block.h"
#include "admin_endpoint.h"
#include "instance.h"
#include "log.h"
#include "telemetry.h"

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

// Every routprot.h call passes here: no C++ exception may reach the router manager, and the
// call is counted, timed and traced (telemetry.h). args(instance, result) gives its arguments
// for the trace, read after the call; it runs only while the trace records.
template <typename Args, typename F>
DWORD Guard(size_t slot, EntryPoint ep, Args&& args, F&& f) {
  Instance* in = Find(slot);
  if (!in) return ERROR_CAN_NOT_COMPLETE;
  CallScope scope(in->telemetry(), ep);
  DWORD result = ERROR_CAN_NOT_COMPLETE;
  try {
    result = f(*in);
  } catch (const std::exception& e) {
    Logger()(LogLevel::Error, "%s: %s", EntryPointName(ep), e.what());
  } catch (...) {
    Logger()(LogLevel::Error, "%s: unknown exception", EntryPointName(ep));
  }
  try {
    scope.End(result, [&](DWORD r) { return args(*in, r); });
  } catch (...) {  // a record that could not be made is not worth a failed call
  }
  return result;
}

// Arguments for the trace: values in trace_format.cc's order; P marks a pointer.
struct P {
  const void* p;
};
inline void Put(CallArgs& a, size_t i, uint64_t v) { a.v[i] = v; }
inline void Put(CallArgs& a, size_t i, P p) {
  a.v[i] = reinterpret_cast<uintptr_t>(p.p);
  a.pointers |= static_cast<uint8_t>(1u << i);
}
template <typename... T>
CallArgs Args(T... values) {
  static_assert(sizeof...(T) <= kTraceArgs, "too many traced arguments");
  CallArgs a;
  size_t i = 0;
  (Put(a, i++, values), ...);
  return a;
}
inline uint64_t Out(const ULONG* p) { return p ? *p : 0; }  // an in/out size, after the call

void SetText(CallArgs& a, const std::string& s) {
  const size_t n = std::min(s.size(), kTraceText - 1);
  std::memcpy(a.text, s.data(), n);
  a.text[n] = '\0';
}
// An interface name as ASCII (others as '?'), for the trace only.
void SetText(CallArgs& a, LPWSTR w) {
  std::string s;
  for (size_t i = 0; w && w[i] && i < kTraceText - 1; ++i) s += w[i] < 0x80 ? static_cast<char>(w[i]) : '?';
  SetText(a, s);
}

const auto kNoArgs = [](Instance&, DWORD) { return CallArgs{}; };

using wire::ClientOperation;
using wire::MibOperation;
using wire::PowerOperation;

template <size_t N>
struct Slot {
  static DWORD WINAPI StartProtocol(HANDLE ev, PSUPPORT_FUNCTIONS sf, LPVOID gi, ULONG v, ULONG s,
                                    ULONG c) {
    return Guard(N, EntryPoint::StartProtocol, [&](Instance&, DWORD) { return Args(P{sf}, P{gi}, v, s, c); },
                 [&](Instance& i) { return i.StartProtocol(ev, sf, gi, v, s, c); });
  }
  static DWORD WINAPI StartComplete() {
    return Guard(N, EntryPoint::StartComplete, kNoArgs, [](Instance& i) { return i.StartComplete(); });
  }
  static DWORD WINAPI StopProtocol() {
    return Guard(N, EntryPoint::StopProtocol, kNoArgs, [](Instance& i) { return i.StopProtocol(); });
  }
  static DWORD WINAPI GetGlobalInfo(PVOID gi, PULONG b, PULONG v, PULONG s, PULONG c) {
    return Guard(N, EntryPoint::GetGlobalInfo, [&](Instance&, DWORD) { return Args(P{gi}, Out(b)); },
                 [&](Instance& i) { return i.GetGlobalInfo(gi, b, v, s, c); });
  }
  static DWORD WINAPI SetGlobalInfo(PVOID gi, ULONG v, ULONG s, ULONG c) {
    return Guard(N, EntryPoint::SetGlobalInfo, [&](Instance&, DWORD) { return Args(P{gi}, v, s, c); },
                 [&](Instance& i) { return i.SetGlobalInfo(gi, v, s, c); });
  }
  static DWORD WINAPI AddInterface(LPWSTR name, ULONG idx, NET_INTERFACE_TYPE t, DWORD media,
                                   WORD access, WORD conn, PVOID info, ULONG v, ULONG s, ULONG c) {
    // The router manager's value may be outside the enum (e.g. 99): its bits are read as an
    // integer, never loaded as a NET_INTERFACE_TYPE, and the Instance refuses it.
    static_assert(sizeof t == sizeof(uint32_t), "NET_INTERFACE_TYPE is 32 bits");
    uint32_t type;
    std::memcpy(&type, &t, sizeof type);
    return Guard(
        N, EntryPoint::AddInterface,
        [&](Instance&, DWORD) {
          CallArgs a = Args(idx, type, media, access, conn, s);
          SetText(a, name);
          return a;
        },
        [&](Instance& i) { return i.AddInterface(name, idx, type, media, access, conn, info, v, s, c); });
  }
  static DWORD WINAPI DeleteInterface(ULONG idx) {
    return Guard(N, EntryPoint::DeleteInterface, [&](Instance&, DWORD) { return Args(idx); },
                 [&](Instance& i) { return i.DeleteInterface(idx); });
  }
  static DWORD WINAPI InterfaceStatus(ULONG idx, BOOL active, DWORD type, PVOID info) {
    return Guard(
        N, EntryPoint::InterfaceStatus,
        [&](Instance& i, DWORD result) {
          CallArgs a = Args(idx, uint64_t(active ? 1 : 0), type, P{info});
          // An accepted binding was read whole by the call: its first address is safe to show.
          if (type == RIS_INTERFACE_ADDRESS_CHANGE && result == NO_ERROR && info) {
            const bool v6 = i.config().ipv6 != 0;
            size_t bytes = 0;
            std::string err;
            if (v6 ? infoblock::Binding6Size(info, infoblock::kMaxBinding6Bytes, bytes, err)
                   : infoblock::BindingSize(info, infoblock::kMaxBindingBytes, bytes, err)) {
              const auto addresses = infoblock::BindingAddressTexts(info, bytes, v6);
              a.v[4] = addresses.size();
              if (!addresses.empty()) SetText(a, addresses.front());
            }
          }
          return a;
        },
        [&](Instance& i) { return i.InterfaceStatus(idx, active, type, info); });
  }
  static DWORD WINAPI GetInterfaceInfo(ULONG idx, PVOID info, PULONG b, PULONG v, PULONG s,
                                       PULONG c) {
    return Guard(N, EntryPoint::GetInterfaceInfo, [&](Instance&, DWORD) { return Args(idx, P{info}, Out(b)); },
                 [&](Instance& i) { return i.GetInterfaceInfo(idx, info, b, v, s, c); });
  }
  static DWORD WINAPI SetInterfaceInfo(ULONG idx, PVOID info, ULONG v, ULONG s, ULONG c) {
    return Guard(N, EntryPoint::SetInterfaceInfo, [&](Instance&, DWORD) { return Args(idx, P{info}, v, s, c); },
                 [&](Instance& i) { return i.SetInterfaceInfo(idx, info, v, s, c); });
  }
  static DWORD WINAPI GetEventMessage(ROUTING_PROTOCOL_EVENTS* ev, MESSAGE* msg) {
    // The event handed out, when there was one; else the pointer passed.
    return Guard(N, EntryPoint::GetEventMessage,
                 [&](Instance&, DWORD result) {
                   return result == NO_ERROR && ev ? Args(uint64_t(*ev), P{msg}) : Args(P{ev}, P{msg});
                 },
                 [&](Instance& i) { return i.GetEventMessage(ev, msg); });
  }
  static DWORD WINAPI DoUpdateRoutes(ULONG idx) {
    return Guard(N, EntryPoint::DoUpdateRoutes, [&](Instance&, DWORD) { return Args(idx); },
                 [&](Instance& i) { return i.DoUpdateRoutes(idx); });
  }
  template <MibOperation Op, EntryPoint E>
  static DWORD WINAPI MibIn(ULONG inSize, PVOID in) {
    return Guard(N, E, [&](Instance&, DWORD) { return Args(inSize, P{in}); },
                 [&](Instance& i) { return i.Mib(Op, inSize, in, nullptr, nullptr); });
  }
  template <MibOperation Op, EntryPoint E>
  static DWORD WINAPI MibInOut(ULONG inSize, PVOID in, PULONG outSize, PVOID out) {
    return Guard(N, E, [&](Instance&, DWORD) { return Args(inSize, P{in}, Out(outSize), P{out}); },
                 [&](Instance& i) { return i.Mib(Op, inSize, in, outSize, out); });
  }
  static DWORD WINAPI MibSetTrapInfo(HANDLE ev, ULONG inSize, PVOID in, PULONG outSize, PVOID out) {
    return Guard(N, EntryPoint::MibSetTrapInfo,
                 [&](Instance&, DWORD) { return Args(P{ev}, inSize, P{in}, Out(outSize), P{out}); },
                 [&](Instance& i) { return i.MibSetTrapInfo(ev, inSize, in, outSize, out); });
  }

  static DWORD WINAPI QueryPower(DWORD type) {
    return Guard(N, EntryPoint::QueryPower, [&](Instance&, DWORD) { return Args(type); },
                 [&](Instance& i) { return i.Power(PowerOperation::Query, type); });
  }
  static DWORD WINAPI SetPower(DWORD type) {
    return Guard(N, EntryPoint::SetPower, [&](Instance&, DWORD) { return Args(type); },
                 [&](Instance& i) { return i.Power(PowerOperation::Set, type); });
  }
  static DWORD WINAPI ConnectClient(ULONG idx, PVOID address) {
    return Guard(N, EntryPoint::ConnectClient, [&](Instance&, DWORD) { return Args(idx, P{address}); },
                 [&](Instance& i) { return i.Client(ClientOperation::Connect, idx, address); });
  }
  static DWORD WINAPI DisconnectClient(ULONG idx, PVOID address) {
    return Guard(N, EntryPoint::DisconnectClient, [&](Instance&, DWORD) { return Args(idx, P{address}); },
                 [&](Instance& i) { return i.Client(ClientOperation::Disconnect, idx, address); });
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
    t.pfnMibCreateEntry = &MibIn<MibOperation::Create, EntryPoint::MibCreateEntry>;
    t.pfnMibDeleteEntry = &MibIn<MibOperation::Delete, EntryPoint::MibDeleteEntry>;
    t.pfnMibGetEntry = &MibInOut<MibOperation::Get, EntryPoint::MibGetEntry>;
    t.pfnMibSetEntry = &MibIn<MibOperation::Set, EntryPoint::MibSetEntry>;
    t.pfnMibGetFirstEntry = &MibInOut<MibOperation::GetFirst, EntryPoint::MibGetFirstEntry>;
    t.pfnMibGetNextEntry = &MibInOut<MibOperation::GetNext, EntryPoint::MibGetNextEntry>;
    t.pfnMibSetTrapInfo = &MibSetTrapInfo;
    t.pfnMibGetTrapInfo = &MibInOut<MibOperation::GetTrapInfo, EntryPoint::MibGetTrapInfo>;
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
  AdminEndpoint::ReleaseAtUnload();
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
