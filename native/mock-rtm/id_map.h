// IdMap: the table's routes and destinations by handle id. Objects live in nodes from the
// table's NodePools (their addresses are stable until erased); the index is a flat
// open-addressing array of (id, object) slots, linear probing from the id's low bits.
// At a million routes the node-based unordered_map this replaces spent a fifth of every add
// in its bucket chains, modulo-prime hashing and rehashes walking every node; here a lookup
// is one probe or two in one array, and growing is one sequential pass over it. Not
// thread-safe: the table's mutex guards it like everything else.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <new>
#include <stdexcept>
#include <utility>
#include <vector>

#include "node_pool.h"

namespace mockrtm {

template <typename T>
class IdMap {
 public:
  explicit IdMap(NodePools* pools) : pools_(pools) {}
  ~IdMap() { clear(); }
  IdMap(const IdMap&) = delete;
  IdMap& operator=(const IdMap&) = delete;

  size_t size() const { return size_; }

  T* find(uint64_t id) const {
    if (slots_.empty() || id == 0) return nullptr;
    for (size_t i = Home(id);; i = (i + 1) & Mask()) {
      const Slot& s = slots_[i];
      if (s.id == id) return s.obj;
      if (s.id == 0) return nullptr;
    }
  }
  T& at(uint64_t id) const {
    T* p = find(id);
    if (!p) throw std::out_of_range("IdMap::at");
    return *p;
  }

  // A new default-initialized object for `id` (nonzero, not present): T's member initializers
  // say what it starts as; no zeroing of the whole node first.
  T& emplace(uint64_t id) {
    if ((size_ + 1) * kLoadDen > slots_.size() * kLoadNum) Grow();
    void* mem = pools_->Take(sizeof(T));
    T* obj = new (mem) T;
    Place(id, obj);
    ++size_;
    return *obj;
  }

  void erase(uint64_t id) {
    if (slots_.empty() || id == 0) return;
    size_t i = Home(id);
    for (; slots_[i].id != id; i = (i + 1) & Mask()) {
      if (slots_[i].id == 0) return;
    }
    Destroy(slots_[i].obj);
    // Backward-shift deletion: later entries of the probe run move into the hole when their
    // home is not past it, so no tombstones ever slow lookups.
    for (size_t j = (i + 1) & Mask(); slots_[j].id; j = (j + 1) & Mask()) {
      const size_t home = Home(slots_[j].id);
      if (((j - home) & Mask()) >= ((j - i) & Mask())) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = Slot();
    --size_;
  }

  void clear() {
    for (Slot& s : slots_) {
      if (s.id) Destroy(s.obj);
      s = Slot();
    }
    size_ = 0;
  }

  // f(id, object) for each, in no particular order; f must not add or erase.
  template <typename F>
  void ForEach(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.id) f(s.id, *s.obj);
    }
  }

 private:
  struct Slot {
    uint64_t id = 0;  // 0: empty (no handle id is 0)
    T* obj = nullptr;
  };
  // Grown past 3/4 full: a short probe run even for ids in arithmetic progression.
  static constexpr size_t kLoadNum = 3, kLoadDen = 4;
  static constexpr size_t kInitialSlots = 64;

  size_t Mask() const { return slots_.size() - 1; }
  // The low bits themselves: ids are issued in sequence, so objects made one after another
  // sit in neighbouring slots (a scattering hash cost a cache miss on every add, which made
  // a million adds slower than the unordered_map). A route table's ids come interleaved with
  // its dests' and few others', a small stride that linear probing absorbs.
  size_t Home(uint64_t id) const { return static_cast<size_t>(id) & Mask(); }
  void Place(uint64_t id, T* obj) {
    size_t i = Home(id);
    while (slots_[i].id) i = (i + 1) & Mask();
    slots_[i].id = id;
    slots_[i].obj = obj;
  }
  void Grow() {
    std::vector<Slot> old(slots_.empty() ? kInitialSlots : slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (s.id) Place(s.id, s.obj);
    }
  }
  void Destroy(T* obj) {
    obj->~T();
    pools_->Give(obj, sizeof(T));
  }

  NodePools* pools_;
  std::vector<Slot> slots_;  // a power of two in size (or empty)
  size_t size_ = 0;
};

}  // namespace mockrtm
