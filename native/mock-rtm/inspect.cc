// The MockRtm* inspection API (mock_rtm.h).
#define MOCK_RTM_BUILD 1
#include "mock_rtm.h"

#include <stdio.h>
#include <string.h>

#include <algorithm>
#include <new>
#include <string>

#include "runtime.h"

namespace mockrtm {
namespace {

// ---- a minimal JSON writer (ASCII content only: numbers, dotted addresses, hex handles) ----

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char esc[8];
      snprintf(esc, sizeof(esc), "\\u%04x", unsigned(u));
      out += esc;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string HandleText(uint64_t id) {
  char text[24];
  snprintf(text, sizeof(text), "0x%016llx", static_cast<unsigned long long>(id));
  return Quote(text);
}

std::string Num(uint64_t v) { return std::to_string(v); }

uint32_t CopyOut(const std::string& s, char* buf, uint32_t size) {
  const uint64_t needed = uint64_t(s.size()) + 1;
  if (needed > 0xFFFFFFFFu) return 0;
  if (buf && size >= needed) {
    memcpy(buf, s.c_str(), size_t(needed));
  } else if (buf && size > 0) {
    buf[0] = '\0';
  }
  return static_cast<uint32_t>(needed);
}

std::string OwnerFields(Table& t, uint64_t owner) {
  const Entity* e = t.FindEntity(owner);
  if (!e) return "\"owner\":null,\"ownerInstance\":null";
  return "\"owner\":" + Num(e->info.EntityId.EntityProtocolId) +
         ",\"ownerInstance\":" + Num(e->info.EntityId.EntityInstanceId);
}

std::string NextHopAddress(const NextHop& nh) {
  Prefix addr;
  if (!FromNetAddressRaw(&nh.info->NextHopAddress, &addr)) return "?";
  return addr.len == MaxBits(addr.family) ? FormatAddress(addr) : FormatPrefix(addr);
}

std::string RouteJson(Table& t, const Route& r, Clock::time_point now) {
  const Dest* d = t.FindDest(r.dest);
  std::string s = "{\"handle\":" + HandleText(r.id) +
                  ",\"dest\":" + Quote(FormatPrefix(d->prefix)) + "," + OwnerFields(t, r.owner) +
                  ",\"metric\":" + Num(r.spec.pref.Metric) +
                  ",\"preference\":" + Num(r.spec.pref.Preference) +
                  ",\"views\":" + Num(r.spec.views) + ",\"flags\":" + Num(r.spec.flags) +
                  ",\"neighbour\":";
  const NextHop* nb = r.spec.neighbour ? t.FindNextHop(r.spec.neighbour) : nullptr;
  s += nb ? Quote(NextHopAddress(*nb)) : "null";
  s += ",\"nextHops\":[";
  bool first = true;
  for (uint64_t id : r.spec.next_hops) {
    const NextHop* nh = t.FindNextHop(id);
    if (!nh) continue;
    if (!first) s += ",";
    first = false;
    s += "{\"address\":" + Quote(NextHopAddress(*nh)) +
         ",\"interfaceIndex\":" + Num(nh->info->InterfaceIndex) + "}";
  }
  s += "],\"best\":";
  s += t.IsBestSomewhere(r) ? "true" : "false";
  s += ",\"ttlMs\":";
  if (r.has_deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(r.deadline - now);
    s += Num(uint64_t(std::max<int64_t>(0, left.count())));
  } else {
    s += "null";
  }
  return s + "}";
}

std::string DumpJson(Table& t) {
  const Clock::time_point now = Clock::now();
  std::string s = "{\"generation\":" + Num(t.generation()) + ",\"entities\":[";
  bool first = true;
  for (const auto& kv : t.entities()) {
    const Entity& e = *kv.second;
    if (!first) s += ",";
    first = false;
    s += "{\"handle\":" + HandleText(e.id) +
         ",\"protocolId\":" + Num(e.info.EntityId.EntityProtocolId) +
         ",\"instanceId\":" + Num(e.info.EntityId.EntityInstanceId) +
         ",\"synthetic\":" + (e.synthetic ? "true" : "false") +
         ",\"addressFamily\":" + Num(e.info.AddressFamily) + "}";
  }
  s += "],\"routes\":[";
  first = true;
  for (const auto& kv : t.dest_index()) {
    for (const Route* r : kv.second->routes) {
      if (!first) s += ",";
      first = false;
      s += RouteJson(t, *r, now);
    }
  }
  s += "],\"nextHops\":[";
  first = true;
  for (const auto& kv : t.next_hops()) {
    const NextHop& nh = *kv.second;
    if (!first) s += ",";
    first = false;
    s += "{\"handle\":" + HandleText(nh.id) + ",\"address\":" + Quote(NextHopAddress(nh)) +
         ",\"interfaceIndex\":" + Num(nh.info->InterfaceIndex) + "," + OwnerFields(t, nh.owner) +
         ",\"routes\":" + Num(nh.uses) + ",\"deleted\":" + (nh.in_table ? "false" : "true") + "}";
  }
  s += "],\"notifications\":[";
  first = true;
  for (const auto& kv : t.notifies()) {
    const Notify& n = *kv.second;
    if (!first) s += ",";
    first = false;
    s += "{\"handle\":" + HandleText(n.id) + "," + OwnerFields(t, n.owner) +
         ",\"views\":" + Num(n.views) + ",\"flags\":" + Num(n.flags) +
         ",\"queued\":" + Num(n.queue.size()) + "}";
  }
  uint64_t routes = 0, dests = 0, next_hops = 0;
  t.RefTotals(&routes, &dests, &next_hops);
  s += "],\"handles\":{\"routes\":" + Num(routes) + ",\"dests\":" + Num(dests) +
       ",\"nextHops\":" + Num(next_hops) + ",\"enums\":" + Num(t.enum_count()) +
       ",\"overReleases\":" + Num(t.stats().over_releases) + "}}";
  return s;
}

template <typename R, typename F>
R Guard(R on_error, F&& f) noexcept {
  try {
    return f();
  } catch (...) {
    return on_error;
  }
}

}  // namespace
}  // namespace mockrtm

