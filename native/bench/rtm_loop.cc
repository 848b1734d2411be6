// The native route-injection loop (see rtm_loop.h).
#include "rtm_loop.h"

#include <dlfcn.h>

#include <cstring>
#include <vector>

#include "../common/rtm_api.h"
#include "proc_stats.h"

namespace rrasbridge::bench {
namespace {

constexpr uint32_t kLoopProtocolId = 0x7ffe00aa;
constexpr uint32_t kInterfaceIndex = 1;
constexpr ULONG kPreference = 100;  // the library's default routePreference

DWORD WINAPI Ignore(RTM_ENTITY_HANDLE, RTM_EVENT_TYPE, PVOID, PVOID) { return NO_ERROR; }

RTM_NET_ADDRESS Ipv4(uint32_t hostOrder, unsigned bits) {
  RTM_NET_ADDRESS a;
  std::memset(&a, 0, sizeof a);
  a.AddressFamily = AF_INET;
  a.NumBits = static_cast<USHORT>(bits);
  a.AddrBits[0] = static_cast<UCHAR>(hostOrder >> 24);
  a.AddrBits[1] = static_cast<UCHAR>(hostOrder >> 16);
  a.AddrBits[2] = static_cast<UCHAR>(hostOrder >> 8);
  a.AddrBits[3] = static_cast<UCHAR>(hostOrder);
  return a;
}

}  // namespace

RtmLoopResult RunRtmLoop(const std::string& library, size_t routes) {
  RtmLoopResult r;
  r.routes = routes;
  void* lib = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    r.error = std::string("dlopen: ") + ::dlerror();
    return r;
  }
  struct {
#define X(name) PFN_##name name = nullptr;
    RRAS_BRIDGE_RTM_FUNCTIONS(X)
#undef X
  } api;
#define X(name)                                                           \
  api.name = reinterpret_cast<PFN_##name>(::dlsym(lib, #name));           \
  if (!api.name) {                                                        \
    r.error = library + " has no " #name;                                 \
    return r;                                                             \
  }
  RRAS_BRIDGE_RTM_FUNCTIONS(X)
#undef X

  RTM_ENTITY_INFO info;
  std::memset(&info, 0, sizeof info);
  info.AddressFamily = AF_INET;
  info.EntityId.EntityProtocolId = kLoopProtocolId;
  RTM_REGN_PROFILE profile;
  RTM_ENTITY_HANDLE entity = nullptr;
  if (api.RtmRegisterEntity(&info, nullptr, &Ignore, FALSE, &profile, &entity) != NO_ERROR) {
    r.error = "RtmRegisterEntity failed";
    return r;
  }
  RTM_NEXTHOP_INFO nh;
  std::memset(&nh, 0, sizeof nh);
  nh.NextHopAddress = Ipv4(0xC0000202u, 32);  // 192.0.2.2, as the benchmark protocol's routes
  nh.InterfaceIndex = kInterfaceIndex;
  RTM_NEXTHOP_HANDLE hop = nullptr;
  RTM_NEXTHOP_CHANGE_FLAGS nhChanged = 0;
  if (api.RtmAddNextHop(entity, &nh, &hop, &nhChanged) != NO_ERROR) {
    r.error = "RtmAddNextHop failed";
    api.RtmDeregisterEntity(entity);
    return r;
  }

  std::vector<RTM_ROUTE_HANDLE> handles(routes, nullptr);  // as the library keeps them
  std::vector<unsigned char> buf(RtmRouteInfoSize(1));
  auto* ri = reinterpret_cast<RTM_ROUTE_INFO*>(buf.data());
  r.residentBefore = ResidentBytes(0);
  const uint64_t t0 = MonotonicNs(), c0 = ThreadCpuNs();
  for (size_t i = 0; i < routes; ++i) {
    std::memset(buf.data(), 0, buf.size());
    ri->Neighbour = hop;
    ri->PrefInfo.Metric = 1;
    ri->PrefInfo.Preference = kPreference;
    ri->BelongsToViews = RTM_VIEW_MASK_UCAST;
    ri->NextHopsList.NumNextHops = 1;
    ri->NextHopsList.NextHops[0] = hop;
    RTM_NET_ADDRESS dest = Ipv4(BenchRouteAddress(i), kBenchRouteBits);
    RTM_ROUTE_CHANGE_FLAGS changed = 0;
    if (api.RtmAddRouteToDest(entity, &handles[i], &dest, ri, INFINITE, nullptr, 0, nullptr,
                              &changed) != NO_ERROR) {
      r.error = "RtmAddRouteToDest failed for route " + std::to_string(i);
      return r;
    }
  }
  const uint64_t t1 = MonotonicNs(), c1 = ThreadCpuNs();
  r.residentAdded = ResidentBytes(0);
  for (size_t i = 0; i < routes; ++i) {
    RTM_ROUTE_CHANGE_FLAGS changed = 0;
    if (api.RtmDeleteRouteToDest(entity, handles[i], &changed) != NO_ERROR) {
      r.error = "RtmDeleteRouteToDest failed for route " + std::to_string(i);
      return r;
    }
  }
  const uint64_t t2 = MonotonicNs(), c2 = ThreadCpuNs();
  api.RtmDeleteNextHop(entity, hop, nullptr);
  api.RtmDeregisterEntity(entity);
  r.addNs = t1 - t0;
  r.deleteNs = t2 - t1;
  r.addCpuNs = c1 - c0;
  r.deleteCpuNs = c2 - c1;
  r.ok = true;
  return r;
}

}  // namespace rrasbridge::bench
