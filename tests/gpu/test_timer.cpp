// The CUDA event timer (Backend::make_timer) on a known, sleep-free workload: an fp32 Gram of the
// reference shape, 2 * rows * cols^2 FLOP. The device time it reports must be positive and finite,
// no longer than the host's wall time around it (the events are recorded after start() is called
// and waited for before stop_ms() returns), and no shorter than the work allows at a rate no fp32
// device reaches; twice the work must take longer than once; the timer must restart cleanly.
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>

#include "audiostyle/errors.h"
#include "tests/gpu/test_twins.h"

using namespace audiostyle;

namespace {

double host_ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

TEST_CASE("gpu: the event timer measures device work plausibly and restarts", "[timer][large]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto gpu = test::make_gpu_backend();
  const int64_t rows = 420;
  const int cols = 4096;
  const double flop = 2.0 * double(rows) * double(cols) * double(cols);
  // FP32 peaks are tens of TFLOP/s (H100 SXM: 67); 1 PFLOP/s is an impossible rate.
  const double min_ms = flop / 1e15 * 1e3;
  // The two clocks tick in different units; allow the event resolution (about 0.5 us) and 1%.
  const auto host_bound = [](double host_ms) { return host_ms * 1.01 + 0.01; };

  auto features =
      test::buffer_from(*gpu, test::random_uniform(size_t(rows * cols), seed, 0.f, 2.f));
  Buffer<float> gram(*gpu, int64_t(cols) * cols);
  auto plan = gpu->make_gram(rows, cols, Precision::fp32);
  plan->forward(features.get(), 1.f, gram.get());  // warm-up: cuBLAS loads its kernels here
  gpu->synchronize();

  auto timer = gpu->make_timer();
  CHECK_THROWS_AS(gpu->make_timer()->stop_ms(), Error);  // no start() to measure from

  // Once.
  auto host_start = std::chrono::steady_clock::now();
  timer->start();
  plan->forward(features.get(), 1.f, gram.get());
  const double once_ms = timer->stop_ms();
  const double once_host_ms = host_ms_since(host_start);
  INFO("once: device " << once_ms << " ms, host " << once_host_ms << " ms, at least " << min_ms
                       << " ms, " << flop / (once_ms * 1e-3) * 1e-12 << " TFLOP/s");
  CHECK(std::isfinite(once_ms));
  CHECK(once_ms > 0);
  CHECK(once_ms >= min_ms);
  CHECK(once_ms <= host_bound(once_host_ms));

  // Twice, on the same timer: a second start()/stop_ms() pair measures a new interval.
  host_start = std::chrono::steady_clock::now();
  timer->start();
  plan->forward(features.get(), 1.f, gram.get());
  plan->forward(features.get(), 1.f, gram.get(), /*accumulate=*/true);
  const double twice_ms = timer->stop_ms();
  const double twice_host_ms = host_ms_since(host_start);
  INFO("twice: device " << twice_ms << " ms, host " << twice_host_ms << " ms");
  CHECK(std::isfinite(twice_ms));
  CHECK(twice_ms >= 2 * min_ms);
  CHECK(twice_ms <= host_bound(twice_host_ms));
  // Clock and scheduling jitter are far below the 2x between these two (a few hundred us each).
  CHECK(twice_ms > once_ms);

  // A second stop without a new start measures from the same start, as the CPU twin does.
  const double lap_ms = timer->stop_ms();
  INFO("lap " << lap_ms << " ms");
  CHECK(lap_ms >= twice_ms);

  // Nothing enqueued: a tiny, non-negative interval.
  timer->start();
  const double empty_ms = timer->stop_ms();
  INFO("empty " << empty_ms << " ms");
  CHECK(std::isfinite(empty_ms));
  CHECK(empty_ms >= 0);
  CHECK(empty_ms < once_ms);

  // The timed work really ran: G = A^T A is finite and its diagonal positive.
  const auto g = gram.download();
  for (int i = 0; i < cols; i += 511) CHECK(g[size_t(i) * cols + i] > 0);
}
