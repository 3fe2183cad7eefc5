// CPU twins of kernels/philox.cu: fill buffers from philox.h's counter-based draws. Element i is a
// pure function of (i, seed, stream), so the output is bit-identical to the GPU's and independent
// of how the range is split across threads.
#include <algorithm>
#include <thread>
#include <vector>

#include "audiostyle/philox.h"
#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {
namespace {

// Below this many elements per thread, starting a thread costs more than it saves.
constexpr int64_t kMinElementsPerThread = int64_t(1) << 16;

// Runs body(begin, end) over [0, count) split into contiguous ranges, one per hardware thread.
template <class Body>
void parallel_ranges(int64_t count, const Body& body) {
  const int64_t hardware = std::max(1u, std::thread::hardware_concurrency());
  const int64_t n_threads = std::clamp<int64_t>(count / kMinElementsPerThread, 1, hardware);
  if (n_threads == 1) {
    body(int64_t(0), count);
    return;
  }
  const int64_t per_thread = (count + n_threads - 1) / n_threads;
  std::vector<std::thread> workers;
  workers.reserve(size_t(n_threads - 1));
  for (int64_t k = 1; k < n_threads; ++k) {
    const int64_t begin = std::min(count, k * per_thread),
                  end = std::min(count, begin + per_thread);
    workers.emplace_back([&body, begin, end] { body(begin, end); });
  }
  body(int64_t(0), std::min(count, per_thread));
  for (auto& worker : workers) worker.join();
}

}  // namespace

// out [count] = stddev * normal(i, seed, stream)
void fill_normal(float* out, int64_t count, uint64_t seed, uint32_t stream, float stddev) {
  parallel_ranges(count, [=](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      out[i] = philox::fmul(stddev, philox::normal(uint64_t(i), seed, stream));
  });
}

// phasors [count, 2] = (cos, sin) of a uniform phase per element
void fill_phasor(float* phasors, int64_t count, uint64_t seed, uint32_t stream) {
  parallel_ranges(count, [=](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      philox::phasor(uint64_t(i), seed, stream, phasors[2 * i], phasors[2 * i + 1]);
  });
}

}  // namespace audiostyle::cpu
