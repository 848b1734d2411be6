#include "rtm_client.h"

#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>

namespace rrasbridge {
namespace {

// RTM calls back with the entity handle only; this maps it to its client (gClientsMu held).
// Never a static object: RTM may call back while the process exits; freed at unload.
std::mutex gClientsMu;
std::map<RTM_ENTITY_HANDLE, RtmClient*>* gClients = nullptr;

std::map<RTM_ENTITY_HANDLE, RtmClient*>& Clients() {
  if (!gClients) gClients = std::make_unique<std::map<RTM_ENTITY_HANDLE, RtmClient*>>().release();
  return *gClients;
}

RTM_NET_ADDRESS NetAddress(uint16_t family, const Address& addr, uint32_t bits) {
  RTM_NET_ADDRESS a;
  std::memset(&a, 0, sizeof a);
  a.AddressFamily = family;
  a.NumBits = static_cast<USHORT>(bits);
  std::memcpy(a.AddrBits, addr.data(), family == kFamilyIpv6 ? 16 : 4);
  return a;
}

Address FromNetAddress(const RTM_NET_ADDRESS& a) {
  Address out{};
  std::memcpy(out.data(), a.AddrBits, a.AddressFamily == kFamilyIpv6 ? 16 : 4);
  return out;
}

// A destination as the table of its family stores it.
template <typename Dest>
Dest Stored(const Address& a);
template <>
uint32_t Stored<uint32_t>(const Address& a) {
  return Ipv4Wire(a);
}
template <>
Address Stored<Address>(const Address& a) {
  return a;
}

}  // namespace

Address Ipv4Address(uint32_t wire) {
  Address a{};
  std::memcpy(a.data(), &wire, 4);  // the wire u32's bytes are network order
  return a;
}

bool HostBitsClear(const Address& a, uint32_t prefixLength) {
  for (size_t i = prefixLength / 8; i < a.size(); ++i) {
    const unsigned kept = i == prefixLength / 8 ? prefixLength % 8 : 0;  // bits of byte i in the prefix
    if (a[i] & (0xFFu >> kept)) return false;
  }
  return true;
}

uint32_t Ipv4Wire(const Address& a) {
  uint32_t v;
  std::memcpy(&v, a.data(), 4);
  return v;
}

void ReleaseRtmClients() {
  std::lock_guard<std::mutex> lock(gClientsMu);
  if (gClients && gClients->empty()) {
    delete gClients;
    gClients = nullptr;
  }
}

bool RtmClient::Open(const std::string& library, ChangeSink sink, Validator validate,
                     std::string& err) {
  if (!lib_.Open(library, err)) return false;
#define X(name)                                                            \
  api_.name = reinterpret_cast<PFN_##name>(lib_.Symbol(#name));            \
  if (!api_.name) {                                                        \
    err = library + " has no " #name;                                      \
    return false;                                                          \
  }
  RRAS_BRIDGE_RTM_FUNCTIONS(X)
#undef X
  getEntityInfo_ = reinterpret_cast<PFN_RtmGetEntityInfo>(lib_.Symbol("RtmGetEntityInfo"));
  sink_ = std::move(sink);
  validate_ = std::move(validate);
  RTM_ENTITY_INFO info;
  std::memset(&info, 0, sizeof info);
  info.RtmInstanceId = 0;
  info.AddressFamily = family_;
  info.EntityId.EntityProtocolId = protocolId_;
  info.EntityId.EntityInstanceId = 0;
  RTM_ENTITY_HANDLE h = nullptr;
  DWORD rc = api_.RtmRegisterEntity(&info, nullptr, &RtmClient::OnEvent, FALSE, &profile_, &h);
  if (rc != NO_ERROR) {
    err = "RtmRegisterEntity failed with " + std::to_string(static_cast<unsigned>(rc));
    return false;
  }
  {
    std::lock_guard<std::mutex> lock(gClientsMu);
    Clients()[h] = this;
  }
  handle_ = h;
  rc = api_.RtmRegisterForChangeNotification(handle_, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST,
                                             this, &notify_);
  if (rc != NO_ERROR) {
    log_(LogLevel::Warn, "RtmRegisterForChangeNotification failed with %u: no redistribution",
         static_cast<unsigned>(rc));
    notify_ = nullptr;
  }
  LoadBestRoutes();  // notifications report changes only: start from what RTM has now
  return true;
}

void RtmClient::Close(bool deleteRoutes) {
  if (!handle_) return;
  RTM_NOTIFY_HANDLE notify = nullptr;
  {
    // After a drain under way (a batch's thread may drain, not only RTM's); none starts after.
    std::lock_guard<std::mutex> draining(drainMu_);
    std::swap(notify, notify_);
  }
  if (notify) api_.RtmDeregisterFromChangeNotification(handle_, notify);
  {
    std::lock_guard<std::mutex> lock(mu_);
    WithRoutes([&](auto& routes) {
      if (deleteRoutes) {
        std::string err;
        while (!routes.empty()) DeleteLocked(routes, routes.end() - 1, err);
      }
      for (auto& r : routes) api_.RtmReleaseRoutes(handle_, 1, &r.handle);
      routes.clear();
    });
    for (Hop& hop : hops_) {
      // Deleting by handle also releases it; release only what could not be deleted.
      if (hop.handle && api_.RtmDeleteNextHop(handle_, hop.handle, nullptr) != NO_ERROR)
        api_.RtmReleaseNextHops(handle_, 1, &hop.handle);
    }
    hops_.clear();
    freeHops_.clear();
    hopIndex_.clear();
    lastHop_ = kNoHop;
  }
  {
    std::lock_guard<std::mutex> lock(gClientsMu);
    Clients().erase(handle_);
  }
  api_.RtmDeregisterEntity(handle_);
  handle_ = nullptr;
}

DWORD RtmClient::ApplyLocked(const RouteOp& op, std::string& err) {
  if (!handle_) {
    err = "no RTM registration";
    return ERROR_CAN_NOT_COMPLETE;
  }
  if (op.prefixLength > maxPrefixLength()) {
    err = "prefix length " + std::to_string(op.prefixLength) + " above " +
          std::to_string(maxPrefixLength());
    return ERROR_INVALID_PARAMETER;
  }
  // ctx.routes refuses these already; a raw wire client must not reach RTM with them either,
  // where they would name the same prefix as the route without them (RTM clears them).
  if (!HostBitsClear(op.destination, op.prefixLength)) {
    err = "destination has host bits set beyond /" + std::to_string(op.prefixLength);
    return ERROR_INVALID_PARAMETER;
  }
  if (op.op != kRouteAdd && op.op != kRouteDelete) {
    err = "unknown route operation " + std::to_string(op.op);
    return ERROR_INVALID_PARAMETER;
  }
  return WithRoutes([&](auto& routes) -> DWORD {
    if (op.op == kRouteAdd) return AddLocked(routes, op, err);
    using Dest = typename std::decay_t<decltype(routes)>::Destination;
    const uint32_t hop = FindHop({op.nextHop, op.interfaceIndex});
    auto* route =
        hop == kNoHop ? nullptr : routes.Find(Stored<Dest>(op.destination), op.prefixLength, hop);
    if (!route) {
      err = "no such route of this protocol";
      return ERROR_NOT_FOUND;
    }
    return DeleteLocked(routes, route, err);
  });
}

void RtmClient::Prefetch(const RouteOp& op, bool entries, size_t ahead) const {
  if (!IsLastHop({op.nextHop, op.interfaceIndex}) || op.prefixLength > maxPrefixLength()) return;
  WithRoutes([&](const auto& routes) {
    using Dest = typename std::decay_t<decltype(routes)>::Destination;
    const Dest destination = Stored<Dest>(op.destination);
    if (entries) {
      routes.PrefetchEntries(destination, op.prefixLength, lastHop_);
      return;
    }
    routes.PrefetchSlot(destination, op.prefixLength, lastHop_);
    if (op.op == kRouteDelete) routes.PrefetchLast(ahead);
  });
}

uint32_t RtmClient::AcquireHop(const HopKey& key, std::string& err) {
  uint32_t id = FindHop(key);
  if (id != kNoHop) return id;
  if (freeHops_.empty()) {
    // A route entry holds the index in 23 bits (route_table.h).
    if (hops_.size() > RouteEntry<uint32_t>::kMaxHop) {
      err = "more than " + std::to_string(RouteEntry<uint32_t>::kMaxHop + 1) +
            " next hops in use: no room for another";
      return kNoHop;
    }
    id = static_cast<uint32_t>(hops_.size());
    hops_.emplace_back();
  } else {
    id = freeHops_.back();
    freeHops_.pop_back();
  }
  hops_[id] = Hop{key, nullptr, 0};
  hopIndex_[key] = id;
  return id;
}

template <typename Table>
DWORD RtmClient::AddLocked(Table& routes, const RouteOp& op, std::string& err) {
  using Dest = typename Table::Destination;
  const uint32_t hopId = AcquireHop({op.nextHop, op.interfaceIndex}, err);
  if (hopId == kNoHop) return ERROR_CAN_NOT_COMPLETE;
  Hop& hop = hops_[hopId];
  const Dest destination = Stored<Dest>(op.destination);
  auto* existing = routes.Find(destination, op.prefixLength, hopId);
  if (!existing && routes.size() >= Table::kMaxRoutes) {
    if (hop.users == 0) ReleaseHop(hopId);
    err = "the protocol has " + std::to_string(Table::kMaxRoutes) + " routes: no room for another";
    return ERROR_CAN_NOT_COMPLETE;
  }
  if (!hop.handle) {
    RTM_NEXTHOP_INFO nh;
    std::memset(&nh, 0, sizeof nh);
    nh.NextHopAddress = NetAddress(family_, op.nextHop, maxPrefixLength());
    nh.InterfaceIndex = op.interfaceIndex;
    RTM_NEXTHOP_CHANGE_FLAGS changed = 0;
    DWORD rc = api_.RtmAddNextHop(handle_, &nh, &hop.handle, &changed);
    if (rc != NO_ERROR) {
      ReleaseHop(hopId);
      err = "RtmAddNextHop failed with " + std::to_string(static_cast<unsigned>(rc));
      return rc;
    }
  }
  // Room for one next hop's handle (the header's size macro is 8 bytes short); on the stack:
  // this runs per route.
  alignas(RTM_ROUTE_INFO) unsigned char buf[RtmRouteInfoSize(1)] = {};
  auto* ri = reinterpret_cast<RTM_ROUTE_INFO*>(buf);
  ri->Neighbour = hop.handle;  // one route per next hop: equality is dest + owner + neighbour
  ri->PrefInfo.Metric = op.metric;
  ri->PrefInfo.Preference = (op.flags & kRouteHasPreference) ? op.preference : defaultPreference_;
  ri->BelongsToViews = RTM_VIEW_MASK_UCAST;
  ri->NextHopsList.NumNextHops = 1;
  ri->NextHopsList.NextHops[0] = hop.handle;
  RTM_NET_ADDRESS dest = NetAddress(family_, op.destination, op.prefixLength);
  if (validate_) {
    DWORD rc = validate_(*ri, dest);
    if (rc != NO_ERROR) {
      if (hop.users == 0) ReleaseHop(hopId);
      err = "ValidateRoute refused the route (" + std::to_string(static_cast<unsigned>(rc)) + ")";
      return rc;
    }
  }
  RTM_ROUTE_HANDLE route = existing ? existing->handle : nullptr;
  RTM_ROUTE_CHANGE_FLAGS changed = 0;
  DWORD rc = api_.RtmAddRouteToDest(handle_, &route, &dest, ri,
                                    op.ttlMs ? op.ttlMs : INFINITE, nullptr, 0, nullptr, &changed);
  if (rc != NO_ERROR) {
    if (hop.users == 0) ReleaseHop(hopId);
    err = "RtmAddRouteToDest failed with " + std::to_string(static_cast<unsigned>(rc));
    return rc;
  }
  if (!existing) {
    routes.Insert({destination, op.prefixLength, hopId, route});  // under kMaxRoutes: checked before RTM
    hop.users++;
  } else {
    if (existing->handle != route) {
      api_.RtmReleaseRoutes(handle_, 1, &existing->handle);
      existing->handle = route;
    }
    existing->setStale(false);  // re-announced after a restart
  }
  return NO_ERROR;
}

template <typename Table>
DWORD RtmClient::DeleteLocked(Table& routes, typename Table::Entry* it, std::string& err) {
  RTM_ROUTE_CHANGE_FLAGS changed = 0;
  // A successful delete releases the handle too; after a failure (e.g. the route expired in
  // RTM meanwhile) the handle is still ours to release.
  DWORD rc = api_.RtmDeleteRouteToDest(handle_, it->handle, &changed);
  if (rc != NO_ERROR) api_.RtmReleaseRoutes(handle_, 1, &it->handle);
  ForgetLocked(routes, it);
  if (rc != NO_ERROR && rc != ERROR_NOT_FOUND) {
    err = "RtmDeleteRouteToDest failed with " + std::to_string(static_cast<unsigned>(rc));
    return rc;
  }
  return NO_ERROR;  // gone either way (e.g. expired in RTM meanwhile)
}

template <typename Table>
void RtmClient::ForgetLocked(Table& routes, typename Table::Entry* it) {
  const uint32_t hop = it->hop();
  routes.Erase(it);
  if (--hops_[hop].users == 0) ReleaseHop(hop);
}

bool RtmClient::IsLastHop(const HopKey& key) const {
  if (lastHop_ == kNoHop) return false;
  // Two 8-byte words and the interface, not a call to memcmp (twice per route).
  const HopKey& last = hops_[lastHop_].key;
  uint64_t a[2], b[2];
  std::memcpy(a, last.first.data(), sizeof a);
  std::memcpy(b, key.first.data(), sizeof b);
  return ((a[0] ^ b[0]) | (a[1] ^ b[1])) == 0 && last.second == key.second;
}

uint32_t RtmClient::FindHop(const HopKey& key) const {
  // A batch's routes mostly share their next hop: the last one found is tried first, with no
  // search of hopIndex_ (a 20-byte key compared at every level) per route.
  if (IsLastHop(key)) return lastHop_;
  auto it = hopIndex_.find(key);
  if (it == hopIndex_.end()) return kNoHop;
  lastHop_ = it->second;
  return lastHop_;
}

void RtmClient::ReleaseHop(uint32_t id) {
  Hop& hop = hops_[id];
  if (hop.handle && api_.RtmDeleteNextHop(handle_, hop.handle, nullptr) != NO_ERROR)
    api_.RtmReleaseNextHops(handle_, 1, &hop.handle);
  hopIndex_.erase(hop.key);
  if (lastHop_ == id) lastHop_ = kNoHop;
  hop = Hop{};
  freeHops_.push_back(id);
}

size_t RtmClient::routeCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return WithRoutes([](const auto& routes) { return routes.size(); });
}

