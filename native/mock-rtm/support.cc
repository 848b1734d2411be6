// The router manager's SUPPORT_FUNCTIONS as MockRouter offers them, answered in native code.
//
// The protocol library calls them on its own threads (ValidateRoute for every route a host
// adds). Were they JS callbacks, each call would wait for the test's JS thread, which may be
// busy, blocked, or gone (a worker thread that ended with its router still open): the
// library's threads would stall or call into freed memory. So they answer here, from
// settings MockRouter made beforehand, and record each call for MockRouter to read
// (mock_rtm.h: MockRtmSupport*). One set of functions per protocol slot, so that a record says
// which protocol's StartProtocol received the functions even where the call carries no id
// (GetRouterId). Each MockRouter loads its own copy of this library: the settings and the
// record are per router.
#define MOCK_RTM_BUILD 1
#include "mock_rtm.h"

#include <stdio.h>
#include <string.h>

#include <array>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "address.h"

namespace mockrtm {
namespace {

constexpr size_t kSlots = MOCK_SUPPORT_SLOTS;
constexpr size_t kMaxRecords = 100000;  // beyond this the oldest go (counted in dropped)

struct State {
  std::mutex mu;
  uint32_t routerId = 0x0100000a;  // 10.0.0.1 in network order
  std::map<uint32_t, uint32_t> priority;  // protocol id -> RTM preference ValidateRoute sets
  std::deque<MockRtmSupportCall> records;
  uint32_t dropped = 0;
};

// Never destroyed: the library's threads may call in while the process exits.
State& S() {
  static State* s = std::make_unique<State>().release();
  return *s;
}

void Record(size_t slot, uint32_t function, std::initializer_list<uint32_t> args, uint32_t result,
            const char* text = nullptr) {
  MockRtmSupportCall c{};
  c.slot = static_cast<uint32_t>(slot);
  c.function = function;
  size_t i = 0;
  for (uint32_t a : args) {
    if (i < 4) c.args[i++] = a;
  }
  c.argCount = static_cast<uint32_t>(i);
  c.result = result;
  if (text) snprintf(c.text, sizeof c.text, "%s", text);
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.records.size() >= kMaxRecords) {
    s.records.pop_front();
    ++s.dropped;
  }
  s.records.push_back(c);
}

// "a.b.c.d/len" or "2001:db8::/32"; "family F/len" for anything else (the text is for people).
void FormatDest(const RTM_NET_ADDRESS* dest, char* out, size_t size) {
  Prefix p;
  if (dest && FromNetAddressRaw(dest, &p)) {
    snprintf(out, size, "%s/%u", FormatAddress(p).c_str(), unsigned(p.len));
  } else if (dest) {
    snprintf(out, size, "family %u/%u", unsigned(dest->AddressFamily), unsigned(dest->NumBits));
  } else {
    snprintf(out, size, "(null)");
  }
}

// What SUPPORT_FUNCTIONS_60 appends to MPR50's 96 bytes (absent from mingw's headers).
struct SupportFunctions60Tail {
  DWORD(WINAPI* ValidateRouteEx)(DWORD, DWORD, DWORD, PVOID, PVOID, PVOID);
  DWORD(WINAPI* GetRoutingDomainInfo)(PVOID, DWORD, DWORD, PVOID);
  DWORD(WINAPI* GetInterfaceInformation)(DWORD, DWORD, DWORD, DWORD, PVOID);
};
constexpr size_t kSupportFunctions60Size = sizeof(SUPPORT_FUNCTIONS) + sizeof(SupportFunctions60Tail);
static_assert(kSupportFunctions60Size == 120, "SUPPORT_FUNCTIONS_60 is 120 bytes on x64");

template <size_t N>
struct Slot {
  static DWORD WINAPI DemandDialRequest(DWORD protocolId, DWORD interfaceIndex) {
    Record(N, MOCK_SUPPORT_DEMAND_DIAL_REQUEST, {protocolId, interfaceIndex}, NO_ERROR);
    return NO_ERROR;
  }
  static DWORD WINAPI SetInterfaceReceiveType(DWORD protocolId, DWORD interfaceIndex,
                                              DWORD receiveType, BOOL activate) {
    Record(N, MOCK_SUPPORT_SET_INTERFACE_RECEIVE_TYPE,
           {protocolId, interfaceIndex, receiveType, activate ? 1u : 0u}, NO_ERROR);
    return NO_ERROR;
  }
  // Applies the router manager's priority policy (IP_PROT_PRIORITY_INFO): the preference
  // configured for the protocol, if any, is written into the route.
  static DWORD WINAPI ValidateRoute(DWORD protocolId, PVOID routeInfo, PVOID destAddress) {
    char text[sizeof(MockRtmSupportCall::text)];
    FormatDest(static_cast<const RTM_NET_ADDRESS*>(destAddress), text, sizeof text);
    {
      State& s = S();
      std::lock_guard<std::mutex> lock(s.mu);
      auto it = s.priority.find(protocolId);
      if (it != s.priority.end() && routeInfo)
        static_cast<RTM_ROUTE_INFO*>(routeInfo)->PrefInfo.Preference = it->second;
    }
    Record(N, MOCK_SUPPORT_VALIDATE_ROUTE, {protocolId}, NO_ERROR, text);
    return NO_ERROR;
  }
  template <uint32_t F>
  static DWORD WINAPI MibIn(DWORD pid, DWORD size, LPVOID) {
    Record(N, F, {pid, size}, ERROR_NOT_SUPPORTED);
    return ERROR_NOT_SUPPORTED;
  }
  template <uint32_t F>
  static DWORD WINAPI MibInOut(DWORD pid, DWORD inSize, LPVOID, LPDWORD, LPVOID) {
    Record(N, F, {pid, inSize}, ERROR_NOT_SUPPORTED);
    return ERROR_NOT_SUPPORTED;
  }
  static DWORD WINAPI GetRouterId() {
    uint32_t id;
    {
      State& s = S();
      std::lock_guard<std::mutex> lock(s.mu);
      id = s.routerId;
    }
    Record(N, MOCK_SUPPORT_GET_ROUTER_ID, {}, id);
    return id;
  }
  static BOOL WINAPI HasMulticastBoundary(DWORD ifIndex, DWORD group) {
    Record(N, MOCK_SUPPORT_HAS_MULTICAST_BOUNDARY, {ifIndex, group}, FALSE);
    return FALSE;
  }
  // SUPPORT_FUNCTIONS_60's own members (the Windows SDK's MPR60; reference §3.5): offered to a
  // library in MPR60 mode, which must never call them. Recorded, so a test can say it did not.
  static DWORD WINAPI ValidateRouteEx(DWORD protocolId, DWORD subProtocolId, DWORD transportId,
                                      PVOID, PVOID, PVOID) {
    Record(N, MOCK_SUPPORT_VALIDATE_ROUTE_EX, {protocolId, subProtocolId, transportId}, ERROR_NOT_SUPPORTED);
    return ERROR_NOT_SUPPORTED;
  }
  static DWORD WINAPI GetRoutingDomainInfo(PVOID, DWORD revision, DWORD bufSize, PVOID) {
    Record(N, MOCK_SUPPORT_GET_ROUTING_DOMAIN_INFO, {revision, bufSize}, ERROR_NOT_SUPPORTED);
    return ERROR_NOT_SUPPORTED;
  }
  static DWORD WINAPI GetInterfaceInformation(DWORD index, DWORD transportId, DWORD revision,
                                              DWORD bufSize, PVOID) {
    Record(N, MOCK_SUPPORT_GET_INTERFACE_INFORMATION, {index, transportId, revision, bufSize}, ERROR_NOT_SUPPORTED);
    return ERROR_NOT_SUPPORTED;
  }

