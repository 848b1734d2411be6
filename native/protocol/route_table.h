// The protocol's own routes as RtmClient remembers them (rtm_client.h): a dense array of
// entries sized for the family (RouteTable<uint32_t> for IPv4: 16 bytes a route;
// RouteTable<Address> for IPv6: 32) and an open-addressed index of positions in it, kept at
// most half full (4 bytes a slot: 8-16 bytes a route). Not a std::map node's 96 bytes a route:
// issue 12, the library's memory at 1M routes. Not thread-safe: RtmClient holds its lock.
// A slot holds the position (26 bits) and how far it sits from its key's home slot (6 bits,
// saturated): a lookup reads only the entries whose home is its own, and a deletion's shift
// reads none; at 1M routes each entry read was a cache miss (most of the table's time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "../common/prefetch.h"
#include "../common/rtm_api.h"

namespace rrasbridge {

// A route: its key is (destination, prefix length, next-hop index). The prefix length, the
// stale mark and the next-hop index share one 32-bit word, so an IPv4 entry is 16 bytes.
template <typename Dest>
struct RouteEntry {
  static constexpr unsigned kHopShift = 9;  // bits 0-7 prefix length, bit 8 stale, 9-31 hop
  // The largest next-hop index an entry holds (8,388,607): RtmClient refuses a next hop past it.
  static constexpr uint32_t kMaxHop = UINT32_MAX >> kHopShift;
  static_assert(128 <= 0xFF, "an IPv6 prefix length fits 8 bits");

  Dest destination{};
  uint32_t bits = 0;
  RTM_ROUTE_HANDLE handle = nullptr;

  RouteEntry() = default;
  // hop <= kMaxHop, prefixLength <= 128: the caller checks both.
  RouteEntry(const Dest& d, uint32_t prefixLength, uint32_t hop, RTM_ROUTE_HANDLE h)
      : destination(d), bits(hop << kHopShift | (prefixLength & 0xFF)), handle(h) {}
  uint32_t hop() const { return bits >> kHopShift; }
  uint32_t prefixLength() const { return bits & 0xFF; }
  bool stale() const { return (bits >> 8) & 1; }
  void setStale(bool s) { bits = (bits & ~(1u << 8)) | (s ? 1u << 8 : 0); }
  bool Is(const Dest& d, uint32_t prefixLength, uint32_t hop) const {
    return (bits & ~(1u << 8)) == (hop << kHopShift | prefixLength) && destination == d;
  }
};

// kSaturated: the distance from home a slot records exactly (below it; at it, "this far or
// farther", and the entry's key tells); a test sets it low to exercise that path.
template <typename Dest, size_t kSaturated = 63>
class RouteTable {
 public:
  using Entry = RouteEntry<Dest>;
  using Destination = Dest;
  static_assert(std::is_trivially_copyable<Dest>::value && sizeof(Dest) % sizeof(uint32_t) == 0,
                "a destination is hashed by its 32-bit words");

  // The most routes a table holds (67,108,863): RtmClient refuses a route past it.
  static constexpr size_t kMaxRoutes = (size_t(1) << 26) - 1;

  Entry* Find(const Dest& d, uint32_t prefixLength, uint32_t hop) {
    if (index_.empty()) return nullptr;
    size_t distance = 0;
    for (size_t s = Home(d, prefixLength, hop);; s = Next(s), ++distance) {
      const uint32_t slot = index_[s];
      if (slot == 0) return nullptr;
      if (SlotDistance(slot) != Saturated(distance)) continue;  // another home's entry
      Entry& r = routes_[Position(slot)];
      if (r.Is(d, prefixLength, hop)) return &r;
    }
  }
  // Its key is not in the table, which holds fewer than kMaxRoutes.
  void Insert(const Entry& r) {
    routes_.push_back(r);
    if (routes_.size() * 2 > index_.size()) {
      Grow();  // indexes the new route too
      return;
    }
    Place(r, static_cast<uint32_t>(routes_.size() - 1));
  }
  // Invalidates pointers to the last route, which takes the erased one's place.
  void Erase(Entry* r) {
    const uint32_t position = static_cast<uint32_t>(r - routes_.data());
    const size_t mask = index_.size() - 1;
    // Backward-shift deletion: the entries after the hole that may sit in it move up, so no
    // probe run is broken and no tombstone is needed.
    size_t hole = SlotOf(position);
    for (size_t s = Next(hole); index_[s] != 0; s = Next(s)) {
      const uint32_t slot = index_[s];
      size_t distance = SlotDistance(slot);
      if (distance == kSaturated) distance = (s - Home(routes_[Position(slot)])) & mask;
      const size_t gap = (s - hole) & mask;
      if (distance >= gap) {
        index_[hole] = Slot(Position(slot), distance - gap);
        hole = s;
      }
    }
    index_[hole] = 0;
    const uint32_t last = static_cast<uint32_t>(routes_.size() - 1);
    if (position != last) {
      uint32_t& moved = index_[SlotOf(last)];
      moved = Slot(position, SlotDistance(moved));
      routes_[position] = routes_[last];
    }
    routes_.pop_back();
  }
  // A batch's later operations, ahead of their turn: at 1M routes every Find, Insert and
  // Erase otherwise waits on memory for the index slot, then for the entries it names.
  // Stage 1, well ahead: the index slot of the key.
  void PrefetchSlot(const Dest& d, uint32_t prefixLength, uint32_t hop) const {
    if (!index_.empty()) PrefetchLine(&index_[Home(d, prefixLength, hop)]);
  }
  // Stage 2, nearer (the slot has come): the entries a Find and an Erase compare, at the home
  // slot and the one after it (only those whose home is the key's).
  void PrefetchEntries(const Dest& d, uint32_t prefixLength, uint32_t hop) const {
    if (index_.empty()) return;
    const size_t home = Home(d, prefixLength, hop);
    PrefetchEntryAt(home, 0);
    PrefetchEntryAt(Next(home), 1);
  }
  // For an Erase `ahead` erases from now: the index slot of the route then last, which moves.
  void PrefetchLast(size_t ahead) const {
    if (index_.empty() || ahead >= routes_.size()) return;
    PrefetchLine(&index_[Home(routes_[routes_.size() - 1 - ahead])]);
  }
  size_t size() const { return routes_.size(); }
  bool empty() const { return routes_.empty(); }
  Entry* begin() { return routes_.data(); }
  Entry* end() { return routes_.data() + routes_.size(); }
  const Entry* begin() const { return routes_.data(); }
  const Entry* end() const { return routes_.data() + routes_.size(); }
  void clear() {
    std::vector<Entry>().swap(routes_);
    std::vector<uint32_t>().swap(index_);
  }

