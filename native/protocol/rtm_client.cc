#include "rtm_client.h"

#include <cstring>
#include <memory>

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

}  // namespace

Address Ipv4Address(uint32_t wire) {
  Address a{};
  std::memcpy(a.data(), &wire, 4);  // the wire u32's bytes are network order
  return a;
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
  if (notify_) api_.RtmDeregisterFromChangeNotification(handle_, notify_);
  notify_ = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (deleteRoutes) {
      std::string err;
      while (!routes_.empty()) DeleteLocked(routes_.end() - 1, err);
    }
    for (Route& r : routes_) api_.RtmReleaseRoutes(handle_, 1, &r.handle);
    routes_.clear();
    for (Hop& hop : hops_) {
      // Deleting by handle also releases it; release only what could not be deleted.
      if (hop.handle && api_.RtmDeleteNextHop(handle_, hop.handle, nullptr) != NO_ERROR)
        api_.RtmReleaseNextHops(handle_, 1, &hop.handle);
    }
    hops_.clear();
    freeHops_.clear();
    hopIndex_.clear();
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
  if (op.op == kRouteAdd) return AddLocked(op, err);
  if (op.op == kRouteDelete) {
    const uint32_t hop = FindHop({op.nextHop, op.interfaceIndex});
    Route* route = hop == kNoHop ? nullptr : routes_.Find(op.destination, op.prefixLength, hop);
    if (!route) {
      err = "no such route of this protocol";
      return ERROR_NOT_FOUND;
    }
    return DeleteLocked(route, err);
  }
  err = "unknown route operation " + std::to_string(op.op);
  return ERROR_INVALID_PARAMETER;
}

DWORD RtmClient::AddLocked(const RouteOp& op, std::string& err) {
  const HopKey hopKey{op.nextHop, op.interfaceIndex};
  uint32_t hopId = FindHop(hopKey);
  if (hopId == kNoHop) {
    if (freeHops_.empty()) {
      hopId = static_cast<uint32_t>(hops_.size());
      hops_.emplace_back();
    } else {
      hopId = freeHops_.back();
      freeHops_.pop_back();
    }
    hops_[hopId] = Hop{hopKey, nullptr, 0};
    hopIndex_[hopKey] = hopId;
  }
  Hop& hop = hops_[hopId];
  Route* existing = routes_.Find(op.destination, op.prefixLength, hopId);
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
    routes_.Insert(Route{op.destination, route, hopId, static_cast<uint8_t>(op.prefixLength), false});
    hop.users++;
  } else {
    if (existing->handle != route) {
      api_.RtmReleaseRoutes(handle_, 1, &existing->handle);
      existing->handle = route;
    }
    existing->stale = false;  // re-announced after a restart
  }
  return NO_ERROR;
}

DWORD RtmClient::DeleteLocked(Route* it, std::string& err) {
  RTM_ROUTE_CHANGE_FLAGS changed = 0;
  // A successful delete releases the handle too; after a failure (e.g. the route expired in
  // RTM meanwhile) the handle is still ours to release.
  DWORD rc = api_.RtmDeleteRouteToDest(handle_, it->handle, &changed);
  if (rc != NO_ERROR) api_.RtmReleaseRoutes(handle_, 1, &it->handle);
  const uint32_t hop = it->hop;
  routes_.Erase(it);
  if (--hops_[hop].users == 0) ReleaseHop(hop);
  if (rc != NO_ERROR && rc != ERROR_NOT_FOUND) {
    err = "RtmDeleteRouteToDest failed with " + std::to_string(static_cast<unsigned>(rc));
    return rc;
  }
  return NO_ERROR;  // gone either way (e.g. expired in RTM meanwhile)
}

uint32_t RtmClient::FindHop(const HopKey& key) const {
  auto it = hopIndex_.find(key);
  return it == hopIndex_.end() ? kNoHop : it->second;
}

void RtmClient::ReleaseHop(uint32_t id) {
  Hop& hop = hops_[id];
  if (hop.handle && api_.RtmDeleteNextHop(handle_, hop.handle, nullptr) != NO_ERROR)
    api_.RtmReleaseNextHops(handle_, 1, &hop.handle);
  hopIndex_.erase(hop.key);
  hop = Hop{};
  freeHops_.push_back(id);
}

size_t RtmClient::RouteTable::Home(const Address& d, uint32_t prefixLength, uint32_t hop) const {
  // FNV-1a over the key, then a multiplicative mix (linear probing wants its low bits spread).
  uint64_t h = 14695981039346656037ull;
  for (uint8_t b : d) h = (h ^ b) * 1099511628211ull;
  h = (h ^ prefixLength) * 1099511628211ull;
  h = (h ^ hop) * 0x9E3779B97F4A7C15ull;
  return static_cast<size_t>(h >> 17) & (index_.size() - 1);
}

RtmClient::Route* RtmClient::RouteTable::Find(const Address& d, uint32_t prefixLength, uint32_t hop) {
  if (index_.empty()) return nullptr;
  for (size_t s = Home(d, prefixLength, hop);; s = (s + 1) & (index_.size() - 1)) {
    if (index_[s] == 0) return nullptr;
    Route& r = routes_[index_[s] - 1];
    if (r.hop == hop && r.prefixLength == prefixLength && r.destination == d) return &r;
  }
}