  static void Fill(SUPPORT_FUNCTIONS& f) {
    f.DemandDialRequest = &DemandDialRequest;
    f.SetInterfaceReceiveType = &SetInterfaceReceiveType;
    f.ValidateRoute = &ValidateRoute;
    f.MIBEntryCreate = &MibIn<MOCK_SUPPORT_MIB_ENTRY_CREATE>;
    f.MIBEntryDelete = &MibIn<MOCK_SUPPORT_MIB_ENTRY_DELETE>;
    f.MIBEntrySet = &MibIn<MOCK_SUPPORT_MIB_ENTRY_SET>;
    f.MIBEntryGet = &MibInOut<MOCK_SUPPORT_MIB_ENTRY_GET>;
    f.MIBEntryGetFirst = &MibInOut<MOCK_SUPPORT_MIB_ENTRY_GET_FIRST>;
    f.MIBEntryGetNext = &MibInOut<MOCK_SUPPORT_MIB_ENTRY_GET_NEXT>;
    f.GetRouterId = &GetRouterId;
    f.HasMulticastBoundary = &HasMulticastBoundary;
  }
  static void Fill60(SupportFunctions60Tail& f) {
    f.ValidateRouteEx = &ValidateRouteEx;
    f.GetRoutingDomainInfo = &GetRoutingDomainInfo;
    f.GetInterfaceInformation = &GetInterfaceInformation;
  }
};

template <size_t... I>
constexpr std::array<void (*)(SUPPORT_FUNCTIONS&), kSlots> MakeFillers(std::index_sequence<I...>) {
  return {&Slot<I>::Fill...};
}
template <size_t... I>
constexpr std::array<void (*)(SupportFunctions60Tail&), kSlots> MakeFillers60(std::index_sequence<I...>) {
  return {&Slot<I>::Fill60...};
}
constexpr auto kFillers = MakeFillers(std::make_index_sequence<kSlots>{});
constexpr auto kFillers60 = MakeFillers60(std::make_index_sequence<kSlots>{});

}  // namespace
}  // namespace mockrtm

