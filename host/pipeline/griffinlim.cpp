#include "host/pipeline/griffinlim.h"

#include <cmath>

#include "audiostyle/philox.h"

namespace audiostyle {

GriffinLimOptions griffinlim_options(const TransferConfig& config) {
  GriffinLimOptions options;
  options.iterations = config.gl_iterations;
  options.momentum = config.momentum;
  options.seed = config.seed;
  options.algorithm = config.gl_algorithm;
  return options;
}

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
  const bool agla = options.algorithm == GriffinLimAlgorithm::agla;
  if (agla && extrapolated_.size() == 0) extrapolated_ = Buffer<float>(backend_, 2 * n);
  if (options.initial_phasor == nullptr)
    backend_.fill_phasor(angles_.get(), n, options.seed, philox::kStreamPhase);
  else if (options.initial_phasor != angles_.get())  // else: a warm start from the last run's
    backend_.copy(angles_.get(), options.initial_phasor, sizeof(float) * size_t(2 * n));
  // librosa's first iteration has no previous estimate: zero gives the same update.
  backend_.fill(previous_.get(), 2 * n, 0.0f);
  constexpr int kProgressEvery = 16;
  for (int i = 0; i < options.iterations; ++i) {
    backend_.apply_magnitude(magnitude, angles_.get(), n, spec_.get());
    stft_.inverse(spec_.get(), audio);
    stft_.forward(audio, rebuilt_.get());
    if (agla) {
      // The first estimate t_0 = d_0 = P(c_0) (Nenov et al.'s initialisation): the first update
      // is then a plain Griffin-Lim step.
      if (i == 0) {
        backend_.copy(previous_.get(), rebuilt_.get(), sizeof(float) * size_t(2 * n));
        backend_.copy(extrapolated_.get(), rebuilt_.get(), sizeof(float) * size_t(2 * n));
      }
      backend_.griffinlim_agla_update(rebuilt_.get(), previous_.get(), extrapolated_.get(),
                                      angles_.get(), n, options.agla_alpha, options.agla_beta,
                                      options.agla_gamma);
    } else {
      backend_.griffinlim_update(rebuilt_.get(), previous_.get(), angles_.get(), n,
                                 options.momentum);
    }
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
  return angles_.bytes() + previous_.bytes() + rebuilt_.bytes() + spec_.bytes() +
         extrapolated_.bytes() + slots_.bytes();
}

}  // namespace audiostyle
