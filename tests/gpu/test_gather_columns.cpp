// gather_columns / scatter_columns on the GPU against the CPU: copies, so bit-identical.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <random>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: gather_columns and scatter_columns match the CPU bit for bit",
          "[gather_columns]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int64_t rows = 2 * 431 + 3;
  const int cols = 1025;
  // VGGish's unseen bins at 22.05 kHz: the lowest 12 and the top 329, shuffled.
  std::vector<int> index(12 + 329);
  std::iota(index.begin(), index.begin() + 12, 0);
  std::iota(index.begin() + 12, index.end(), cols - 329);
  std::shuffle(index.begin(), index.end(), std::mt19937_64(seed));
  const int n = int(index.size());
  const auto x = test::random_uniform(size_t(rows * cols), seed, -3.f, 3.f);
  const auto y = test::random_uniform(size_t(rows * n), seed + 1, -3.f, 3.f);
  std::vector<float> gathered[2], scattered[2];
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  for (int b = 0; b < 2; ++b) {
    auto xb = test::buffer_from(*backends[b], x);
    auto yb = test::buffer_from(*backends[b], y);
    auto ib = test::buffer_from(*backends[b], index);
    Buffer<float> out(*backends[b], rows * n);
    backends[b]->gather_columns(xb.get(), rows, cols, ib.get(), n, out.get());
    backends[b]->scatter_columns(yb.get(), rows, cols, ib.get(), n, xb.get());
    gathered[b] = out.download();
    scattered[b] = xb.download();
  }
  CHECK(gathered[1] == gathered[0]);
  CHECK(scattered[1] == scattered[0]);
}
