#include "call_stats.h"

namespace rrasbridge {

size_t CallStats::BucketOf(uint64_t ns) {
  constexpr uint64_t kSub = 1u << kSubBits;
  if (ns < kSub) return static_cast<size_t>(ns);
  int msb = 63;
  while (!(ns >> msb)) --msb;
  const size_t bucket = (static_cast<size_t>(msb - kSubBits + 1) << kSubBits) +
                        static_cast<size_t>((ns >> (msb - kSubBits)) & (kSub - 1));
  return bucket < kBuckets ? bucket : kBuckets - 1;
}

uint64_t CallStats::BucketUpperNs(size_t bucket) {
  constexpr uint64_t kSub = 1u << kSubBits;
  if (bucket < kSub) return bucket;
  const int msb = static_cast<int>(bucket >> kSubBits) + kSubBits - 1;
  const uint64_t low = (kSub | (bucket & (kSub - 1))) << (msb - kSubBits);
  return low + (uint64_t(1) << (msb - kSubBits)) - 1;
}

void CallStats::End(EntryPoint ep, uint64_t ns, uint32_t result, bool failed) {
  inFlight_.fetch_sub(1, std::memory_order_relaxed);
  const size_t i = static_cast<size_t>(ep);
  if (i >= entries_.size()) return;
  PerEntry& e = entries_[i];
  e.count.fetch_add(1, std::memory_order_relaxed);
  if (failed) e.failed.fetch_add(1, std::memory_order_relaxed);
  e.lastResult.store(result, std::memory_order_relaxed);
  e.totalNs.fetch_add(ns, std::memory_order_relaxed);
  uint64_t max = e.maxNs.load(std::memory_order_relaxed);
  while (ns > max && !e.maxNs.compare_exchange_weak(max, ns, std::memory_order_relaxed)) {
  }
  e.buckets[BucketOf(ns)].fetch_add(1, std::memory_order_relaxed);
}

std::vector<CallStats::Summary> CallStats::Summaries() const {
  std::vector<Summary> out;
  for (size_t i = 1; i < entries_.size(); ++i) {
    const PerEntry& e = entries_[i];
    Summary s;
    s.entryPoint = static_cast<EntryPoint>(i);
    // The histogram is read bucket by bucket while calls go on: its own total is what the
    // quantiles are taken from, so they stay consistent with each other.
    std::array<uint32_t, kBuckets> counts;
    uint64_t total = 0;
    for (size_t b = 0; b < kBuckets; ++b) total += counts[b] = e.buckets[b].load(std::memory_order_relaxed);
    if (total == 0) continue;
    s.count = e.count.load(std::memory_order_relaxed);
    s.failed = e.failed.load(std::memory_order_relaxed);
    s.lastResult = e.lastResult.load(std::memory_order_relaxed);
    s.totalNs = e.totalNs.load(std::memory_order_relaxed);
    s.maxNs = e.maxNs.load(std::memory_order_relaxed);
    const uint64_t at50 = (total + 1) / 2, at99 = total - total / 100;
    uint64_t seen = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
      const uint64_t before = seen;
      seen += counts[b];
      if (before < at50 && seen >= at50) s.p50Ns = BucketUpperNs(b);
      if (before < at99 && seen >= at99) {
        s.p99Ns = BucketUpperNs(b);
        break;
      }
    }
    // A quantile never exceeds the largest call seen.
    if (s.p50Ns > s.maxNs) s.p50Ns = s.maxNs;
    if (s.p99Ns > s.maxNs) s.p99Ns = s.maxNs;
    out.push_back(s);
  }
  return out;
}

}  // namespace rrasbridge