void RtmClient::MarkAllStale() {
  std::lock_guard<std::mutex> lock(mu_);
  WithRoutes([](auto& routes) {
    for (auto& r : routes) r.setStale(true);
  });
}

size_t RtmClient::staleCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return WithRoutes([](const auto& routes) {
    size_t n = 0;
    for (const auto& r : routes) n += r.stale() ? 1 : 0;
    return n;
  });
}

size_t RtmClient::Sweep() {
  std::lock_guard<std::mutex> lock(mu_);
  return WithRoutes([&](auto& routes) {
    size_t swept = 0;
    std::string err;
    // Erase moves the last route into the erased one's place: that place is looked at again.
    for (size_t i = 0; i < routes.size();) {
      if (!routes.begin()[i].stale()) {
        ++i;
        continue;
      }
      DeleteLocked(routes, routes.begin() + i, err);
      ++swept;
    }
    return swept;
  });
}

DWORD WINAPI RtmClient::OnEvent(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE type, PVOID c1, PVOID c2) {
  RtmClient* self = nullptr;
  {
    std::lock_guard<std::mutex> lock(gClientsMu);
    auto it = Clients().find(h);
    if (it != Clients().end()) self = it->second;
  }
  if (!self) return NO_ERROR;
  switch (type) {
    case RTM_CHANGE_NOTIFICATION:
      if (c2 == self && !self->DeferDrain()) self->DrainChanges();
      return NO_ERROR;
    case RTM_ROUTE_EXPIRED: {
      // The route's lifetime ended: forget it, and let RTM delete it.
      std::lock_guard<std::mutex> lock(self->mu_);
      self->WithRoutes([&](auto& routes) {
        for (auto& r : routes)
          if (r.handle == c1) {
            self->api_.RtmReleaseRoutes(self->handle_, 1, &r.handle);
            self->ForgetLocked(routes, &r);
            break;
          }
      });
      return ERROR_NOT_SUPPORTED;
    }
    default:
      return NO_ERROR;
  }
}