using namespace mockrtm;  // NOLINT

extern "C" MOCK_RTM_API int MockRtmReset(void) {
  return Guard<int>(ERROR_CAN_NOT_COMPLETE, [] {
    Runtime& rt = Runtime::Get();
    std::unique_lock<std::mutex> lock(rt.mu);
    if (rt.table.real_entities() != 0) return int(ERROR_CAN_NOT_COMPLETE);
    rt.Reap(lock);
    rt.table.Reset();
    return int(NO_ERROR);
  });
}

extern "C" MOCK_RTM_API uint32_t MockRtmRouteCount(void) {
  return Guard<uint32_t>(0, [] {
    Runtime& rt = Runtime::Get();
    std::lock_guard<std::mutex> lock(rt.mu);
    return rt.table.RouteCount();
  });
}

extern "C" MOCK_RTM_API uint32_t MockRtmGeneration(void) {
  return Guard<uint32_t>(0, [] {
    Runtime& rt = Runtime::Get();
    std::lock_guard<std::mutex> lock(rt.mu);
    return static_cast<uint32_t>(rt.table.generation());
  });
}

extern "C" MOCK_RTM_API uint32_t MockRtmCountersJson(char* buf, uint32_t size) {
  return Guard<uint32_t>(0, [&] {
    std::string s;
    {
      Runtime& rt = Runtime::Get();
      std::lock_guard<std::mutex> lock(rt.mu);
      const Table& t = rt.table;
      s = "{\"routes\":" + Num(t.RouteCount()) + ",\"added\":" + Num(t.stats().routes_added) +
          ",\"updated\":" + Num(t.stats().routes_updated) +
          ",\"deleted\":" + Num(t.stats().routes_deleted) +
          ",\"generation\":" + Num(t.generation()) + "}";
    }
    return CopyOut(s, buf, size);
  });
}

extern "C" MOCK_RTM_API uint32_t MockRtmDumpJson(char* buf, uint32_t size) {
  return Guard<uint32_t>(0, [&] {
    std::string s;
    {
      Runtime& rt = Runtime::Get();
      std::lock_guard<std::mutex> lock(rt.mu);
      s = DumpJson(rt.table);
    }
    return CopyOut(s, buf, size);
  });
}

