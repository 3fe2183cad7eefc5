#include "host/pipeline/griffinlim.h"

#include <cmath>

#include "audiostyle/philox.h"

namespace audiostyle {

GriffinLim::GriffinLim(Backend& backend, Stft& stft)
    : backend_(backend),
      stft_(stft),
      n_bins_total_(stft.shape().n_frames() * stft.shape().n_bins()),
      angles_(backend, 2 * n_bins_total_),
      previous_(backend, 2 * n_bins_total_),
      rebuilt_(backend, 2 * n_bins_total_),
      spec_(backend, 2 * n_bins_total_),
      slots_(backend, 2) {}

double GriffinLim::run(const float* magnitude, float* audio, const GriffinLimOptions& options,
                       const GriffinLimProgress& progress) {
  const int64_t n = n_bins_total_;
  backend_.fill_phasor(angles_.get(), n, options.seed, philox::kStreamPhase);
  // librosa's first iteration has no previous estimate: zero gives the same update.
  backend_.fill(previous_.get(), 2 * n, 0.0f);
  constexpr int kProgressEvery = 16;
  for (int i = 0; i < options.iterations; ++i) {
    backend_.apply_magnitude(magnitude, angles_.get(), n, spec_.get());
    stft_.inverse(spec_.get(), audio);
    stft_.forward(audio, rebuilt_.get());
    backend_.griffinlim_update(rebuilt_.get(), previous_.get(), angles_.get(), n,
                               options.momentum);
    if (progress && ((i + 1) % kProgressEvery == 0 || i + 1 == options.iterations)) {
      backend_.synchronize();  // so the progress shown is work done, not work queued
      progress(i + 1, options.iterations);
    }
  }
  backend_.apply_magnitude(magnitude, angles_.get(), n, spec_.get());
  stft_.inverse(spec_.get(), audio);

  stft_.forward(audio, rebuilt_.get());
  backend_.spectral_distance(rebuilt_.get(), magnitude, n, slots_.get());
  const std::vector<double> sums = slots_.download();
  return sums[1] > 0 ? 10.0 * std::log10(sums[0] / sums[1] + 1e-300) : 0.0;
}

size_t GriffinLim::buffer_bytes() const {
  return angles_.bytes() + previous_.bytes() + rebuilt_.bytes() + spec_.bytes() + slots_.bytes();
}

}  // namespace audiostyle
