#include "host/pipeline/pghi.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <queue>

#include "audiostyle/philox.h"

namespace audiostyle {

std::vector<float> pghi_phasor(const std::vector<float>& magnitude, int64_t n_frames,
                               const PghiOptions& options) {
  const int C = options.n_fft / 2 + 1;
  const int64_t T = n_frames, count = T * C;
  const double a = options.hop, M = options.n_fft;
  // The Gaussian that best fits a Hann window of L taps has lambda = 0.25645 L^2 (Prusa et al.,
  // Table I; ltfat's pghi takes L = the window's own length, gl); for a Gaussian window the phase
  // gradient follows from the log-magnitude gradient. M (the FFT size, the number of channels) is
  // a separate quantity: a window shorter than the FFT (win_length < n_fft) keeps its own L.
  const double L = options.win_length > 0 ? options.win_length : options.n_fft;
  const double gamma = 0.25645 * L * L;
  const double kPi = 3.14159265358979323846;
  std::vector<double> log_mag(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) log_mag[size_t(i)] = std::log(double(magnitude[size_t(i)]) + 1e-30);
  auto s = [&](int64_t t, int c) { return log_mag[size_t(t * C + c)]; };

  // Phase advance per frame (time direction), radians: (aM / 2 gamma) ds/dm (central difference over
  // two bins) plus the advance 2 pi a m / M of a bin-centred sinusoid (the STFT's phase is relative
  // to each frame, phaseret's rtpghitgrad). The first and last bins have no gradient estimate.
  std::vector<double> time_grad(static_cast<size_t>(count)), freq_grad(static_cast<size_t>(count));
  for (int64_t t = 0; t < T; ++t)
    for (int c = 0; c < C; ++c) {
      const double ds = (c > 0 && c < C - 1) ? s(t, c + 1) - s(t, c - 1) : 0.0;
      time_grad[size_t(t * C + c)] = a * M / (2 * gamma) * ds + 2 * kPi * a * c / M;
    }
  // Phase advance per bin (frequency direction): -(gamma / aM) ds/dn (central difference over two
  // frames, one-sided at the ends), plus pi: librosa's FFT origin is the frame's first sample, not
  // its centre, which multiplies bin m by (-1)^m.
  for (int64_t t = 0; t < T; ++t)
    for (int c = 0; c < C; ++c) {
      double ds = 0;
      if (T > 1) {
        if (t == 0) ds = 2 * (s(1, c) - s(0, c));
        else if (t == T - 1) ds = 2 * (s(T - 1, c) - s(T - 2, c));
        else ds = s(t + 1, c) - s(t - 1, c);
      }
      freq_grad[size_t(t * C + c)] = -gamma / (2 * a * M) * ds + kPi;
    }

  // Heap integration: from the largest coefficient not yet done, spread to the four neighbours by
  // the trapezoidal rule, always continuing from the largest coefficient reached so far.
  std::vector<double> phase(static_cast<size_t>(count), 0.0);
  std::vector<char> done(static_cast<size_t>(count), 0);
  const float largest = count > 0 ? *std::max_element(magnitude.begin(), magnitude.end()) : 0.f;
  const double threshold = largest * options.relative_tolerance;
  for (int64_t i = 0; i < count; ++i)
    if (!(magnitude[size_t(i)] > threshold)) done[size_t(i)] = 2;  // left to the random phase
  std::vector<int64_t> order(static_cast<size_t>(count));
  std::iota(order.begin(), order.end(), int64_t(0));
  std::sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
    return magnitude[size_t(x)] > magnitude[size_t(y)] || (magnitude[size_t(x)] == magnitude[size_t(y)] && x < y);
  });
  using Entry = std::pair<float, int64_t>;  // (magnitude, index): the largest on top
  std::priority_queue<Entry> heap;
  for (int64_t seed_index : order) {
    if (done[size_t(seed_index)]) continue;
    done[size_t(seed_index)] = 1;  // a new region starts at phase 0
    heap.push({magnitude[size_t(seed_index)], seed_index});
    while (!heap.empty()) {
      const int64_t i = heap.top().second;
      heap.pop();
      const int64_t t = i / C;
      const int c = int(i % C);
      auto visit = [&](int64_t j, double step) {
        if (done[size_t(j)]) return;
        phase[size_t(j)] = phase[size_t(i)] + step;
        done[size_t(j)] = 1;
        heap.push({magnitude[size_t(j)], j});
      };
      if (t + 1 < T) visit(i + C, 0.5 * (time_grad[size_t(i)] + time_grad[size_t(i + C)]));
      if (t > 0) visit(i - C, -0.5 * (time_grad[size_t(i)] + time_grad[size_t(i - C)]));
      if (c + 1 < C) visit(i + 1, 0.5 * (freq_grad[size_t(i)] + freq_grad[size_t(i + 1)]));
      if (c > 0) visit(i - 1, -0.5 * (freq_grad[size_t(i)] + freq_grad[size_t(i - 1)]));
    }
  }

  std::vector<float> phasor(static_cast<size_t>(2 * count));
  for (int64_t i = 0; i < count; ++i) {
    if (done[size_t(i)] == 2) {
      philox::phasor(uint64_t(i), options.seed, philox::kStreamPhase, phasor[size_t(2 * i)],
                     phasor[size_t(2 * i + 1)]);
    } else {
      phasor[size_t(2 * i)] = float(std::cos(phase[size_t(i)]));
      phasor[size_t(2 * i + 1)] = float(std::sin(phase[size_t(i)]));
    }
  }
  return phasor;
}

}  // namespace audiostyle
