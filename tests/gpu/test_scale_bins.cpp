// A gain per bin on the GPU against its CPU twin: one float multiply per element (__fmul_rn on the
// GPU), so the results are bit-identical.
#include <catch2/catch.hpp>

#include "tests/gpu/test_twins.h"

using namespace audiostyle;

TEST_CASE("gpu: scale_bins matches the CPU bit for bit", "[scale_bins]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  test::Twins twins;
  const int64_t n_frames = 431;
  const int n_bins = 1025;
  const auto spec = test::random_normal(size_t(2 * n_frames * n_bins), seed);
  const auto gain = test::random_uniform(size_t(n_bins), seed + 1, 0.f, 4.f);
  std::vector<float> out[2];
  Backend* backends[2] = {twins.cpu.get(), twins.gpu.get()};
  for (int b = 0; b < 2; ++b) {
    auto spec_b = test::buffer_from(*backends[b], spec);
    auto gain_b = test::buffer_from(*backends[b], gain);
    backends[b]->scale_bins(spec_b.get(), gain_b.get(), n_frames, n_bins);
    out[b] = spec_b.download();
  }
  CHECK(out[1] == out[0]);
}
