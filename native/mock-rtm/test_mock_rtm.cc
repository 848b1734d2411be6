// Standalone test of the mock RTM library (POSIX). Link against the library (or compile the
// library sources in). Prints "N passed, N failed" last; exits non-zero on any failure.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../common/compat.h"
#include "../common/rtm_api.h"
#include "id_map.h"
#include "mock_rtm.h"

namespace {

int g_passed = 0;
int g_failed = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (cond) {                                                                \
      ++g_passed;                                                              \
    } else {                                                                   \
      ++g_failed;                                                              \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define CHECK_EQ(a, b)                                                                       \
  do {                                                                                       \
    const unsigned long long va_ = static_cast<unsigned long long>(a);                       \
    const unsigned long long vb_ = static_cast<unsigned long long>(b);                       \
    if (va_ == vb_) {                                                                        \
      ++g_passed;                                                                            \
    } else {                                                                                 \
      ++g_failed;                                                                            \
      fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (%llu vs %llu)\n", __FILE__, __LINE__, \
              #a, #b, va_, vb_);                                                             \
    }                                                                                        \
  } while (0)

#define CHECK_HANDLE_EQ(a, b) CHECK_EQ(reinterpret_cast<uintptr_t>(a), reinterpret_cast<uintptr_t>(b))

#define SECTION(name) fprintf(stderr, "-- %s\n", name)

// ---------------------------------------------------------------- helpers

RTM_NET_ADDRESS Net(const char* dotted, unsigned len) {
  unsigned a, b, c, d;
  RTM_NET_ADDRESS n;
  memset(&n, 0, sizeof(n));
  if (sscanf(dotted, "%u.%u.%u.%u", &a, &b, &c, &d) != 4) abort();
  n.AddressFamily = AF_INET;
  n.NumBits = static_cast<USHORT>(len);
  n.AddrBits[0] = static_cast<UCHAR>(a);
  n.AddrBits[1] = static_cast<UCHAR>(b);
  n.AddrBits[2] = static_cast<UCHAR>(c);
  n.AddrBits[3] = static_cast<UCHAR>(d);
  return n;
}

std::string Text(const RTM_NET_ADDRESS& n) {
  return std::to_string(n.AddrBits[0]) + "." + std::to_string(n.AddrBits[1]) + "." +
         std::to_string(n.AddrBits[2]) + "." + std::to_string(n.AddrBits[3]) + "/" +
         std::to_string(n.NumBits);
}

RTM_NET_ADDRESS Net6(const char* text, unsigned len) {
  RTM_NET_ADDRESS n;
  memset(&n, 0, sizeof(n));
  if (inet_pton(AF_INET6, text, n.AddrBits) != 1) abort();  // the test's own parser, not the mock's
  n.AddressFamily = RRAS_BRIDGE_AF_INET6;
  n.NumBits = static_cast<USHORT>(len);
  return n;
}

std::string Text6(const RTM_NET_ADDRESS& n) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, n.AddrBits, buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(n.NumBits);
}

RTM_ENTITY_INFO EntityInfo6(ULONG protocol) {
  RTM_ENTITY_INFO ei;
  memset(&ei, 0, sizeof(ei));
  ei.AddressFamily = RRAS_BRIDGE_AF_INET6;
  ei.EntityId.EntityProtocolId = protocol;
  return ei;
}

RTM_ENTITY_INFO EntityInfo(ULONG protocol, ULONG instance = 0) {
  RTM_ENTITY_INFO ei;
  memset(&ei, 0, sizeof(ei));
  ei.RtmInstanceId = 0;
  ei.AddressFamily = AF_INET;
  ei.EntityId.EntityProtocolId = protocol;
  ei.EntityId.EntityInstanceId = instance;
  return ei;
}

// A route info buffer big enough for MaxNextHopsInRoute next hops.
struct RouteInfoBuf {
  std::vector<unsigned char> bytes = std::vector<unsigned char>(rrasbridge::RtmRouteInfoSize(4));
  RTM_ROUTE_INFO* get() { return reinterpret_cast<RTM_ROUTE_INFO*>(bytes.data()); }
};

RTM_ROUTE_INFO MakeRoute(RTM_NEXTHOP_HANDLE nh, ULONG metric, ULONG preference,
                         RTM_NEXTHOP_HANDLE neighbour = nullptr) {
  RTM_ROUTE_INFO ri;
  memset(&ri, 0, sizeof(ri));
  ri.PrefInfo.Metric = metric;
  ri.PrefInfo.Preference = preference;
  ri.BelongsToViews = RTM_VIEW_MASK_UCAST;
  ri.Neighbour = neighbour;
  ri.NextHopsList.NumNextHops = nh ? 1 : 0;
  ri.NextHopsList.NextHops[0] = nh;
  return ri;
}

std::string Dump() {
  const uint32_t n = MockRtmDumpJson(nullptr, 0);
  std::string s(n, '\0');
  MockRtmDumpJson(&s[0], n);
  s.resize(n ? n - 1 : 0);
  return s;
}

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// ---------------------------------------------------------------- callback recorder

struct Rec {
  RTM_ENTITY_HANDLE self;
  RTM_EVENT_TYPE type;
  PVOID c1;
  PVOID c2;
  std::thread::id tid;
  ULONG peer_protocol = 0;
  ULONG metric = 0;
};

std::mutex g_mu;
std::condition_variable g_cv;
std::vector<Rec> g_events;
std::atomic<DWORD> g_expire_rc{ERROR_NOT_SUPPORTED};

DWORD WINAPI Recorder(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE t, PVOID c1, PVOID c2) {
  Rec r{h, t, c1, c2, std::this_thread::get_id()};
  if ((t == RTM_ENTITY_REGISTERED || t == RTM_ENTITY_DEREGISTERED) && c2) {
    r.peer_protocol = static_cast<RTM_ENTITY_INFO*>(c2)->EntityId.EntityProtocolId;
  }
  if (t == RTM_ROUTE_EXPIRED && c2) r.metric = static_cast<RTM_ROUTE_INFO*>(c2)->PrefInfo.Metric;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    g_events.push_back(r);
  }
  g_cv.notify_all();
  return t == RTM_ROUTE_EXPIRED ? g_expire_rc.load() : NO_ERROR;
}

// Events of `type` delivered to `self` (and with Context1 == c1, if given).
size_t CountEvents(RTM_ENTITY_HANDLE self, RTM_EVENT_TYPE type, PVOID c1 = nullptr) {
  std::lock_guard<std::mutex> lock(g_mu);
  size_t n = 0;
  for (const Rec& r : g_events) n += (r.self == self && r.type == type && (!c1 || r.c1 == c1)) ? 1 : 0;
  return n;
}

bool FindEvent(RTM_ENTITY_HANDLE self, RTM_EVENT_TYPE type, Rec* out, size_t nth = 0) {
  std::lock_guard<std::mutex> lock(g_mu);
  for (const Rec& r : g_events) {
    if (r.self == self && r.type == type && nth-- == 0) {
      *out = r;
      return true;
    }
  }
  return false;
}

// Polls `pred` (woken early by callbacks) until it holds or `ms` pass.
bool WaitFor(const std::function<bool()>& pred, int ms = 5000) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::unique_lock<std::mutex> lock(g_mu);
    g_cv.wait_for(lock, std::chrono::milliseconds(10));
  }
}

// Drains a change-notification registration; returns the dest infos' (prefix, NumRoutes,
// route) in order, and the status of the last call.
struct Changed {
  std::string dest;
  UINT num_routes;
  RTM_ROUTE_HANDLE route;
};

std::vector<Changed> Drain(RTM_ENTITY_HANDLE h, RTM_NOTIFY_HANDLE n, UINT batch = 64,
                           DWORD* last_rc = nullptr, int* calls = nullptr) {
  std::vector<Changed> out;
  std::vector<unsigned char> buf(64 * rrasbridge::RtmDestInfoSize(1));
  RTM_DEST_INFO* di = reinterpret_cast<RTM_DEST_INFO*>(buf.data());
  DWORD rc;
  int c = 0;
  do {
    UINT num = batch;
    rc = RtmGetChangedDests(h, n, &num, di);
    ++c;
    if (rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS) break;
    for (UINT i = 0; i < num; ++i) {
      const RTM_DEST_INFO* d = reinterpret_cast<const RTM_DEST_INFO*>(
          buf.data() + i * rrasbridge::RtmDestInfoSize(1));
      out.push_back({Text(d->DestAddress), d->ViewInfo[0].NumRoutes, d->ViewInfo[0].Route});
    }
    if (num) RtmReleaseChangedDests(h, n, num, di);
  } while (rc == NO_ERROR);
  if (last_rc) *last_rc = rc;
  if (calls) *calls = c;
  return out;
}

// A callback that drains its registration from inside the callback (re-entrancy).
std::atomic<int> g_drained_inside{0};
RTM_NOTIFY_HANDLE g_inside_notify = nullptr;
DWORD WINAPI DrainingCallback(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE t, PVOID c1, PVOID c2) {
  (void)c2;
  if (t == RTM_CHANGE_NOTIFICATION && c1 == g_inside_notify) {
    g_drained_inside += static_cast<int>(Drain(h, c1).size());
    g_cv.notify_all();
  }
  return NO_ERROR;
}

// A slow callback, to check that deregistration waits for a callback in flight.
std::atomic<bool> g_slow_in{false};
std::atomic<bool> g_slow_done{false};
DWORD WINAPI SlowCallback(RTM_ENTITY_HANDLE, RTM_EVENT_TYPE, PVOID, PVOID) {
  g_slow_in = true;
  g_cv.notify_all();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  g_slow_done = true;
  return NO_ERROR;
}

// A callback that deregisters its own entity from inside the callback.
std::atomic<bool> g_self_gone{false};
DWORD WINAPI SelfDeregister(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE t, PVOID, PVOID) {
  if (t == RTM_CHANGE_NOTIFICATION && !g_self_gone) {
    g_self_gone = RtmDeregisterEntity(h) == NO_ERROR;
    g_cv.notify_all();
  }
  return NO_ERROR;
}

// Several writers at once, while a reader drains change notifications from its callback.
std::atomic<int> g_concurrent_seen{0};
RTM_NOTIFY_HANDLE g_concurrent_notify = nullptr;
DWORD WINAPI CountingCallback(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE t, PVOID c1, PVOID) {
  if (t == RTM_CHANGE_NOTIFICATION && c1 == g_concurrent_notify) {
    g_concurrent_seen += static_cast<int>(Drain(h, c1).size());
  }
  return NO_ERROR;
}