extern "C" MOCK_RTM_API uint32_t MockRtmLookupJson(const char* address, char* buf,
                                                   uint32_t size) {
  return Guard<uint32_t>(0, [&]() -> uint32_t {
    Prefix p;
    if (!ParsePrefix(address, &p)) return 0;
    std::string s = "null";
    {
      Runtime& rt = Runtime::Get();
      std::lock_guard<std::mutex> lock(rt.mu);
      Table& t = rt.table;
      const Dest* d = t.LongestMatch(p, p.len, RTM_VIEW_MASK_UCAST);
      const uint64_t best = d ? t.Best(*d, RTM_VIEW_ID_UCAST, 0) : 0;
      if (best) s = RouteJson(t, *t.FindRoute(best), Clock::now());
    }
    return CopyOut(s, buf, size);
  });
}

extern "C" MOCK_RTM_API uint32_t MockRtmAddRoute(uint32_t owner_protocol_id, const char* prefix,
                                                 const char* next_hop, uint32_t if_index,
                                                 uint32_t metric, uint32_t preference) {
  return Guard<uint32_t>(ERROR_CAN_NOT_COMPLETE, [&]() -> uint32_t {
    Prefix p;
    if (owner_protocol_id == 0 || !ParsePrefix(prefix, &p)) return ERROR_INVALID_PARAMETER;
    const bool has_hop = next_hop && *next_hop;
    Prefix hop;
    if (has_hop && (!ParseAddress(next_hop, &hop) || hop.family != p.family))
      return ERROR_INVALID_PARAMETER;

    Runtime& rt = Runtime::Get();
    std::lock_guard<std::mutex> lock(rt.mu);
    Table& t = rt.table;
    Entity* e = t.FindEntityById(owner_protocol_id, 0, p.family);
    uint64_t owner = e ? e->id : 0;
    const bool synthetic = !e || e->synthetic;
    if (!e) {
      RTM_ENTITY_INFO info;
      memset(&info, 0, sizeof(info));
      info.RtmInstanceId = 0;
      info.AddressFamily = p.family;
      info.EntityId.EntityProtocolId = owner_protocol_id;
      info.EntityId.EntityInstanceId = 0;
      const DWORD rc = t.RegisterEntity(info, nullptr, true, &owner);
      if (rc != NO_ERROR) return rc;
    }
    RouteSpec spec;
    spec.pref.Metric = metric;
    spec.pref.Preference = preference;
    spec.views = RTM_VIEW_MASK_UCAST;
    if (has_hop) {
      RTM_NEXTHOP_INFO nhi;
      memset(&nhi, 0, sizeof(nhi));
      ToNetAddress(hop, &nhi.NextHopAddress);
      nhi.InterfaceIndex = if_index;
      uint64_t nh = 0;
      bool is_new = false;
      const DWORD rc = t.AddNextHop(owner, nhi, 0, &nh, &is_new);
      if (rc != NO_ERROR) return rc;
      spec.next_hops.push_back(nh);
    }
    uint64_t route = 0;
    DWORD flags = 0;
    const DWORD rc = t.AddRoute(owner, p, spec, INFINITE, 0, true, &route, &flags);
    if (synthetic) t.CollectSyntheticNextHops(owner);
    rt.Wake();
    return rc;
  });
}

extern "C" MOCK_RTM_API uint32_t MockRtmDeleteRoute(uint32_t owner_protocol_id,
                                                    const char* prefix) {
  return Guard<uint32_t>(ERROR_CAN_NOT_COMPLETE, [&]() -> uint32_t {
    Prefix p;
    if (!ParsePrefix(prefix, &p)) return ERROR_INVALID_PARAMETER;
    Runtime& rt = Runtime::Get();
    std::lock_guard<std::mutex> lock(rt.mu);
    Table& t = rt.table;
    const Entity* e = t.FindEntityById(owner_protocol_id, 0, p.family);
    const Dest* d = t.FindDest(p);
    if (!e || !d) return ERROR_NOT_FOUND;
    const uint64_t owner = e->id;
    const bool synthetic = e->synthetic;
    std::vector<uint64_t> gone;
    for (const Route* r : d->routes) {
      if (r->owner == owner) gone.push_back(r->id);
    }
    if (gone.empty()) return ERROR_NOT_FOUND;
    for (uint64_t rid : gone) {
      bool best_changed;
      t.RemoveRoute(rid, &best_changed);
    }
    if (synthetic) t.CollectSyntheticNextHops(owner);
    rt.Wake();
    return NO_ERROR;
  });
}
