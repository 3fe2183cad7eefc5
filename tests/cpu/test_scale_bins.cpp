// A gain per frequency bin (host/cpu/scale_bins.cpp): every frame's bin c is multiplied by gain[c].
#include <catch2/catch.hpp>

#include <vector>

#include "host/cpu/cpu_ops.h"
#include "tests/support.h"

namespace audiostyle {

TEST_CASE("scale_bins multiplies each bin of every frame by its gain", "[scale_bins]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  const int64_t n_frames = 23;
  const int n_bins = 65;
  const auto spec = test::random_normal(size_t(2 * n_frames * n_bins), seed);
  const auto gain = test::random_uniform(size_t(n_bins), seed + 1, 0.f, 3.f);
  auto out = spec;
  cpu::scale_bins(out.data(), gain.data(), n_frames, n_bins);
  for (int64_t t = 0; t < n_frames; ++t)
    for (int c = 0; c < n_bins; ++c)
      for (int k = 0; k < 2; ++k) {
        const size_t j = size_t(2 * (t * n_bins + c) + k);
        REQUIRE(out[j] == spec[j] * gain[size_t(c)]);
      }
}

}  // namespace audiostyle