RouteChange RtmClient::Describe(const RTM_DEST_INFO& d) {
  RouteChange c;
  c.destination = FromNetAddress(d.DestAddress);
  c.prefixLength = d.DestAddress.NumBits;
  const auto& view = d.ViewInfo[0];
  if (view.NumRoutes == 0 || !view.Route) return c;  // the destination lost its last route
  // The view names the best route's owner: for our own route that is all Filter needs (the
  // host knows its own routes), with no route info to read and release per change.
  if (view.Owner == handle_) {
    c.owner = protocolId_;
    return c;
  }
  std::vector<unsigned char> buf(RtmRouteInfoSize(profile_.MaxNextHopsInRoute ? profile_.MaxNextHopsInRoute : 1));
  auto* ri = reinterpret_cast<RTM_ROUTE_INFO*>(buf.data());
  if (api_.RtmGetRouteInfo(handle_, view.Route, ri, nullptr) != NO_ERROR) return c;
  // RTM gives the owner as a handle: ours, or another entity whose protocol id RTM tells.
  c.owner = kOtherProtocol;
  RTM_ENTITY_INFO owner;
  if (ri->RouteOwner == handle_) {
    // Our own route after all (an RTM that left the view's owner unset).
    c.owner = protocolId_;
    api_.RtmReleaseRouteInfo(handle_, ri);
    return c;
  }
  if (getEntityInfo_ && getEntityInfo_(handle_, ri->RouteOwner, &owner) == NO_ERROR)
    c.owner = owner.EntityId.EntityProtocolId;
  c.metric = ri->PrefInfo.Metric;
  c.preference = ri->PrefInfo.Preference;
  if (ri->NextHopsList.NumNextHops > 0) {
    RTM_NEXTHOP_INFO nh;
    if (api_.RtmGetNextHopInfo(handle_, ri->NextHopsList.NextHops[0], &nh) == NO_ERROR) {
      c.nextHop = FromNetAddress(nh.NextHopAddress);
      c.interfaceIndex = nh.InterfaceIndex;
      api_.RtmReleaseNextHopInfo(handle_, &nh);
    }
  }
  api_.RtmReleaseRouteInfo(handle_, ri);
  return c;
}