 private:
  size_t Next(size_t s) const { return (s + 1) & (index_.size() - 1); }
  // The entry at `slot` if its home is `distance` before it (one a Find there would read).
  void PrefetchEntryAt(size_t slot, size_t distance) const {
    const uint32_t s = index_[slot];
    if (s != 0 && SlotDistance(s) == distance && Position(s) < routes_.size()) PrefetchLine(routes_.data() + Position(s));
  }
  // A slot: position + 1 in the low 26 bits (0: empty), the distance from home above.
  static constexpr unsigned kDistanceShift = 26;
  static constexpr uint32_t kPositionMask = (1u << kDistanceShift) - 1;
  static_assert(kSaturated <= (UINT32_MAX >> kDistanceShift), "the distance fits its bits");
  static size_t Saturated(size_t distance) { return distance < kSaturated ? distance : kSaturated; }
  static uint32_t Slot(uint32_t position, size_t distance) {
    return static_cast<uint32_t>(Saturated(distance)) << kDistanceShift | (position + 1);
  }
  static uint32_t Position(uint32_t slot) { return (slot & kPositionMask) - 1; }
  static size_t SlotDistance(uint32_t slot) { return slot >> kDistanceShift; }
  size_t Home(const Dest& d, uint32_t prefixLength, uint32_t hop) const {
    // The key's 32-bit words folded in with multiply-xorshift steps (murmur3's constants):
    // every key bit reaches the high bits the slot is taken from. Byte-wise FNV-1a, before,
    // left a table's consecutive prefixes in clusters: 2.5 slots read per lookup, not 1.5,
    // each naming an entry to fetch from memory.
    uint64_t h = (uint64_t(hop) << 8 | prefixLength) * 0x9E3779B97F4A7C15ull;
    const auto* p = reinterpret_cast<const uint8_t*>(&d);
    for (size_t i = 0; i < sizeof d; i += sizeof(uint32_t)) {
      uint32_t word;
      std::memcpy(&word, p + i, sizeof word);
      h = (h ^ word) * 0xFF51AFD7ED558CCDull;
      h ^= h >> 32;
    }
    h *= 0xC4CEB9FE1A85EC53ull;
    return static_cast<size_t>(h >> 29) & (index_.size() - 1);
  }
  size_t Home(const Entry& r) const { return Home(r.destination, r.prefixLength(), r.hop()); }
  void Place(const Entry& r, uint32_t position) {  // in the first free slot from its home
    size_t s = Home(r), distance = 0;
    for (; index_[s] != 0; s = Next(s)) ++distance;
    index_[s] = Slot(position, distance);
  }
  size_t SlotOf(uint32_t position) const {  // the index slot holding position
    size_t s = Home(routes_[position]);
    while ((index_[s] & kPositionMask) != position + 1) s = Next(s);
    return s;
  }
  void Grow() {
    std::vector<uint32_t>(index_.empty() ? 1024 : index_.size() * 2).swap(index_);
    const uint32_t n = static_cast<uint32_t>(routes_.size());
    for (uint32_t i = 0; i < n; ++i) {
      if (i + kGrowAhead < n) PrefetchLine(&index_[Home(routes_[i + kGrowAhead])]);
      Place(routes_[i], i);
    }
  }

  static constexpr uint32_t kGrowAhead = 16;  // routes re-indexed ahead of the one placed

  std::vector<Entry> routes_;
  std::vector<uint32_t> index_;  // position + 1, 0: empty; a power of two long
};

static_assert(sizeof(RouteEntry<uint32_t>) == 16, "an IPv4 route is 16 bytes");

}  // namespace rrasbridge
