// A mel view of the optimised spectrogram, in front of an image extractor (vgg16 --vgg-input mel;
// VGGish, vggish.h).
//
// The optimised variable stays x = log1p|S| [B, T, C] on the linear bins; the extractor sees
//   image = log1p(relu(expm1(x) @ Mel^T))   [B, T, N], Mel [N, C] (mel_filterbank.h)
// a fixed linear projection of the linear magnitude, so no mel inversion is ever needed: the
// gradient goes back through the projection's transpose,
//   dx = (1 + expm1(x)) * ((dimage / (1 + mel)) masked by mel > 0) @ Mel.
// The magnitude is the mel band's sum of magnitudes (librosa.feature.melspectrogram with power=1),
// log1p'd as the linear view is, so the two views weigh loudness alike.
//
// Why expm1 without a clamp: the reconstruction clamps a log-magnitude below 0 to silence
// (expm1_clamped), but the random start (randn * 1e-3) has half its bins below 0, and a clamp here
// would give them no gradient forever; the smooth extension lets the style pull them up. The relu
// on the band sums keeps log1p's argument >= 0 (with rows summing past 1, e.g. n_fft >= sample
// rate, a band of negative values could reach -1); it is the fused ReLU of the backend's conv1d,
// which with one tap (K = 1) is the GEMM expm1(x) [B*T, C] @ Mel^T run on the device.
#pragma once
#include <memory>
#include <vector>

#include "audiostyle/backend.h"
#include "host/common/mel_filterbank.h"
#include "host/pipeline/features.h"

namespace audiostyle {

// The projection for one number of rows (B * T frames), on backend memory; buffers made once.
class MelProjection {
 public:
  // bank [n_mels, C] in backend memory, kept by the caller while the projection is used.
  MelProjection(Backend& backend, const float* bank, int n_bins, int n_mels, int64_t n_rows);
  // x [rows, C] -> image [rows, N]; magnitude [rows, C] and mel [rows, N] are kept for backward.
  void forward(const float* x, float* magnitude, float* mel, float* image);
  // grad_x [rows, C] (overwritten) from grad_image [rows, N] (overwritten: the masked gradient).
  void backward(float* grad_image, const float* magnitude, const float* mel, float* grad_x);
  int64_t rows() const { return n_rows_; }
  size_t workspace_bytes() const { return projection_->workspace_bytes(); }
  std::string algorithm() const { return projection_->algorithm(); }

 private:
  Backend& backend_;
  int n_bins_, n_mels_;
  int64_t n_rows_;
  std::unique_ptr<Conv1d> projection_;  // K = 1: a GEMM with a fused relu
};

// `inner` runs on the mel image [B, T, spec.n_mels]; it must have been made for that width. `gain`
// scales the bank (image = log1p(gain * mel): VGGish's log(mel + 0.01) is log1p(mel / 0.01) plus a
// constant its front adds).
std::unique_ptr<FeatureExtractor> make_mel_view(Backend& backend, const MelBankSpec& spec,
                                                std::unique_ptr<FeatureExtractor> inner,
                                                float gain = 1.0f);

// Floats a plan of n_frames x batch adds for the mel view: activations (the magnitude, the band
// sums and the image), backward scratch (the image's gradient), the projection plan's own
// workspace (CUDA's conv1d keeps a padded input and its gradient, as method 1's memory plan counts)
// and the bank.
struct MelViewFootprint {
  int64_t activations = 0, scratch = 0, workspace = 0, bank = 0;
};
MelViewFootprint mel_view_footprint(int64_t n_frames, int n_bins, int n_mels, int batch);

}  // namespace audiostyle
