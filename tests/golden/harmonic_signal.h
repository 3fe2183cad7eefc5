// The harmonic test signal of tests/golden/make_golden.py (harmonic_signal), whose Griffin-Lim
// convergence under librosa README.md records: 220 Hz, 8 harmonics of amplitude 0.5/h, 5 Hz
// vibrato of +-1%, under a Hann fade in/out. Header-only, shared by the CPU and pipeline tests.
#pragma once
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

namespace audiostyle::test::golden {

inline std::vector<float> harmonic_signal(int64_t n_samples, int sample_rate_hz) {
  constexpr double kPi = std::numbers::pi;
  std::vector<float> audio(static_cast<size_t>(n_samples));
  const double f0_hz = 220, depth = 0.01, rate_hz = 5;
  for (int64_t m = 0; m < n_samples; ++m) {
    const double t = double(m) / sample_rate_hz;
    const double phase =
        2 * kPi * f0_hz * (t + depth * (1 - std::cos(2 * kPi * rate_hz * t)) / (2 * kPi * rate_hz));
    double y = 0;
    for (int h = 1; h <= 8; ++h) y += 0.5 / h * std::sin(h * phase);
    const double fade = 0.5 - 0.5 * std::cos(2 * kPi * double(m) / double(n_samples));
    audio[size_t(m)] = float(fade * y);
  }
  return audio;
}

}  // namespace audiostyle::test::golden
