// Loudness and the limiter (host/io/loudness.h) on signals whose answer is known.
#include <catch2/catch.hpp>
#include <cmath>

#include "host/io/loudness.h"
#include "tests/support.h"

using namespace audiostyle;

namespace {

Audio sine(double amplitude, int channels, int rate_hz = 48000, double seconds = 5) {
  Audio a;
  a.sample_rate_hz = rate_hz;
  a.channels.assign(size_t(channels), std::vector<float>(size_t(seconds * rate_hz)));
  for (auto& channel : a.channels)
    for (size_t i = 0; i < channel.size(); ++i)
      channel[i] = float(amplitude * std::sin(2 * M_PI * 997.0 * double(i) / rate_hz));
  return a;
}

}  // namespace

TEST_CASE("loudness: EBU Tech 3341 case 1, a 1 kHz sine at -23 dBFS on both channels", "[io]") {
  // EBU Tech 3341 (minimum requirements test 1): -23.0 LUFS within 0.1 LU.
  const double amplitude = std::pow(10.0, -23.0 / 20);
  CHECK(std::abs(io::integrated_loudness(sine(amplitude, 2)) + 23.0) < 0.1);
  // Mono counts as dual mono: the same signal on one channel reads the same.
  CHECK(std::abs(io::integrated_loudness(sine(amplitude, 1)) + 23.0) < 0.1);
  // Below the -70 LUFS absolute gate: no loudness at all.
  CHECK(std::isinf(io::integrated_loudness(sine(1e-5, 1))));
}

TEST_CASE("loudness: the limiter keeps every sample under the ceiling, never above the gain",
          "[io]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  Audio noise;
  noise.sample_rate_hz = 8000;
  // Quiet noise (4 x 0.02 stays far under the ceiling) with one loud burst the limiter must catch.
  noise.channels = {test::random_normal(20000, seed, 0.02f),
                    test::random_normal(20000, seed + 1, 0.02f)};
  for (auto& channel : noise.channels)
    for (size_t i = 5000; i < 5400; ++i) channel[i] *= 25;
  const Audio before = noise;
  const double gain = 4;
  const float ceiling = 0.9f;
  const int64_t reduced = io::apply_gain_limited(noise, gain, ceiling, 40);
  CHECK(reduced > 0);
  CHECK(reduced < noise.n_samples());
  double max_ratio = 0;
  for (int c = 0; c < 2; ++c)
    for (size_t i = 0; i < noise.channels[size_t(c)].size(); ++i) {
      const float out = noise.channels[size_t(c)][i], in = before.channels[size_t(c)][i];
      CHECK(std::fabs(out) <= ceiling);
      if (std::fabs(in) > 1e-3f) max_ratio = std::max(max_ratio, double(out / in));
    }
  CHECK(max_ratio <= gain * (1 + 1e-5));
  CHECK(max_ratio > gain * 0.999);  // quiet stretches get the whole gain
}