size_t RtmClient::RouteTable::SlotOf(uint32_t position) const {
  const Route& r = routes_[position];
  size_t s = Home(r.destination, r.prefixLength, r.hop);
  while (index_[s] != position + 1) s = (s + 1) & (index_.size() - 1);
  return s;
}

void RtmClient::RouteTable::Grow() {
  std::vector<uint32_t>(index_.empty() ? 1024 : index_.size() * 2).swap(index_);
  for (uint32_t i = 0; i < routes_.size(); ++i) {
    size_t s = Home(routes_[i].destination, routes_[i].prefixLength, routes_[i].hop);
    while (index_[s] != 0) s = (s + 1) & (index_.size() - 1);
    index_[s] = i + 1;
  }
}

void RtmClient::RouteTable::Insert(const Route& r) {
  routes_.push_back(r);
  if (routes_.size() * 2 > index_.size()) {
    Grow();  // indexes the new route too
    return;
  }
  size_t s = Home(r.destination, r.prefixLength, r.hop);
  while (index_[s] != 0) s = (s + 1) & (index_.size() - 1);
  index_[s] = static_cast<uint32_t>(routes_.size());
}

void RtmClient::RouteTable::Erase(Route* r) {
  const uint32_t position = static_cast<uint32_t>(r - routes_.data());
  const size_t mask = index_.size() - 1;
  // Backward-shift deletion: the entries after the hole that may sit in it move up, so no
  // probe run is broken and no tombstone is needed.
  size_t hole = SlotOf(position);
  for (size_t s = (hole + 1) & mask; index_[s] != 0; s = (s + 1) & mask) {
    const Route& x = routes_[index_[s] - 1];
    const size_t home = Home(x.destination, x.prefixLength, x.hop);
    if (((s - home) & mask) >= ((s - hole) & mask)) {
      index_[hole] = index_[s];
      hole = s;
    }
  }
  index_[hole] = 0;
  // The last route takes the erased one's place in the array.
  const uint32_t last = static_cast<uint32_t>(routes_.size() - 1);
  if (position != last) {
    index_[SlotOf(last)] = position + 1;
    routes_[position] = routes_[last];
  }
  routes_.pop_back();
}

void RtmClient::RouteTable::clear() {
  std::vector<Route>().swap(routes_);
  std::vector<uint32_t>().swap(index_);
}

size_t RtmClient::routeCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return routes_.size();
}

void RtmClient::MarkAllStale() {
  std::lock_guard<std::mutex> lock(mu_);
  for (Route& r : routes_) r.stale = true;
}

size_t RtmClient::staleCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const Route& r : routes_) n += r.stale ? 1 : 0;
  return n;
}

size_t RtmClient::Sweep() {
  std::lock_guard<std::mutex> lock(mu_);
  size_t swept = 0;
  std::string err;
  // Erase moves the last route into the erased one's place: that place is looked at again.
  for (size_t i = 0; i < routes_.size();) {
    if (!routes_.begin()[i].stale) {
      ++i;
      continue;
    }
    DeleteLocked(routes_.begin() + i, err);
    ++swept;
  }
  return swept;
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
      if (c2 == self) self->DrainChanges();
      return NO_ERROR;
    case RTM_ROUTE_EXPIRED: {
      // The route's lifetime ended: forget it, and let RTM delete it.
      std::lock_guard<std::mutex> lock(self->mu_);
      for (Route& r : self->routes_)
        if (r.handle == c1) {
          const uint32_t hop = r.hop;
          self->api_.RtmReleaseRoutes(self->handle_, 1, &r.handle);
          self->routes_.Erase(&r);
          if (--self->hops_[hop].users == 0) self->ReleaseHop(hop);
          break;
        }
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
  std::vector<unsigned char> buf(RtmRouteInfoSize(profile_.MaxNextHopsInRoute ? profile_.MaxNextHopsInRoute : 1));
  auto* ri = reinterpret_cast<RTM_ROUTE_INFO*>(buf.data());
  if (api_.RtmGetRouteInfo(handle_, view.Route, ri, nullptr) != NO_ERROR) return c;
  // RTM gives the owner as a handle: ours, or another entity whose protocol id RTM tells.
  c.owner = kOtherProtocol;
  RTM_ENTITY_INFO owner;
  if (ri->RouteOwner == handle_) {
    // Our own route: its owner is all Filter needs (the host knows its own routes).
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

void RtmClient::DrainChanges() {
  if (!notify_) return;
  auto out = ReadDests(
      "RtmGetChangedDests",
      [&](PUINT n, PRTM_DEST_INFO d) { return api_.RtmGetChangedDests(handle_, notify_, n, d); },
      [&](UINT n, PRTM_DEST_INFO d) { api_.RtmReleaseChangedDests(handle_, notify_, n, d); });
  out = Filter(std::move(out));
  if (!out.empty() && sink_) sink_(std::move(out));
}

}  // namespace rrasbridge
