// The library's record of the protocol's own routes: RouteTable (route_table.h) against a
// std::map model through many inserts and erases (backward-shift deletion must never lose a
// route nor find an erased one), for IPv4 and IPv6 keys; then RtmClient on the mock RTM
// (MOCK_RTM_LIBRARY) for both families: routes and next hops reach RTM, a delete of an unknown
// route is ERROR_NOT_FOUND, graceful restart's stale marking and sweep delete exactly the routes
// not re-announced, expiry forgets a route, Close(true) leaves RTM empty; and another
// protocol's best routes, changed while the client applies batches, all reach its sink.
#include <dlfcn.h>

#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>

#include "../protocol/route_table.h"
#include "../protocol/rtm_client.h"
#include "check.h"

namespace rrasbridge {
namespace {

// ---- RouteTable -----------------------------------------------------------------------------

Address V6(uint32_t i) {
  Address a{};
  a[0] = 0x20;
  a[1] = 0x01;
  std::memcpy(a.data() + 4, &i, 4);  // within the first 64 bits
  return a;
}
template <typename Dest>
Dest Key(uint32_t i);
template <>
uint32_t Key<uint32_t>(uint32_t i) {
  return i;
}
template <>
Address Key<Address>(uint32_t i) {
  return V6(i);
}

// kSaturated: the distance from home an index slot records exactly (low here: more of the
// lookups and shifts read the entries' keys instead).
template <typename Dest, size_t kSaturated = 63>
void TableAgainstModel(uint32_t maxPrefix) {
  using Table = RouteTable<Dest, kSaturated>;
  using K = std::tuple<uint32_t, uint32_t, uint32_t>;  // destination seed, prefix, hop
  Table t;
  std::map<K, uintptr_t> model;  // key -> handle
  std::mt19937 rng(12);
  // Few destinations, several prefix lengths and hops each: long probe runs, many collisions.
  auto randomKey = [&] {
    return K{rng() % 3000, rng() % (maxPrefix + 1), rng() % 5};
  };
  uintptr_t nextHandle = 1;
  bool consistent = true;
  auto verify = [&](const char* phase) {
    if (t.size() != model.size()) consistent = false;
    for (const auto& [k, h] : model) {
      auto* e = t.Find(Key<Dest>(std::get<0>(k)), std::get<1>(k), std::get<2>(k));
      if (!e || reinterpret_cast<uintptr_t>(e->handle) != h) consistent = false;
    }
    for (int i = 0; i < 2000; ++i) {
      const K k = randomKey();
      const bool in = model.count(k) != 0;
      if ((t.Find(Key<Dest>(std::get<0>(k)), std::get<1>(k), std::get<2>(k)) != nullptr) != in)
        consistent = false;
    }
    CHECK_MSG(consistent, phase);
  };
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 30000; ++i) {  // inserts, past several index growths
      const K k = randomKey();
      if (model.count(k)) continue;
      const uintptr_t h = nextHandle++;
      t.Insert({Key<Dest>(std::get<0>(k)), std::get<1>(k), std::get<2>(k),
                reinterpret_cast<RTM_ROUTE_HANDLE>(h)});
      model[k] = h;
    }
    verify("after inserts");
    for (int i = 0; i < 25000 && !model.empty(); ++i) {  // erases at random
      const K k = randomKey();
      auto it = model.find(k);
      if (it == model.end()) continue;
      auto* e = t.Find(Key<Dest>(std::get<0>(k)), std::get<1>(k), std::get<2>(k));
      if (!e) {
        consistent = false;
        break;
      }
      t.Erase(e);
      model.erase(it);
    }
    verify("after erases");
  }
  // Everything out, in table order (the last entry moves into each erased place).
  while (!t.empty()) t.Erase(t.begin());
  CHECK(t.Find(Key<Dest>(0), 0, 0) == nullptr);
  CHECK(t.size() == 0);
}

