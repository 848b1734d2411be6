// The native baseline of route injection: a C++ loop making the RTMv2 calls the protocol
// library makes for a batch of routes (one next hop, RtmAddRouteToDest per route keeping its
// handle, then RtmDeleteRouteToDest per route), straight into an RTM library, with nothing of
// the bridge around it. Run against the mock RTM it is also the mock RTM's own speed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace rrasbridge::bench {

// Route i of a benchmark table, the same in the loop and in the benchmark protocol: the /24
// (16 + i / 65536).(i / 256 % 256).(i % 256).0, so up to 2^20 distinct BGP-like prefixes.
inline uint32_t BenchRouteAddress(size_t i) {  // host order
  return (uint32_t(16) << 24) + (static_cast<uint32_t>(i) << 8);
}
constexpr unsigned kBenchRouteBits = 24;

struct RtmLoopResult {
  bool ok = false;
  std::string error;
  size_t routes = 0;
  uint64_t addNs = 0, deleteNs = 0;        // wall clock
  uint64_t addCpuNs = 0, deleteCpuNs = 0;  // this thread's CPU time
  uint64_t residentBefore = 0, residentAdded = 0;  // this process's RSS, bytes
};

// Loads `library` (an RTMv2: the mock RTM) and runs the loop for `routes` routes.
RtmLoopResult RunRtmLoop(const std::string& library, size_t routes);

}  // namespace rrasbridge::bench
