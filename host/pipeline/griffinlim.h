// Griffin-Lim phase retrieval from a magnitude spectrogram, all on the backend: the fast algorithm
// (Perraudin, Balazs & Sondergaard 2013; librosa's griffinlim; momentum 0 gives the original) or
// the accelerated one (Nenov, Nguyen, Balazs & Bot 2023), from a random or a given initial phase.
#pragma once
#include <functional>

#include "audiostyle/backend.h"
#include "audiostyle/config.h"

namespace audiostyle {

struct GriffinLimOptions {
  int iterations = 500;
  float momentum = 0.99f;  // fgla
  uint64_t seed = 0;       // Philox stream kStreamPhase: the random initial phase
  GriffinLimAlgorithm algorithm = GriffinLimAlgorithm::fgla;
  // agla's alpha, beta, gamma: the values Nenov et al. recommend (gamma = 1 is fgla with momentum
  // alpha; gamma > 1 over-relaxes the projection).
  float agla_alpha = 0.99f, agla_beta = 1.1f, agla_gamma = 1.25f;
  // Initial phase, unit phasors [T, C, 2] in backend memory; null draws a random one from `seed`.
  const float* initial_phasor = nullptr;
};

// The options a run's config asks for (no initial phasor).
GriffinLimOptions griffinlim_options(const TransferConfig& config);

// Called with (iterations done, total); may throw Interrupted.
using GriffinLimProgress = std::function<void(int, int)>;

class GriffinLim {
 public:
  // The Stft plan fixes the shape; buffers are allocated here, once (agla's extra state at its
  // first run).
  GriffinLim(Backend& backend, Stft& stft);
  // magnitude [T, C] -> audio [n_samples]; returns the final spectral convergence in dB,
  // 20 log10(|| |STFT(audio)| - magnitude || / ||magnitude||).
  double run(const float* magnitude, float* audio, const GriffinLimOptions& options,
             const GriffinLimProgress& progress = {});
  // The phase the last run ended on, unit phasors [T, C, 2] (audio = ISTFT(magnitude * phasor)):
  // a warm start for a magnitude close to the last one.
  const float* phasor() const { return angles_.get(); }
  size_t buffer_bytes() const;

 private:
  Backend& backend_;
  Stft& stft_;
  int64_t n_bins_total_;
  Buffer<float> angles_, previous_, rebuilt_, spec_, extrapolated_;
  Buffer<double> slots_;
};

}  // namespace audiostyle