void EntryPacking() {
  using E = RouteEntry<uint32_t>;
  CHECK(sizeof(E) == 16);
  CHECK(sizeof(RouteEntry<Address>) == 32);
  E e(0x0a000001u, 32, E::kMaxHop, nullptr);
  CHECK(e.hop() == E::kMaxHop);
  CHECK(e.prefixLength() == 32);
  CHECK(!e.stale());
  e.setStale(true);
  CHECK(e.stale() && e.hop() == E::kMaxHop && e.prefixLength() == 32);
  CHECK(e.Is(0x0a000001u, 32, E::kMaxHop));  // the stale mark is no part of the key
  CHECK(!e.Is(0x0a000001u, 31, E::kMaxHop));
  e.setStale(false);
  CHECK(!e.stale());
  RouteEntry<Address> v6(V6(7), 128, 3, nullptr);
  CHECK(v6.prefixLength() == 128 && v6.hop() == 3);
  CHECK(E::kMaxHop == (1u << 23) - 1);
}

// ---- RtmClient on the mock RTM --------------------------------------------------------------

constexpr uint32_t kProtocolId = 0x7a600011;

uint32_t RtmRoutes() {
  using Count = uint32_t (*)();
  static Count count = [] {
    void* lib = dlopen(MOCK_RTM_LIBRARY, RTLD_NOW);
    return lib ? reinterpret_cast<Count>(dlsym(lib, "MockRtmRouteCount")) : nullptr;
  }();
  return count ? count() : 0xFFFFFFFFu;
}

Address Dest(uint16_t family, uint32_t i) {
  if (family == kFamilyIpv6) return V6(i);
  return Ipv4Address(__builtin_bswap32(0x0a000000u + (i << 8)));  // 10.x.y.0
}
Address Hop(uint16_t family, uint32_t i) {
  if (family == kFamilyIpv6) {
    Address a{};
    a[0] = 0xfe;
    a[1] = 0x80;
    a[15] = static_cast<uint8_t>(i + 1);
    return a;
  }
  return Ipv4Address(__builtin_bswap32(0xc0000201u + i));  // 192.0.2.1 + i
}

constexpr uint32_t kShortLifetimeMs = 1000;  // a route that expires during the test

RouteOp Op(uint16_t family, uint32_t op, uint32_t i, uint32_t ttlMs = 0) {
  RouteOp r;
  r.op = op;
  r.destination = Dest(family, i);
  r.prefixLength = family == kFamilyIpv6 ? 64 : 24;
  r.nextHop = Hop(family, i % 3);
  r.interfaceIndex = 1 + i % 3;
  r.metric = 1;
  r.ttlMs = ttlMs;
  return r;
}

