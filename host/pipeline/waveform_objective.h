// The spectrogram objective taken through the analysis, as a function of the waveform itself
// (waveform refinement, --refine-waveform; Barry & Kim 2018's idea): for B items y [B, n_samples],
//   f(y) = F(x),  x_b = log1p|STFT(y_b)| [T, C],  F any objective on x [B, T, C] (StyleObjective),
// with the gradient by the chain rule, item by item:
//   dx = dF/dx  ->  dS = dx / (1 + |S|) * S / |S| (0 where |S| = 0)  ->  dy = STFT^T(dS)
// (Backend::log1p_magnitude_backward and Stft::backward). Optimising y makes the output's own
// spectrogram carry the objective, where Griffin-Lim only finds audio whose spectrogram is near an
// (inconsistent) optimised x.
#pragma once
#include "audiostyle/backend.h"
#include "host/pipeline/optimizer.h"

namespace audiostyle {

class WaveformObjective final : public Objective {
 public:
  // transform: the STFT plan of one item (n_samples per item); spectrogram: F on [batch, T, C].
  // Both must outlive this object. Buffers are allocated here, once.
  WaveformObjective(Backend& backend, Stft& transform, Objective& spectrogram, int batch);
  int value_count() const override { return spectrogram_.value_count(); }
  // audio [B, n_samples] -> values (F's), grad [B, n_samples]
  void evaluate(const float* audio, float* grad, double* values) override;
  int64_t n() const { return int64_t(batch_) * transform_.shape().n_samples; }
  size_t bytes() const { return spec_.bytes() + x_.bytes() + grad_x_.bytes(); }

 private:
  Backend& backend_;
  Stft& transform_;
  Objective& spectrogram_;
  int batch_;
  Buffer<float> spec_;    // [B, T, C, 2] STFT(y), then (in place) dF/dS
  Buffer<float> x_;       // [B, T, C] log1p|S|
  Buffer<float> grad_x_;  // [B, T, C] dF/dx
};

}  // namespace audiostyle
