// Fast Griffin-Lim (Perraudin, Balazs & Sondergaard 2013; librosa's griffinlim): phase retrieval
// from a magnitude spectrogram, all on the backend. momentum 0 gives the original algorithm.
#pragma once
#include <functional>

#include "audiostyle/backend.h"

namespace audiostyle {

struct GriffinLimOptions {
  int iterations = 500;
  float momentum = 0.99f;
  uint64_t seed = 0;  // Philox stream kStreamPhase: the random initial phase
};

// Called with (iterations done, total); may throw Interrupted.
using GriffinLimProgress = std::function<void(int, int)>;

class GriffinLim {
 public:
  // The Stft plan fixes the shape; buffers are allocated here, once.
  GriffinLim(Backend& backend, Stft& stft);
  // magnitude [T, C] -> audio [n_samples]; returns the final spectral convergence in dB,
  // 20 log10(|| |STFT(audio)| - magnitude || / ||magnitude||).
  double run(const float* magnitude, float* audio, const GriffinLimOptions& options,
             const GriffinLimProgress& progress = {});
  size_t buffer_bytes() const;

 private:
  Backend& backend_;
  Stft& stft_;
  int64_t n_bins_total_;
  Buffer<float> angles_, previous_, rebuilt_, spec_;
  Buffer<double> slots_;
};

}  // namespace audiostyle