std::vector<RouteChange> RtmClient::Filter(std::vector<RouteChange> changes) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t kept = 0;
  for (auto& c : changes) {
    const std::pair<Address, uint32_t> k{c.destination, c.prefixLength};
    if (c.owner != 0 && c.owner != protocolId_) {
      best_[k] = c;
    } else if (best_.erase(k) == 0) {
      continue;  // no other protocol's route was best there: nothing the host knows changed
    }
    if (&changes[kept] != &c) changes[kept] = std::move(c);
    ++kept;
  }
  changes.resize(kept);
  return changes;
}

std::vector<RouteChange> RtmClient::BestRoutes() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<RouteChange> out;
  for (const auto& [k, c] : best_) out.push_back(c);
  return out;
}

// Reads destination batches until ERROR_NO_MORE_ITEMS (which may come with the last one),
// describing each and handing the batch back with release.
template <typename Get, typename Release>
std::vector<RouteChange> RtmClient::ReadDests(const char* what, Get get, Release release) {
  const UINT batch = profile_.MaxHandlesInEnum ? profile_.MaxHandlesInEnum : 16;
  const size_t destSize = RtmDestInfoSize(1);
  std::vector<unsigned char> buf(destSize * batch);
  auto* infos = reinterpret_cast<PRTM_DEST_INFO>(buf.data());
  std::vector<RouteChange> out;
  for (;;) {
    UINT n = batch;
    DWORD rc = get(&n, infos);
    if (rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS) {
      log_(LogLevel::Warn, "%s failed with %u", what, static_cast<unsigned>(rc));
      break;
    }
    for (UINT i = 0; i < n; ++i)
      out.push_back(Describe(*reinterpret_cast<const RTM_DEST_INFO*>(buf.data() + i * destSize)));
    if (n > 0) release(n, infos);
    if (rc == ERROR_NO_MORE_ITEMS || n == 0) break;
  }
  return out;
}

