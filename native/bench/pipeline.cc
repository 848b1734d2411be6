// The bounded-in-flight loop of the throughput benchmarks (see pipeline.h).
#include "pipeline.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "proc_stats.h"

namespace rrasbridge::bench {

PipelineResult RunPipelined(size_t count, size_t depth, int senders,
                            const std::function<bool()>& issue,
                            const std::function<size_t()>& reap) {
  std::mutex mu;
  std::condition_variable cv;
  size_t inFlight = 0;
  bool stop = false;
  std::atomic<size_t> issued{0};
  std::atomic<bool> ok{true};
  PipelineResult r;
  const uint64_t t0 = MonotonicNs();

  std::vector<std::thread> threads;
  for (int s = 0; s < senders; ++s) {
    threads.emplace_back([&] {
      for (;;) {
        {
          std::unique_lock<std::mutex> lock(mu);
          cv.wait(lock, [&] { return stop || inFlight < depth; });
          if (stop) return;
          if (issued.fetch_add(1) >= count) return;
          ++inFlight;
        }
        if (!issue()) {
          ok = false;
          std::lock_guard<std::mutex> lock(mu);
          stop = true;
          cv.notify_all();
          return;
        }
      }
    });
  }
  while (r.completed < count) {
    const size_t n = reap();
    if (n == 0 || !ok) break;
    r.completed += n;
    std::lock_guard<std::mutex> lock(mu);
    inFlight = inFlight > n ? inFlight - n : 0;
    cv.notify_all();
  }
  r.elapsedNs = MonotonicNs() - t0;
  {
    std::lock_guard<std::mutex> lock(mu);
    stop = true;
    cv.notify_all();
  }
  for (auto& t : threads) t.join();
  r.ok = ok && r.completed >= count;
  return r;
}

}  // namespace rrasbridge::bench
