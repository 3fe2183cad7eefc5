// Spectral maps (host/cpu/spectral.cpp) against double-precision references on fresh random inputs,
// and log1p_magnitude against librosa golden data.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "host/cpu/cpu_ops.h"
#include "tests/golden/golden.h"
#include "tests/support.h"

namespace audiostyle {
namespace {

// An odd count, so no vectorised loop can hide a missed tail.
constexpr int64_t kCount = 100'003;

// kCount complex values [.., 2] whose magnitudes span seven decades, as in a real spectrogram.
std::vector<float> decades_spectrum(uint64_t seed) {
  auto spec = test::random_normal(2 * kCount, seed, 1.f);
  const auto scale = test::random_uniform(kCount, seed + 1, -4.f, 3.f);
  for (int64_t i = 0; i < kCount; ++i) {
    const float s = std::pow(10.f, scale[size_t(i)]);
    spec[size_t(2 * i)] *= s;
    spec[size_t(2 * i + 1)] *= s;
  }
  return spec;
}

}  // namespace

TEST_CASE("spectral: log1p_magnitude matches log1p(|z|) in double", "[spectral]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto spec = decades_spectrum(seed);
  std::vector<double> ref(kCount);
  for (int64_t i = 0; i < kCount; ++i)
    ref[size_t(i)] =
        std::log1p(std::hypot(double(spec[size_t(2 * i)]), double(spec[size_t(2 * i + 1)])));
  auto out = test::poisoned(kCount);
  cpu::log1p_magnitude(spec.data(), kCount, out.data());
  const double error = test::relative_error(out.data(), ref.data(), kCount);
  INFO("relative error " << error);
  CHECK(error <= 1e-6);
  // Elementwise too: each value is one rounding of the double result.
  double worst = 0;
  for (int64_t i = 0; i < kCount; ++i)
    worst = std::max(worst, std::abs(out[size_t(i)] - ref[size_t(i)]) / ref[size_t(i)]);
  INFO("worst element relative error " << worst);
  CHECK(worst <= 1.2e-7);
}

TEST_CASE("spectral: log1p_magnitude of the librosa stft matches the librosa log1p(|stft|)",
          "[spectral][golden]") {
  for (const auto& c : test::golden::stft_cases()) {
    INFO(c.name);
    const auto spec =
        test::golden::read_f32(c.path(".stft.f32"), test::golden::spec_floats(c.shape));
    const auto golden = test::golden::read_f32(c.path(".log1p.f32"), spec.size() / 2);
    auto out = test::poisoned(golden.size());
    cpu::log1p_magnitude(spec.data(), int64_t(golden.size()), out.data());
    const double error = test::relative_error(out, golden);
    INFO("relative error " << error);
    CHECK(error <= 1e-6);
  }
}

TEST_CASE("spectral: log1p_magnitude_backward is the chain rule through log1p|z|, 0 at z = 0",
          "[spectral]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  auto spec = decades_spectrum(seed);
  spec[0] = spec[1] = 0.f;  // |z| = 0: no direction, the gradient is 0 (not NaN)
  const auto grad_x = test::random_normal(kCount, seed + 2, 1.f);
  // d log1p(|z|) / d re = re / (|z| (1 + |z|)), likewise im.
  std::vector<double> ref(2 * kCount);
  for (int64_t i = 0; i < kCount; ++i) {
    const double re = spec[size_t(2 * i)], im = spec[size_t(2 * i + 1)];
    const double m = std::hypot(re, im);
    const double g = m > 0 ? grad_x[size_t(i)] / (m * (1 + m)) : 0.0;
    ref[size_t(2 * i)] = g * re;
    ref[size_t(2 * i + 1)] = g * im;
  }
  auto out = test::poisoned(2 * kCount);
  cpu::log1p_magnitude_backward(spec.data(), grad_x.data(), kCount, out.data());
  const double error = test::relative_error(out.data(), ref.data(), ref.size());
  INFO("relative error " << error);
  CHECK(error <= 1e-6);
  CHECK(out[0] == 0.f);
  CHECK(out[1] == 0.f);
  // In place (grad_spec aliasing spec), as the waveform objective calls it.
  auto in_place = spec;
  cpu::log1p_magnitude_backward(in_place.data(), grad_x.data(), kCount, in_place.data());
  CHECK(in_place == out);
}

TEST_CASE("spectral: expm1_clamped is expm1 clamped at 0", "[spectral]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  const auto x = test::random_uniform(kCount, seed, -3.f, 6.f);
  std::vector<double> ref(kCount);
  for (int64_t i = 0; i < kCount; ++i)
    ref[size_t(i)] = std::max(std::expm1(double(x[size_t(i)])), 0.0);
  auto out = test::poisoned(kCount);
  cpu::expm1_clamped(x.data(), kCount, out.data());
  const double error = test::relative_error(out.data(), ref.data(), kCount);
  INFO("relative error " << error);
  CHECK(error <= 1e-6);
  int64_t negatives = 0, not_clamped = 0;
  for (int64_t i = 0; i < kCount; ++i) {
    negatives += x[size_t(i)] < 0;
    // Negative inputs give exactly 0 (not a tiny negative magnitude); no output is below 0.
    not_clamped += (x[size_t(i)] < 0 && out[size_t(i)] != 0.f) || !(out[size_t(i)] >= 0.f);
  }
  CHECK(negatives > kCount / 4);  // the range above makes a third of them negative
  CHECK(not_clamped == 0);
  // expm1 inverts log1p_magnitude on magnitudes, to float rounding.
  std::vector<float> spec(2 * kCount, 0.f), magnitude(kCount), back(kCount);
  for (int64_t i = 0; i < kCount; ++i) spec[size_t(2 * i)] = std::abs(x[size_t(i)]) * 10.f;
  cpu::log1p_magnitude(spec.data(), kCount, magnitude.data());
  cpu::expm1_clamped(magnitude.data(), kCount, back.data());
  std::vector<float> expected(kCount);
  for (int64_t i = 0; i < kCount; ++i) expected[size_t(i)] = spec[size_t(2 * i)];
  CHECK(test::relative_error(back, expected) <= 1e-6);
}

TEST_CASE("spectral: expm1_clamped lets NaN through instead of hiding it", "[spectral]") {
  const float x[3] = {std::numeric_limits<float>::quiet_NaN(), -1.f, 1.f};
  float out[3] = {0.f, 5.f, 0.f};
  cpu::expm1_clamped(x, 3, out);
  CHECK(std::isnan(out[0]));
  CHECK(out[1] == 0.f);
  CHECK(out[2] == Approx(std::expm1(1.0)).epsilon(1e-7));
}

TEST_CASE("spectral: apply_magnitude scales each phasor by its magnitude", "[spectral]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  const auto magnitude = test::random_uniform(kCount, seed, 0.f, 50.f);
  std::vector<float> phasor(2 * kCount);
  cpu::fill_phasor(phasor.data(), kCount, seed, 7);
  std::vector<double> ref(2 * kCount);
  for (int64_t i = 0; i < 2 * kCount; ++i)
    ref[size_t(i)] = double(magnitude[size_t(i / 2)]) * double(phasor[size_t(i)]);
  auto spec = test::poisoned(2 * kCount);
  cpu::apply_magnitude(magnitude.data(), phasor.data(), kCount, spec.data());
  const double error = test::relative_error(spec.data(), ref.data(), 2 * kCount);
  INFO("relative error " << error);
  CHECK(error <= 1e-6);
}

TEST_CASE("spectral: spectral_distance sums (|z| - m)^2 and m^2 in double", "[spectral]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  const auto spec = test::random_normal(2 * kCount, seed);
  const auto magnitude = test::random_uniform(kCount, seed + 1, 0.f, 2.f);
  long double distance = 0, energy = 0;
  for (int64_t i = 0; i < kCount; ++i) {
    const long double z =
        std::hypot((long double)spec[size_t(2 * i)], (long double)spec[size_t(2 * i + 1)]);
    const long double d = z - magnitude[size_t(i)];
    distance += d * d;
    energy += (long double)magnitude[size_t(i)] * magnitude[size_t(i)];
  }
  double slots[2] = {std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::quiet_NaN()};
  cpu::spectral_distance(spec.data(), magnitude.data(), kCount, slots);
  INFO("distance " << slots[0] << " vs " << double(distance) << ", energy " << slots[1] << " vs "
                   << double(energy));
  CHECK(std::abs(slots[0] - double(distance)) <= 1e-12 * double(distance));
  CHECK(std::abs(slots[1] - double(energy)) <= 1e-12 * double(energy));

  // A spectrogram built from the magnitudes themselves is at distance ~0 (float rounding only).
  std::vector<float> phasor(2 * kCount), rebuilt(2 * kCount);
  cpu::fill_phasor(phasor.data(), kCount, seed, 3);
  cpu::apply_magnitude(magnitude.data(), phasor.data(), kCount, rebuilt.data());
  cpu::spectral_distance(rebuilt.data(), magnitude.data(), kCount, slots);
  INFO("self distance ratio " << slots[0] / slots[1]);
  CHECK(slots[0] <= 1e-12 * slots[1]);
}

}  // namespace audiostyle