void Writer(ULONG protocol, int routes, std::atomic<int>* failures) {
  RTM_ENTITY_INFO ei = EntityInfo(protocol);
  RTM_REGN_PROFILE prof;
  RTM_ENTITY_HANDLE h = nullptr;
  if (RtmRegisterEntity(&ei, nullptr, nullptr, FALSE, &prof, &h) != NO_ERROR) {
    ++*failures;
    return;
  }
  RTM_NEXTHOP_INFO nhi;
  memset(&nhi, 0, sizeof(nhi));
  nhi.NextHopAddress = Net("192.0.2.77", 32);
  nhi.InterfaceIndex = 9;
  RTM_NEXTHOP_HANDLE nh = nullptr;
  DWORD flags = 0;
  if (RtmAddNextHop(h, &nhi, &nh, &flags) != NO_ERROR) ++*failures;
  std::vector<RTM_ROUTE_HANDLE> mine;
  for (int i = 0; i < routes; ++i) {
    char text[32];
    snprintf(text, sizeof(text), "100.%u.%d.0", unsigned(protocol % 200), i);
    RTM_NET_ADDRESS d = Net(text, 24);
    RTM_ROUTE_INFO ri = MakeRoute(nh, ULONG(i), 100);
    RTM_ROUTE_HANDLE r = nullptr;
    if (RtmAddRouteToDest(h, &r, &d, &ri, INFINITE, nullptr, 0, nullptr, &flags) != NO_ERROR) {
      ++*failures;
    }
    mine.push_back(r);
    RTM_NET_ADDRESS q = Net(text, 32);
    RTM_DEST_INFO di;
    if (RtmGetMostSpecificDestination(h, &q, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di) == NO_ERROR) {
      RtmReleaseDestInfo(h, &di);
    } else {
      ++*failures;
    }
  }
  for (RTM_ROUTE_HANDLE r : mine) {
    if (RtmDeleteRouteToDest(h, r, &flags) != NO_ERROR) ++*failures;
  }
  if (RtmDeleteNextHop(h, nh, nullptr) != NO_ERROR) ++*failures;
  if (RtmDeregisterEntity(h) != NO_ERROR) ++*failures;
}

}  // namespace

// IdMap (the table's routes and dests by handle id): ids sharing a home slot form one probe
// run; erasing from the middle of a run, or across the array's wrap-around, must leave every
// other id findable, and growing must keep them all.
void TestIdMap() {
  SECTION("id map");
  struct Obj {
    uint64_t id = 0;
    std::vector<int> payload;  // not trivially destructible: erase must destroy it
  };
  mockrtm::NodePools pools;
  mockrtm::IdMap<Obj> m(&pools);
  CHECK(m.find(1) == nullptr);
  // Same low bits at every capacity up to 2^10: one long run, wrapping around the end.
  std::vector<uint64_t> ids;
  for (uint64_t k = 0; k < 40; ++k) ids.push_back((uint64_t(3) << 56) | (1023 + k * 1024));
  for (uint64_t id : ids) {
    Obj& o = m.emplace(id);
    o.id = id;
    o.payload.assign(3, int(id & 0xff));
  }
  CHECK_EQ(m.size(), ids.size());
  bool all = true;
  for (uint64_t id : ids) all = all && m.find(id) && m.find(id)->id == id;
  CHECK(all);
  for (size_t i = 0; i < ids.size(); i += 3) m.erase(ids[i]);  // holes all along the run
  m.erase(ids[1] + 1);  // never added: nothing changes
  bool right = true;
  size_t live = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    const bool gone = i % 3 == 0;
    right = right && (m.find(ids[i]) == nullptr) == gone;
    live += gone ? 0 : 1;
  }
  CHECK(right);
  CHECK_EQ(m.size(), live);
  size_t seen = 0;
  m.ForEach([&](uint64_t id, const Obj& o) { seen += o.id == id ? 1 : 0; });
  CHECK_EQ(seen, live);
  // Sequential ids past a few grows, then all erased: empty, and a new id still goes in.
  for (uint64_t k = 1; k <= 5000; ++k) m.emplace((uint64_t(2) << 56) | k).id = (uint64_t(2) << 56) | k;
  CHECK_EQ(m.size(), live + 5000);
  bool found = true;
  for (uint64_t k = 1; k <= 5000; ++k) found = found && m.find((uint64_t(2) << 56) | k);
  CHECK(found);
  for (uint64_t k = 5000; k >= 1; --k) m.erase((uint64_t(2) << 56) | k);
  for (uint64_t id : ids) m.erase(id);
  CHECK_EQ(m.size(), 0);
  m.emplace(7).id = 7;
  CHECK(m.find(7) && m.find(7)->id == 7);
  m.clear();
  CHECK(m.find(7) == nullptr);
}