void RtmClient::LoadBestRoutes() {
  RTM_ENUM_HANDLE e = nullptr;
  if (api_.RtmCreateDestEnum(handle_, RTM_VIEW_MASK_UCAST, RTM_ENUM_ALL_DESTS, nullptr,
                             RTM_BEST_PROTOCOL, &e) != NO_ERROR)
    return;
  auto all = ReadDests(
      "RtmGetEnumDests", [&](PUINT n, PRTM_DEST_INFO d) { return api_.RtmGetEnumDests(handle_, e, n, d); },
      [&](UINT n, PRTM_DEST_INFO d) { api_.RtmReleaseDests(handle_, n, d); });
  api_.RtmDeleteEnumHandle(handle_, e);
  Filter(std::move(all));
}

void RtmClient::BeginApply() {
  std::lock_guard<std::mutex> lock(applyMu_);
  ++applying_;
}

void RtmClient::EndApply() {
  {
    std::lock_guard<std::mutex> lock(applyMu_);
    if (--applying_ > 0 || !drainDeferred_) return;
    drainDeferred_ = false;
  }
  DrainChanges();
}

bool RtmClient::DeferDrain() {
  std::lock_guard<std::mutex> lock(applyMu_);
  if (applying_ == 0) return false;
  drainDeferred_ = true;
  return true;
}

void RtmClient::DrainChanges() {
  std::lock_guard<std::mutex> draining(drainMu_);
  if (!notify_) return;
  auto out = ReadDests(
      "RtmGetChangedDests",
      [&](PUINT n, PRTM_DEST_INFO d) { return api_.RtmGetChangedDests(handle_, notify_, n, d); },
      [&](UINT n, PRTM_DEST_INFO d) { api_.RtmReleaseChangedDests(handle_, notify_, n, d); });
  out = Filter(std::move(out));
  if (!out.empty() && sink_) sink_(std::move(out));
}

}  // namespace rrasbridge