using mockrtm::S;

MOCK_RTM_API uint32_t MockRtmSupportFunctions(uint32_t slot, void* out, uint32_t size) {
  if (slot >= mockrtm::kSlots || !out || size < sizeof(SUPPORT_FUNCTIONS)) return ERROR_INVALID_PARAMETER;
  SUPPORT_FUNCTIONS f;
  memcpy(&f, out, sizeof f);  // keeps dwVersion and dwReserved as the caller set them
  mockrtm::kFillers[slot](f);
  memcpy(out, &f, sizeof f);
  if (size >= mockrtm::kSupportFunctions60Size) {
    mockrtm::SupportFunctions60Tail tail{};
    mockrtm::kFillers60[slot](tail);
    memcpy(static_cast<char*>(out) + sizeof(SUPPORT_FUNCTIONS), &tail, sizeof tail);
  }
  return NO_ERROR;
}

MOCK_RTM_API void MockRtmSupportSetRouterId(uint32_t router_id) {
  std::lock_guard<std::mutex> lock(S().mu);
  S().routerId = router_id;
}

MOCK_RTM_API void MockRtmSupportSetPriority(uint32_t protocol_id, uint32_t preference) {
  std::lock_guard<std::mutex> lock(S().mu);
  S().priority[protocol_id] = preference;
}

MOCK_RTM_API uint32_t MockRtmSupportDrain(MockRtmSupportCall* out, uint32_t capacity, uint32_t* dropped) {
  std::lock_guard<std::mutex> lock(S().mu);
  uint32_t n = 0;
  auto& records = S().records;
  while (n < capacity && out && !records.empty()) {
    out[n++] = records.front();
    records.pop_front();
  }
  if (dropped) *dropped = std::exchange(S().dropped, 0);
  return n;
}