int main() {
  const std::thread::id main_tid = std::this_thread::get_id();
  TestIdMap();
  RTM_REGN_PROFILE prof;
  RTM_ENTITY_HANDLE hA = nullptr, hB = nullptr, hC = nullptr;

  // ------------------------------------------------------------ registration
  SECTION("register");
  {
    RTM_ENTITY_INFO ea = EntityInfo(1000);
    CHECK_EQ(RtmRegisterEntity(&ea, nullptr, Recorder, FALSE, &prof, &hA), NO_ERROR);
    CHECK(hA != nullptr);
    CHECK_EQ(prof.MaxNextHopsInRoute, 4);
    CHECK_EQ(prof.MaxHandlesInEnum, 64);
    CHECK_EQ(prof.ViewsSupported, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST);
    CHECK_EQ(prof.NumberOfViews, 2);
    RTM_ENTITY_HANDLE dup = nullptr;
    CHECK_EQ(RtmRegisterEntity(&ea, nullptr, Recorder, FALSE, &prof, &dup), ERROR_ALREADY_EXISTS);
    CHECK(dup == nullptr);
    RTM_ENTITY_INFO ipx = EntityInfo(1001);
    ipx.AddressFamily = 6;  // AF_IPX: RTM here has only the IPv4 and IPv6 instances
    CHECK_EQ(RtmRegisterEntity(&ipx, nullptr, Recorder, FALSE, &prof, &dup), ERROR_INVALID_PARAMETER);
    CHECK_EQ(RtmRegisterEntity(&ea, nullptr, Recorder, FALSE, &prof, nullptr), ERROR_INVALID_PARAMETER);
    CHECK_EQ(RtmRegisterEntity(nullptr, nullptr, Recorder, FALSE, &prof, &dup), ERROR_INVALID_PARAMETER);

    RTM_ENTITY_INFO eb = EntityInfo(2000);
    CHECK_EQ(RtmRegisterEntity(&eb, nullptr, Recorder, FALSE, &prof, &hB), NO_ERROR);
    // Same protocol, other instance: a different entity.
    RTM_ENTITY_INFO ec = EntityInfo(1000, 1);
    CHECK_EQ(RtmRegisterEntity(&ec, nullptr, Recorder, FALSE, &prof, &hC), NO_ERROR);
    CHECK(WaitFor([&] { return CountEvents(hA, RTM_ENTITY_REGISTERED) == 2; }));
    Rec r;
    CHECK(FindEvent(hA, RTM_ENTITY_REGISTERED, &r));
    CHECK_HANDLE_EQ(r.c1, hB);
    CHECK_EQ(r.peer_protocol, 2000);
    CHECK(r.tid != main_tid);  // delivered from the dispatcher thread
    CHECK(WaitFor([&] { return CountEvents(hB, RTM_ENTITY_REGISTERED) == 1; }));
    CHECK_EQ(CountEvents(hB, RTM_ENTITY_REGISTERED), 1);  // only about C, registered after B
  }

  // ------------------------------------------------------------ next hops
  SECTION("next hops");
  RTM_NEXTHOP_HANDLE nhA = nullptr, nhB = nullptr, nbr1 = nullptr, nbr2 = nullptr, nbr3 = nullptr;
  {
    RTM_NEXTHOP_INFO nhi;
    memset(&nhi, 0, sizeof(nhi));
    nhi.NextHopAddress = Net("192.0.2.1", 32);
    nhi.InterfaceIndex = 3;
    DWORD flags = 0;
    CHECK_EQ(RtmAddNextHop(hA, &nhi, &nhA, &flags), NO_ERROR);
    CHECK_EQ(flags, RTM_NEXTHOP_CHANGE_NEW);
    RTM_NEXTHOP_HANDLE again = nullptr;
    CHECK_EQ(RtmAddNextHop(hA, &nhi, &again, &flags), NO_ERROR);
    CHECK_EQ(flags, 0);
    CHECK_HANDLE_EQ(again, nhA);
    RTM_NEXTHOP_HANDLE found = nullptr;
    PRTM_NEXTHOP_INFO ptr = nullptr;
    CHECK_EQ(RtmFindNextHop(hA, &nhi, &found, &ptr), NO_ERROR);
    CHECK_HANDLE_EQ(found, nhA);
    CHECK(ptr != nullptr && ptr->InterfaceIndex == 3);
    CHECK_EQ(RtmReleaseNextHops(hA, 1, &found), NO_ERROR);
    RTM_NEXTHOP_INFO got;
    CHECK_EQ(RtmGetNextHopInfo(hA, nhA, &got), NO_ERROR);
    CHECK_EQ(got.InterfaceIndex, 3);
    CHECK_HANDLE_EQ(got.NextHopOwner, hA);
    CHECK_EQ(got.State, RTM_NEXTHOP_STATE_CREATED);
    CHECK(Text(got.NextHopAddress) == "192.0.2.1/32");
    CHECK_EQ(RtmReleaseNextHopInfo(hA, &got), NO_ERROR);
    // Same address on another interface, or for another owner: different next hops.
    nhi.InterfaceIndex = 4;
    CHECK_EQ(RtmFindNextHop(hA, &nhi, &found, nullptr), ERROR_NOT_FOUND);
    nhi.InterfaceIndex = 3;
    CHECK_EQ(RtmFindNextHop(hB, &nhi, &found, nullptr), ERROR_NOT_FOUND);
    CHECK_EQ(RtmAddNextHop(hB, &nhi, &nhB, &flags), NO_ERROR);
    CHECK_EQ(flags, RTM_NEXTHOP_CHANGE_NEW);
    CHECK(nhB != nhA);
    RTM_NEXTHOP_HANDLE extra[2] = {again, nullptr};
    CHECK_EQ(RtmReleaseNextHops(hA, 1, extra), NO_ERROR);
    CHECK_EQ(RtmFindNextHop(hA, &nhi, &found, nullptr), NO_ERROR);
    CHECK_EQ(RtmReleaseNextHops(hA, 1, &found), NO_ERROR);
    CHECK_EQ(RtmAddNextHop(hA, nullptr, &found, &flags), ERROR_INVALID_PARAMETER);
    // Neighbours for the RTM_ROUTE_CHANGE_FIRST test.
    nhi.NextHopAddress = Net("192.0.2.11", 32);
    CHECK_EQ(RtmAddNextHop(hA, &nhi, &nbr1, &flags), NO_ERROR);
    nhi.NextHopAddress = Net("192.0.2.12", 32);
    CHECK_EQ(RtmAddNextHop(hA, &nhi, &nbr2, &flags), NO_ERROR);
    nhi.NextHopAddress = Net("192.0.2.13", 32);
    CHECK_EQ(RtmAddNextHop(hA, &nhi, &nbr3, &flags), NO_ERROR);
  }

  // ------------------------------------------------------------ routes and best selection
  SECTION("routes, best route");
  RTM_ROUTE_HANDLE rA = nullptr, rB = nullptr, rC = nullptr;
  RTM_NET_ADDRESS ten8 = Net("10.0.0.0", 8);
  {
    RTM_ROUTE_INFO ri = MakeRoute(nhA, 5, 100);
    DWORD flags = 0;
    CHECK_EQ(RtmAddRouteToDest(hA, &rA, &ten8, &ri, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    CHECK_EQ(flags, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
    CHECK(rA != nullptr);
    // B: lower preference wins although its metric is higher.
    ri = MakeRoute(nhB, 10, 50);
    flags = 0;
    CHECK_EQ(RtmAddRouteToDest(hB, &rB, &ten8, &ri, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    CHECK_EQ(flags, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
    // C (protocol 1000 instance 1): same preference as B, lower metric: wins.
    RTM_NEXTHOP_INFO nhi;
    memset(&nhi, 0, sizeof(nhi));
    nhi.NextHopAddress = Net("198.51.100.1", 32);
    nhi.InterfaceIndex = 5;
    RTM_NEXTHOP_HANDLE nhC = nullptr;
    CHECK_EQ(RtmAddNextHop(hC, &nhi, &nhC, &flags), NO_ERROR);
    ri = MakeRoute(nhC, 3, 50);
    flags = 0;
    CHECK_EQ(RtmAddRouteToDest(hC, &rC, &ten8, &ri, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    CHECK_EQ(flags, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
    // A tie with C (same preference and metric): the earlier route stays best.
    RTM_ROUTE_INFO tie = MakeRoute(nhB, 3, 50, nhB);
    RTM_ROUTE_HANDLE rTie = nullptr;
    flags = 0;
    CHECK_EQ(RtmAddRouteToDest(hB, &rTie, &ten8, &tie, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    CHECK_EQ(flags, RTM_ROUTE_CHANGE_NEW);
    RTM_DEST_INFO di;
    CHECK_EQ(RtmGetExactMatchDestination(hA, &ten8, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di), NO_ERROR);
    CHECK_HANDLE_EQ(di.ViewInfo[0].Route, rC);
    CHECK_HANDLE_EQ(di.ViewInfo[0].Owner, hC);
    CHECK_EQ(di.ViewInfo[0].NumRoutes, 4);
    CHECK_EQ(di.NumberOfViews, 1);
    CHECK_EQ(RtmReleaseDestInfo(hA, &di), NO_ERROR);
    CHECK_EQ(MockRtmRouteCount(), 4);
    DWORD del = 0;
    CHECK_EQ(RtmDeleteRouteToDest(hB, rTie, &del), NO_ERROR);
    CHECK_EQ(del, 0);  // not the best route
    CHECK_EQ(RtmReleaseNextHops(hC, 1, &nhC), NO_ERROR);
  }

  // ------------------------------------------------------------ update of an equal route
  SECTION("update");
  {
    RTM_ROUTE_INFO ri = MakeRoute(nhA, 7, 100);
    RTM_ROUTE_HANDLE same = nullptr;
    DWORD flags = 0;
    CHECK_EQ(RtmAddRouteToDest(hA, &same, &ten8, &ri, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    CHECK_EQ(flags, 0);  // neither new nor best
    CHECK_HANDLE_EQ(same, rA);
    CHECK_EQ(MockRtmRouteCount(), 3);
    RouteInfoBuf buf;
    RTM_NET_ADDRESS where;
    CHECK_EQ(RtmGetRouteInfo(hA, rA, buf.get(), &where), NO_ERROR);
    CHECK_EQ(buf.get()->PrefInfo.Metric, 7);
    CHECK_EQ(buf.get()->NextHopsList.NumNextHops, 1);
    CHECK_HANDLE_EQ(buf.get()->NextHopsList.NextHops[0], nhA);
    CHECK_HANDLE_EQ(buf.get()->RouteOwner, hA);
    CHECK_EQ(buf.get()->State, RTM_ROUTE_STATE_CREATED);
    CHECK(Text(where) == "10.0.0.0/8");
    CHECK_EQ(RtmReleaseRouteInfo(hA, buf.get()), NO_ERROR);
    CHECK_EQ(RtmReleaseRoutes(hA, 1, &same), NO_ERROR);
    // Update through the handle: the handle is unchanged; host bits in the dest are ignored.
    RTM_NET_ADDRESS host = Net("10.9.9.9", 8);
    ri.PrefInfo.Metric = 6;
    CHECK_EQ(RtmAddRouteToDest(hA, &rA, &host, &ri, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    CHECK_EQ(MockRtmRouteCount(), 3);
    // Update by another owner's handle: refused.
    CHECK_EQ(RtmAddRouteToDest(hB, &rA, &ten8, &ri, INFINITE, nullptr, 0, nullptr, &flags), ERROR_ACCESS_DENIED);
    // Too many next hops, no view, NULL flags.
    RouteInfoBuf big;
    memcpy(big.get(), &ri, sizeof(ri));
    big.get()->NextHopsList.NumNextHops = 5;
    CHECK_EQ(RtmAddRouteToDest(hA, nullptr, &ten8, big.get(), INFINITE, nullptr, 0, nullptr, &flags), ERROR_INVALID_PARAMETER);
    RTM_ROUTE_INFO noview = ri;
    noview.BelongsToViews = 0;
    CHECK_EQ(RtmAddRouteToDest(hA, nullptr, &ten8, &noview, INFINITE, nullptr, 0, nullptr, &flags), ERROR_INVALID_PARAMETER);
    CHECK_EQ(RtmAddRouteToDest(hA, nullptr, &ten8, &ri, INFINITE, nullptr, 0, nullptr, nullptr), ERROR_INVALID_PARAMETER);
  }

  // ------------------------------------------------------------ RTM_ROUTE_CHANGE_FIRST
  SECTION("RTM_ROUTE_CHANGE_FIRST");
  {
    RTM_NET_ADDRESS dst = Net("10.200.0.0", 16);
    RTM_ROUTE_INFO r1 = MakeRoute(nhA, 1, 100, nbr1);
    DWORD flags = 0;
    CHECK_EQ(RtmAddRouteToDest(hA, nullptr, &dst, &r1, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    CHECK_EQ(flags & RTM_ROUTE_CHANGE_NEW, RTM_ROUTE_CHANGE_NEW);
    RTM_ROUTE_INFO r2 = MakeRoute(nhA, 2, 100, nbr2);  // another neighbour: another route
    flags = 0;
    CHECK_EQ(RtmAddRouteToDest(hA, nullptr, &dst, &r2, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    CHECK_EQ(flags & RTM_ROUTE_CHANGE_NEW, RTM_ROUTE_CHANGE_NEW);
    CHECK_EQ(MockRtmRouteCount(), 5);
    RTM_ROUTE_INFO r3 = MakeRoute(nhA, 9, 100, nbr3);  // FIRST: neighbour ignored -> update
    flags = RTM_ROUTE_CHANGE_FIRST;
    CHECK_EQ(RtmAddRouteToDest(hA, nullptr, &dst, &r3, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    CHECK_EQ(flags & RTM_ROUTE_CHANGE_NEW, 0);
    CHECK_EQ(MockRtmRouteCount(), 5);
    const std::string j = Dump();
    CHECK(Contains(j, "\"metric\":9,\"preference\":100,\"views\":1,\"flags\":0,\"neighbour\":\"192.0.2.13\""));
    // Clean up both routes through an own-routes enumeration of that dest.
    RTM_DEST_INFO di;
    CHECK_EQ(RtmGetExactMatchDestination(hA, &dst, RTM_THIS_PROTOCOL, RTM_VIEW_MASK_UCAST, &di), NO_ERROR);
    RTM_ENUM_HANDLE en = nullptr;
    CHECK_EQ(RtmCreateRouteEnum(hA, di.DestHandle, RTM_VIEW_MASK_UCAST, RTM_ENUM_OWN_ROUTES, nullptr, RTM_MATCH_NONE, nullptr, 0, &en), NO_ERROR);
    RTM_ROUTE_HANDLE hs[64];
    UINT n = 64;
    CHECK_EQ(RtmGetEnumRoutes(hA, en, &n, hs), ERROR_NO_MORE_ITEMS);
    CHECK_EQ(n, 2);
    for (UINT i = 0; i < n; ++i) {
      DWORD f = 0;
      CHECK_EQ(RtmDeleteRouteToDest(hA, hs[i], &f), NO_ERROR);  // consumes the handle
    }
    CHECK_EQ(RtmDeleteEnumHandle(hA, en), NO_ERROR);
    CHECK_EQ(RtmDeleteEnumHandle(hA, en), ERROR_INVALID_HANDLE);
    CHECK_EQ(RtmReleaseDestInfo(hA, &di), NO_ERROR);
    CHECK_EQ(MockRtmRouteCount(), 3);
  }

  // ------------------------------------------------------------ exact match / protocol filter
  SECTION("exact match, protocol filter");
  {
    RTM_DEST_INFO di;
    CHECK_EQ(RtmGetExactMatchDestination(hA, &ten8, RTM_THIS_PROTOCOL, RTM_VIEW_MASK_UCAST, &di), NO_ERROR);
    // Protocol 1000 has two routes here (A: pref 100, C: pref 50); C is the better one.
    CHECK_HANDLE_EQ(di.ViewInfo[0].Route, rC);
    CHECK_EQ(RtmReleaseDestInfo(hA, &di), NO_ERROR);
    CHECK_EQ(RtmGetExactMatchDestination(hB, &ten8, RTM_THIS_PROTOCOL, RTM_VIEW_MASK_UCAST, &di), NO_ERROR);
    CHECK_HANDLE_EQ(di.ViewInfo[0].Route, rB);
    CHECK_HANDLE_EQ(di.ViewInfo[0].Owner, hB);
    CHECK_EQ(RtmReleaseDestInfo(hB, &di), NO_ERROR);
    CHECK_EQ(RtmGetExactMatchDestination(hA, &ten8, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di), NO_ERROR);
    CHECK_HANDLE_EQ(di.ViewInfo[0].Route, rC);
    CHECK_EQ(di.ViewInfo[0].NumRoutes, 3);
    CHECK_EQ(RtmReleaseDestInfo(hA, &di), NO_ERROR);
    CHECK_EQ(RtmGetExactMatchDestination(hA, &ten8, 2000, RTM_VIEW_MASK_UCAST, &di), NO_ERROR);
    CHECK_HANDLE_EQ(di.ViewInfo[0].Route, rB);
    CHECK_EQ(RtmReleaseDestInfo(hA, &di), NO_ERROR);
    // A protocol without a route there: the destination is found, with no route.
    CHECK_EQ(RtmGetExactMatchDestination(hA, &ten8, 4242, RTM_VIEW_MASK_UCAST, &di), NO_ERROR);
    CHECK(di.ViewInfo[0].Route == nullptr);
    CHECK_EQ(di.ViewInfo[0].NumRoutes, 3);
    CHECK_EQ(RtmReleaseDestInfo(hA, &di), NO_ERROR);
    // Views: no multicast routes; RTM_VIEW_MASK_ANY finds it without view information.
    CHECK_EQ(RtmGetExactMatchDestination(hA, &ten8, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_MCAST, &di), ERROR_NOT_FOUND);
    CHECK_EQ(RtmGetExactMatchDestination(hA, &ten8, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ANY, &di), NO_ERROR);
    CHECK_EQ(di.NumberOfViews, 0);
    CHECK_EQ(RtmReleaseDestInfo(hA, &di), NO_ERROR);
    RTM_NET_ADDRESS ten16 = Net("10.0.0.0", 16);
    CHECK_EQ(RtmGetExactMatchDestination(hA, &ten16, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di), ERROR_NOT_FOUND);
    RTM_NET_ADDRESS bad = ten8;
    bad.AddressFamily = 23;
    CHECK_EQ(RtmGetExactMatchDestination(hA, &bad, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di), ERROR_INVALID_PARAMETER);
    bad = ten8;
    bad.NumBits = 33;
    CHECK_EQ(RtmGetExactMatchDestination(hA, &bad, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di), ERROR_INVALID_PARAMETER);
    // Both views requested: two ViewInfo entries (RTM_SIZE_OF_DEST_INFO(2) bytes).
    std::vector<unsigned char> two(rrasbridge::RtmDestInfoSize(2));
    RTM_DEST_INFO* d2 = reinterpret_cast<RTM_DEST_INFO*>(two.data());
    CHECK_EQ(RtmGetExactMatchDestination(hA, &ten8, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ALL, d2), NO_ERROR);
    CHECK_EQ(d2->NumberOfViews, 2);
    const auto* views = reinterpret_cast<const rrasbridge::RtmDestViewInfo*>(
        two.data() + offsetof(RTM_DEST_INFO, ViewInfo));
    CHECK_EQ(views[0].ViewId, RTM_VIEW_ID_UCAST);
    CHECK_EQ(views[1].ViewId, RTM_VIEW_ID_MCAST);
    CHECK_EQ(views[1].NumRoutes, 0);
    CHECK(views[1].Route == nullptr);
    CHECK_EQ(RtmReleaseDestInfo(hA, d2), NO_ERROR);
  }

  // ------------------------------------------------------------ longest prefix match
  SECTION("longest prefix match");
  {
    const char* dests[] = {"10.1.0.0", "10.1.2.0"};
    const unsigned lens[] = {16, 24};
    for (int i = 0; i < 2; ++i) {
      RTM_NET_ADDRESS d = Net(dests[i], lens[i]);
      RTM_ROUTE_INFO ri = MakeRoute(nhA, 1, 100);
      DWORD flags = 0;
      CHECK_EQ(RtmAddRouteToDest(hA, nullptr, &d, &ri, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    }
    struct {
      const char* addr;
      const char* want;
    } cases[] = {{"10.1.2.3", "10.1.2.0/24"}, {"10.1.3.3", "10.1.0.0/16"}, {"10.2.0.1", "10.0.0.0/8"}};
    for (const auto& c : cases) {
      RTM_NET_ADDRESS q = Net(c.addr, 32);
      RTM_DEST_INFO di;
      CHECK_EQ(RtmGetMostSpecificDestination(hA, &q, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di), NO_ERROR);
      CHECK(Text(di.DestAddress) == c.want);
      CHECK_EQ(RtmReleaseDestInfo(hA, &di), NO_ERROR);
    }
    RTM_NET_ADDRESS q = Net("11.0.0.1", 32);
    RTM_DEST_INFO di;
    CHECK_EQ(RtmGetMostSpecificDestination(hA, &q, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di), ERROR_NOT_FOUND);
    // A lookup limited to 12 bits skips the /16 and /24.
    RTM_NET_ADDRESS q12 = Net("10.1.2.3", 12);
    CHECK_EQ(RtmGetMostSpecificDestination(hA, &q12, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di), NO_ERROR);
    CHECK(Text(di.DestAddress) == "10.0.0.0/8");
    CHECK_EQ(RtmReleaseDestInfo(hA, &di), NO_ERROR);
    // The default route catches the rest.
    RTM_NET_ADDRESS dflt = Net("0.0.0.0", 0);
    RTM_ROUTE_INFO ri = MakeRoute(nhB, 1, 200);
    DWORD flags = 0;
    CHECK_EQ(RtmAddRouteToDest(hB, nullptr, &dflt, &ri, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    CHECK_EQ(RtmGetMostSpecificDestination(hA, &q, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di), NO_ERROR);
    CHECK(Text(di.DestAddress) == "0.0.0.0/0");
    CHECK_HANDLE_EQ(di.ViewInfo[0].Owner, hB);
    CHECK_EQ(RtmReleaseDestInfo(hA, &di), NO_ERROR);
    // The same through the inspection API.
    std::vector<char> buf(4096);
    CHECK(MockRtmLookupJson("10.1.2.3", buf.data(), 4096) > 0);
    CHECK(Contains(buf.data(), "\"dest\":\"10.1.2.0/24\""));
    MockRtmLookupJson("10.200.1.1", buf.data(), 4096);
    CHECK(Contains(buf.data(), "\"dest\":\"10.0.0.0/8\""));
    CHECK(Contains(buf.data(), "\"owner\":1000,\"ownerInstance\":1"));  // C's route is best
    MockRtmLookupJson("99.1.1.1", buf.data(), 4096);
    CHECK(Contains(buf.data(), "\"dest\":\"0.0.0.0/0\""));
    CHECK_EQ(MockRtmLookupJson("not an address", buf.data(), 4096), 0);
  }

  // ------------------------------------------------------------ enumeration
  SECTION("enumeration");
  {
    for (int i = 0; i < 150; ++i) {
      char text[32];
      snprintf(text, sizeof(text), "172.16.%d.0", i);
      RTM_NET_ADDRESS d = Net(text, 24);
      RTM_ROUTE_INFO ri = MakeRoute(nhA, 1, 100);
      DWORD flags = 0;
      CHECK_EQ(RtmAddRouteToDest(hA, nullptr, &d, &ri, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    }
    CHECK_EQ(MockRtmRouteCount(), 3 + 2 + 1 + 150);
    // All of A's routes in batches of 64.
    RTM_ENUM_HANDLE en = nullptr;
    CHECK_EQ(RtmCreateRouteEnum(hA, nullptr, RTM_VIEW_MASK_UCAST, RTM_ENUM_START | RTM_ENUM_OWN_ROUTES, nullptr, RTM_MATCH_NONE, nullptr, 0, &en), NO_ERROR);
    RTM_ROUTE_HANDLE hs[65];
    UINT total = 0, batches = 0;
    DWORD rc;
    do {
      UINT n = 64;
      rc = RtmGetEnumRoutes(hA, en, &n, hs);
      CHECK(rc == NO_ERROR || rc == ERROR_NO_MORE_ITEMS);
      total += n;
      ++batches;
      CHECK_EQ(RtmReleaseRoutes(hA, n, hs), NO_ERROR);
    } while (rc == NO_ERROR);
    CHECK_EQ(total, 1 + 2 + 150);
    CHECK_EQ(batches, 3);  // 64 + 64 + 25, the last with ERROR_NO_MORE_ITEMS
    UINT n = 65;
    CHECK_EQ(RtmGetEnumRoutes(hA, en, &n, hs), ERROR_INVALID_PARAMETER);
    CHECK_EQ(RtmGetEnumRoutes(hB, en, &n, hs), ERROR_INVALID_HANDLE);  // not B's enumeration
    CHECK_EQ(RtmDeleteEnumHandle(hA, en), NO_ERROR);
    // All routes (any owner), and match on the interface.
    CHECK_EQ(RtmCreateRouteEnum(hB, nullptr, RTM_VIEW_MASK_ANY, RTM_ENUM_START, nullptr, RTM_MATCH_INTERFACE, nullptr, 5, &en), NO_ERROR);
    n = 64;
    CHECK_EQ(RtmGetEnumRoutes(hB, en, &n, hs), ERROR_NO_MORE_ITEMS);
    CHECK_EQ(n, 1);  // C's route via interface 5
    CHECK_HANDLE_EQ(hs[0], rC);
    CHECK_EQ(RtmReleaseRoutes(hB, n, hs), NO_ERROR);
    CHECK_EQ(RtmDeleteEnumHandle(hB, en), NO_ERROR);
    // A range of destinations.
    RTM_NET_ADDRESS range = Net("172.16.0.0", 16);
    CHECK_EQ(RtmCreateDestEnum(hB, RTM_VIEW_MASK_UCAST, RTM_ENUM_RANGE, &range, RTM_BEST_PROTOCOL, &en), NO_ERROR);
    std::vector<unsigned char> buf(64 * rrasbridge::RtmDestInfoSize(1));
    RTM_DEST_INFO* dis = reinterpret_cast<RTM_DEST_INFO*>(buf.data());
    total = 0;
    std::string first, last;
    do {
      n = 64;
      rc = RtmGetEnumDests(hB, en, &n, dis);
      for (UINT i = 0; i < n; ++i) {
        const RTM_DEST_INFO* d = reinterpret_cast<const RTM_DEST_INFO*>(buf.data() + i * rrasbridge::RtmDestInfoSize(1));
        if (total + i == 0) first = Text(d->DestAddress);
        last = Text(d->DestAddress);
        CHECK_HANDLE_EQ(d->ViewInfo[0].Owner, hA);
      }
      total += n;
      CHECK_EQ(RtmReleaseDests(hB, n, dis), NO_ERROR);
    } while (rc == NO_ERROR);
    CHECK_EQ(total, 150);
    CHECK(first == "172.16.0.0/24");
    CHECK(last == "172.16.149.0/24");
    CHECK_EQ(RtmDeleteEnumHandle(hB, en), NO_ERROR);
    // RTM_ENUM_NEXT from 10.1.0.0/16: 10.1.0.0/16, 10.1.2.0/24 and the 150 /24s.
    RTM_NET_ADDRESS from = Net("10.1.0.0", 16);
    CHECK_EQ(RtmCreateDestEnum(hB, RTM_VIEW_MASK_UCAST, RTM_ENUM_NEXT, &from, RTM_BEST_PROTOCOL, &en), NO_ERROR);
    total = 0;
    do {
      n = 64;
      rc = RtmGetEnumDests(hB, en, &n, dis);
      total += n;
      RtmReleaseDests(hB, n, dis);
    } while (rc == NO_ERROR);
    CHECK_EQ(total, 152);
    CHECK_EQ(RtmDeleteEnumHandle(hB, en), NO_ERROR);
    // Own destinations: where B owns the best route (only the default route).
    CHECK_EQ(RtmCreateDestEnum(hB, RTM_VIEW_MASK_UCAST, RTM_ENUM_START | RTM_ENUM_OWN_DESTS, nullptr, RTM_BEST_PROTOCOL, &en), NO_ERROR);
    n = 64;
    CHECK_EQ(RtmGetEnumDests(hB, en, &n, dis), ERROR_NO_MORE_ITEMS);
    CHECK_EQ(n, 1);
    CHECK(Text(dis[0].DestAddress) == "0.0.0.0/0");
    CHECK_EQ(RtmReleaseDests(hB, n, dis), NO_ERROR);
    CHECK_EQ(RtmDeleteEnumHandle(hB, en), NO_ERROR);
    CHECK_EQ(RtmCreateDestEnum(hB, RTM_VIEW_MASK_UCAST, RTM_ENUM_RANGE, nullptr, RTM_BEST_PROTOCOL, &en), ERROR_INVALID_PARAMETER);
  }

  // ------------------------------------------------------------ change notification
  SECTION("change notification");
  RTM_NOTIFY_HANDLE hNotify = nullptr;
  int ctx_tag = 42;
  {
    CHECK_EQ(RtmRegisterForChangeNotification(hA, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, &ctx_tag, &hNotify), NO_ERROR);
    CHECK_EQ(RtmRegisterForChangeNotification(hA, RTM_VIEW_MASK_UCAST, 0, &ctx_tag, &hNotify), ERROR_INVALID_PARAMETER);
    CHECK_EQ(RtmRegisterForChangeNotification(hA, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, &ctx_tag, nullptr), ERROR_INVALID_PARAMETER);
    // Nothing queued yet.
    DWORD last = 0;
    CHECK(Drain(hA, hNotify, 64, &last).empty());
    CHECK_EQ(last, ERROR_NO_MORE_ITEMS);

    // B adds a route: A is signalled from the dispatcher thread.
    RTM_NET_ADDRESS d1 = Net("203.0.113.0", 24);
    RTM_ROUTE_INFO ri = MakeRoute(nhB, 1, 100);
    DWORD flags = 0;
    RTM_ROUTE_HANDLE rd1 = nullptr;
    CHECK_EQ(RtmAddRouteToDest(hB, &rd1, &d1, &ri, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    CHECK(WaitFor([&] { return CountEvents(hA, RTM_CHANGE_NOTIFICATION) == 1; }));
    Rec r;
    CHECK(FindEvent(hA, RTM_CHANGE_NOTIFICATION, &r));
    CHECK_HANDLE_EQ(r.c1, hNotify);
    CHECK(r.c2 == &ctx_tag);
    CHECK(r.tid != main_tid);
    // More changes to the same dest before A looks: coalesced, and no second signal.
    ri.PrefInfo.Metric = 2;
    CHECK_EQ(RtmAddRouteToDest(hB, &rd1, &d1, &ri, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    ri.PrefInfo.Metric = 3;
    CHECK_EQ(RtmAddRouteToDest(hB, &rd1, &d1, &ri, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    RTM_NET_ADDRESS d2 = Net("203.0.114.0", 24);
    CHECK_EQ(RtmAddRouteToDest(hB, nullptr, &d2, &ri, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    // A non-best change (a worse route on a dest with a better one) is not a BEST change.
    RTM_ROUTE_INFO worse = MakeRoute(nhA, 50, 200);
    CHECK_EQ(RtmAddRouteToDest(hA, nullptr, &d2, &worse, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK_EQ(CountEvents(hA, RTM_CHANGE_NOTIFICATION), 1);
    int calls = 0;
    std::vector<Changed> got = Drain(hA, hNotify, 1, &last, &calls);
    CHECK_EQ(got.size(), 2);
    CHECK_EQ(last, ERROR_NO_MORE_ITEMS);
    CHECK_EQ(calls, 2);  // batches of one: the 2nd call brings the final item and NO_MORE_ITEMS
    if (got.size() == 2) {
      CHECK(got[0].dest == "203.0.113.0/24");
      CHECK_EQ(got[0].num_routes, 1);
      CHECK_HANDLE_EQ(got[0].route, rd1);
      CHECK(got[1].dest == "203.0.114.0/24");
      CHECK_EQ(got[1].num_routes, 2);
    }
    // After a drain, the next change signals again. Withdrawal: NumRoutes 0, no route.
    DWORD del = 0;
    CHECK_EQ(RtmDeleteRouteToDest(hB, rd1, &del), NO_ERROR);
    CHECK_EQ(del, RTM_ROUTE_CHANGE_BEST);
    CHECK(WaitFor([&] { return CountEvents(hA, RTM_CHANGE_NOTIFICATION) == 2; }));
    got = Drain(hA, hNotify);
    CHECK_EQ(got.size(), 1);
    if (got.size() == 1) {
      CHECK(got[0].dest == "203.0.113.0/24");
      CHECK_EQ(got[0].num_routes, 0);
      CHECK(got[0].route == nullptr);
    }
    // A callback that drains from inside the callback (calls back into RTM).
    RTM_ENTITY_INFO ed = EntityInfo(3000);
    RTM_ENTITY_HANDLE hD = nullptr;
    CHECK_EQ(RtmRegisterEntity(&ed, nullptr, DrainingCallback, FALSE, &prof, &hD), NO_ERROR);
    CHECK_EQ(RtmRegisterForChangeNotification(hD, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL, nullptr, &g_inside_notify), NO_ERROR);
    CHECK_EQ(RtmAddRouteToDest(hB, nullptr, &d1, &ri, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    CHECK(WaitFor([&] { return g_drained_inside.load() == 1; }));
    CHECK_EQ(RtmDeregisterFromChangeNotification(hD, g_inside_notify), NO_ERROR);
    CHECK_EQ(RtmDeregisterFromChangeNotification(hD, g_inside_notify), ERROR_INVALID_HANDLE);
    CHECK_EQ(RtmDeregisterEntity(hD), NO_ERROR);
    CHECK(WaitFor([&] { return CountEvents(hA, RTM_CHANGE_NOTIFICATION) == 3; }));
    got = Drain(hA, hNotify);
    CHECK_EQ(got.size(), 1);
    // Redistribution of an injected (static) route.
    CHECK_EQ(MockRtmAddRoute(10006, "192.168.0.0/16", "192.0.2.254", 7, 1, 10), NO_ERROR);
    CHECK(WaitFor([&] { return CountEvents(hA, RTM_CHANGE_NOTIFICATION) == 4; }));
    got = Drain(hA, hNotify);
    CHECK_EQ(got.size(), 1);
    if (got.size() == 1) CHECK(got[0].dest == "192.168.0.0/16");
    CHECK(WaitFor([&] {
      Rec reg;
      return FindEvent(hA, RTM_ENTITY_REGISTERED, &reg, 3) && reg.peer_protocol == 10006;
    }));
    CHECK_EQ(MockRtmDeleteRoute(10006, "192.168.0.0/16"), NO_ERROR);
    CHECK_EQ(MockRtmDeleteRoute(10006, "192.168.0.0/16"), ERROR_NOT_FOUND);
    CHECK(WaitFor([&] { return CountEvents(hA, RTM_CHANGE_NOTIFICATION) == 5; }));
    got = Drain(hA, hNotify);
    CHECK(got.size() == 1 && got[0].num_routes == 0);
    // A batch stays releasable after its registration is gone (another thread deregistered
    // it while this one was draining).
    RTM_NOTIFY_HANDLE n2 = nullptr;
    CHECK_EQ(RtmRegisterForChangeNotification(hA, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL, nullptr, &n2), NO_ERROR);
    CHECK_EQ(MockRtmAddRoute(10006, "192.168.5.0/24", nullptr, 0, 1, 1), NO_ERROR);
    RTM_DEST_INFO batch[2];
    UINT num = 2;
    CHECK_EQ(RtmGetChangedDests(hA, n2, &num, batch), ERROR_NO_MORE_ITEMS);
    CHECK_EQ(num, 1);
    CHECK_EQ(RtmDeregisterFromChangeNotification(hA, n2), NO_ERROR);
    CHECK_EQ(RtmReleaseChangedDests(hA, n2, num, batch), NO_ERROR);
    CHECK(Contains(Dump(), "\"handles\":{\"routes\":"));
    CHECK_EQ(MockRtmDeleteRoute(10006, "192.168.5.0/24"), NO_ERROR);
    CHECK(WaitFor([&] { return CountEvents(hA, RTM_CHANGE_NOTIFICATION, hNotify) == 6; }));
    Drain(hA, hNotify);
    // A dest stays coalesced in a queue across a second registration's coming and going (a
    // lone registration keeps no set of its queue).
    CHECK_EQ(MockRtmAddRoute(10006, "192.168.6.0/24", nullptr, 0, 1, 1), NO_ERROR);
    CHECK(WaitFor([&] { return CountEvents(hA, RTM_CHANGE_NOTIFICATION, hNotify) == 7; }));
    RTM_NOTIFY_HANDLE n3 = nullptr;
    CHECK_EQ(RtmRegisterForChangeNotification(hA, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL, nullptr, &n3), NO_ERROR);
    CHECK_EQ(MockRtmDeleteRoute(10006, "192.168.6.0/24"), NO_ERROR);
    CHECK_EQ(Drain(hA, hNotify).size(), 1);
    CHECK_EQ(Drain(hA, n3).size(), 1);
    CHECK_EQ(RtmDeregisterFromChangeNotification(hA, n3), NO_ERROR);
    CHECK_EQ(MockRtmAddRoute(10006, "192.168.7.0/24", nullptr, 0, 1, 1), NO_ERROR);
    CHECK(WaitFor([&] { return CountEvents(hA, RTM_CHANGE_NOTIFICATION, hNotify) == 8; }));
    CHECK_EQ(MockRtmDeleteRoute(10006, "192.168.7.0/24"), NO_ERROR);
    CHECK_EQ(Drain(hA, hNotify).size(), 1);
  }

  // ------------------------------------------------------------ expiry
  SECTION("expiry");
  {
    RTM_NET_ADDRESS dx = Net("198.18.0.0", 15);
    RTM_ROUTE_INFO ri = MakeRoute(nhA, 77, 100);
    DWORD flags = 0;
    const uint32_t before = MockRtmRouteCount();
    RTM_ROUTE_HANDLE rx = nullptr;
    g_expire_rc = ERROR_NOT_SUPPORTED;  // "delete it"
    CHECK_EQ(RtmAddRouteToDest(hA, &rx, &dx, &ri, 100, nullptr, 0, nullptr, &flags), NO_ERROR);
    CHECK_EQ(MockRtmRouteCount(), before + 1);
    CHECK(Contains(Dump(), "\"dest\":\"198.18.0.0/15\""));
    CHECK(WaitFor([&] { return MockRtmRouteCount() == before; }));
    Rec r;
    CHECK(FindEvent(hA, RTM_ROUTE_EXPIRED, &r));
    CHECK_HANDLE_EQ(r.c1, rx);
    CHECK_EQ(r.metric, 77);
    CHECK(r.tid != main_tid);
    RouteInfoBuf buf;
    CHECK_EQ(RtmGetRouteInfo(hA, rx, buf.get(), nullptr), NO_ERROR);  // A still holds a handle
    CHECK_EQ(buf.get()->State, RTM_ROUTE_STATE_DELETED);
    CHECK_EQ(RtmReleaseRouteInfo(hA, buf.get()), NO_ERROR);
    CHECK_EQ(RtmReleaseRoutes(hA, 1, &rx), NO_ERROR);
    RTM_DEST_INFO di;
    CHECK_EQ(RtmGetExactMatchDestination(hA, &dx, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di), ERROR_NOT_FOUND);
    // Any other answer keeps the route (without a lifetime).
    g_expire_rc = NO_ERROR;
    CHECK_EQ(RtmAddRouteToDest(hA, nullptr, &dx, &ri, 50, nullptr, 0, nullptr, &flags), NO_ERROR);
    CHECK(WaitFor([&] { return CountEvents(hA, RTM_ROUTE_EXPIRED) == 2; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK_EQ(MockRtmRouteCount(), before + 1);
    CHECK(Contains(Dump(), "\"metric\":77,\"preference\":100,\"views\":1,\"flags\":0,\"neighbour\":null,\"nextHops\":[{\"address\":\"192.0.2.1\",\"interfaceIndex\":3}],\"best\":true,\"ttlMs\":null"));
    // A refresh re-arms the timer; deleting before expiry cancels it.
    CHECK_EQ(RtmAddRouteToDest(hA, nullptr, &dx, &ri, 60000, nullptr, 0, nullptr, &flags), NO_ERROR);
    CHECK(Contains(Dump(), "\"ttlMs\":59"));
    Drain(hA, hNotify);
  }

  // ------------------------------------------------------------ deregistration
  SECTION("deregister");
  {
    const size_t before_changes = CountEvents(hA, RTM_CHANGE_NOTIFICATION, hNotify);
    const uint32_t routes_before = MockRtmRouteCount();
    // B owns: 10.0.0.0/8 (rB), 0.0.0.0/0, 203.0.113.0/24, 203.0.114.0/24.
    RTM_ROUTE_HANDLE keep[1] = {rB};
    CHECK_EQ(RtmReleaseNextHops(hB, 1, &nhB), NO_ERROR);
    CHECK_EQ(RtmDeregisterEntity(hB), NO_ERROR);
    CHECK_EQ(MockRtmRouteCount(), routes_before - 4);
    // A's second DEREGISTERED event (the first was about D, protocol 3000).
    CHECK(WaitFor([&] { return CountEvents(hA, RTM_ENTITY_DEREGISTERED) == 2; }));
    Rec r;
    CHECK(FindEvent(hA, RTM_ENTITY_DEREGISTERED, &r, 1));
    CHECK_HANDLE_EQ(r.c1, hB);
    CHECK_EQ(r.peer_protocol, 2000);
    CHECK(WaitFor([&] { return CountEvents(hA, RTM_CHANGE_NOTIFICATION, hNotify) == before_changes + 1; }));
    std::vector<Changed> got = Drain(hA, hNotify);
    // 0/0 and 203.0.113.0/24 lost their last route; on 203.0.114.0/24 the best changed (to
    // A's worse route). On 10/8 B's route was not the best: no BEST change there.
    CHECK_EQ(got.size(), 3);
    int gone = 0;
    for (const Changed& c : got) gone += c.num_routes == 0 ? 1 : 0;
    CHECK_EQ(gone, 2);
    // B's handles are dead; A's copy of B's route handle is still releasable.
    DWORD flags = 0;
    RTM_ROUTE_INFO ri = MakeRoute(nhB, 1, 1);
    CHECK_EQ(RtmAddRouteToDest(hB, nullptr, &ten8, &ri, INFINITE, nullptr, 0, nullptr, &flags), ERROR_INVALID_HANDLE);
    CHECK_EQ(RtmDeregisterEntity(hB), ERROR_INVALID_HANDLE);
    CHECK_EQ(RtmReleaseRoutes(hA, 1, keep), NO_ERROR);  // B's handle outlives B: released here
    CHECK_EQ(RtmReleaseRoutes(hA, 1, keep), NO_ERROR);  // now stale: tolerated (over-release)
    // Deregistration waits for a callback in flight.
    RTM_ENTITY_INFO es = EntityInfo(5000);
    RTM_ENTITY_HANDLE hS = nullptr, hT = nullptr;
    CHECK_EQ(RtmRegisterEntity(&es, nullptr, SlowCallback, FALSE, &prof, &hS), NO_ERROR);
    RTM_ENTITY_INFO et = EntityInfo(5001);
    CHECK_EQ(RtmRegisterEntity(&et, nullptr, nullptr, FALSE, &prof, &hT), NO_ERROR);
    CHECK(WaitFor([&] { return g_slow_in.load(); }));
    CHECK_EQ(RtmDeregisterEntity(hS), NO_ERROR);
    CHECK(g_slow_done.load());
    CHECK_EQ(RtmDeregisterEntity(hT), NO_ERROR);
  }

  // ------------------------------------------------------------ bad handles and pointers
  SECTION("bad handles");
  {
    RTM_ENTITY_HANDLE junk = reinterpret_cast<RTM_ENTITY_HANDLE>(static_cast<uintptr_t>(0x1234));
    RTM_ROUTE_INFO ri = MakeRoute(nhA, 1, 1);
    DWORD flags = 0;
    RTM_DEST_INFO di;
    CHECK_EQ(RtmAddRouteToDest(junk, nullptr, &ten8, &ri, INFINITE, nullptr, 0, nullptr, &flags), ERROR_INVALID_HANDLE);
    CHECK_EQ(RtmAddRouteToDest(nullptr, nullptr, &ten8, &ri, INFINITE, nullptr, 0, nullptr, &flags), ERROR_INVALID_HANDLE);
    CHECK_EQ(RtmDeregisterEntity(junk), ERROR_INVALID_HANDLE);
    CHECK_EQ(RtmGetExactMatchDestination(junk, &ten8, 0, RTM_VIEW_MASK_UCAST, &di), ERROR_INVALID_HANDLE);
    CHECK_EQ(RtmDeleteRouteToDest(hA, junk, &flags), ERROR_INVALID_HANDLE);
    CHECK_EQ(RtmDeleteRouteToDest(hA, hA, &flags), ERROR_INVALID_HANDLE);  // wrong kind
    CHECK_EQ(RtmDeleteRouteToDest(hA, rC, &flags), ERROR_ACCESS_DENIED);   // C's route
    RouteInfoBuf buf;
    CHECK_EQ(RtmGetRouteInfo(hA, junk, buf.get(), nullptr), ERROR_INVALID_HANDLE);
    CHECK_EQ(RtmGetRouteInfo(hA, rC, nullptr, nullptr), ERROR_INVALID_PARAMETER);
    RTM_NEXTHOP_INFO nhi;
    CHECK_EQ(RtmGetNextHopInfo(hA, junk, &nhi), ERROR_INVALID_HANDLE);
    CHECK_EQ(RtmGetNextHopInfo(hA, nhA, nullptr), ERROR_INVALID_PARAMETER);
    CHECK_EQ(RtmDeleteNextHop(hA, nhB, nullptr), ERROR_INVALID_HANDLE);  // B's, gone with B
    CHECK_EQ(RtmDeleteNextHop(hA, nullptr, nullptr), ERROR_INVALID_PARAMETER);
    RTM_ROUTE_HANDLE junk_routes[2] = {junk, rC};
    CHECK_EQ(RtmReleaseRoutes(hA, 2, junk_routes), ERROR_INVALID_HANDLE);  // rC released anyway
    CHECK_EQ(RtmReleaseRoutes(hA, 1, nullptr), ERROR_INVALID_PARAMETER);
    RTM_NEXTHOP_HANDLE junk_hops[1] = {junk};
    CHECK_EQ(RtmReleaseNextHops(hA, 1, junk_hops), ERROR_INVALID_HANDLE);
    RTM_NET_ADDRESS q = Net("10.0.0.1", 32);
    CHECK_EQ(RtmGetMostSpecificDestination(hA, &q, 0, RTM_VIEW_MASK_UCAST, nullptr), ERROR_INVALID_PARAMETER);
    CHECK_EQ(RtmGetMostSpecificDestination(hA, nullptr, 0, RTM_VIEW_MASK_UCAST, &di), ERROR_INVALID_PARAMETER);
    UINT n = 1;
    CHECK_EQ(RtmGetChangedDests(hA, junk, &n, &di), ERROR_INVALID_HANDLE);
    CHECK_EQ(n, 0);  // no entries on failure
    n = 1;
    CHECK_EQ(RtmGetChangedDests(hA, hNotify, nullptr, &di), ERROR_INVALID_PARAMETER);
    CHECK_EQ(RtmGetChangedDests(hC, hNotify, &n, &di), ERROR_INVALID_HANDLE);  // A's registration
    CHECK_EQ(RtmGetEnumRoutes(hA, junk, &n, nullptr), ERROR_INVALID_HANDLE);
    CHECK_EQ(RtmDeleteEnumHandle(hA, junk), ERROR_INVALID_HANDLE);
    RTM_ENUM_HANDLE en;
    CHECK_EQ(RtmCreateRouteEnum(hA, junk, 0, 0, nullptr, 0, nullptr, 0, &en), ERROR_INVALID_HANDLE);
    CHECK_EQ(RtmCreateRouteEnum(hA, nullptr, 0, 0, nullptr, RTM_MATCH_OWNER, nullptr, 0, &en), ERROR_INVALID_PARAMETER);
    CHECK_EQ(RtmCreateRouteEnum(hA, nullptr, 0, 0, nullptr, 0, nullptr, 0, nullptr), ERROR_INVALID_PARAMETER);
    CHECK_EQ(RtmAddRouteToDest(hA, nullptr, &ten8, &ri, INFINITE, junk, 0, nullptr, &flags), ERROR_INVALID_HANDLE);
    RTM_ROUTE_INFO badhop = MakeRoute(junk, 1, 1);
    CHECK_EQ(RtmAddRouteToDest(hA, nullptr, &ten8, &badhop, INFINITE, nullptr, 0, nullptr, &flags), ERROR_INVALID_HANDLE);
    CHECK_EQ(RtmRegisterForChangeNotification(hA, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST | RTM_NOTIFY_ONLY_MARKED_DESTS, nullptr, &hNotify), ERROR_NOT_SUPPORTED);
  }

  // ------------------------------------------------------------ JSON dump / inspection API
  SECTION("json");
  {
    CHECK_EQ(MockRtmAddRoute(10006, "192.168.0.0/16", "192.0.2.254", 7, 1, 10), NO_ERROR);
    CHECK_EQ(MockRtmAddRoute(10006, "192.168.1.7/24", "", 0, 2, 10), NO_ERROR);  // host bits cleared
    CHECK_EQ(MockRtmAddRoute(10006, "300.1.1.1/8", nullptr, 0, 1, 1), ERROR_INVALID_PARAMETER);
    CHECK_EQ(MockRtmAddRoute(10006, "10.0.0.0/33", nullptr, 0, 1, 1), ERROR_INVALID_PARAMETER);
    CHECK_EQ(MockRtmAddRoute(10006, "10.0.0.0/8", "x", 0, 1, 1), ERROR_INVALID_PARAMETER);
    CHECK_EQ(MockRtmAddRoute(0, "10.0.0.0/8", nullptr, 0, 1, 1), ERROR_INVALID_PARAMETER);
    CHECK_EQ(MockRtmDeleteRoute(4242, "10.0.0.0/8"), ERROR_NOT_FOUND);
    CHECK_EQ(MockRtmDeleteRoute(10006, "nope"), ERROR_INVALID_PARAMETER);
    const uint32_t needed = MockRtmDumpJson(nullptr, 0);
    CHECK(needed > 100);
    std::vector<char> small(16, 'x');
    CHECK_EQ(MockRtmDumpJson(small.data(), 16), needed);
    CHECK_EQ(small[0], '\0');
    std::vector<char> exact(needed, 'x');
    CHECK_EQ(MockRtmDumpJson(exact.data(), needed), needed);
    CHECK_EQ(strlen(exact.data()), needed - 1);
    const std::string j = exact.data();
    CHECK(j.front() == '{' && j.back() == '}');
    CHECK(Contains(j, "\"entities\":[{\"handle\":"));
    CHECK(Contains(j, "\"protocolId\":1000,\"instanceId\":0,\"synthetic\":false"));
    CHECK(Contains(j, "\"protocolId\":10006,\"instanceId\":0,\"synthetic\":true"));
    CHECK(Contains(j, "\"dest\":\"192.168.0.0/16\",\"owner\":10006,\"ownerInstance\":0,\"metric\":1,\"preference\":10,\"views\":1,\"flags\":0,\"neighbour\":null,\"nextHops\":[{\"address\":\"192.0.2.254\",\"interfaceIndex\":7}],\"best\":true,\"ttlMs\":null}"));
    CHECK(Contains(j, "\"dest\":\"192.168.1.0/24\",\"owner\":10006"));
    CHECK(Contains(j, "\"nextHops\":[],\"best\":true"));
    CHECK(Contains(j, "\"dest\":\"10.0.0.0/8\",\"owner\":1000,\"ownerInstance\":0,\"metric\":6,\"preference\":100,\"views\":1,\"flags\":0,\"neighbour\":null,\"nextHops\":[{\"address\":\"192.0.2.1\",\"interfaceIndex\":3}],\"best\":false"));
    CHECK(Contains(j, "\"notifications\":[{\"handle\":"));
    CHECK(Contains(j, "\"overReleases\":"));
    CHECK_EQ(MockRtmReset(), ERROR_CAN_NOT_COMPLETE);  // A and C are still registered
    const uint32_t gen = MockRtmGeneration();
    CHECK_EQ(MockRtmDeleteRoute(10006, "192.168.1.0/24"), NO_ERROR);
    CHECK(MockRtmGeneration() != gen);
  }

  // ------------------------------------------------------------ counters
  SECTION("counters");
  {
    auto counter = [](const char* key) {
      std::vector<char> buf(MockRtmCountersJson(nullptr, 0));
      MockRtmCountersJson(buf.data(), static_cast<uint32_t>(buf.size()));
      const std::string j(buf.data());
      const size_t at = j.find(std::string("\"") + key + "\":");
      return at == std::string::npos ? ~0ull : strtoull(j.c_str() + at + strlen(key) + 3, nullptr, 10);
    };
    const unsigned long long added = counter("added"), updated = counter("updated"),
                             deleted = counter("deleted");
    CHECK_EQ(counter("routes"), MockRtmRouteCount());
    CHECK_EQ(MockRtmAddRoute(10006, "198.51.100.0/24", "192.0.2.254", 7, 1, 10), NO_ERROR);
    CHECK_EQ(counter("added"), added + 1);
    CHECK_EQ(MockRtmAddRoute(10006, "198.51.100.0/24", "192.0.2.254", 7, 1, 10), NO_ERROR);
    CHECK_EQ(counter("updated"), updated);  // a refresh that changes nothing is no update
    CHECK_EQ(MockRtmAddRoute(10006, "198.51.100.0/24", "192.0.2.254", 7, 2, 10), NO_ERROR);
    CHECK_EQ(counter("updated"), updated + 1);
    CHECK_EQ(counter("added"), added + 1);
    CHECK_EQ(counter("deleted"), deleted);
    CHECK_EQ(MockRtmDeleteRoute(10006, "198.51.100.0/24"), NO_ERROR);
    CHECK_EQ(counter("deleted"), deleted + 1);
    CHECK_EQ(MockRtmCountersJson(nullptr, 0) > 0, true);
    char small[4] = "xyz";
    MockRtmCountersJson(small, sizeof small);
    CHECK_EQ(small[0], 0);  // too small: nothing written
  }

  // ------------------------------------------------------------ concurrency
  SECTION("concurrency");
  {
    const uint32_t before = MockRtmRouteCount();
    RTM_ENTITY_INFO ew = EntityInfo(6000);
    RTM_ENTITY_HANDLE hW = nullptr;
    CHECK_EQ(RtmRegisterEntity(&ew, nullptr, CountingCallback, FALSE, &prof, &hW), NO_ERROR);
    CHECK_EQ(RtmRegisterForChangeNotification(hW, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL, nullptr, &g_concurrent_notify), NO_ERROR);
    std::atomic<int> failures{0};
    std::vector<std::thread> writers;
    for (ULONG p = 0; p < 4; ++p) writers.emplace_back(Writer, 7000 + p, 100, &failures);
    for (std::thread& w : writers) w.join();
    CHECK_EQ(failures.load(), 0);
    CHECK_EQ(MockRtmRouteCount(), before);
    CHECK(WaitFor([&] { return g_concurrent_seen.load() > 0; }));
    CHECK_EQ(RtmDeregisterFromChangeNotification(hW, g_concurrent_notify), NO_ERROR);
    CHECK_EQ(RtmDeregisterEntity(hW), NO_ERROR);
  }

  // ------------------------------------------------------------ shutdown
  SECTION("shutdown");
  {
    CHECK_EQ(RtmDeregisterFromChangeNotification(hA, hNotify), NO_ERROR);
    CHECK_EQ(RtmReleaseNextHops(hA, 1, &nhA), NO_ERROR);
    RTM_NEXTHOP_HANDLE nbrs[3] = {nbr1, nbr2, nbr3};
    CHECK_EQ(RtmReleaseNextHops(hA, 3, nbrs), NO_ERROR);
    CHECK_EQ(RtmReleaseRoutes(hA, 1, &rA), NO_ERROR);
    CHECK_EQ(RtmReleaseRoutes(hC, 1, &rC), NO_ERROR);  // over-release (released above): tolerated
    CHECK_EQ(RtmDeregisterEntity(hC), NO_ERROR);
    CHECK_EQ(RtmDeregisterEntity(hA), NO_ERROR);
    const std::string j = Dump();
    // Every handle handed out was released (A and C deregistered; only static routes remain).
    CHECK(Contains(j, "\"handles\":{\"routes\":0,\"dests\":0,\"nextHops\":0,\"enums\":0,"));
    CHECK(Contains(j, "\"overReleases\":2}"));  // rB and rC, on purpose
    CHECK_EQ(MockRtmRouteCount(), 1);
    CHECK_EQ(MockRtmReset(), NO_ERROR);
    CHECK_EQ(MockRtmRouteCount(), 0);
    CHECK(Contains(Dump(), "\"entities\":[],\"routes\":[],\"nextHops\":[],\"notifications\":[]"));
    // Handles from before the reset stay invalid.
    RTM_ENTITY_INFO ea = EntityInfo(1000);
    RTM_ENTITY_HANDLE again = nullptr;
    CHECK_EQ(RtmRegisterEntity(&ea, nullptr, Recorder, FALSE, &prof, &again), NO_ERROR);
    CHECK(again != hA);
    CHECK_EQ(RtmReleaseRoutes(again, 1, &rA), NO_ERROR);  // stale route handle: tolerated
    DWORD flags = 0;
    CHECK_EQ(RtmDeleteRouteToDest(again, rA, &flags), ERROR_INVALID_HANDLE);
    CHECK_EQ(RtmDeregisterEntity(again), NO_ERROR);
    CHECK_EQ(MockRtmReset(), NO_ERROR);
  }

  // ------------------------------------------------------------ deregistration from a callback
  SECTION("deregister from inside the callback");
  {
    // The last entity leaves from the dispatcher thread; a later registration starts a new one.
    RTM_ENTITY_INFO ez = EntityInfo(8000);
    RTM_ENTITY_HANDLE hZ = nullptr;
    RTM_NOTIFY_HANDLE nz = nullptr;
    CHECK_EQ(RtmRegisterEntity(&ez, nullptr, SelfDeregister, FALSE, &prof, &hZ), NO_ERROR);
    CHECK_EQ(RtmRegisterForChangeNotification(hZ, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, nullptr, &nz), NO_ERROR);
    CHECK_EQ(MockRtmAddRoute(10006, "10.0.0.0/8", "192.0.2.1", 1, 1, 1), NO_ERROR);
    CHECK(WaitFor([&] { return g_self_gone.load(); }));
    CHECK(WaitFor([&] { return !Contains(Dump(), "\"protocolId\":8000"); }));
    RTM_ENTITY_INFO ea = EntityInfo(1000);
    RTM_ENTITY_HANDLE h = nullptr;
    CHECK_EQ(RtmRegisterEntity(&ea, nullptr, Recorder, FALSE, &prof, &h), NO_ERROR);
    CHECK_EQ(MockRtmAddRoute(10006, "10.1.0.0/16", "192.0.2.1", 1, 1, 1), NO_ERROR);
    RTM_NOTIFY_HANDLE n = nullptr;
    CHECK_EQ(RtmRegisterForChangeNotification(h, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, nullptr, &n), NO_ERROR);
    CHECK_EQ(MockRtmDeleteRoute(10006, "10.1.0.0/16"), NO_ERROR);
    CHECK(WaitFor([&] { return CountEvents(h, RTM_CHANGE_NOTIFICATION) == 1; }));  // new dispatcher
    Drain(h, n);
    CHECK_EQ(RtmDeregisterEntity(h), NO_ERROR);  // leaves the registration: deleted with it
    CHECK_EQ(MockRtmReset(), NO_ERROR);
  }

  // ------------------------------------------------------------ change types, next-hop deletion
  SECTION("change types, next-hop deletion");
  {
    RTM_ENTITY_INFO ef = EntityInfo(9000);
    RTM_ENTITY_HANDLE hF = nullptr;
    RTM_NOTIFY_HANDLE nfwd = nullptr, nbest = nullptr, nall = nullptr;
    CHECK_EQ(RtmRegisterEntity(&ef, nullptr, Recorder, FALSE, &prof, &hF), NO_ERROR);
    CHECK_EQ(RtmRegisterForChangeNotification(hF, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_FORWARDING, nullptr, &nfwd), NO_ERROR);
    CHECK_EQ(RtmRegisterForChangeNotification(hF, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, nullptr, &nbest), NO_ERROR);
    CHECK_EQ(RtmRegisterForChangeNotification(hF, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL, nullptr, &nall), NO_ERROR);
    auto counts = [&](size_t* f, size_t* b, size_t* a) {
      *f = Drain(hF, nfwd).size();
      *b = Drain(hF, nbest).size();
      *a = Drain(hF, nall).size();
    };
    size_t f, b, a;
    CHECK_EQ(MockRtmAddRoute(10006, "10.5.0.0/16", "192.0.2.1", 1, 1, 1), NO_ERROR);  // new best
    counts(&f, &b, &a);
    CHECK(f == 1 && b == 1 && a == 1);
    CHECK_EQ(MockRtmAddRoute(10006, "10.5.0.0/16", "192.0.2.1", 1, 2, 1), NO_ERROR);  // metric only
    counts(&f, &b, &a);
    CHECK(f == 0 && b == 1 && a == 1);
    CHECK_EQ(MockRtmAddRoute(10006, "10.5.0.0/16", "192.0.2.2", 1, 2, 1), NO_ERROR);  // next hop
    counts(&f, &b, &a);
    CHECK(f == 1 && b == 1 && a == 1);
    CHECK_EQ(MockRtmAddRoute(10006, "10.5.0.0/16", "192.0.2.2", 1, 2, 1), NO_ERROR);  // no change
    counts(&f, &b, &a);
    CHECK(f == 0 && b == 0 && a == 0);
    // A worse route of another protocol: only ALL hears of it.
    CHECK_EQ(MockRtmAddRoute(10002, "10.5.0.0/16", "192.0.2.3", 1, 1, 200), NO_ERROR);
    counts(&f, &b, &a);
    CHECK(f == 0 && b == 0 && a == 1);
    CHECK(Contains(Dump(), "\"dest\":\"10.5.0.0/16\",\"owner\":10002,\"ownerInstance\":0,\"metric\":1,\"preference\":200,\"views\":1,\"flags\":0,\"neighbour\":null,\"nextHops\":[{\"address\":\"192.0.2.3\",\"interfaceIndex\":1}],\"best\":false"));

    // Deleting a next hop that a route still uses: the route keeps it; new routes cannot.
    RTM_NEXTHOP_INFO nhi;
    memset(&nhi, 0, sizeof(nhi));
    nhi.NextHopAddress = Net("192.0.2.50", 32);
    nhi.InterfaceIndex = 2;
    RTM_NEXTHOP_HANDLE nh = nullptr;
    DWORD flags = 0;
    CHECK_EQ(RtmAddNextHop(hF, &nhi, &nh, &flags), NO_ERROR);
    RTM_NET_ADDRESS d = Net("10.6.0.0", 16);
    RTM_ROUTE_INFO ri = MakeRoute(nh, 1, 1);
    CHECK_EQ(RtmAddRouteToDest(hF, nullptr, &d, &ri, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    CHECK_EQ(RtmDeleteNextHop(hF, nullptr, &nhi), NO_ERROR);  // by info: the handle stays ours
    CHECK_EQ(RtmDeleteNextHop(hF, nullptr, &nhi), ERROR_NOT_FOUND);
    RTM_NEXTHOP_INFO got;
    CHECK_EQ(RtmGetNextHopInfo(hF, nh, &got), NO_ERROR);
    CHECK_EQ(got.State, RTM_NEXTHOP_STATE_DELETED);
    CHECK(Contains(Dump(), "\"address\":\"192.0.2.50\",\"interfaceIndex\":2,\"owner\":9000,\"ownerInstance\":0,\"routes\":1,\"deleted\":true"));
    RTM_NET_ADDRESS d2 = Net("10.7.0.0", 16);
    CHECK_EQ(RtmAddRouteToDest(hF, nullptr, &d2, &ri, INFINITE, nullptr, 0, nullptr, &flags), ERROR_INVALID_HANDLE);
    CHECK_EQ(RtmReleaseNextHops(hF, 1, &nh), NO_ERROR);
    CHECK_EQ(RtmDeregisterEntity(hF), NO_ERROR);  // also drops its registrations and route
    const std::string j = Dump();
    CHECK(!Contains(j, "192.0.2.50"));  // freed with the last route using it
    CHECK(Contains(j, "\"handles\":{\"routes\":0,\"dests\":0,\"nextHops\":0,\"enums\":0,"));
    CHECK_EQ(MockRtmReset(), NO_ERROR);
  }

  {
    SECTION("IPv6: an AF_INET6 entity, 128-bit longest-prefix match, families kept apart");
    RTM_REGN_PROFILE prof;
    RTM_ENTITY_HANDLE h6 = nullptr, h4 = nullptr, h6b = nullptr;
    RTM_ENTITY_INFO e6 = EntityInfo6(0x2b1d0003);
    RTM_ENTITY_INFO e4 = EntityInfo(0x2b1d0003);  // the same protocol id in the IPv4 RTM
    CHECK_EQ(RtmRegisterEntity(&e6, nullptr, Recorder, FALSE, &prof, &h6), NO_ERROR);
    CHECK_EQ(RtmRegisterEntity(&e4, nullptr, Recorder, FALSE, &prof, &h4), NO_ERROR);
    CHECK_EQ(RtmRegisterEntity(&e6, nullptr, Recorder, FALSE, &prof, &h6b), ERROR_ALREADY_EXISTS);
    RTM_ENTITY_INFO bad = EntityInfo6(7);
    bad.AddressFamily = 10;  // Linux's AF_INET6 is not RTM's
    CHECK_EQ(RtmRegisterEntity(&bad, nullptr, Recorder, FALSE, &prof, &h6b), ERROR_INVALID_PARAMETER);
    RTM_ENTITY_INFO other = EntityInfo6(10006);
    CHECK_EQ(RtmRegisterEntity(&other, nullptr, Recorder, FALSE, &prof, &h6b), NO_ERROR);
    CHECK(WaitFor([&] { return CountEvents(h6, RTM_ENTITY_REGISTERED) >= 1; }));
    CHECK_EQ(CountEvents(h4, RTM_ENTITY_REGISTERED), 0u);  // the IPv4 entity hears of no IPv6 one

    RTM_NOTIFY_HANDLE n6 = nullptr, n4 = nullptr;
    CHECK_EQ(RtmRegisterForChangeNotification(h6, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, nullptr, &n6), NO_ERROR);
    CHECK_EQ(RtmRegisterForChangeNotification(h4, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, nullptr, &n4), NO_ERROR);

    RTM_NEXTHOP_INFO nhi;
    memset(&nhi, 0, sizeof(nhi));
    nhi.NextHopAddress = Net6("fe80::1", 128);
    nhi.InterfaceIndex = 3;
    RTM_NEXTHOP_HANDLE nh = nullptr;
    DWORD flags = 0;
    CHECK_EQ(RtmAddNextHop(h6b, &nhi, &nh, &flags), NO_ERROR);
    RTM_NEXTHOP_INFO nh4 = nhi;
    nh4.NextHopAddress = Net("192.0.2.1", 32);
    RTM_NEXTHOP_HANDLE wrong = nullptr;
    CHECK_EQ(RtmAddNextHop(h6b, &nh4, &wrong, &flags), ERROR_INVALID_PARAMETER);  // not its family
    RTM_ROUTE_INFO ri = MakeRoute(nh, 2, 10);
    const char* dests[][2] = {{"2001:db8::", "32"}, {"2001:db8:0:1::", "64"}, {"2001:db8:0:1:8000::", "65"}, {"::", "0"}};
    for (auto& d : dests) {
      RTM_NET_ADDRESS a = Net6(d[0], unsigned(atoi(d[1])));
      flags = 0;
      CHECK_EQ(RtmAddRouteToDest(h6b, nullptr, &a, &ri, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    }
    RTM_NET_ADDRESS v4 = Net("10.9.0.0", 16);
    flags = 0;
    CHECK_EQ(RtmAddRouteToDest(h6b, nullptr, &v4, &ri, INFINITE, nullptr, 0, nullptr, &flags), ERROR_INVALID_PARAMETER);
    RTM_NET_ADDRESS hostBits = Net6("2001:db8:0:2::1", 48);  // host bits are cleared
    CHECK_EQ(RtmAddRouteToDest(h6b, nullptr, &hostBits, &ri, INFINITE, nullptr, 0, nullptr, &flags), NO_ERROR);
    RTM_NET_ADDRESS tooLong = Net6("2001:db8::", 129);
    CHECK_EQ(RtmAddRouteToDest(h6b, nullptr, &tooLong, &ri, INFINITE, nullptr, 0, nullptr, &flags), ERROR_INVALID_PARAMETER);

    std::vector<unsigned char> buf(rrasbridge::RtmDestInfoSize(1));
    RTM_DEST_INFO* di = reinterpret_cast<RTM_DEST_INFO*>(buf.data());
    const struct { const char* addr; const char* want; } lpm[] = {
        {"2001:db8:0:1:8000::5", "2001:db8:0:1:8000::/65"},  // the bit after /64 decides
        {"2001:db8:0:1:7fff::5", "2001:db8:0:1::/64"},
        {"2001:db8:0:2::9", "2001:db8::/48"},
        {"2001:db8:ffff::1", "2001:db8::/32"},
        {"2001:db9::1", "::/0"},
    };
    for (const auto& q : lpm) {
      RTM_NET_ADDRESS a = Net6(q.addr, 128);
      CHECK_EQ(RtmGetMostSpecificDestination(h6, &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, di), NO_ERROR);
      const std::string got = Text6(di->DestAddress);
      if (got != q.want) fprintf(stderr, "  LPM %s -> %s, want %s\n", q.addr, got.c_str(), q.want);
      CHECK(got == q.want);
      CHECK_EQ(di->DestAddress.AddressFamily, RRAS_BRIDGE_AF_INET6);
      RtmReleaseDestInfo(h6, di);
    }
    RTM_NET_ADDRESS asV4 = Net("32.1.13.184", 32);  // 2001:db8's first bytes, as IPv4: no match
    CHECK_EQ(RtmGetMostSpecificDestination(h6, &asV4, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, di), ERROR_INVALID_PARAMETER);
    CHECK_EQ(RtmGetMostSpecificDestination(h4, &asV4, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, di), ERROR_NOT_FOUND);
    RTM_NET_ADDRESS q6 = Net6("2001:db8::1", 128);
    CHECK_EQ(RtmGetMostSpecificDestination(h4, &q6, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, di), ERROR_INVALID_PARAMETER);

    // Change notifications: the IPv6 entity hears of all five dests, the IPv4 one of none.
    CHECK(WaitFor([&] { return CountEvents(h6, RTM_CHANGE_NOTIFICATION) >= 1; }));
    const auto seen = Drain(h6, n6);
    CHECK_EQ(seen.size(), 5u);
    CHECK(Drain(h4, n4).empty());
    CHECK_EQ(CountEvents(h4, RTM_CHANGE_NOTIFICATION), 0u);

    // A dest enumeration of the IPv6 entity lists IPv6 dests only, in address order.
    CHECK_EQ(MockRtmAddRoute(10006, "10.200.0.0/16", "192.0.2.9", 1, 1, 1), NO_ERROR);
    RTM_ENUM_HANDLE en = nullptr;
    CHECK_EQ(RtmCreateDestEnum(h6, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, nullptr, RTM_BEST_PROTOCOL, &en), NO_ERROR);
    std::vector<unsigned char> many(16 * rrasbridge::RtmDestInfoSize(1));
    UINT num = 16;
    RtmGetEnumDests(h6, en, &num, reinterpret_cast<RTM_DEST_INFO*>(many.data()));
    std::string order;
    for (UINT i = 0; i < num; ++i)
      order += Text6(reinterpret_cast<RTM_DEST_INFO*>(many.data() + i * rrasbridge::RtmDestInfoSize(1))->DestAddress) + " ";
    CHECK(order == "::/0 2001:db8::/32 2001:db8::/48 2001:db8:0:1::/64 2001:db8:0:1:8000::/65 ");
    if (num) RtmReleaseDests(h6, num, reinterpret_cast<RTM_DEST_INFO*>(many.data()));
    RtmDeleteEnumHandle(h6, en);

    // The inspection API speaks IPv6 text (RFC 5952 out, any valid form in).
    const std::string j = Dump();
    CHECK(Contains(j, "\"dest\":\"2001:db8:0:1:8000::/65\",\"owner\":10006"));
    CHECK(Contains(j, "\"protocolId\":10006,\"instanceId\":0,\"synthetic\":false,\"addressFamily\":23"));
    CHECK(Contains(j, "\"protocolId\":10006,\"instanceId\":0,\"synthetic\":true,\"addressFamily\":2"));
    CHECK(Contains(j, "\"address\":\"fe80::1\",\"interfaceIndex\":3"));
    char out[2048];
    CHECK(MockRtmLookupJson("2001:DB8:0:1:0:0:0:5", out, sizeof out) > 0);
    CHECK(Contains(out, "\"dest\":\"2001:db8:0:1::/64\""));
    CHECK(MockRtmLookupJson("2001:db8::1::2", out, sizeof out) == 0);  // two "::"
    CHECK(MockRtmLookupJson("2001:db8::/129", out, sizeof out) == 0);
    CHECK(MockRtmLookupJson("::ffff:10.200.1.1", out, sizeof out) > 0);  // a mapped address is IPv6
    CHECK(Contains(out, "\"dest\":\"::/0\""));
    CHECK_EQ(MockRtmAddRoute(10002, "2001:db8:aa::/48", "fe80::99", 4, 1, 1), NO_ERROR);
    CHECK_EQ(MockRtmAddRoute(10002, "2001:db8:bb::/48", "192.0.2.9", 4, 1, 1), ERROR_INVALID_PARAMETER);
    CHECK(MockRtmLookupJson("2001:db8:aa::1", out, sizeof out) > 0);
    CHECK(Contains(out, "\"nextHops\":[{\"address\":\"fe80::99\",\"interfaceIndex\":4}]"));
    CHECK_EQ(MockRtmDeleteRoute(10002, "2001:db8:aa::/48"), NO_ERROR);
    CHECK_EQ(MockRtmDeleteRoute(10002, "2001:db8:aa::/48"), ERROR_NOT_FOUND);

    RtmReleaseNextHops(h6b, 1, &nh);
    CHECK_EQ(RtmDeregisterEntity(h6b), NO_ERROR);
    CHECK_EQ(RtmDeregisterEntity(h4), NO_ERROR);
    CHECK_EQ(RtmDeregisterEntity(h6), NO_ERROR);
    CHECK_EQ(MockRtmReset(), NO_ERROR);
  }

  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
