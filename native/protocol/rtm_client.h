// The library's RTMv2 client for one protocol: the entity registration (entity = protocol
// id, in the RTM of the protocol's router manager: AF_INET or AF_INET6), next hops, route
// handles, and best-route change notifications. It belongs to the library, not to the host,
// so a host's routes outlive the host (graceful restart: they are marked stale, re-announced
// routes are refreshed, the rest swept).
//
// State: the next hops, routes and best routes are guarded by mu_ (the I/O thread applies the
// host's batches, RTM's notification thread records best-route changes, the supervisor marks
// and sweeps); the registration (Open, Close) belongs to the thread that owns the client
// (rtm_glue.h: the supervisor, with no host connected).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "../common/rtm_api.h"
#include "../common/dynlib.h"
#include "log.h"
#include "route_table.h"

namespace rrasbridge {

// An address of the client's family as RTM_NET_ADDRESS.AddrBits holds it: network order,
// IPv4 in the first 4 bytes and the rest zero.
using Address = std::array<uint8_t, 16>;
constexpr uint16_t kFamilyIpv4 = 2;   // AF_INET
constexpr uint16_t kFamilyIpv6 = 23;  // AF_INET6 as Windows numbers it (RRAS_BRIDGE_AF_INET6)
// The bytes of an IPv4 wire u32 (whose memory is the address in network order), and back.
Address Ipv4Address(uint32_t wire);
uint32_t Ipv4Wire(const Address& a);
// No bit set past the first prefixLength (an IPv4 address uses the first 4 bytes, the rest zero).
bool HostBitsClear(const Address& a, uint32_t prefixLength);

struct RouteOp {
  uint32_t op = 0;  // 1 add/update, 2 delete
  Address destination{};
  uint32_t prefixLength = 0;
  Address nextHop{};
  uint32_t interfaceIndex = 0;
  uint32_t metric = 0, preference = 0, flags = 0, ttlMs = 0;
};
constexpr uint32_t kRouteAdd = 1, kRouteDelete = 2;
constexpr uint32_t kRouteHasPreference = 1;

struct RouteChange {
  Address destination{};
  uint32_t prefixLength = 0, owner = 0;
  Address nextHop{};
  uint32_t interfaceIndex = 0, metric = 0, preference = 0;
};
constexpr uint32_t kOtherProtocol = 0xFFFFFFFFu;  // another protocol RTM cannot name

class RtmClient {
 public:
  using ChangeSink = std::function<void(std::vector<RouteChange>)>;
  // Validates a route with the router manager's ValidateRoute; may change its preference.
  using Validator = std::function<DWORD(RTM_ROUTE_INFO&, RTM_NET_ADDRESS&)>;

  // family: kFamilyIpv4 or kFamilyIpv6, the RTM instance of the protocol's router manager.
  RtmClient(Logger log, uint32_t protocolId, uint32_t defaultPreference, uint16_t family)
      : log_(std::move(log)),
        protocolId_(protocolId),
        defaultPreference_(defaultPreference),
        family_(family),
        routes_(RoutesFor(family)) {}
  RtmClient(const RtmClient&) = delete;
  RtmClient& operator=(const RtmClient&) = delete;
  ~RtmClient() { Close(true); }

  // Loads the RTM library, registers the entity and subscribes to best-route changes.
  bool Open(const std::string& library, ChangeSink sink, Validator validate, std::string& err);
  bool open() const { return handle_ != nullptr; }
  uint16_t family() const { return family_; }
  unsigned maxPrefixLength() const { return family_ == kFamilyIpv6 ? 128 : 32; }
  // deleteRoutes: a planned stop removes the protocol's routes; otherwise they stay in RTM
  // (owned by the entity) only until it deregisters.
  void Close(bool deleteRoutes);

