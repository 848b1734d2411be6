// Per entry point statistics of one protocol, for `rras-bridge status`: how many calls, how
// many failed, and their latency (p50, p99, max) from a log-linear histogram; and how many
// calls are in flight. Lock-free (relaxed atomics): updated on the router manager's threads
// on every call, read by the admin endpoint.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "trace_ring.h"

namespace rrasbridge {

class CallStats {
 public:
  // Buckets: exact below 16 ns, then 16 per power of two (a quantile is within 1/16 of the
  // true value), up to 2^40 ns (18 minutes); slower calls count in the last bucket.
  static constexpr int kSubBits = 4;
  static constexpr size_t kBuckets = (1u << kSubBits) * (41 - kSubBits);

  struct Summary {
    EntryPoint entryPoint;
    uint64_t count = 0, failed = 0;
    uint32_t lastResult = 0;
    uint64_t p50Ns = 0, p99Ns = 0, maxNs = 0, totalNs = 0;
  };

  void Begin() { inFlight_.fetch_add(1, std::memory_order_relaxed); }
  // failed: a result that says the call did not do its job (not NO_ERROR, nor the expected
  // answers such as ERROR_NO_MORE_ITEMS from GetEventMessage).
  void End(EntryPoint ep, uint64_t ns, uint32_t result, bool failed);
  int inFlight() const { return inFlight_.load(std::memory_order_relaxed); }
  // Entry points called at least once, in EntryPoint order.
  std::vector<Summary> Summaries() const;

  static size_t BucketOf(uint64_t ns);
  static uint64_t BucketUpperNs(size_t bucket);  // the largest value counted in it

 private:
  struct PerEntry {
    std::atomic<uint64_t> count{0}, failed{0}, totalNs{0}, maxNs{0};
    std::atomic<uint32_t> lastResult{0};
    std::array<std::atomic<uint32_t>, kBuckets> buckets{};
  };
  std::array<PerEntry, kEntryPointCount> entries_;
  std::atomic<int> inFlight_{0};
};

}  // namespace rrasbridge
