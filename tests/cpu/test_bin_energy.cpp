// Per-bin energy over frames (host/cpu/bin_energy.cpp): against a double reference on random
// spectra, and on a sinusoid centred on one bin, whose energy must sit in that bin and its two
// Hann neighbours.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <vector>

#include "host/cpu/cpu_ops.h"
#include "tests/support.h"

namespace audiostyle {

TEST_CASE("bin_energy sums |spec|^2 over frames for each bin", "[bin_energy]") {
  const uint64_t seed = test::fresh_seed();
  INFO("seed " << seed);
  const int64_t n_frames = 37;
  const int n_bins = 129;
  const auto spec = test::random_normal(size_t(2 * n_frames * n_bins), seed);
  std::vector<double> ref(size_t(n_bins), 0.0);
  for (int64_t t = 0; t < n_frames; ++t)
    for (int c = 0; c < n_bins; ++c) {
      const double re = spec[size_t(2 * (t * n_bins + c))];
      const double im = spec[size_t(2 * (t * n_bins + c) + 1)];
      ref[size_t(c)] += re * re + im * im;
    }
  std::vector<double> energy(size_t(n_bins), std::nan(""));
  cpu::bin_energy(spec.data(), n_frames, n_bins, energy.data());
  for (int c = 0; c < n_bins; ++c) CHECK(energy[size_t(c)] == Approx(ref[size_t(c)]).epsilon(1e-12));
}

TEST_CASE("bin_energy of a bin-centred sinusoid is in that bin and its neighbours", "[bin_energy]") {
  const StftShape shape{256, 64, 4096};
  const int bin = 20;
  std::vector<float> audio(size_t(shape.n_samples));
  for (size_t i = 0; i < audio.size(); ++i)
    audio[i] = float(std::sin(2 * std::numbers::pi * bin * double(i) / shape.n_fft));
  auto stft = cpu::make_stft(shape);
  std::vector<float> spec(size_t(2 * shape.n_frames() * shape.n_bins()));
  stft->forward(audio.data(), spec.data());
  std::vector<double> energy(size_t(shape.n_bins()));
  cpu::bin_energy(spec.data(), shape.n_frames(), shape.n_bins(), energy.data());
  double total = 0, near = 0;
  for (int c = 0; c < shape.n_bins(); ++c) {
    total += energy[size_t(c)];
    if (std::abs(c - bin) <= 1) near += energy[size_t(c)];
  }
  CHECK(near / total > 0.99);
  // A Hann window's main lobe: the neighbours hold (1/2)^2 of the centre's energy each (the
  // zero-padded first and last frames add a little leakage: 5 %).
  CHECK(energy[bin - 1] / energy[bin] == Approx(0.25).epsilon(0.05));
}

}  // namespace audiostyle