  // Applies one operation; returns NO_ERROR or the error for this route.
  DWORD Apply(const RouteOp& op, std::string& err) {
    std::lock_guard<std::mutex> lock(mu_);
    return ApplyLocked(op, err);
  }
  // Applies n operations under one hold of the tables, so RTM's change delivery (which takes
  // them to filter what it reports) waits once per batch, not once per route. get(i, op, err)
  // reads the i-th; false: refused before RTM (ERROR_INVALID_PARAMETER, err says why).
  // put(i, status) gets each one's outcome, in order; firstError the first refusal's reason.
  // RTM's change notifications during the batch are drained after it, on this thread (see
  // DeferDrain).
  template <typename Get, typename Put>
  void ApplyBatch(size_t n, Get get, Put put, std::string& firstError) {
    const Applying applying(*this);
    ApplyBatchLocked(n, get, put, firstError);
  }
  template <typename Get, typename Put>
  void ApplyBatchLocked(size_t n, Get get, Put put, std::string& firstError) {
    std::lock_guard<std::mutex> lock(mu_);
    // Each operation is decoded kAhead before its turn, so the table's memory it needs is
    // asked for while the ones before it are applied (Prefetch); they are applied in order.
    struct Decoded {
      RouteOp op;
      std::string err;
      bool ok = false;
    };
    std::array<Decoded, kAhead> ring;
    auto decode = [&](size_t i) {
      Decoded& d = ring[i % kAhead];
      d.err.clear();
      d.ok = get(i, d.op, d.err);
      if (d.ok) Prefetch(d.op, false, kAhead - 1);
    };
    for (size_t i = 0; i < n && i < kAhead; ++i) decode(i);
    for (size_t i = 0; i < n; ++i) {
      if (const Decoded& next = ring[(i + kEntriesAhead) % kAhead]; i + kEntriesAhead < n && next.ok)
        Prefetch(next.op, true, kEntriesAhead);
      Decoded& d = ring[i % kAhead];
      const DWORD status = d.ok ? ApplyLocked(d.op, d.err) : DWORD(ERROR_INVALID_PARAMETER);
      if (status != NO_ERROR && firstError.empty()) firstError = d.err;
      put(i, status);
      if (i + kAhead < n) decode(i + kAhead);
    }
  }
  size_t routeCount() const;

  // Other protocols' best routes as last reported (for a host that starts or restarts).
  std::vector<RouteChange> BestRoutes() const;

  // Graceful restart.
  void MarkAllStale();
  size_t Sweep();  // deletes routes still stale; returns how many
  size_t staleCount() const;

 private:
  using HopKey = std::pair<Address, uint32_t>;  // address, if
  struct Hop {
    HopKey key{};
    RTM_NEXTHOP_HANDLE handle = nullptr;
    size_t users = 0;
  };
  // The protocol's routes, in a table sized for the family (route_table.h): an IPv4 route
  // costs 16 bytes, not the 32 a 16-byte destination takes.
  using Ipv4Routes = RouteTable<uint32_t>;
  using Ipv6Routes = RouteTable<Address>;
  using Routes = std::variant<Ipv4Routes, Ipv6Routes>;
  static Routes RoutesFor(uint16_t family) {
    if (family == kFamilyIpv6) return Routes(std::in_place_type<Ipv6Routes>);
    return Routes(std::in_place_type<Ipv4Routes>);
  }
  // Calls f with the client's table (mu_ held), whichever its family.
  template <typename F>
  decltype(auto) WithRoutes(F&& f) { return std::visit(std::forward<F>(f), routes_); }
  template <typename F>
  decltype(auto) WithRoutes(F&& f) const { return std::visit(std::forward<F>(f), routes_); }

