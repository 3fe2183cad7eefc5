// bin_gain: x[r, c] *= gain[c], against the product written out (one rounded multiply, so exact).
#include <catch2/catch.hpp>

#include "audiostyle/backend.h"
#include "tests/support.h"

using namespace audiostyle;

TEST_CASE("bin_gain scales each bin of every row by its gain", "[bin_gain]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto backend = make_cpu_backend();
  const int64_t rows = 37;
  const int cols = 129;
  const auto x = test::random_uniform(size_t(rows * cols), seed, 0.f, 3.f);
  const auto gain = test::random_uniform(size_t(cols), seed + 1, 0.f, 2.f);
  Buffer<float> xb(*backend, rows * cols), gb(*backend, cols);
  xb.upload(x);
  gb.upload(gain);
  backend->bin_gain(xb.get(), rows, cols, gb.get());
  const auto out = xb.download();
  std::vector<float> ref(x.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) ref[size_t(r * cols + c)] = x[size_t(r * cols + c)] * gain[size_t(c)];
  CHECK(out == ref);
}
