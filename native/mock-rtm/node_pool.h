// Node allocation for the table's maps: single nodes (one route, one destination, one index
// entry) come from per-size free lists carved out of 64 KiB blocks instead of malloc, which
// at a million routes spent a fifth of every add and delete in malloc, free and chunk
// coalescing. Freed nodes are reused by the next ones; the blocks go back when the table does.
// Arrays (hash buckets) still come from std::allocator. Not thread-safe: the table's mutex
// guards it like everything else.
#pragma once

#include <cstddef>

#include <map>
#include <memory>
#include <vector>

namespace mockrtm {

class NodePools {
 public:
  NodePools() = default;
  NodePools(const NodePools&) = delete;
  NodePools& operator=(const NodePools&) = delete;

  void* Take(size_t size) {
    Pool& p = pools_[Rounded(size)];
    if (!p.free) Grow(p, Rounded(size));
    Free* f = p.free;
    p.free = f->next;
    return f;
  }
  void Give(void* node, size_t size) {
    Pool& p = pools_[Rounded(size)];
    Free* f = static_cast<Free*>(node);
    f->next = p.free;
    p.free = f;
  }

 private:
  struct Free {
    Free* next;
  };
  struct Pool {
    Free* free = nullptr;
  };
  static constexpr size_t kBlockBytes = 64 * 1024;
  // Sizes in steps of the default new alignment, so every node is aligned as new's are.
  static size_t Rounded(size_t size) {
    const size_t a = alignof(std::max_align_t);
    const size_t s = size < sizeof(Free) ? sizeof(Free) : size;
    return (s + a - 1) / a * a;
  }
  void Grow(Pool& p, size_t size) {
    blocks_.emplace_back(new unsigned char[kBlockBytes]);
    unsigned char* b = blocks_.back().get();
    for (size_t at = 0; at + size <= kBlockBytes; at += size) {
      Free* f = reinterpret_cast<Free*>(b + at);
      f->next = p.free;
      p.free = f;
    }
  }
  std::map<size_t, Pool> pools_;
  std::vector<std::unique_ptr<unsigned char[]>> blocks_;
};

// A std allocator over NodePools (the maps rebind it to their node types).
template <typename T>
struct PooledAllocator {
  using value_type = T;
  NodePools* pools;

  explicit PooledAllocator(NodePools* p) : pools(p) {}
  template <typename U>
  PooledAllocator(const PooledAllocator<U>& o) : pools(o.pools) {}  // NOLINT: rebinding

  T* allocate(size_t n) {
    if (n == 1) return static_cast<T*>(pools->Take(sizeof(T)));
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, size_t n) {
    if (n == 1) pools->Give(p, sizeof(T));
    else std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const PooledAllocator<U>& o) const { return pools == o.pools; }
  template <typename U>
  bool operator!=(const PooledAllocator<U>& o) const { return pools != o.pools; }
};

}  // namespace mockrtm
