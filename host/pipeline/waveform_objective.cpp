#include "host/pipeline/waveform_objective.h"

namespace audiostyle {

WaveformObjective::WaveformObjective(Backend& backend, Stft& transform, Objective& spectrogram,
                                     int batch)
    : backend_(backend),
      transform_(transform),
      spectrogram_(spectrogram),
      batch_(batch),
      spec_(backend, int64_t(batch) * transform.shape().n_frames() * transform.shape().n_bins() * 2),
      x_(backend, int64_t(batch) * transform.shape().n_frames() * transform.shape().n_bins()),
      grad_x_(backend, x_.size()) {}

void WaveformObjective::evaluate(const float* audio, float* grad, double* values) {
  const int64_t n_samples = transform_.shape().n_samples;
  const int64_t bins = transform_.shape().n_frames() * transform_.shape().n_bins();  // T * C
  for (int b = 0; b < batch_; ++b)
    transform_.forward(audio + b * n_samples, spec_.get() + 2 * b * bins);
  backend_.log1p_magnitude(spec_.get(), batch_ * bins, x_.get());
  spectrogram_.evaluate(x_.get(), grad_x_.get(), values);
  backend_.log1p_magnitude_backward(spec_.get(), grad_x_.get(), batch_ * bins, spec_.get());
  for (int b = 0; b < batch_; ++b)
    transform_.backward(spec_.get() + 2 * b * bins, grad + b * n_samples);
}

}  // namespace audiostyle