void ClientOnMockRtm(uint16_t family) {
  const std::string name = family == kFamilyIpv6 ? "IPv6" : "IPv4";
  RtmClient c(Logger{}, kProtocolId, 100, family);
  std::string err;
  if (!CHECK(c.Open(MOCK_RTM_LIBRARY, nullptr, nullptr, err))) {
    std::fprintf(stderr, "     %s\n", err.c_str());
    return;
  }
  const uint32_t n = 3000;
  uint32_t failures = 0;
  for (uint32_t i = 0; i < n; ++i) failures += c.Apply(Op(family, kRouteAdd, i), err) != NO_ERROR;
  CHECK_MSG(failures == 0, name + ": " + err);
  CHECK(c.routeCount() == n);
  CHECK_MSG(RtmRoutes() == n, name + ": RTM has " + std::to_string(RtmRoutes()));
  // An update of a route the client has is no new route.
  CHECK(c.Apply(Op(family, kRouteAdd, 5), err) == NO_ERROR);
  CHECK(c.routeCount() == n && RtmRoutes() == n);
  // The same destination through another next hop is another route.
  RouteOp other = Op(family, kRouteAdd, 5);
  other.nextHop = Hop(family, 9);
  CHECK(c.Apply(other, err) == NO_ERROR);
  CHECK(c.routeCount() == n + 1);
  other.op = kRouteDelete;
  CHECK(c.Apply(other, err) == NO_ERROR);
  CHECK(c.Apply(other, err) == ERROR_NOT_FOUND);  // its next hop is gone with its last route
  RouteOp unknown = Op(family, kRouteDelete, n + 7);
  CHECK(c.Apply(unknown, err) == ERROR_NOT_FOUND);
  unknown = Op(family, kRouteDelete, 4);
  unknown.prefixLength -= 1;  // a known destination, another prefix length
  CHECK(c.Apply(unknown, err) == ERROR_NOT_FOUND);
  RouteOp tooLong = Op(family, kRouteAdd, 1);
  tooLong.prefixLength = c.maxPrefixLength() + 1;
  CHECK(c.Apply(tooLong, err) == ERROR_INVALID_PARAMETER);
  // Host bits past the prefix length are refused by name, as ctx.routes refuses them, and
  // reach no route: RTM would clear them and merge the route with its neighbour's.
  RouteOp hostBits = Op(family, kRouteAdd, 6);
  hostBits.destination[family == kFamilyIpv6 ? 9 : 3] = 1;
  CHECK(c.Apply(hostBits, err) == ERROR_INVALID_PARAMETER);
  CHECK_MSG(err.find("host bits") != std::string::npos, name + ": " + err);
  hostBits.op = kRouteDelete;
  CHECK(c.Apply(hostBits, err) == ERROR_INVALID_PARAMETER);
  CHECK(c.routeCount() == n && RtmRoutes() == n);
  RouteOp host = Op(family, kRouteAdd, n + 1);
  host.prefixLength = c.maxPrefixLength();  // /32, /128: the widest fits the entry
  CHECK(c.Apply(host, err) == NO_ERROR);
  host.op = kRouteDelete;
  CHECK(c.Apply(host, err) == NO_ERROR);

  // Deletes from the middle: the rest still found.
  for (uint32_t i = 0; i < n; i += 4) failures += c.Apply(Op(family, kRouteDelete, i), err) != NO_ERROR;
  CHECK_MSG(failures == 0, name + ": " + err);
  const uint32_t left = n - (n + 3) / 4;
  CHECK(c.routeCount() == left && RtmRoutes() == left);

  // Graceful restart: everything stale, the odd routes re-announced, the sweep takes the rest.
  c.MarkAllStale();
  CHECK(c.staleCount() == left);
  uint32_t reannounced = 0;
  for (uint32_t i = 1; i < n; i += 2) {
    failures += c.Apply(Op(family, kRouteAdd, i), err) != NO_ERROR;
    ++reannounced;
  }
  CHECK(c.staleCount() == left - reannounced);
  CHECK(c.Sweep() == left - reannounced);
  CHECK(c.routeCount() == reannounced && RtmRoutes() == reannounced);
  CHECK(c.staleCount() == 0);
  bool oddFound = true;
  for (uint32_t i = 1; i < n; i += 2) oddFound &= c.Apply(Op(family, kRouteAdd, i), err) == NO_ERROR;
  CHECK(oddFound && c.routeCount() == reannounced);

  // A route whose lifetime ends is forgotten: its delete is then ERROR_NOT_FOUND.
  // A lifetime no slow build (ThreadSanitizer on a loaded machine) outlives before the count
  // is read; the expiry is awaited up to 30 s.
  CHECK(c.Apply(Op(family, kRouteAdd, n + 2, kShortLifetimeMs), err) == NO_ERROR);
  CHECK(c.routeCount() == reannounced + 1);
  for (int i = 0; i < 1200 && c.routeCount() != reannounced; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  CHECK_MSG(c.routeCount() == reannounced, name + ": the expired route is still remembered");
  CHECK(c.Apply(Op(family, kRouteDelete, n + 2), err) == ERROR_NOT_FOUND);

  c.Close(true);
  CHECK(c.routeCount() == 0);
  CHECK_MSG(RtmRoutes() == 0, name + ": Close(true) left routes in RTM");
}

// Another protocol's routes change while this client applies large batches (the drain of RTM's
// notifications then waits for the batch's end, on the batch's thread): every one of its best
// routes reaches the sink, and its last change there is the latest (added, then withdrawn).
void ChangesDuringBatches() {
  constexpr uint32_t kOtherProtocolId = kProtocolId + 1;
  constexpr uint32_t kOwn = 20000, kBatches = 4, kOther = 600;
  std::mutex mu;
  std::map<std::pair<Address, uint32_t>, uint32_t> lastOwner;  // the sink's latest word per destination
  RtmClient c(Logger{}, kProtocolId, 100, kFamilyIpv4);
  RtmClient other(Logger{}, kOtherProtocolId, 100, kFamilyIpv4);
  std::string err;
  auto sink = [&](std::vector<RouteChange> changes) {
    std::lock_guard<std::mutex> lock(mu);
    for (const RouteChange& ch : changes) lastOwner[{ch.destination, ch.prefixLength}] = ch.owner;
  };
  if (!CHECK(c.Open(MOCK_RTM_LIBRARY, sink, nullptr, err)) || !CHECK(other.Open(MOCK_RTM_LIBRARY, nullptr, nullptr, err))) return;
  std::thread changer([&] {
    std::string e;
    // Destinations apart from the client's own (kOwn + i).
    for (uint32_t i = 0; i < kOther; ++i) other.Apply(Op(kFamilyIpv4, kRouteAdd, kOwn + i), e);
    for (uint32_t i = 0; i < kOther; i += 2) other.Apply(Op(kFamilyIpv4, kRouteDelete, kOwn + i), e);
  });
  std::string firstError;
  uint32_t failures = 0;
  for (uint32_t b = 0; b < kBatches; ++b) {
    const uint32_t op = b % 2 ? kRouteDelete : kRouteAdd;
    c.ApplyBatch(
        kOwn, [&](size_t i, RouteOp& r, std::string&) { r = Op(kFamilyIpv4, op, uint32_t(i)); return true; },
        [&](size_t, DWORD status) { failures += status != NO_ERROR; }, firstError);
  }
  changer.join();
  CHECK_MSG(failures == 0, "batches: " + firstError);
  const auto settled = [&] {
    std::lock_guard<std::mutex> lock(mu);
    for (uint32_t i = 0; i < kOther; ++i) {
      auto it = lastOwner.find({Dest(kFamilyIpv4, kOwn + i), 24});
      const uint32_t want = i % 2 ? kOtherProtocolId : 0;  // the even ones were deleted again
      if (it == lastOwner.end() ? want != 0 : it->second != want) return false;
    }
    return true;
  };
  bool done = settled();
  for (int i = 0; i < 1200 && !done; ++i) {  // generous: 30 s
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    done = settled();
  }
  CHECK_MSG(done, "the sink's last change of another protocol's route is not its latest");
  CHECK(c.BestRoutes().size() == kOther / 2);
  other.Close(true);
  c.Close(true);
  CHECK(RtmRoutes() == 0);
}

}  // namespace
}  // namespace rrasbridge

int main() {
  rrasbridge::EntryPacking();
  rrasbridge::TableAgainstModel<uint32_t>(32);
  rrasbridge::TableAgainstModel<rrasbridge::Address>(128);
  rrasbridge::TableAgainstModel<uint32_t, 1>(32);
  rrasbridge::TableAgainstModel<uint32_t, 0>(32);
  rrasbridge::ClientOnMockRtm(rrasbridge::kFamilyIpv4);
  rrasbridge::ClientOnMockRtm(rrasbridge::kFamilyIpv6);
  rrasbridge::ChangesDuringBatches();
  rrasbridge::ReleaseRtmClients();
  return rrasbridge::test::Finish();
}
