// bin_gain on the GPU against the CPU: one correctly rounded multiply per element on both, so the
// results must be bit-identical.
#include <catch2/catch.hpp>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: bin_gain matches the CPU bit for bit", "[bin_gain]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int64_t rows = 2 * 431;
  const int cols = 1025;
  const auto x = test::random_uniform(size_t(rows * cols), seed, 0.f, 3.f);
  const auto gain = test::random_uniform(size_t(cols), seed + 1, 0.f, 2.f);
  std::vector<float> out[2];
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  for (int b = 0; b < 2; ++b) {
    auto xb = test::buffer_from(*backends[b], x);
    auto gb = test::buffer_from(*backends[b], gain);
    backends[b]->bin_gain(xb.get(), rows, cols, gb.get());
    out[b] = xb.download();
  }
  CHECK(out[1] == out[0]);
}