  static DWORD WINAPI OnEvent(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE type, PVOID c1, PVOID c2);
  // A batch being applied takes RTM's lock per route; a drain on RTM's callback thread at the
  // same time took it per 64 changes, and the two threads' waits for it (about 2,700 sleeps
  // for 1M routes added and deleted) and the destinations' memory passing between cores cost
  // more than the drain itself. So while a batch is applied, a change notification is only
  // noted (DeferDrain true), and the batch's thread drains once it ends (EndApply), with the
  // batch's destinations still in its cache. RTM signals again only after a full drain, so
  // none is lost; drainMu_ keeps one drain at a time, so the host gets changes in RTM's order.
  struct Applying {
    explicit Applying(RtmClient& c) : client(c) { client.BeginApply(); }
    ~Applying() { client.EndApply(); }
    Applying(const Applying&) = delete;
    Applying& operator=(const Applying&) = delete;
    RtmClient& client;
  };
  void BeginApply();
  void EndApply();
  bool DeferDrain();
  void DrainChanges();
  void LoadBestRoutes();
  template <typename Get, typename Release>
  std::vector<RouteChange> ReadDests(const char* what, Get get, Release release);
  RouteChange Describe(const RTM_DEST_INFO& d);
  // Keeps what the host is told: other protocols' best routes. Own routes are neither
  // remembered nor sent (the host knows them; a restarted host re-announces them): a change
  // passes only when another protocol's route became best, or stopped being best.
  std::vector<RouteChange> Filter(std::vector<RouteChange> changes);
  DWORD ApplyLocked(const RouteOp& op, std::string& err);
  // ApplyBatch's look-ahead: operations decoded this far ahead, their entries asked for this
  // far ahead (after their index slots have come).
  static constexpr size_t kAhead = 16, kEntriesAhead = 8;
  // Asks for the memory op's table lookup will read: its index slot and, for a delete, that
  // of the route then last (`ahead` operations from now); or (entries) the entries its slot
  // names. Only for the next hop found last: a hint costs no search.
  void Prefetch(const RouteOp& op, bool entries, size_t ahead) const;
  template <typename Table>
  DWORD AddLocked(Table& routes, const RouteOp& op, std::string& err);
  template <typename Table>
  DWORD DeleteLocked(Table& routes, typename Table::Entry* route, std::string& err);
  // Drops a route RTM no longer has (its handle released): its entry and its next-hop use.
  template <typename Table>
  void ForgetLocked(Table& routes, typename Table::Entry* route);
  // A next hop's index for a new route, or kNoHop (err says why).
  uint32_t AcquireHop(const HopKey& key, std::string& err);
  void ReleaseHop(uint32_t hop);
  // The hop's index in hops_ or kNoHop.
  uint32_t FindHop(const HopKey& key) const;
  bool IsLastHop(const HopKey& key) const;  // the hop FindHop found last
  static constexpr uint32_t kNoHop = 0xFFFFFFFFu;

  Logger log_;
  uint32_t protocolId_;
  uint32_t defaultPreference_;
  uint16_t family_;
  DynamicLibrary lib_;
  struct Api {
#define X(name) PFN_##name name = nullptr;
    RRAS_BRIDGE_RTM_FUNCTIONS(X)
#undef X
  } api_;
  PFN_RtmGetEntityInfo getEntityInfo_ = nullptr;  // optional
  RTM_ENTITY_HANDLE handle_ = nullptr;
  RTM_NOTIFY_HANDLE notify_ = nullptr;  // changed under drainMu_ once registered
  RTM_REGN_PROFILE profile_{};
  ChangeSink sink_;
  Validator validate_;
  mutable std::mutex mu_;
  std::mutex applyMu_;       // applying_, drainDeferred_
  size_t applying_ = 0;      // batches being applied
  bool drainDeferred_ = false;
  std::mutex drainMu_;       // held through a drain: changes reach the host in RTM's order
  std::vector<Hop> hops_;                 // by index; a free one has no handle
  std::vector<uint32_t> freeHops_;        // indexes of hops_ to reuse
  std::map<HopKey, uint32_t> hopIndex_;   // index in hops_ of each hop in use
  mutable uint32_t lastHop_ = kNoHop;     // the hop FindHop found last (in use), or kNoHop
  Routes routes_;
  std::map<std::pair<Address, uint32_t>, RouteChange> best_;  // other protocols' only
};

// Library unload, once no client exists: frees the registry of clients.
void ReleaseRtmClients();

}  // namespace rrasbridge
